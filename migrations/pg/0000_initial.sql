CREATE TABLE "agencies" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"sponsor_agency_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agency_request_settings" (
	"agency_id" text PRIMARY KEY NOT NULL,
	"time_zone" text NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agency_root_proposals" (
	"agency_id" text PRIMARY KEY NOT NULL,
	"statement" text NOT NULL,
	"key_event" text NOT NULL,
	"proposed_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agency_root_sets" (
	"agency_id" text NOT NULL,
	"version" bigint NOT NULL,
	"statement" text NOT NULL,
	"log_index" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "agency_root_sets_agency_id_version_pk" PRIMARY KEY("agency_id","version")
);
--> statement-breakpoint
CREATE TABLE "agency_roots" (
	"agency_id" text PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"sign_public_key" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_parties" (
	"agreement_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"signed_by" text,
	"signature" text,
	"signer_public_key" text,
	"signed_at" bigint,
	CONSTRAINT "agreement_parties_agreement_id_agency_id_pk" PRIMARY KEY("agreement_id","agency_id")
);
--> statement-breakpoint
CREATE TABLE "agreement_suspensions" (
	"agreement_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"suspended_by" text NOT NULL,
	"reason" text,
	"suspended_at" bigint NOT NULL,
	CONSTRAINT "agreement_suspensions_agreement_id_agency_id_pk" PRIMARY KEY("agreement_id","agency_id")
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"parties" text NOT NULL,
	"scope" text NOT NULL,
	"valid_from" bigint NOT NULL,
	"valid_until" bigint NOT NULL,
	"title" text NOT NULL,
	"text" text NOT NULL,
	"text_hash" text NOT NULL,
	"status" text NOT NULL,
	"proposed_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"size" bigint NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"at" bigint NOT NULL,
	"signature" text NOT NULL,
	"public_key" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor_id" text,
	"agency_id" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"outcome" text NOT NULL,
	"ip" text,
	"details" text DEFAULT '{}' NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_legal_holds" (
	"channel_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"set_by" text NOT NULL,
	"set_at" bigint NOT NULL,
	CONSTRAINT "channel_legal_holds_channel_id_agency_id_pk" PRIMARY KEY("channel_id","agency_id")
);
--> statement-breakpoint
CREATE TABLE "channel_members" (
	"channel_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"role" text NOT NULL,
	"from_epoch" bigint NOT NULL,
	"until_epoch" bigint,
	"from_pos" bigint NOT NULL,
	"until_pos" bigint,
	CONSTRAINT "channel_members_channel_id_officer_id_from_pos_pk" PRIMARY KEY("channel_id","officer_id","from_pos")
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"agreement_id" text,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"encrypted_meta" text NOT NULL,
	"case_ref_index" text,
	"policy" text NOT NULL,
	"head_seq" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"last_message_seq" bigint DEFAULT 0 NOT NULL,
	"retention_days" bigint DEFAULT 365 NOT NULL,
	"legal_hold" integer DEFAULT 0 NOT NULL,
	"closed_at" bigint,
	"closed_reason" text,
	"contact_request" text,
	"contact_entry_id" text
);
--> statement-breakpoint
CREATE TABLE "desk_intake_keys" (
	"desk_id" text NOT NULL,
	"version" bigint NOT NULL,
	"statement" text NOT NULL,
	"signer_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "desk_intake_keys_desk_id_version_pk" PRIMARY KEY("desk_id","version")
);
--> statement-breakpoint
CREATE TABLE "desk_officers" (
	"desk_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "desk_officers_desk_id_officer_id_role_pk" PRIMARY KEY("desk_id","officer_id","role")
);
--> statement-breakpoint
CREATE TABLE "desk_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"desk_id" text NOT NULL,
	"requester_id" text NOT NULL,
	"request_id" text NOT NULL,
	"version" bigint NOT NULL,
	"request" text NOT NULL,
	"received_at" bigint NOT NULL,
	"page_id" text,
	"state" text NOT NULL,
	"claimed_by" text,
	"claimed_at" bigint,
	"case_channel_id" text
);
--> statement-breakpoint
CREATE TABLE "desks" (
	"id" text PRIMARY KEY NOT NULL,
	"agency_id" text NOT NULL,
	"name" text NOT NULL,
	"specialisations" text NOT NULL,
	"languages" text NOT NULL,
	"phone" text NOT NULL,
	"time_zone" text NOT NULL,
	"supervisors" text NOT NULL,
	"members" text NOT NULL,
	"backup_desk_id" text,
	"rota" text NOT NULL,
	"ack_minutes" bigint DEFAULT 5 NOT NULL,
	"channel_id" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "device_sessions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"device_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_entries" (
	"pk" bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (sequence name "directory_entries_pk_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text NOT NULL,
	"agency_id" text NOT NULL,
	"country" text NOT NULL,
	"agency_name" text DEFAULT '' NOT NULL,
	"title" text NOT NULL,
	"officer_id" text,
	"desk_id" text,
	"specialisations" text NOT NULL,
	"languages" text NOT NULL,
	"availability" text NOT NULL,
	"phone" text,
	"notes" text DEFAULT '' NOT NULL,
	"last_confirmed_at" bigint NOT NULL,
	"retired_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_entry_languages" (
	"entry_pk" bigint NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "directory_entry_languages_value_entry_pk_pk" PRIMARY KEY("value","entry_pk")
);
--> statement-breakpoint
CREATE TABLE "directory_entry_specialisations" (
	"entry_pk" bigint NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "directory_entry_specialisations_value_entry_pk_pk" PRIMARY KEY("value","entry_pk")
);
--> statement-breakpoint
CREATE TABLE "enrolment_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint,
	"revoked_at" bigint,
	"pending_password_hash" text,
	"pending_totp_sealed" text,
	"created_by" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "extended_access_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"sponsor_agency_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"scope" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "feed" (
	"pos" bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (sequence name "feed_pos_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel_id" text NOT NULL,
	"kind" text NOT NULL,
	"message_pk" bigint,
	"recipient_id" text,
	"payload" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"event" text NOT NULL,
	"invitee_id" text NOT NULL,
	"invitee_agency_id" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"status" text NOT NULL,
	"decided_at" bigint
);
--> statement-breakpoint
CREATE TABLE "key_envelopes" (
	"channel_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"sender_id" text NOT NULL,
	"envelope" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "key_envelopes_channel_id_epoch_pk" PRIMARY KEY("channel_id","epoch")
);
--> statement-breakpoint
CREATE TABLE "key_log" (
	"idx" bigint PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"entry" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_log_heads" (
	"size" bigint PRIMARY KEY NOT NULL,
	"head" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_failures" (
	"username" text PRIMARY KEY NOT NULL,
	"count" bigint NOT NULL,
	"window_start" bigint NOT NULL,
	"locked_at" bigint,
	"last_failure_at" bigint
);
--> statement-breakpoint
CREATE TABLE "membership_events" (
	"channel_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"event" text NOT NULL,
	"hash" text NOT NULL,
	"author_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "membership_events_channel_id_seq_pk" PRIMARY KEY("channel_id","seq")
);
--> statement-breakpoint
CREATE TABLE "message_attachments" (
	"message_pk" bigint NOT NULL,
	"attachment_id" text NOT NULL,
	CONSTRAINT "message_attachments_message_pk_attachment_id_pk" PRIMARY KEY("message_pk","attachment_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"pk" bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (sequence name "messages_pk_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text NOT NULL,
	"channel_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"sender_id" text NOT NULL,
	"sender_device_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"handling" text NOT NULL,
	"envelope" text NOT NULL,
	"size" bigint NOT NULL,
	"ack_required" integer DEFAULT 0 NOT NULL,
	"forwarded_from" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"request_meta" text
);
--> statement-breakpoint
CREATE TABLE "notification_settings" (
	"officer_id" text PRIMARY KEY NOT NULL,
	"email" text,
	"push" integer NOT NULL,
	"email_enabled" integer NOT NULL,
	"quiet_hours" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "officer_devices" (
	"officer_id" text NOT NULL,
	"device_id" text NOT NULL,
	"name" text NOT NULL,
	"sign_public_key" text NOT NULL,
	"author_sign_public_key" text NOT NULL,
	"add_event" text NOT NULL,
	"added_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"revoked_at" bigint,
	"revoke_event" text,
	CONSTRAINT "officer_devices_officer_id_device_id_pk" PRIMARY KEY("officer_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "officer_keys" (
	"officer_id" text PRIMARY KEY NOT NULL,
	"agency_id" text NOT NULL,
	"sign_public_key" text NOT NULL,
	"dh_public_key" text NOT NULL,
	"enrol_event" text NOT NULL,
	"prekey" text NOT NULL,
	"backup" text NOT NULL,
	"certificate" text,
	"renewal_requested_at" bigint,
	"renewal_request" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "officers" (
	"id" text PRIMARY KEY NOT NULL,
	"agency_id" text NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"status" text NOT NULL,
	"password_hash" text,
	"totp_secret_sealed" text,
	"totp_last_step" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "page_deliveries" (
	"page_id" text NOT NULL,
	"step" bigint NOT NULL,
	"officer_id" text NOT NULL,
	"outcomes" text,
	"at" bigint NOT NULL,
	CONSTRAINT "page_deliveries_page_id_step_officer_id_pk" PRIMARY KEY("page_id","step","officer_id")
);
--> statement-breakpoint
CREATE TABLE "pages" (
	"id" text PRIMARY KEY NOT NULL,
	"desk_id" text NOT NULL,
	"priority" text NOT NULL,
	"ack_requested" integer NOT NULL,
	"channel_id" text,
	"reason" text NOT NULL,
	"requester_id" text,
	"created_at" bigint NOT NULL,
	"step" bigint NOT NULL,
	"state" text NOT NULL,
	"next_fire_at" bigint,
	"acked_at" bigint,
	"acked_by" text
);
--> statement-breakpoint
CREATE TABLE "push_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"label" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reachability_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"desk_id" text NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint NOT NULL,
	"scheduled" integer NOT NULL,
	"report" text NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"message_pk" bigint NOT NULL,
	"officer_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"pos" bigint,
	CONSTRAINT "receipts_message_pk_officer_id_kind_pk" PRIMARY KEY("message_pk","officer_id","kind")
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"used_at" bigint
);
--> statement-breakpoint
CREATE TABLE "request_events" (
	"pk" bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (sequence name "request_events_pk_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"message_id" text NOT NULL,
	"kind" text NOT NULL,
	"detail" text,
	"state" text NOT NULL,
	"actor_id" text NOT NULL,
	"agency_id" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requests" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"ref" text NOT NULL,
	"message_id" text NOT NULL,
	"template" text NOT NULL,
	"urgency" text NOT NULL,
	"direct_access" integer NOT NULL,
	"requester_id" text NOT NULL,
	"requester_agency_id" text NOT NULL,
	"requester_country" text NOT NULL,
	"requested_agency_id" text NOT NULL,
	"requested_country" text NOT NULL,
	"agreement_id" text,
	"desk_id" text,
	"time_zone" text NOT NULL,
	"state" text NOT NULL,
	"resume_state" text,
	"received_at" bigint NOT NULL,
	"deadline" bigint NOT NULL,
	"suspended_ms" bigint DEFAULT 0 NOT NULL,
	"clarification_since" bigint,
	"judicial_pending_since" bigint,
	"first_answer_at" bigint,
	"closed_at" bigint,
	"refusal_ground" text,
	"case_index" text,
	"reminded_early_at" bigint,
	"reminded_due_at" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"officer_id" text NOT NULL,
	"device_label" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint NOT NULL,
	"absolute_expires_at" bigint NOT NULL,
	"revoked_at" bigint,
	"revoke_reason" text
);
--> statement-breakpoint
CREATE TABLE "use_grants" (
	"message_id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"source_message_id" text NOT NULL,
	"grantor_id" text NOT NULL,
	"purpose" text NOT NULL,
	"grantee_agency_id" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agencies" ADD CONSTRAINT "agencies_sponsor_agency_id_agencies_id_fk" FOREIGN KEY ("sponsor_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_request_settings" ADD CONSTRAINT "agency_request_settings_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_root_proposals" ADD CONSTRAINT "agency_root_proposals_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_root_sets" ADD CONSTRAINT "agency_root_sets_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_roots" ADD CONSTRAINT "agency_roots_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_parties" ADD CONSTRAINT "agreement_parties_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_parties" ADD CONSTRAINT "agreement_parties_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_suspensions" ADD CONSTRAINT "agreement_suspensions_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_suspensions" ADD CONSTRAINT "agreement_suspensions_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_legal_holds" ADD CONSTRAINT "channel_legal_holds_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_members" ADD CONSTRAINT "channel_members_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_members" ADD CONSTRAINT "channel_members_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_intake_keys" ADD CONSTRAINT "desk_intake_keys_desk_id_desks_id_fk" FOREIGN KEY ("desk_id") REFERENCES "public"."desks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_officers" ADD CONSTRAINT "desk_officers_desk_id_desks_id_fk" FOREIGN KEY ("desk_id") REFERENCES "public"."desks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_officers" ADD CONSTRAINT "desk_officers_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_requests" ADD CONSTRAINT "desk_requests_desk_id_desks_id_fk" FOREIGN KEY ("desk_id") REFERENCES "public"."desks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desks" ADD CONSTRAINT "desks_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desks" ADD CONSTRAINT "desks_backup_desk_id_desks_id_fk" FOREIGN KEY ("backup_desk_id") REFERENCES "public"."desks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD CONSTRAINT "device_sessions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_entries" ADD CONSTRAINT "directory_entries_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_entries" ADD CONSTRAINT "directory_entries_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_entries" ADD CONSTRAINT "directory_entries_desk_id_desks_id_fk" FOREIGN KEY ("desk_id") REFERENCES "public"."desks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_entry_languages" ADD CONSTRAINT "directory_entry_languages_entry_pk_directory_entries_pk_fk" FOREIGN KEY ("entry_pk") REFERENCES "public"."directory_entries"("pk") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_entry_specialisations" ADD CONSTRAINT "directory_entry_specialisations_entry_pk_directory_entries_pk_fk" FOREIGN KEY ("entry_pk") REFERENCES "public"."directory_entries"("pk") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_tokens" ADD CONSTRAINT "enrolment_tokens_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extended_access_grants" ADD CONSTRAINT "extended_access_grants_sponsor_agency_id_agencies_id_fk" FOREIGN KEY ("sponsor_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "extended_access_grants" ADD CONSTRAINT "extended_access_grants_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feed" ADD CONSTRAINT "feed_message_pk_messages_pk_fk" FOREIGN KEY ("message_pk") REFERENCES "public"."messages"("pk") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invitee_id_officers_id_fk" FOREIGN KEY ("invitee_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_envelopes" ADD CONSTRAINT "key_envelopes_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "membership_events" ADD CONSTRAINT "membership_events_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_message_pk_messages_pk_fk" FOREIGN KEY ("message_pk") REFERENCES "public"."messages"("pk") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_settings" ADD CONSTRAINT "notification_settings_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officer_devices" ADD CONSTRAINT "officer_devices_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officer_keys" ADD CONSTRAINT "officer_keys_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officers" ADD CONSTRAINT "officers_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "page_deliveries" ADD CONSTRAINT "page_deliveries_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pages" ADD CONSTRAINT "pages_desk_id_desks_id_fk" FOREIGN KEY ("desk_id") REFERENCES "public"."desks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reachability_reports" ADD CONSTRAINT "reachability_reports_desk_id_desks_id_fk" FOREIGN KEY ("desk_id") REFERENCES "public"."desks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receipts" ADD CONSTRAINT "receipts_message_pk_messages_pk_fk" FOREIGN KEY ("message_pk") REFERENCES "public"."messages"("pk") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_events" ADD CONSTRAINT "request_events_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "use_grants" ADD CONSTRAINT "use_grants_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agencies_name_country_uq" ON "agencies" USING btree ("country","name");--> statement-breakpoint
CREATE INDEX "agreement_parties_agency_idx" ON "agreement_parties" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "attachments_uploader_idx" ON "attachments" USING btree ("uploaded_by","size");--> statement-breakpoint
CREATE INDEX "attachments_channel_idx" ON "attachments" USING btree ("channel_id","size");--> statement-breakpoint
CREATE INDEX "audit_events_agency_idx" ON "audit_events" USING btree ("agency_id","seq");--> statement-breakpoint
CREATE INDEX "channel_members_officer_idx" ON "channel_members" USING btree ("officer_id","until_pos");--> statement-breakpoint
CREATE INDEX "desk_officers_officer_idx" ON "desk_officers" USING btree ("officer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "desk_requests_requester_uq" ON "desk_requests" USING btree ("requester_id","request_id");--> statement-breakpoint
CREATE INDEX "desk_requests_desk_idx" ON "desk_requests" USING btree ("desk_id","received_at");--> statement-breakpoint
CREATE INDEX "desks_agency_idx" ON "desks" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "desks_backup_idx" ON "desks" USING btree ("backup_desk_id");--> statement-breakpoint
CREATE INDEX "desks_channel_idx" ON "desks" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "device_sessions_device_idx" ON "device_sessions" USING btree ("officer_id","device_id");--> statement-breakpoint
CREATE UNIQUE INDEX "directory_entries_id_uq" ON "directory_entries" USING btree ("id");--> statement-breakpoint
CREATE INDEX "directory_entries_country_idx" ON "directory_entries" USING btree ("country");--> statement-breakpoint
CREATE INDEX "directory_entries_agency_idx" ON "directory_entries" USING btree ("agency_id","last_confirmed_at");--> statement-breakpoint
CREATE INDEX "directory_entries_officer_idx" ON "directory_entries" USING btree ("officer_id");--> statement-breakpoint
CREATE INDEX "directory_entries_order_idx" ON "directory_entries" USING btree ("country","agency_name","title","id","last_confirmed_at") WHERE retired_at IS NULL;--> statement-breakpoint
CREATE INDEX "directory_entry_languages_entry_idx" ON "directory_entry_languages" USING btree ("entry_pk");--> statement-breakpoint
CREATE INDEX "directory_entry_specialisations_entry_idx" ON "directory_entry_specialisations" USING btree ("entry_pk");--> statement-breakpoint
CREATE UNIQUE INDEX "enrolment_tokens_hash_uq" ON "enrolment_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "enrolment_tokens_officer_idx" ON "enrolment_tokens" USING btree ("officer_id");--> statement-breakpoint
CREATE INDEX "extended_access_agency_idx" ON "extended_access_grants" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "feed_channel_idx" ON "feed" USING btree ("channel_id","pos");--> statement-breakpoint
CREATE INDEX "feed_recipient_idx" ON "feed" USING btree ("recipient_id","pos");--> statement-breakpoint
CREATE INDEX "feed_message_idx" ON "feed" USING btree ("message_pk");--> statement-breakpoint
CREATE INDEX "invitations_invitee_idx" ON "invitations" USING btree ("invitee_id","status");--> statement-breakpoint
CREATE INDEX "invitations_agency_idx" ON "invitations" USING btree ("invitee_agency_id","status");--> statement-breakpoint
CREATE INDEX "message_attachments_att_idx" ON "message_attachments" USING btree ("attachment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_id_uq" ON "messages" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_channel_seq_uq" ON "messages" USING btree ("channel_id","seq");--> statement-breakpoint
CREATE INDEX "messages_expires_idx" ON "messages" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "officers_username_uq" ON "officers" USING btree ("username");--> statement-breakpoint
CREATE INDEX "officers_agency_idx" ON "officers" USING btree ("agency_id");--> statement-breakpoint
CREATE INDEX "page_deliveries_officer_idx" ON "page_deliveries" USING btree ("officer_id");--> statement-breakpoint
CREATE INDEX "pages_due_idx" ON "pages" USING btree ("state","next_fire_at");--> statement-breakpoint
CREATE INDEX "pages_desk_idx" ON "pages" USING btree ("desk_id","created_at");--> statement-breakpoint
CREATE INDEX "pages_channel_idx" ON "pages" USING btree ("channel_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "push_subscriptions_endpoint_uq" ON "push_subscriptions" USING btree ("endpoint");--> statement-breakpoint
CREATE INDEX "push_subscriptions_officer_idx" ON "push_subscriptions" USING btree ("officer_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reachability_reports_scheduled_uq" ON "reachability_reports" USING btree ("desk_id","period_end") WHERE "reachability_reports"."scheduled" = 1;--> statement-breakpoint
CREATE INDEX "reachability_reports_desk_idx" ON "reachability_reports" USING btree ("desk_id","period_end");--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_idx" ON "refresh_tokens" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "request_events_request_idx" ON "request_events" USING btree ("request_id","pk");--> statement-breakpoint
CREATE UNIQUE INDEX "requests_channel_ref_uq" ON "requests" USING btree ("channel_id","ref");--> statement-breakpoint
CREATE INDEX "requests_requested_idx" ON "requests" USING btree ("requested_agency_id","state","deadline");--> statement-breakpoint
CREATE INDEX "requests_requester_idx" ON "requests" USING btree ("requester_agency_id","state");--> statement-breakpoint
CREATE INDEX "requests_desk_idx" ON "requests" USING btree ("desk_id","state","deadline");--> statement-breakpoint
CREATE INDEX "requests_case_idx" ON "requests" USING btree ("case_index");--> statement-breakpoint
CREATE INDEX "requests_deadline_idx" ON "requests" USING btree ("state","deadline");--> statement-breakpoint
CREATE INDEX "sessions_officer_idx" ON "sessions" USING btree ("officer_id");--> statement-breakpoint
CREATE INDEX "use_grants_source_idx" ON "use_grants" USING btree ("source_message_id");