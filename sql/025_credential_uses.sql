-- 025_credential_uses.sql — every time the automation engine asks for a
-- connection's credentials (issue 14 §1): issued or denied, for which flow,
-- by which principal and token, from where. The Details tab reads "last
-- used" and by which flows from here; the audit log has the same event.
-- A separate table, not a column of connections: a read must not move the
-- list version (sql/007) and so empty every kept list page.
CREATE TABLE credential_uses (
	id		bigserial PRIMARY KEY,
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	flow_id		bigint REFERENCES flows ON DELETE SET NULL,
	principal_id	bigint REFERENCES users ON DELETE SET NULL,
	as_user_id	bigint REFERENCES users ON DELETE SET NULL,
	token_id	bigint REFERENCES api_tokens ON DELETE SET NULL,
	client_addr	inet,
	outcome		text NOT NULL CHECK (outcome IN ('issued', 'denied')),
	reason		text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 40),
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credential_uses_connection_idx ON credential_uses (connection_id, at DESC);

GRANT SELECT, INSERT ON credential_uses TO tether_app;
GRANT USAGE, SELECT ON credential_uses_id_seq TO tether_app;
