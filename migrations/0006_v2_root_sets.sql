CREATE TABLE `agency_root_proposals` (
	`agency_id` text PRIMARY KEY NOT NULL,
	`statement` text NOT NULL,
	`key_event` text NOT NULL,
	`proposed_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `agency_root_sets` (
	`agency_id` text NOT NULL,
	`version` integer NOT NULL,
	`statement` text NOT NULL,
	`log_index` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`agency_id`, `version`),
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
