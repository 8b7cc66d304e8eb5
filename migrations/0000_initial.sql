CREATE TABLE `agencies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`country` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`sponsor_agency_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`sponsor_agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agencies_name_country_uq` ON `agencies` (`country`,`name`);--> statement-breakpoint
CREATE TABLE `agency_roots` (
	`agency_id` text PRIMARY KEY NOT NULL,
	`officer_id` text NOT NULL,
	`sign_public_key` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `agreement_parties` (
	`agreement_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`signed_by` text,
	`signature` text,
	`signer_public_key` text,
	`signed_at` integer,
	PRIMARY KEY(`agreement_id`, `agency_id`),
	FOREIGN KEY (`agreement_id`) REFERENCES `agreements`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agreement_parties_agency_idx` ON `agreement_parties` (`agency_id`);--> statement-breakpoint
CREATE TABLE `agreements` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`parties` text NOT NULL,
	`scope` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`title` text NOT NULL,
	`text` text NOT NULL,
	`text_hash` text NOT NULL,
	`status` text NOT NULL,
	`proposed_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`size` integer NOT NULL,
	`uploaded_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `audit_checkpoints` (
	`seq` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`at` integer NOT NULL,
	`signature` text NOT NULL,
	`public_key` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`agency_id` text,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`outcome` text NOT NULL,
	`ip` text,
	`details` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_agency_idx` ON `audit_events` (`agency_id`,`seq`);--> statement-breakpoint
CREATE TABLE `channel_members` (
	`channel_id` text NOT NULL,
	`officer_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`role` text NOT NULL,
	`from_epoch` integer NOT NULL,
	`until_epoch` integer,
	`from_pos` integer NOT NULL,
	`until_pos` integer,
	PRIMARY KEY(`channel_id`, `officer_id`, `from_pos`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `channel_members_officer_idx` ON `channel_members` (`officer_id`,`until_pos`);--> statement-breakpoint
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`agreement_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`encrypted_meta` text NOT NULL,
	`case_ref_index` text,
	`policy` text NOT NULL,
	`head_seq` integer NOT NULL,
	`head_hash` text NOT NULL,
	`last_message_seq` integer DEFAULT 0 NOT NULL,
	`retention_days` integer DEFAULT 365 NOT NULL,
	`legal_hold` integer DEFAULT false NOT NULL,
	`closed_at` integer,
	`closed_reason` text,
	`contact_request` text,
	`contact_entry_id` text,
	FOREIGN KEY (`agreement_id`) REFERENCES `agreements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `directory_entries` (
	`pk` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`agency_id` text NOT NULL,
	`country` text NOT NULL,
	`agency_name` text DEFAULT '' NOT NULL,
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
CREATE INDEX `directory_entries_order_idx` ON `directory_entries` (`country`,`agency_name`,`title`,`id`,`last_confirmed_at`) WHERE retired_at IS NULL;--> statement-breakpoint
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
CREATE INDEX `directory_entry_specialisations_entry_idx` ON `directory_entry_specialisations` (`entry_pk`);--> statement-breakpoint
CREATE TABLE `enrolment_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`officer_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`revoked_at` integer,
	`pending_password_hash` text,
	`pending_totp_sealed` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrolment_tokens_hash_uq` ON `enrolment_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `enrolment_tokens_officer_idx` ON `enrolment_tokens` (`officer_id`);--> statement-breakpoint
CREATE TABLE `extended_access_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`sponsor_agency_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`scope` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`sponsor_agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `extended_access_agency_idx` ON `extended_access_grants` (`agency_id`);--> statement-breakpoint
CREATE TABLE `feed` (
	`pos` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` text NOT NULL,
	`kind` text NOT NULL,
	`message_pk` integer,
	`recipient_id` text,
	`payload` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`message_pk`) REFERENCES `messages`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `feed_channel_idx` ON `feed` (`channel_id`,`pos`);--> statement-breakpoint
CREATE INDEX `feed_recipient_idx` ON `feed` (`recipient_id`,`pos`);--> statement-breakpoint
CREATE INDEX `feed_message_idx` ON `feed` (`message_pk`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`event` text NOT NULL,
	`invitee_id` text NOT NULL,
	`invitee_agency_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`status` text NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invitee_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invitations_invitee_idx` ON `invitations` (`invitee_id`,`status`);--> statement-breakpoint
CREATE INDEX `invitations_agency_idx` ON `invitations` (`invitee_agency_id`,`status`);--> statement-breakpoint
CREATE TABLE `key_envelopes` (
	`channel_id` text NOT NULL,
	`epoch` integer NOT NULL,
	`sender_id` text NOT NULL,
	`envelope` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `epoch`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `key_log` (
	`idx` integer PRIMARY KEY NOT NULL,
	`officer_id` text NOT NULL,
	`entry` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `key_log_heads` (
	`size` integer PRIMARY KEY NOT NULL,
	`head` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`username` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`window_start` integer NOT NULL,
	`locked_at` integer
);
--> statement-breakpoint
CREATE TABLE `membership_events` (
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	`event` text NOT NULL,
	`hash` text NOT NULL,
	`author_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `seq`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `message_attachments` (
	`message_pk` integer NOT NULL,
	`attachment_id` text NOT NULL,
	PRIMARY KEY(`message_pk`, `attachment_id`),
	FOREIGN KEY (`message_pk`) REFERENCES `messages`(`pk`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`attachment_id`) REFERENCES `attachments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `message_attachments_att_idx` ON `message_attachments` (`attachment_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`pk` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	`sender_id` text NOT NULL,
	`sender_device_id` text NOT NULL,
	`epoch` integer NOT NULL,
	`handling` text NOT NULL,
	`envelope` text NOT NULL,
	`size` integer NOT NULL,
	`ack_required` integer DEFAULT false NOT NULL,
	`forwarded_from` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_id_uq` ON `messages` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_channel_seq_uq` ON `messages` (`channel_id`,`seq`);--> statement-breakpoint
CREATE INDEX `messages_expires_idx` ON `messages` (`expires_at`);--> statement-breakpoint
CREATE TABLE `officer_keys` (
	`officer_id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`sign_public_key` text NOT NULL,
	`dh_public_key` text NOT NULL,
	`enrol_event` text NOT NULL,
	`prekey` text NOT NULL,
	`backup` text NOT NULL,
	`certificate` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `officers` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`status` text NOT NULL,
	`password_hash` text,
	`totp_secret_sealed` text,
	`totp_last_step` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `officers_username_uq` ON `officers` (`username`);--> statement-breakpoint
CREATE INDEX `officers_agency_idx` ON `officers` (`agency_id`);--> statement-breakpoint
CREATE TABLE `receipts` (
	`message_pk` integer NOT NULL,
	`officer_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`message_pk`, `officer_id`, `kind`),
	FOREIGN KEY (`message_pk`) REFERENCES `messages`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refresh_tokens_session_idx` ON `refresh_tokens` (`session_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`officer_id` text NOT NULL,
	`device_label` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`absolute_expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoke_reason` text,
	FOREIGN KEY (`officer_id`) REFERENCES `officers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_officer_idx` ON `sessions` (`officer_id`);