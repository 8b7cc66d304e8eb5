CREATE TABLE `agency_request_settings` (
	`agency_id` text PRIMARY KEY NOT NULL,
	`time_zone` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `request_events` (
	`pk` integer PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`message_id` text NOT NULL,
	`kind` text NOT NULL,
	`detail` text,
	`state` text NOT NULL,
	`actor_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `request_events_request_idx` ON `request_events` (`request_id`,`pk`);--> statement-breakpoint
CREATE TABLE `requests` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`ref` text NOT NULL,
	`message_id` text NOT NULL,
	`template` text NOT NULL,
	`urgency` text NOT NULL,
	`direct_access` integer NOT NULL,
	`requester_id` text NOT NULL,
	`requester_agency_id` text NOT NULL,
	`requester_country` text NOT NULL,
	`requested_agency_id` text NOT NULL,
	`requested_country` text NOT NULL,
	`agreement_id` text,
	`desk_id` text,
	`time_zone` text NOT NULL,
	`state` text NOT NULL,
	`resume_state` text,
	`received_at` integer NOT NULL,
	`deadline` integer NOT NULL,
	`suspended_ms` integer DEFAULT 0 NOT NULL,
	`clarification_since` integer,
	`judicial_pending_since` integer,
	`first_answer_at` integer,
	`closed_at` integer,
	`refusal_ground` text,
	`case_index` text,
	`reminded_early_at` integer,
	`reminded_due_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `requests_channel_ref_uq` ON `requests` (`channel_id`,`ref`);--> statement-breakpoint
CREATE INDEX `requests_requested_idx` ON `requests` (`requested_agency_id`,`state`,`deadline`);--> statement-breakpoint
CREATE INDEX `requests_requester_idx` ON `requests` (`requester_agency_id`,`state`);--> statement-breakpoint
CREATE INDEX `requests_desk_idx` ON `requests` (`desk_id`,`state`,`deadline`);--> statement-breakpoint
CREATE INDEX `requests_case_idx` ON `requests` (`case_index`);--> statement-breakpoint
CREATE INDEX `requests_deadline_idx` ON `requests` (`state`,`deadline`);--> statement-breakpoint
ALTER TABLE `messages` ADD `request_meta` text;