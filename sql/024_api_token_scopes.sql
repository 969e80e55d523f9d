-- 024_api_token_scopes.sql — what an API token may do and from where
-- (issue 14 §1).
--
-- scopes: what the token may do. A token made before this migration, or
-- without a choice, keeps the powers tokens always had (reading
-- connections, the flows registry, running tests) and never
-- connections:use, which reads credentials back out.
-- client_range: the addresses it may be used from (NULL: any).
-- created_by: who made it (a user for their own tokens, an administrator
-- for a service account's; NULL: tetherctl).
ALTER TABLE api_tokens
	ADD COLUMN scopes text[] NOT NULL
		DEFAULT ARRAY['connections:read', 'flows:write', 'tests:run']
		CHECK (cardinality(scopes) BETWEEN 1 AND 5 AND scopes <@ ARRAY[
		    'connections:read', 'connections:write', 'connections:use',
		    'flows:write', 'tests:run']),
	ADD COLUMN client_range cidr,
	ADD COLUMN created_by bigint REFERENCES users ON DELETE SET NULL;

-- A service account is a user that cannot sign in: it holds API tokens
-- (made by administrators) and team memberships, nothing else.
ALTER TABLE users ADD COLUMN is_service boolean NOT NULL DEFAULT false;
