-- 021_oauth_identity.sql — which account an OAuth connection is connected
-- as (issue 13 §6): an account label for people and a stable tenant key
-- (Salesforce org, Microsoft tenant, Google domain) that a reconnect must
-- match, read as the connector declares (connectors/README.md, OAuth
-- identity_*). Shared tokens: on the connection; per-user tokens: on the
-- user's own state. Neither is a secret.
ALTER TABLE connections ADD COLUMN identity_account text
	CHECK (char_length(identity_account) <= 255);
ALTER TABLE connections ADD COLUMN identity_tenant text
	CHECK (char_length(identity_tenant) <= 255);
ALTER TABLE user_connection_states ADD COLUMN identity_account text
	CHECK (char_length(identity_account) <= 255);
ALTER TABLE user_connection_states ADD COLUMN identity_tenant text
	CHECK (char_length(identity_tenant) <= 255);

-- "Connect a different account" (an admin's explicit, audited choice): the
-- state says the callback may store another tenant's tokens.
ALTER TABLE oauth_states ADD COLUMN other_account boolean NOT NULL DEFAULT false;
