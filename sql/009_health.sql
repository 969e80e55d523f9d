-- 009_health.sql — the status model that tells the truth by itself.
--
-- * `not_testable`: a neutral status for what Tether cannot test (a per-user
--   connection seen as a whole, a connector or protocol without a test).
--   Never red, never counted as failing, never notified.
-- * Every status change is a row of connection_status_changes (from, to,
--   when, why, which test), with the run of consecutive failures; the
--   connection keeps `failing_since` and `consecutive_failures` for the
--   Details tab and the list.
-- * `notified_status` is what the last notification said: a flapping
--   connection notifies once per transition, after
--   health.notify_after_failures consecutive failures, and recovers once.
-- * Per-user connections: each user's own state (user_connection_states),
--   the tokens' expiry included, instead of one column on the connection.
-- * Secrets may carry an expiry date (`expires_on`); the connection keeps the
--   earliest of its shared secrets' (`secrets_expire_on`, by trigger) and the
--   refresh token's own (`refresh_token_expires_at`).
-- * `check_interval`: the per-connection override of the scheduled check.
-- * `events`: what happened, written in the transaction that made it happen
--   (the outbox that webhooks and e-mail are delivered from).
-- * Test triggers: `cli` for tetherctl (no longer recorded as `schedule`).

ALTER TABLE connections DROP CONSTRAINT connections_status_check;
ALTER TABLE connections ADD CONSTRAINT connections_status_check
	CHECK (status IN ('not_tested', 'ok', 'failing', 'needs_reconnect',
	    'not_testable'));

ALTER TABLE connections
	ADD COLUMN failing_since timestamptz,
	ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0
		CHECK (consecutive_failures >= 0),
	ADD COLUMN notified_status text NOT NULL DEFAULT 'ok'
		CHECK (notified_status IN ('ok', 'failing', 'needs_reconnect')),
	ADD COLUMN check_interval text NOT NULL DEFAULT 'default'
		CHECK (check_interval IN ('default', 'off', '15m', '1h', '1d')),
	ADD COLUMN refresh_token_expires_at timestamptz,
	ADD COLUMN secrets_expire_on date,
	ADD COLUMN expiry_notified_on date;

-- "Expiring within the horizon" for the list's summary and filter.
CREATE INDEX connections_expiry_idx
	ON connections (LEAST(secrets_expire_on,
	    (refresh_token_expires_at AT TIME ZONE 'UTC')::date))
	WHERE secrets_expire_on IS NOT NULL OR refresh_token_expires_at IS NOT NULL;

ALTER TABLE connection_tests DROP CONSTRAINT connection_tests_trigger_check;
ALTER TABLE connection_tests ADD CONSTRAINT connection_tests_trigger_check
	CHECK (trigger IN ('create', 'edit', 'manual', 'schedule', 'flow_open',
	    'api', 'reconnect', 'refresh', 'cli'));

-- ------------------------------------------------------- per-user states

CREATE TABLE user_connection_states (
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	status		text NOT NULL DEFAULT 'not_tested'
			CHECK (status IN ('not_tested', 'ok', 'failing',
			    'needs_reconnect', 'not_testable')),
	last_tested_at	timestamptz,
	last_test_result text,
	last_test_message text,
	failing_since	timestamptz,
	consecutive_failures integer NOT NULL DEFAULT 0
			CHECK (consecutive_failures >= 0),
	token_expires_at timestamptz,
	refresh_token_expires_at timestamptz,
	PRIMARY KEY (connection_id, user_id)
);
CREATE INDEX user_connection_states_user_idx ON user_connection_states (user_id);

-- What users who stored credentials before this migration last saw.
INSERT INTO user_connection_states (connection_id, user_id, status,
    last_tested_at, last_test_result, last_test_message)
SELECT s.connection_id, s.user_id,
	CASE t.result WHEN 'ok' THEN 'ok' WHEN 'needs_reconnect' THEN 'needs_reconnect'
	    ELSE 'failing' END,
	t.tested_at, t.result, t.message
FROM (SELECT DISTINCT connection_id, user_id FROM user_connection_secrets) s
LEFT JOIN LATERAL (SELECT result, message, tested_at FROM connection_tests ct
	WHERE ct.connection_id = s.connection_id AND ct.user_id = s.user_id
	ORDER BY tested_at DESC LIMIT 1) t ON true;
UPDATE user_connection_states SET status = 'not_tested' WHERE last_tested_at IS NULL;

-- A per-user connection as a whole has no single truth to test.
UPDATE connections SET status = 'not_testable' WHERE execution_context = 'per_user';

-- ------------------------------------------------------ status changes

CREATE TABLE connection_status_changes (
	id		bigserial PRIMARY KEY,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	user_id		bigint,		-- a user's own state (per-user); no FK: history
	at		timestamptz NOT NULL DEFAULT now(),
	from_status	text NOT NULL,
	to_status	text NOT NULL,
	reason		text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
	test_id		bigint REFERENCES connection_tests ON DELETE SET NULL,
	trigger		text NOT NULL DEFAULT '',
	consecutive_failures integer NOT NULL DEFAULT 0
);
CREATE INDEX connection_status_changes_connection_idx
	ON connection_status_changes (connection_id, at DESC);

-- ------------------------------------------------------------ expiries

ALTER TABLE connection_secrets ADD COLUMN expires_on date;
ALTER TABLE user_connection_secrets ADD COLUMN expires_on date;
ALTER TABLE named_credential_secrets ADD COLUMN expires_on date;

CREATE FUNCTION connection_secrets_expiry_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cid	bigint;
BEGIN
	cid := CASE WHEN TG_OP = 'DELETE' THEN OLD.connection_id ELSE NEW.connection_id END;
	UPDATE connections c SET secrets_expire_on = e.d
	FROM (SELECT min(expires_on) AS d FROM connection_secrets
	    WHERE connection_id = cid) e
	WHERE c.id = cid AND c.secrets_expire_on IS DISTINCT FROM e.d;
	RETURN NULL;
END
$$;

CREATE TRIGGER connection_secrets_expiry
	AFTER INSERT OR DELETE OR UPDATE OF expires_on ON connection_secrets
	FOR EACH ROW EXECUTE FUNCTION connection_secrets_expiry_keep();

-- ------------------------------------------------------------- events

-- The outbox: one row per thing that happened, written in the transaction
-- that made it happen; webhooks and e-mail are delivered from here. No
-- foreign key: a connection.deleted event outlives its connection. The
-- payload carries ids, names and statuses, never a secret.
CREATE TABLE events (
	id		bigserial PRIMARY KEY,
	type		text NOT NULL CHECK (type ~ '^connection\.[a-z_]{1,40}$'),
	connection_id	bigint,
	team_id		bigint,
	payload		jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_connection_idx ON events (connection_id, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON user_connection_states,
	connection_status_changes TO tether_app;
GRANT SELECT, INSERT ON events TO tether_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tether_app;

-- A per-user connection as a whole is never tested (each user's own state
-- is): its status is not_testable from birth, and not_tested again when it
-- becomes a system connection.
CREATE FUNCTION connections_context_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.execution_context = 'per_user' THEN
		NEW.status := 'not_testable';
	ELSIF TG_OP = 'UPDATE' AND OLD.execution_context = 'per_user' THEN
		NEW.status := 'not_tested';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER connections_context_status
	BEFORE INSERT OR UPDATE OF execution_context, status ON connections
	FOR EACH ROW EXECUTE FUNCTION connections_context_status();
