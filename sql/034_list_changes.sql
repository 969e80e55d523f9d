-- 034_list_changes.sql — which connections each list version changed
-- (issue 15), so a worker can keep its own copy of the list's rows
-- (src/listmirror.c) and bring it up to date with the few rows that moved
-- instead of querying a page, a count and a health summary per request.
--
-- List versions are handed out at commit, under list_version's row lock
-- (sql/007, sql/032), so in commit order: a snapshot that reads
-- list_version = V sees every change logged under a version <= V and none
-- above. A deferred trigger of the same kind logs, under the transaction's
-- new version, the connection each changed row belongs to:
--  connections        the connection itself (its name, status, owner…);
--  connection_shares  the shared connection (who sees it);
--  flow_connections   the connection (its flow count).
-- Teams' names and memberships are not logged: a worker reads the teams
-- again when list_teams_version moves, and a user's teams come with the
-- session lookup.
--
-- The log is pruned as it is written: a transaction whose version is a
-- multiple of 512 deletes what is older than the last 20,000 versions and
-- raises list_version.log_floor to match. A copy older than the floor
-- cannot be brought up to date from the log and is read again whole.
CREATE TABLE list_changes (
	v		bigint NOT NULL,
	connection_id	bigint NOT NULL
);
CREATE INDEX list_changes_v_idx ON list_changes (v);
ALTER TABLE list_version ADD COLUMN log_floor bigint NOT NULL DEFAULT 0;
-- Everything before this migration is unlogged: copies start from here.
UPDATE list_version SET log_floor = v;
GRANT SELECT, INSERT, DELETE ON list_changes TO tether_app;

-- The transaction's new list version (sql/032's list_version_bumped: the
-- first call of a transaction bumps it, at commit, as these triggers are
-- deferred like sql/007's) for each connection a changed row belongs to.
CREATE FUNCTION list_changes_log() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	now_v	bigint := list_version_bumped();
BEGIN
	-- Each table's column in a statement of its own: a record's missing
	-- field is an error only when a statement naming it runs.
	IF TG_TABLE_NAME = 'connections' THEN
		INSERT INTO list_changes (v, connection_id)
		VALUES (now_v, CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO list_changes (v, connection_id) VALUES (now_v, OLD.connection_id);
	ELSE
		INSERT INTO list_changes (v, connection_id) VALUES (now_v, NEW.connection_id);
		IF TG_OP = 'UPDATE' THEN
			IF OLD.connection_id <> NEW.connection_id THEN
				INSERT INTO list_changes (v, connection_id)
				VALUES (now_v, OLD.connection_id);
			END IF;
		END IF;
	END IF;
	-- Once a transaction, every 512 versions.
	IF now_v % 512 = 0 AND current_setting('tether.list_pruned', true)
	    IS DISTINCT FROM 'yes' THEN
		PERFORM set_config('tether.list_pruned', 'yes', true);
		DELETE FROM list_changes WHERE v <= now_v - 20000;
		UPDATE list_version SET log_floor = now_v - 20000 WHERE log_floor < now_v - 20000;
	END IF;
	RETURN NULL;
END
$$;

-- A TRUNCATE fires no row trigger: every copy is read again whole.
CREATE FUNCTION list_changes_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE list_version SET log_floor = list_version_bumped();
	RETURN NULL;
END
$$;

DO $$
DECLARE
	t	text;
BEGIN
	FOREACH t IN ARRAY ARRAY['connections', 'connection_shares', 'flow_connections'] LOOP
		EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE'
		    ' ON %I DEFERRABLE INITIALLY DEFERRED FOR EACH ROW'
		    ' EXECUTE FUNCTION list_changes_log()', 'list_changes_' || t, t);
		EXECUTE format('CREATE TRIGGER list_changes_truncate AFTER TRUNCATE ON %I'
		    ' FOR EACH STATEMENT EXECUTE FUNCTION list_changes_truncated()', t);
	END LOOP;
END
$$;
