CREATE TABLE "read_markers" (
	"channel_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "read_markers_channel_id_officer_id_pk" PRIMARY KEY("channel_id","officer_id")
);
--> statement-breakpoint
ALTER TABLE "read_markers" ADD CONSTRAINT "read_markers_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "read_markers_officer_idx" ON "read_markers" USING btree ("officer_id");