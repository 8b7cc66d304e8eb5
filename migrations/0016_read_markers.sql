CREATE TABLE `read_markers` (
	`channel_id` text NOT NULL,
	`officer_id` text NOT NULL,
	`seq` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `officer_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `read_markers_officer_idx` ON `read_markers` (`officer_id`);