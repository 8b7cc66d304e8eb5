CREATE TABLE `agreement_suspensions` (
	`agreement_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`suspended_by` text NOT NULL,
	`reason` text,
	`suspended_at` integer NOT NULL,
	PRIMARY KEY(`agreement_id`, `agency_id`),
	FOREIGN KEY (`agreement_id`) REFERENCES `agreements`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Backfill: an agreement suspended before this migration is held by the party whose administrator last suspended it (from the audit trail).
INSERT INTO `agreement_suspensions` (`agreement_id`, `agency_id`, `suspended_by`, `reason`, `suspended_at`)
SELECT a.`id`, e.`agency_id`, e.`actor_id`, json_extract(e.`details`, '$.reason'), e.`at`
FROM `agreements` a JOIN `audit_events` e ON e.`seq` = (
  SELECT max(x.`seq`) FROM `audit_events` x WHERE x.`target_type` = 'agreement' AND x.`target_id` = a.`id` AND x.`action` = 'agreement.suspended'
)
WHERE a.`status` = 'suspended' AND e.`agency_id` IS NOT NULL AND e.`actor_id` IS NOT NULL;
