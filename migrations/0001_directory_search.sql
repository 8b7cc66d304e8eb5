-- Hand-written (drizzle-kit generates no virtual tables or triggers): the directory's full-text
-- index and the agency-name copy used by the search order index.

-- Full-text index of the contact-point directory: title, agency name, notes and linked officer name,
-- plus a `facets` column of filter tokens (cpt = country PT, kpolice = agency kind, len = language,
-- sprecursors = specialisation) so a text search with filters is one doclist intersection inside FTS5.
-- Contentless (the text lives in directory_entries/agencies/officers) with contentless_delete so the
-- triggers can delete by rowid; rowid = directory_entries.pk. Retired entries are not indexed.
CREATE VIRTUAL TABLE `directory_fts` USING fts5(
	title, agency, notes, officer, facets,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
CREATE TRIGGER `directory_entries_fts_ai` AFTER INSERT ON `directory_entries` WHEN new.retired_at IS NULL BEGIN
	INSERT INTO directory_fts (rowid, title, agency, notes, officer, facets)
	SELECT new.pk, new.title, a.name, new.notes, (SELECT o.display_name FROM officers o WHERE o.id = new.officer_id),
		'c' || lower(new.country) || ' k' || a.kind || ' ' ||
		(SELECT group_concat('l' || value, ' ') FROM json_each(new.languages)) || ' ' ||
		coalesce((SELECT group_concat('s' || replace(value, '-', ''), ' ') FROM json_each(new.specialisations)), '')
	FROM agencies a WHERE a.id = new.agency_id;
END;
--> statement-breakpoint
CREATE TRIGGER `directory_entries_fts_au` AFTER UPDATE OF title, notes, officer_id, agency_id, country, languages, specialisations, retired_at ON `directory_entries` BEGIN
	DELETE FROM directory_fts WHERE rowid = old.pk;
	INSERT INTO directory_fts (rowid, title, agency, notes, officer, facets)
	SELECT new.pk, new.title, a.name, new.notes, (SELECT o.display_name FROM officers o WHERE o.id = new.officer_id),
		'c' || lower(new.country) || ' k' || a.kind || ' ' ||
		(SELECT group_concat('l' || value, ' ') FROM json_each(new.languages)) || ' ' ||
		coalesce((SELECT group_concat('s' || replace(value, '-', ''), ' ') FROM json_each(new.specialisations)), '')
	FROM agencies a WHERE a.id = new.agency_id AND new.retired_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `directory_entries_fts_ad` AFTER DELETE ON `directory_entries` BEGIN
	DELETE FROM directory_fts WHERE rowid = old.pk;
END;
--> statement-breakpoint
CREATE TRIGGER `directory_fts_agency_au` AFTER UPDATE OF name, kind ON `agencies` BEGIN
	DELETE FROM directory_fts WHERE rowid IN (SELECT pk FROM directory_entries WHERE agency_id = new.id AND retired_at IS NULL);
	INSERT INTO directory_fts (rowid, title, agency, notes, officer, facets)
	SELECT e.pk, e.title, new.name, e.notes, o.display_name,
		'c' || lower(e.country) || ' k' || new.kind || ' ' ||
		(SELECT group_concat('l' || value, ' ') FROM json_each(e.languages)) || ' ' ||
		coalesce((SELECT group_concat('s' || replace(value, '-', ''), ' ') FROM json_each(e.specialisations)), '')
	FROM directory_entries e LEFT JOIN officers o ON o.id = e.officer_id
	WHERE e.agency_id = new.id AND e.retired_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `directory_fts_officer_au` AFTER UPDATE OF display_name ON `officers` BEGIN
	DELETE FROM directory_fts WHERE rowid IN (SELECT pk FROM directory_entries WHERE officer_id = new.id AND retired_at IS NULL);
	INSERT INTO directory_fts (rowid, title, agency, notes, officer, facets)
	SELECT e.pk, e.title, a.name, e.notes, new.display_name,
		'c' || lower(e.country) || ' k' || a.kind || ' ' ||
		(SELECT group_concat('l' || value, ' ') FROM json_each(e.languages)) || ' ' ||
		coalesce((SELECT group_concat('s' || replace(value, '-', ''), ' ') FROM json_each(e.specialisations)), '')
	FROM directory_entries e JOIN agencies a ON a.id = e.agency_id
	WHERE e.officer_id = new.id AND e.retired_at IS NULL;
END;
--> statement-breakpoint
-- directory_entries.agency_name is a copy of agencies.name (the second search sort key), so the search
-- order (country, agency name, title, id) is one walk of directory_entries_order_idx. Kept in sync here:
-- set on insert and when an entry changes agency, rewritten when an agency is renamed.
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
