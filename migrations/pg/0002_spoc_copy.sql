ALTER TABLE "agency_request_settings" ADD COLUMN "spoc_desk_id" text;--> statement-breakpoint
ALTER TABLE "desk_requests" ADD COLUMN "copy_of" text;