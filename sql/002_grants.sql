-- 002_grants.sql — what tether_app, the role the application connects as,
-- may do. Applied by `tetherctl migrate` as tether_owner, which owns the
-- database, the public schema (pg_database_owner) and every table.
--
-- tether_app owns nothing and may create nothing: DML on the tables, reading
-- (never writing) schema_migrations, and appending to (never changing)
-- audit_log. There are deliberately no ALTER DEFAULT PRIVILEGES: a later
-- migration that adds a table grants on it explicitly, next to the CREATE.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tether_app;

-- Start from nothing so that re-running this file, or a grant made by hand,
-- cannot leave more than what follows.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM tether_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM tether_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON
	users,
	login_failures,
	teams,
	team_members,
	sessions,
	api_tokens,
	vault_master,
	vault_keys,
	named_credentials,
	named_credential_secrets,
	uplinks,
	connections,
	connection_versions,
	connection_secrets,
	user_connection_secrets,
	connection_shares,
	flows,
	flow_connections,
	connection_tests,
	oauth_states,
	jobs
	TO tether_app;

-- The audit trail is append-only for the application.
GRANT SELECT, INSERT ON audit_log TO tether_app;

-- Created by `tetherctl migrate` before the first migration; the app may
-- only check which migrations are applied.
GRANT SELECT ON schema_migrations TO tether_app;

-- bigserial defaults call nextval(); currval() for RETURNING-less code.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tether_app;
