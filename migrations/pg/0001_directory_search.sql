-- Hand-written (drizzle-kit generates no triggers or tsvector tables): the directory's full-text index
-- and the agency-name copy used by the search order index; the PostgreSQL counterpart of SQLite's
-- migration 0001_directory_search (FTS5).
--
-- directory_fts holds one row per live (not retired) entry: `doc` is a tsvector ('simple' config, no
-- stemming, like FTS5 unicode61) of the text columns (title, agency name, notes, linked officer name)
-- at weight A plus the filter tokens at weight D (cpt = country PT, kpolice = agency kind, len =
-- language, sprecursors = specialisation), so a text search with filters is one GIN lookup:
--   doc @@ to_tsquery('simple', $1)  with $1 = 'traffick':*A & 'jose':*A & 'cpt':D
-- (words passed through directory_fold, as the indexed text is: lower case, diacritics removed).
-- Retired entries are not indexed; deleting an entry cascades.
CREATE FUNCTION directory_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT regexp_replace(normalize(lower(t), NFD), '[\u0300-\u036f]', '', 'g') $$;
--> statement-breakpoint
CREATE TABLE "directory_fts" (
	"entry_pk" bigint PRIMARY KEY REFERENCES "directory_entries"("pk") ON DELETE CASCADE,
	"doc" tsvector NOT NULL
);
--> statement-breakpoint
CREATE INDEX "directory_fts_doc_idx" ON "directory_fts" USING gin ("doc");
--> statement-breakpoint
CREATE FUNCTION directory_fts_refresh(entry bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM directory_fts WHERE entry_pk = entry;
	INSERT INTO directory_fts (entry_pk, doc)
	SELECT e.pk,
		setweight(to_tsvector('simple', directory_fold(concat_ws(' ', e.title, a.name, e.notes, o.display_name))), 'A') ||
		setweight(to_tsvector('simple',
			'c' || lower(e.country) || ' k' || a.kind || ' ' ||
			coalesce((SELECT string_agg('l' || v, ' ') FROM jsonb_array_elements_text(e.languages::jsonb) v), '') || ' ' ||
			coalesce((SELECT string_agg('s' || replace(v, '-', ''), ' ') FROM jsonb_array_elements_text(e.specialisations::jsonb) v), '')), 'D')
	FROM directory_entries e
	JOIN agencies a ON a.id = e.agency_id
	LEFT JOIN officers o ON o.id = e.officer_id
	WHERE e.pk = entry AND e.retired_at IS NULL;
END $$;
--> statement-breakpoint
-- directory_entries.agency_name is a copy of agencies.name (the second search sort key), so the search
-- order (country, agency name, title, id) is one walk of directory_entries_order_idx: set before every
-- insert and update of an entry, rewritten when an agency is renamed.
CREATE FUNCTION directory_entries_agency_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.agency_name := coalesce((SELECT a.name FROM agencies a WHERE a.id = NEW.agency_id), '');
	RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "directory_entries_agency_name_biu" BEFORE INSERT OR UPDATE OF agency_id, agency_name ON "directory_entries"
	FOR EACH ROW EXECUTE FUNCTION directory_entries_agency_name();
--> statement-breakpoint
CREATE FUNCTION directory_entries_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM directory_fts_refresh(NEW.pk);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "directory_entries_fts_ai" AFTER INSERT ON "directory_entries"
	FOR EACH ROW EXECUTE FUNCTION directory_entries_fts();
--> statement-breakpoint
CREATE TRIGGER "directory_entries_fts_au" AFTER UPDATE OF title, notes, officer_id, agency_id, agency_name, country, languages, specialisations, retired_at ON "directory_entries"
	FOR EACH ROW EXECUTE FUNCTION directory_entries_fts();
--> statement-breakpoint
CREATE FUNCTION directory_agency_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.name IS DISTINCT FROM OLD.name THEN
		-- Fires directory_entries_fts_au for each entry (agency_name changed), which re-indexes it.
		UPDATE directory_entries SET agency_name = NEW.name WHERE agency_id = NEW.id;
	END IF;
	IF NEW.kind IS DISTINCT FROM OLD.kind THEN
		PERFORM directory_fts_refresh(e.pk) FROM directory_entries e WHERE e.agency_id = NEW.id AND e.retired_at IS NULL;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "directory_agency_au" AFTER UPDATE OF name, kind ON "agencies"
	FOR EACH ROW EXECUTE FUNCTION directory_agency_changed();
--> statement-breakpoint
CREATE FUNCTION directory_officer_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM directory_fts_refresh(e.pk) FROM directory_entries e WHERE e.officer_id = NEW.id AND e.retired_at IS NULL;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "directory_fts_officer_au" AFTER UPDATE OF display_name ON "officers"
	FOR EACH ROW WHEN (NEW.display_name IS DISTINCT FROM OLD.display_name) EXECUTE FUNCTION directory_officer_renamed();
