-- 032_list_scope_versions.sql — list versions per visibility scope (issue 15).
--
-- list_version (sql/007) moves with every committed change anywhere, so
-- under a steady stream of tests no kept Integrations page outlived a
-- busy second. A team member sees only connections their teams own or
-- have been shared, so their pages need only move when one of those
-- changes, or their memberships do.
--
-- Each committing transaction that touches what the list shows still
-- bumps list_version once (the admins' scope: everything), and now also
-- stamps that new value on every team whose members' lists it may change,
-- and on every user whose memberships it changes. A member's scope version
-- is the greatest stamp of their own and of their teams: every stamp is a
-- fresh list_version value, higher than any before it, so any change in
-- the scope makes that greatest value move.
--
-- Which teams a change reaches:
--  connections        the owner (before and after a move) and every team
--                     it is shared with;
--  connection_shares  the team it is (or was) shared with;
--  flow_connections   as its connection (the row's flow count);
--  teams              the team (its name, the team filter) and every team
--                     holding a share of one of its connections (the owner
--                     column of their rows);
--  team_members       the user (their scope itself changed).
-- A change to the teams table also stamps list_teams_version (the admins'
-- team filter).
-- The stamps are written at commit by the same deferred trigger, after
-- list_version's row lock is taken: committing writers are serialised on
-- that one row already, so the stamps never deadlock.
CREATE TABLE list_team_versions (
	team_id	bigint PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
	v	bigint NOT NULL
);
CREATE TABLE list_user_versions (
	user_id	bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	v	bigint NOT NULL
);
-- The teams themselves (ids and names): the admins' team filter lists them
-- all, and a worker keeps that list while this stamp stays.
CREATE TABLE list_teams_version (
	one	boolean PRIMARY KEY DEFAULT true CHECK (one),
	v	bigint NOT NULL DEFAULT 0
);
INSERT INTO list_teams_version DEFAULT VALUES;
GRANT SELECT, INSERT, UPDATE ON list_team_versions, list_user_versions TO tether_app;
GRANT SELECT, UPDATE ON list_teams_version TO tether_app;

-- The transaction's new list_version: bumped on the first call, read from
-- the transaction-local setting after that.
CREATE FUNCTION list_version_bumped() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	now_v	bigint;
BEGIN
	IF coalesce(current_setting('tether.list_bumped', true), '') !~ '^[0-9]+$' THEN
		UPDATE list_version SET v = v + 1 RETURNING v INTO now_v;
		PERFORM set_config('tether.list_bumped', now_v::text, true);
		RETURN now_v;
	END IF;
	RETURN current_setting('tether.list_bumped')::bigint;
END
$$;

-- Stamp teams with the transaction's new version. A bulk change reaches
-- the same few teams thousands of times: the teams stamped so far are
-- remembered in a transaction-local setting (",12,34,") and skipped.
CREATE FUNCTION list_scope_stamp_teams(teams bigint[], now_v bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	done	text := coalesce(current_setting('tether.list_stamped', true), '');
	fresh	bigint[];
BEGIN
	SELECT array_agg(DISTINCT t) INTO fresh FROM unnest(teams) AS t
	WHERE t IS NOT NULL AND position(',' || t || ',' IN done) = 0;
	IF fresh IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO list_team_versions (team_id, v)
	SELECT t.id, now_v FROM teams t WHERE t.id = ANY (fresh)
	ON CONFLICT (team_id) DO UPDATE SET v = EXCLUDED.v
	WHERE list_team_versions.v <> EXCLUDED.v;
	IF done = '' THEN
		done := ',';
	END IF;
	PERFORM set_config('tether.list_stamped', done || array_to_string(fresh, ',') || ',', true);
END
$$;

CREATE OR REPLACE FUNCTION list_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	now_v	bigint := list_version_bumped();
	r	record;
	teams	bigint[];
BEGIN
	IF TG_OP = 'DELETE' THEN
		r := OLD;
	ELSE
		r := NEW;
	END IF;
	CASE TG_TABLE_NAME
	WHEN 'connections' THEN
		teams := ARRAY[r.owner_team_id] || ARRAY(SELECT sh.team_id
		    FROM connection_shares sh WHERE sh.connection_id = r.id);
		IF TG_OP = 'UPDATE' AND OLD.owner_team_id IS DISTINCT FROM NEW.owner_team_id THEN
			teams := teams || OLD.owner_team_id;
		END IF;
	WHEN 'connection_shares' THEN
		teams := ARRAY[r.team_id];
		IF TG_OP = 'UPDATE' THEN
			teams := teams || OLD.team_id;
		END IF;
	WHEN 'flow_connections' THEN
		teams := ARRAY(SELECT c.owner_team_id FROM connections c
		    WHERE c.id = r.connection_id UNION ALL SELECT sh.team_id
		    FROM connection_shares sh WHERE sh.connection_id = r.connection_id);
		IF TG_OP = 'UPDATE' AND OLD.connection_id <> NEW.connection_id THEN
			teams := teams || ARRAY(SELECT c.owner_team_id FROM connections c
			    WHERE c.id = OLD.connection_id UNION ALL SELECT sh.team_id
			    FROM connection_shares sh WHERE sh.connection_id = OLD.connection_id);
		END IF;
	WHEN 'teams' THEN
		teams := ARRAY[r.id] || ARRAY(SELECT DISTINCT sh.team_id
		    FROM connection_shares sh JOIN connections c ON c.id = sh.connection_id
		    WHERE c.owner_team_id = r.id);
		UPDATE list_teams_version SET v = now_v WHERE v <> now_v;
	WHEN 'team_members' THEN
		INSERT INTO list_user_versions (user_id, v)
		SELECT u.id, now_v FROM users u
		WHERE u.id = r.user_id OR (TG_OP = 'UPDATE' AND u.id = OLD.user_id)
		ON CONFLICT (user_id) DO UPDATE SET v = EXCLUDED.v
		WHERE list_user_versions.v <> EXCLUDED.v;
	ELSE
		NULL;
	END CASE;
	IF teams IS NOT NULL THEN
		PERFORM list_scope_stamp_teams(teams, now_v);
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION list_version_bump_now() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- A TRUNCATE may reach anyone: every scope moves.
	PERFORM list_version_bumped();
	UPDATE list_teams_version SET v = current_setting('tether.list_bumped')::bigint;
	INSERT INTO list_team_versions (team_id, v)
	SELECT id, current_setting('tether.list_bumped')::bigint FROM teams
	ON CONFLICT (team_id) DO UPDATE SET v = EXCLUDED.v;
	INSERT INTO list_user_versions (user_id, v)
	SELECT id, current_setting('tether.list_bumped')::bigint FROM users
	ON CONFLICT (user_id) DO UPDATE SET v = EXCLUDED.v;
	RETURN NULL;
END
$$;

-- A user's scope version is read by the session lookup (src/db.c,
-- STMT_SESSION_GET): list_version for an admin (everything), else the
-- greatest stamp of the user and of their teams. It is written out there,
-- not as a function here: PostgreSQL does not inline a function with
-- sub-selects, and planning one per request cost ten times the lookup.
