CREATE TABLE `device_sessions` (
	`session_id` text PRIMARY KEY NOT NULL,
	`officer_id` text NOT NULL,
	`device_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `device_sessions_device_idx` ON `device_sessions` (`officer_id`,`device_id`);--> statement-breakpoint
CREATE TABLE `officer_devices` (
	`officer_id` text NOT NULL,
	`device_id` text NOT NULL,
	`name` text NOT NULL,
	`sign_public_key` text NOT NULL,
	`author_sign_public_key` text NOT NULL,
	`add_event` text NOT NULL,
	`added_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`revoked_at` integer,
	`revoke_event` text,
	PRIMARY KEY(`officer_id`, `device_id`),
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
