-- 035_connection_stamps.sql — one stamp a connection that moves whenever
-- anything its Details and Related tabs show moves (issue 15). The tabs
-- send a probe with the session check (src/conn.c, conn_probe_sql) that
-- reads the stamp; when the probe reads what a kept copy was written from,
-- the copy is the page, and the tab's reads (the connection, its secrets,
-- versions, tests, status changes, people, flows, the engine's reads) are
-- not run at all (src/page-connection.c).
--
-- What moves a connection's stamp, and why:
--  connections (its own row)                     everything the row says;
--  connection_secrets, user_connection_secrets   which secrets are stored;
--  connection_versions                           the versions (History, Details);
--  connection_tests, connection_status_changes,
--  user_connection_states                        the chart, the status history;
--  credential_uses                               the engine's reads;
--  flow_connections                              the flows that use it;
--  connection_shares                             who sees it (people);
--  flows (a change of its row)                   each of the flow's connections;
--  team_members                                  people of a per-user connection
--                                                owned by or shared with the team;
--  users (a new email)                           the connections they made or
--                                                last changed, the versions they made;
--  named_credentials (a change of its row)       the connections that use it (its name).
-- The tabs' other inputs are read with the stamp (the actor's level, token
-- expiry, today's date: src/conn.c's conn_probe_sql) or with the session
-- (teams' names: list_teams_version).
-- Stamps come from one sequence, so a stamp is never given twice (a rolled
-- back bump cannot come back with other data). A deleted connection's stamp
-- goes with it; a bump for a connection that no longer exists (a cascade)
-- writes nothing.
CREATE SEQUENCE connection_stamp_seq;
CREATE TABLE connection_stamps (
	connection_id	bigint PRIMARY KEY,
	v		bigint NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON connection_stamps TO tether_app;
GRANT USAGE ON SEQUENCE connection_stamp_seq TO tether_app;

CREATE FUNCTION connection_stamp(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO connection_stamps (connection_id, v)
	SELECT c.id, nextval('connection_stamp_seq') FROM connections c
	WHERE c.id = ANY (ids)
	ON CONFLICT (connection_id) DO UPDATE SET v = EXCLUDED.v;
$$;

-- A row of a table with a connection_id column: that connection (both, when
-- an update moved the row).
CREATE FUNCTION connection_stamp_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM connection_stamp(ARRAY[OLD.connection_id]);
	ELSIF TG_OP = 'UPDATE' AND OLD.connection_id <> NEW.connection_id THEN
		PERFORM connection_stamp(ARRAY[OLD.connection_id, NEW.connection_id]);
	ELSE
		PERFORM connection_stamp(ARRAY[NEW.connection_id]);
	END IF;
	RETURN NULL;
END
$$;

DO $$
DECLARE
	t	text;
BEGIN
	FOREACH t IN ARRAY ARRAY['connection_secrets', 'user_connection_secrets',
	    'connection_versions', 'connection_tests', 'connection_status_changes',
	    'user_connection_states', 'credential_uses', 'flow_connections',
	    'connection_shares'] LOOP
		EXECUTE format('CREATE TRIGGER connection_stamp AFTER INSERT OR UPDATE OR DELETE'
		    ' ON %I FOR EACH ROW EXECUTE FUNCTION connection_stamp_row()', t);
	END LOOP;
END
$$;

CREATE FUNCTION connection_stamp_flow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM connection_stamp(ARRAY(SELECT fc.connection_id FROM flow_connections fc
	    WHERE fc.flow_id = NEW.id));
	RETURN NULL;
END
$$;
CREATE TRIGGER connection_stamp AFTER UPDATE ON flows FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION connection_stamp_flow();

CREATE FUNCTION connection_stamp_member() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	teams	bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		teams := ARRAY[NEW.team_id];
	ELSIF TG_OP = 'DELETE' THEN
		teams := ARRAY[OLD.team_id];
	ELSE
		teams := ARRAY[OLD.team_id, NEW.team_id];
	END IF;
	PERFORM connection_stamp(ARRAY(SELECT c.id FROM connections c
	    WHERE c.execution_context = 'per_user' AND (c.owner_team_id = ANY (teams)
	    OR c.id IN (SELECT sh.connection_id FROM connection_shares sh
	    WHERE sh.team_id = ANY (teams)))));
	RETURN NULL;
END
$$;
CREATE TRIGGER connection_stamp AFTER INSERT OR UPDATE OR DELETE ON team_members
    FOR EACH ROW EXECUTE FUNCTION connection_stamp_member();

CREATE FUNCTION connection_stamp_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM connection_stamp(ARRAY(SELECT v.connection_id FROM connection_versions v
	    WHERE v.changed_by = NEW.id UNION SELECT c.id FROM connections c
	    WHERE c.created_by = NEW.id OR c.updated_by = NEW.id));
	RETURN NULL;
END
$$;
CREATE TRIGGER connection_stamp AFTER UPDATE OF email ON users FOR EACH ROW
    WHEN (OLD.email IS DISTINCT FROM NEW.email) EXECUTE FUNCTION connection_stamp_user();

CREATE FUNCTION connection_stamp_self() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM connection_stamp(ARRAY[NEW.id]);
	RETURN NULL;
END
$$;
CREATE TRIGGER connection_stamp AFTER UPDATE ON connections FOR EACH ROW
    EXECUTE FUNCTION connection_stamp_self();

CREATE FUNCTION connection_stamp_credential() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM connection_stamp(ARRAY(SELECT c.id FROM connections c
	    WHERE c.named_credential_id = NEW.id));
	RETURN NULL;
END
$$;
CREATE TRIGGER connection_stamp AFTER UPDATE ON named_credentials FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION connection_stamp_credential();

CREATE FUNCTION connection_stamp_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM connection_stamps WHERE connection_id = OLD.id;
	RETURN NULL;
END
$$;
CREATE TRIGGER connection_stamp_gone AFTER DELETE ON connections FOR EACH ROW
    EXECUTE FUNCTION connection_stamp_gone();
