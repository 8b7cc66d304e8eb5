CREATE TABLE `channel_legal_holds` (
	`channel_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`set_by` text NOT NULL,
	`set_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `agency_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `receipts` ADD `pos` integer;--> statement-breakpoint
CREATE INDEX `attachments_uploader_idx` ON `attachments` (`uploaded_by`,`size`);--> statement-breakpoint
CREATE INDEX `attachments_channel_idx` ON `attachments` (`channel_id`,`size`);--> statement-breakpoint
-- Hand-added data backfill (not generated): a hold set before holds were per agency is kept as a hold of every current member agency, so none is lost; each lifts its own.
INSERT INTO `channel_legal_holds` (`channel_id`, `agency_id`, `set_by`, `set_at`) SELECT DISTINCT c.`id`, cm.`agency_id`, 'migration', CAST(strftime('%s', 'now') AS integer) * 1000 FROM `channels` c JOIN `channel_members` cm ON cm.`channel_id` = c.`id` AND cm.`until_pos` IS NULL WHERE c.`legal_hold` = 1;--> statement-breakpoint
-- Hand-added data backfill (not generated): every existing receipt has exactly one feed item; its position becomes the receipt's.
UPDATE `receipts` SET `pos` = (SELECT f.`pos` FROM `feed` f WHERE f.`message_pk` = `receipts`.`message_pk` AND f.`kind` = 'receipt' AND json_extract(f.`payload`, '$.officerId') = `receipts`.`officer_id` AND json_extract(f.`payload`, '$.kind') = `receipts`.`kind`);
