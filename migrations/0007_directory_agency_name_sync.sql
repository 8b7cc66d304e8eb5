-- directory_entries.agency_name is a copy of agencies.name (the second search sort key), so the search
-- order (country, agency name, title, id) is one walk of directory_entries_order_idx. Kept in sync here:
-- set on insert and when an entry changes agency, rewritten when an agency is renamed.
UPDATE `directory_entries` SET `agency_name` = (SELECT a.name FROM agencies a WHERE a.id = directory_entries.agency_id);
--> statement-breakpoint
CREATE TRIGGER `directory_entries_agency_name_ai` AFTER INSERT ON `directory_entries` BEGIN
	UPDATE directory_entries SET agency_name = (SELECT a.name FROM agencies a WHERE a.id = new.agency_id) WHERE pk = new.pk;
END;
--> statement-breakpoint
CREATE TRIGGER `directory_entries_agency_name_au` AFTER UPDATE OF agency_id, agency_name ON `directory_entries`
WHEN new.agency_name IS NOT (SELECT a.name FROM agencies a WHERE a.id = new.agency_id) BEGIN
	UPDATE directory_entries SET agency_name = (SELECT a.name FROM agencies a WHERE a.id = new.agency_id) WHERE pk = new.pk;
END;
--> statement-breakpoint
CREATE TRIGGER `directory_agency_name_au` AFTER UPDATE OF name ON `agencies` BEGIN
	UPDATE directory_entries SET agency_name = new.name WHERE agency_id = new.id;
END;
