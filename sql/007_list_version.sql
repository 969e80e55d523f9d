-- 007_list_version.sql — one number that changes whenever anything the
-- Integrations tab shows may have changed, so that a worker can keep a
-- rendered list and know, from one column of the session lookup it makes
-- anyway, whether that copy is still the truth.
--
-- Why a counter updated at commit, not a sequence or NOTIFY: the page reads
-- the counter in the same snapshot as its rows, and the counter is a plain
-- transactional row, so "same number" means "no change to these tables has
-- been committed since". A sequence moves before its transaction commits
-- (a page could be stored under a number that already counts a change it
-- does not show), and a notification can arrive after the next request.
--
-- The triggers are deferred constraint triggers: the row is updated (and
-- its lock taken) only while the transaction commits, so writers never wait
-- on each other while they do their work (an OAuth refresh holds its
-- transaction open over a network call), and a transaction bumps once,
-- however many rows it touches.
CREATE TABLE list_version (
	one	boolean PRIMARY KEY DEFAULT true CHECK (one),
	v	bigint NOT NULL DEFAULT 0
);
INSERT INTO list_version DEFAULT VALUES;

CREATE FUNCTION list_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- Once a transaction: the setting is local to it and starts out empty.
	IF current_setting('tether.list_bumped', true) IS DISTINCT FROM 'yes' THEN
		UPDATE list_version SET v = v + 1;
		PERFORM set_config('tether.list_bumped', 'yes', true);
	END IF;
	RETURN NULL;
END
$$;

-- TRUNCATE fires no row trigger; nothing in Tether truncates these tables,
-- but a statement-level trigger keeps a hand-run TRUNCATE honest too.
CREATE FUNCTION list_version_bump_now() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE list_version SET v = v + 1;
	RETURN NULL;
END
$$;

-- Everything the list shows or decides visibility by: the connections
-- themselves (name, status, last test…), their owner teams' names, team
-- membership and shares (who sees what), and flows using them (the count).
DO $$
DECLARE
	t	text;
BEGIN
	FOREACH t IN ARRAY ARRAY['connections', 'teams', 'team_members',
	    'connection_shares', 'flow_connections'] LOOP
		EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE'
		    ' ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW'
		    ' EXECUTE FUNCTION list_version_bump()', 'list_version_' || t, t);
		EXECUTE format('CREATE TRIGGER list_version_truncate AFTER TRUNCATE ON %I'
		    ' FOR EACH STATEMENT EXECUTE FUNCTION list_version_bump_now()', t);
	END LOOP;
END
$$;

GRANT SELECT, UPDATE ON list_version TO tether_app;
