CREATE TABLE `page_deliveries` (
	`page_id` text NOT NULL,
	`step` integer NOT NULL,
	`officer_id` text NOT NULL,
	`outcomes` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`page_id`, `step`, `officer_id`),
	FOREIGN KEY (`page_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `page_deliveries_officer_idx` ON `page_deliveries` (`officer_id`);--> statement-breakpoint
CREATE TABLE `pages` (
	`id` text PRIMARY KEY NOT NULL,
	`desk_id` text NOT NULL,
	`priority` text NOT NULL,
	`ack_requested` integer NOT NULL,
	`channel_id` text,
	`reason` text NOT NULL,
	`requester_id` text,
	`created_at` integer NOT NULL,
	`step` integer NOT NULL,
	`state` text NOT NULL,
	`next_fire_at` integer,
	`acked_at` integer,
	`acked_by` text,
	FOREIGN KEY (`desk_id`) REFERENCES `desks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pages_due_idx` ON `pages` (`state`,`next_fire_at`);--> statement-breakpoint
CREATE INDEX `pages_desk_idx` ON `pages` (`desk_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `desks` ADD `ack_minutes` integer DEFAULT 5 NOT NULL;