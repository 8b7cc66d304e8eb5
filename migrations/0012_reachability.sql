CREATE TABLE `reachability_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`desk_id` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`scheduled` integer NOT NULL,
	`report` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text,
	FOREIGN KEY (`desk_id`) REFERENCES `desks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reachability_reports_scheduled_uq` ON `reachability_reports` (`desk_id`,`period_end`) WHERE "reachability_reports"."scheduled" = 1;--> statement-breakpoint
CREATE INDEX `reachability_reports_desk_idx` ON `reachability_reports` (`desk_id`,`period_end`);--> statement-breakpoint
CREATE INDEX `desks_channel_idx` ON `desks` (`channel_id`);--> statement-breakpoint
CREATE INDEX `pages_channel_idx` ON `pages` (`channel_id`,`state`);