-- 001_schema.sql — the whole data model (docs/ARCHITECTURE.md, "Data model").
--
-- Applied by `tetherctl migrate` as the database owner (tether_owner), in one
-- transaction, after it has created schema_migrations itself. Later
-- migrations add columns and indexes to these tables rather than rewrite them.
-- Privileges for tether_app are granted in 002_grants.sql.
--
-- Conventions: ids are bigserial; times are timestamptz; free text is
-- NOT NULL DEFAULT '' where "empty" and "absent" mean the same; enumerations
-- are text with a CHECK (adding a value is one ALTER ... CHECK); jsonb
-- settings are always objects. Columns naming a user who did something are
-- ON DELETE SET NULL so removing a user never rewrites or blocks history.

-- Trigram indexes for the connection list's substring search. pg_trgm is a
-- trusted extension: the database owner may create it without a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ------------------------------------------------------------------ users

CREATE TABLE users (
	id		bigserial PRIMARY KEY,
	email		text NOT NULL
			CHECK (char_length(email) BETWEEN 3 AND 254),
	name		text NOT NULL DEFAULT ''
			CHECK (char_length(name) <= 200),
	password_hash	text NOT NULL,		-- argon2id, libsodium's encoded form
	is_admin	boolean NOT NULL DEFAULT false,
	disabled	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Failed sign-ins, for throttling by (account, address). email_key is the
-- normalised (lower-cased) address typed, whether or not such a user exists.
CREATE TABLE login_failures (
	id		bigserial PRIMARY KEY,
	email_key	text NOT NULL CHECK (char_length(email_key) <= 254),
	client_addr	text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_lookup_idx
	ON login_failures (email_key, client_addr, at);

-- ------------------------------------------------------------------ teams

CREATE TABLE teams (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

CREATE TABLE team_members (
	team_id		bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	role		text NOT NULL
			CHECK (role IN ('viewer', 'member', 'manager')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

-- --------------------------------------------------- sessions and tokens

-- Only a hash of the session token is stored; the cookie holds the token.
CREATE TABLE sessions (
	id		bigserial PRIMARY KEY,
	token_hash	bytea NOT NULL UNIQUE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	csrf_token	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	client_addr	text,
	user_agent	text CHECK (char_length(user_agent) <= 512)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- API tokens for /api/v1 (hash only; the token is shown once at creation).
CREATE TABLE api_tokens (
	id		bigserial PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
	token_hash	bytea NOT NULL UNIQUE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_used_at	timestamptz,
	expires_at	timestamptz,		-- NULL: does not expire
	revoked_at	timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- ------------------------------------------------------------------ vault

-- One row: a value sealed with the master key, so start-up can prove the
-- key file is the right one before touching any secret.
CREATE TABLE vault_master (
	id		integer PRIMARY KEY CHECK (id = 1),
	check_blob	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- Data keys, wrapped by the master key. New secrets use the newest
-- unretired version; rotation re-encrypts rows to it, then retires the old.
CREATE TABLE vault_keys (
	version		integer PRIMARY KEY CHECK (version > 0),
	wrapped_key	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	retired_at	timestamptz
);

-- ------------------------------------------------------ named credentials

CREATE TABLE named_credentials (
	id		bigserial PRIMARY KEY,
	owner_team_id	bigint NOT NULL REFERENCES teams,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
	description	text NOT NULL DEFAULT ''
			CHECK (char_length(description) <= 2000),
	url		text NOT NULL DEFAULT ''
			CHECK (char_length(url) <= 2048),
	auth_protocol	text NOT NULL
			CHECK (auth_protocol ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
	settings	jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(settings) = 'object'),
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_by	bigint REFERENCES users ON DELETE SET NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX named_credentials_team_name_key
	ON named_credentials (owner_team_id, lower(name));

CREATE TABLE named_credential_secrets (
	named_credential_id bigint NOT NULL
			REFERENCES named_credentials ON DELETE CASCADE,
	field		text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 64),
	key_version	integer NOT NULL REFERENCES vault_keys,
	nonce		bytea NOT NULL,
	ciphertext	bytea NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (named_credential_id, field)
);
CREATE INDEX named_credential_secrets_key_version_idx
	ON named_credential_secrets (key_version);

-- ---------------------------------------------------------------- uplinks

-- On-premises agents a connection can be routed through ("Uplinked").
-- allow: the agent's own address allowlist for the SSRF guard, as
-- "10.0.0.0/8, ::1/128" (see netpolicy_parse).
CREATE TABLE uplinks (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL UNIQUE
			CHECK (char_length(name) BETWEEN 1 AND 120),
	proxy_url	text CHECK (char_length(proxy_url) <= 2048),
	allow		text NOT NULL DEFAULT '',
	created_at	timestamptz NOT NULL DEFAULT now()
);

-- ------------------------------------------------------------ connections

CREATE TABLE connections (
	id		bigserial PRIMARY KEY,
	owner_team_id	bigint NOT NULL REFERENCES teams,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
	description	text NOT NULL DEFAULT ''
			CHECK (char_length(description) <= 2000),
	connector	text NOT NULL
			CHECK (connector ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
	auth_protocol	text NOT NULL
			CHECK (auth_protocol ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
	api_type	text NOT NULL DEFAULT ''
			CHECK (char_length(api_type) <= 64),
	settings	jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(settings) = 'object'),
	execution_context text NOT NULL DEFAULT 'system'
			CHECK (execution_context IN ('system', 'per_user')),
	named_credential_id bigint
			REFERENCES named_credentials ON DELETE RESTRICT,
	uplink_id	bigint REFERENCES uplinks,
	status		text NOT NULL DEFAULT 'not_tested'
			CHECK (status IN ('not_tested', 'ok', 'failing',
			    'needs_reconnect')),
	last_tested_at	timestamptz,
	last_test_result text,
	last_test_message text,
	token_expires_at timestamptz,		-- OAuth access token, if any
	granted_scopes	text,			-- as the token endpoint returned them
	version		integer NOT NULL DEFAULT 1 CHECK (version >= 1),
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_by	bigint REFERENCES users ON DELETE SET NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- Names are unique per owner team, case-insensitively. This index also
-- backs the team filter sorted by name.
CREATE UNIQUE INDEX connections_team_name_key
	ON connections (owner_team_id, lower(name));

-- The list's filters and sorts, each index-backed at 10,000+ rows. The list
-- orders by name as `lower(name), id` (id breaks ties between teams).
--   search: lower(name) LIKE '%' || lower($q) || '%'  (3+ characters use
--   the trigram index; shorter patterns have no trigram to look up)
-- fastupdate = off: every test rewrites the row (status and last_tested_at
-- are indexed, so no HOT update) and would otherwise add to the GIN pending
-- list, which each search scans linearly until the next vacuum.
CREATE INDEX connections_name_trgm_idx
	ON connections USING gin (lower(name) gin_trgm_ops)
	WITH (fastupdate = off);
CREATE INDEX connections_name_idx
	ON connections (lower(name), id);
CREATE INDEX connections_connector_name_idx
	ON connections (connector, lower(name), id);
CREATE INDEX connections_status_name_idx
	ON connections (status, lower(name), id);
-- Sort by last tested, one index read either way:
--   newest first: ORDER BY last_tested_at DESC NULLS LAST, id DESC
--   oldest first: ORDER BY last_tested_at ASC NULLS FIRST, id ASC
-- (an "oldest first, never tested last" order would need its own index).
CREATE INDEX connections_last_tested_idx
	ON connections (last_tested_at DESC NULLS LAST, id DESC);
-- Foreign keys that are looked up from the other side.
CREATE INDEX connections_named_credential_idx
	ON connections (named_credential_id)
	WHERE named_credential_id IS NOT NULL;
CREATE INDEX connections_uplink_idx
	ON connections (uplink_id) WHERE uplink_id IS NOT NULL;

-- One row per saved version: the non-secret settings as they were saved and
-- the names of the fields that changed (never secret values).
CREATE TABLE connection_versions (
	id		bigserial PRIMARY KEY,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	version		integer NOT NULL CHECK (version >= 1),
	settings	jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(settings) = 'object'),
	changed_fields	text[] NOT NULL DEFAULT '{}',
	changed_by	bigint REFERENCES users ON DELETE SET NULL,
	changed_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (connection_id, version)
);

-- One row per secret field, sealed by the vault (the AEAD's additional data
-- binds it to connection_id, field and key_version).
CREATE TABLE connection_secrets (
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	field		text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 64),
	key_version	integer NOT NULL REFERENCES vault_keys,
	nonce		bytea NOT NULL,
	ciphertext	bytea NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	updated_by	bigint REFERENCES users ON DELETE SET NULL,
	PRIMARY KEY (connection_id, field)
);
-- Key rotation walks the rows still sealed with an old version.
CREATE INDEX connection_secrets_key_version_idx
	ON connection_secrets (key_version);

-- Per-user credentials of execution_context = 'per_user' connections.
CREATE TABLE user_connection_secrets (
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	field		text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 64),
	key_version	integer NOT NULL REFERENCES vault_keys,
	nonce		bytea NOT NULL,
	ciphertext	bytea NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	status		text NOT NULL DEFAULT 'not_tested'
			CHECK (status IN ('not_tested', 'ok', 'failing',
			    'needs_reconnect')),
	PRIMARY KEY (connection_id, user_id, field)
);
CREATE INDEX user_connection_secrets_user_idx
	ON user_connection_secrets (user_id);
CREATE INDEX user_connection_secrets_key_version_idx
	ON user_connection_secrets (key_version);

CREATE TABLE connection_shares (
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	team_id		bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
	permission	text NOT NULL CHECK (permission IN ('use', 'manage')),
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (connection_id, team_id)
);
CREATE INDEX connection_shares_team_idx ON connection_shares (team_id);

-- ------------------------------------------------------------------ flows

-- Flows of the automation engine, registered through the API.
CREATE TABLE flows (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	version		integer NOT NULL DEFAULT 1 CHECK (version >= 1),
	status		text NOT NULL
			CHECK (status IN ('active', 'inactive', 'draft')),
	owner		text NOT NULL DEFAULT ''
			CHECK (char_length(owner) <= 200),
	description	text NOT NULL DEFAULT ''
			CHECK (char_length(description) <= 2000),
	progress_status	text NOT NULL DEFAULT ''
			CHECK (char_length(progress_status) <= 200),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- ON DELETE RESTRICT: the database itself refuses to delete a connection
-- that a flow uses.
CREATE TABLE flow_connections (
	flow_id		bigint NOT NULL REFERENCES flows ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE RESTRICT,
	PRIMARY KEY (flow_id, connection_id)
);
-- "Flows using it" per connection (list count, Related tab, delete check):
-- index-only scans on (connection_id, flow_id).
CREATE INDEX flow_connections_connection_idx
	ON flow_connections (connection_id, flow_id);

-- --------------------------------------------------------- test history

CREATE TABLE connection_tests (
	id		bigserial PRIMARY KEY,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	tested_at	timestamptz NOT NULL DEFAULT now(),
	trigger		text NOT NULL
			CHECK (trigger IN ('create', 'edit', 'manual', 'schedule',
			    'flow_open', 'api', 'reconnect', 'refresh')),
	triggered_by	bigint REFERENCES users ON DELETE SET NULL,
	-- Whose per-user credentials were tested; NULL for system context.
	-- No foreign key: the history outlives the user.
	user_id		bigint,
	result		text NOT NULL CHECK (char_length(result) BETWEEN 1 AND 64),
	http_status	integer CHECK (http_status BETWEEN 100 AND 599),
	latency_ms	integer CHECK (latency_ms >= 0),
	message		text NOT NULL DEFAULT ''
);
CREATE INDEX connection_tests_connection_idx
	ON connection_tests (connection_id, tested_at DESC);

-- ------------------------------------------------------------------ audit

-- Append-only for tether_app (INSERT, SELECT; see 002_grants.sql). Changed
-- field names go in details, never secret values. No foreign keys: the log
-- outlives the users, teams and objects it names, hence the *_label copies.
CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	actor_user_id	bigint,
	actor_label	text NOT NULL DEFAULT '',
	team_id		bigint,
	object_type	text NOT NULL CHECK (char_length(object_type) BETWEEN 1 AND 64),
	object_id	bigint,
	object_label	text NOT NULL DEFAULT '',
	action		text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 64),
	outcome		text NOT NULL
			CHECK (outcome IN ('success', 'failure', 'denied')),
	client_addr	text,
	request_id	text,
	details		jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at);
CREATE INDEX audit_log_action_idx ON audit_log (action, at);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- ------------------------------------------------------------------ OAuth

-- An authorization-code dance in progress: the state (hashed), the PKCE
-- verifier (sealed by the vault), and where the callback must send it.
CREATE TABLE oauth_states (
	state_hash	bytea PRIMARY KEY,
	session_id	bigint REFERENCES sessions ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	key_version	integer REFERENCES vault_keys,
	verifier_nonce	bytea,
	verifier_ciphertext bytea,
	token_url	text NOT NULL CHECK (char_length(token_url) <= 2048),
	redirect_uri	text NOT NULL CHECK (char_length(redirect_uri) <= 2048),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	CHECK ((key_version IS NULL) = (verifier_ciphertext IS NULL)),
	CHECK ((verifier_nonce IS NULL) = (verifier_ciphertext IS NULL))
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);
CREATE INDEX oauth_states_connection_idx ON oauth_states (connection_id);
CREATE INDEX oauth_states_session_idx ON oauth_states (session_id);
CREATE INDEX oauth_states_user_idx ON oauth_states (user_id);

-- ------------------------------------------------------------------- jobs

-- tether-worker's queue: scheduled health checks and token refreshes, taken
-- with SELECT ... WHERE run_at <= now() ORDER BY run_at
--   FOR UPDATE SKIP LOCKED LIMIT n.
CREATE TABLE jobs (
	id		bigserial PRIMARY KEY,
	kind		text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
	connection_id	bigint REFERENCES connections ON DELETE CASCADE,
	run_at		timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	locked_at	timestamptz,
	locked_by	text,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_run_at_idx ON jobs (run_at);
CREATE INDEX jobs_connection_idx ON jobs (connection_id);
