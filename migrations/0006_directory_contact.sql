ALTER TABLE `channels` ADD `contact_entry_id` text;--> statement-breakpoint
ALTER TABLE `directory_entries` ADD `agency_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `directory_entries_order_idx` ON `directory_entries` (`country`,`agency_name`,`title`,`id`,`last_confirmed_at`) WHERE retired_at IS NULL;