CREATE TABLE `desk_officers` (
	`desk_id` text NOT NULL,
	`officer_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`desk_id`, `officer_id`, `role`),
	FOREIGN KEY (`desk_id`) REFERENCES `desks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `desk_officers_officer_idx` ON `desk_officers` (`officer_id`);--> statement-breakpoint
CREATE TABLE `desks` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`name` text NOT NULL,
	`specialisations` text NOT NULL,
	`languages` text NOT NULL,
	`phone` text NOT NULL,
	`time_zone` text NOT NULL,
	`supervisors` text NOT NULL,
	`members` text NOT NULL,
	`backup_desk_id` text,
	`rota` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`backup_desk_id`) REFERENCES `desks`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `desks_agency_idx` ON `desks` (`agency_id`);--> statement-breakpoint
CREATE INDEX `desks_backup_idx` ON `desks` (`backup_desk_id`);--> statement-breakpoint
ALTER TABLE `directory_entries` ADD `desk_id` text REFERENCES desks(id) ON DELETE set null;