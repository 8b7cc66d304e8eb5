CREATE TABLE `use_grants` (
	`message_id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`source_message_id` text NOT NULL,
	`grantor_id` text NOT NULL,
	`purpose` text NOT NULL,
	`grantee_agency_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `use_grants_source_idx` ON `use_grants` (`source_message_id`);