CREATE TABLE `desk_intake_keys` (
	`desk_id` text NOT NULL,
	`version` integer NOT NULL,
	`statement` text NOT NULL,
	`signer_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`desk_id`, `version`),
	FOREIGN KEY (`desk_id`) REFERENCES `desks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `desk_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`desk_id` text NOT NULL,
	`requester_id` text NOT NULL,
	`request_id` text NOT NULL,
	`version` integer NOT NULL,
	`request` text NOT NULL,
	`received_at` integer NOT NULL,
	`page_id` text,
	`state` text NOT NULL,
	`claimed_by` text,
	`claimed_at` integer,
	`case_channel_id` text,
	FOREIGN KEY (`desk_id`) REFERENCES `desks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `desk_requests_requester_uq` ON `desk_requests` (`requester_id`,`request_id`);--> statement-breakpoint
CREATE INDEX `desk_requests_desk_idx` ON `desk_requests` (`desk_id`,`received_at`);--> statement-breakpoint
ALTER TABLE `desks` ADD `channel_id` text;