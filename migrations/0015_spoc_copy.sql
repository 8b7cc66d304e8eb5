ALTER TABLE `agency_request_settings` ADD `spoc_desk_id` text;--> statement-breakpoint
ALTER TABLE `desk_requests` ADD `copy_of` text;