CREATE TABLE `directory_entries` (
	`pk` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`agency_id` text NOT NULL,
	`country` text NOT NULL,
	`title` text NOT NULL,
	`officer_id` text,
	`specialisations` text NOT NULL,
	`languages` text NOT NULL,
	`availability` text NOT NULL,
	`phone` text,
	`notes` text DEFAULT '' NOT NULL,
	`last_confirmed_at` integer NOT NULL,
	`retired_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `directory_entries_id_uq` ON `directory_entries` (`id`);--> statement-breakpoint
CREATE INDEX `directory_entries_country_idx` ON `directory_entries` (`country`);--> statement-breakpoint
CREATE INDEX `directory_entries_agency_idx` ON `directory_entries` (`agency_id`,`last_confirmed_at`);--> statement-breakpoint
CREATE INDEX `directory_entries_officer_idx` ON `directory_entries` (`officer_id`);--> statement-breakpoint
CREATE TABLE `directory_entry_languages` (
	`entry_pk` integer NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`value`, `entry_pk`),
	FOREIGN KEY (`entry_pk`) REFERENCES `directory_entries`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `directory_entry_languages_entry_idx` ON `directory_entry_languages` (`entry_pk`);--> statement-breakpoint
CREATE TABLE `directory_entry_specialisations` (
	`entry_pk` integer NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`value`, `entry_pk`),
	FOREIGN KEY (`entry_pk`) REFERENCES `directory_entries`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `directory_entry_specialisations_entry_idx` ON `directory_entry_specialisations` (`entry_pk`);