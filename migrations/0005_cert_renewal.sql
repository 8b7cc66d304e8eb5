ALTER TABLE `officer_keys` ADD `renewal_requested_at` integer;--> statement-breakpoint
ALTER TABLE `officer_keys` ADD `renewal_request` text;