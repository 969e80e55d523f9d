-- 023_oauth_clients.sql — reusable OAuth 2.0 clients (issue 13 §1).
--
-- A client is registered once at a provider and used by many connections
-- of one connector and protocol: its ID, auth method, optional token and
-- authorize URLs (only where the connector takes them from a field) and
-- allowed scopes here, its secret sealed in oauth_client_secrets (the
-- vault's additional data is the field, "oauth_client.client_secret", with
-- the negated id, so it never matches a named credential's). A connection
-- that uses a client reads all of it at every token call: a rotated secret
-- applies from the next call. A client in use cannot be deleted.
CREATE TABLE oauth_clients (
	id		bigserial PRIMARY KEY,
	owner_team_id	bigint NOT NULL REFERENCES teams,
	name		text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
	connector	text NOT NULL
			CHECK (connector ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
	protocol	text NOT NULL
			CHECK (protocol ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
	client_id	text NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 255),
	auth_method	text NOT NULL DEFAULT 'client_secret_basic'
			CHECK (auth_method IN ('client_secret_basic', 'client_secret_post')),
	token_url	text NOT NULL DEFAULT '' CHECK (char_length(token_url) <= 2048),
	authorize_url	text NOT NULL DEFAULT ''
			CHECK (char_length(authorize_url) <= 2048),
	scopes		text NOT NULL DEFAULT '' CHECK (char_length(scopes) <= 1000),
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_by	bigint REFERENCES users ON DELETE SET NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX oauth_clients_team_name_key
	ON oauth_clients (owner_team_id, lower(name));

CREATE TABLE oauth_client_secrets (
	oauth_client_id	bigint NOT NULL REFERENCES oauth_clients ON DELETE CASCADE,
	field		text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 64),
	key_version	integer NOT NULL REFERENCES vault_keys,
	nonce		bytea NOT NULL,
	ciphertext	bytea NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (oauth_client_id, field)
);
CREATE INDEX oauth_client_secrets_key_version_idx
	ON oauth_client_secrets (key_version);

-- Sharing as for connections: 'use' lets the team's managers pick it in a
-- connection; 'manage' also lets them edit it.
CREATE TABLE oauth_client_shares (
	oauth_client_id	bigint NOT NULL REFERENCES oauth_clients ON DELETE CASCADE,
	team_id		bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
	permission	text NOT NULL CHECK (permission IN ('use', 'manage')),
	created_by	bigint REFERENCES users ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (oauth_client_id, team_id)
);
CREATE INDEX oauth_client_shares_team_idx ON oauth_client_shares (team_id);

ALTER TABLE connections ADD COLUMN oauth_client_id bigint
	REFERENCES oauth_clients ON DELETE RESTRICT;
CREATE INDEX connections_oauth_client_idx ON connections (oauth_client_id)
	WHERE oauth_client_id IS NOT NULL;

-- The connection form's non-secret values while its user is away creating
-- or editing a client ("+" and the pencil): the form as urlencoded text,
-- secrets left out, the user's own, swept after a day.
CREATE TABLE oauth_client_drafts (
	token		text PRIMARY KEY CHECK (length(token) BETWEEN 16 AND 64),
	user_id		bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	form		text NOT NULL CHECK (char_length(form) <= 65536),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_client_drafts_created_idx ON oauth_client_drafts (created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON oauth_clients, oauth_client_secrets,
	oauth_client_shares, oauth_client_drafts TO tether_app;
GRANT USAGE, SELECT ON SEQUENCE oauth_clients_id_seq TO tether_app;
