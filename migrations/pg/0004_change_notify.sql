-- Hand-written (drizzle-kit generates no triggers): every write to the store's tables notifies the
-- nodes' feed readers on `liaison_feed` once per transaction (PostgreSQL folds identical notifications),
-- with the writer's token as payload: a Liaison store sets `liaison.writer` for its own transactions
-- (PgStore), so a node tells its own commits from other nodes', the CLI's and SQL run by hand, and the
-- access caches follow all of them (docs/CLUSTER.md "Access caches on several nodes"). A table added
-- later needs the same trigger (test/store/pg-store.test.ts checks every table has it).
CREATE FUNCTION liaison_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('liaison_feed', coalesce(current_setting('liaison.writer', true), ''));
	RETURN NULL;
END $$;
--> statement-breakpoint
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '__drizzle_migrations' ORDER BY tablename LOOP
		EXECUTE format('CREATE TRIGGER liaison_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION liaison_change_notify()', t.tablename);
	END LOOP;
END $$;
