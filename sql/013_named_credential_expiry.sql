-- 013_named_credential_expiry.sql — a named credential's secret expiry
-- counts for the connections that use it.
--
-- connections.secrets_expire_on (009) was the earliest expires_on of the
-- connection's own shared secrets. A connection that uses a named
-- credential has no secrets of its own: the credential's are its secrets,
-- so their earliest date is the connection's too (the Integrations tab's
-- "expiring", Details' "Expires in N days", the expiry reminders). Kept by
-- trigger when either side's dates change and when a connection starts or
-- stops using a named credential.

-- The earliest expiry of connection cid's shared secrets and of its named
-- credential's.
CREATE FUNCTION connection_secrets_expire_on(cid bigint) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT min(d) FROM (
		SELECT expires_on AS d FROM connection_secrets WHERE connection_id = cid
		UNION ALL
		SELECT s.expires_on FROM connections c
		JOIN named_credential_secrets s ON s.named_credential_id = c.named_credential_id
		WHERE c.id = cid) e
$$;

CREATE OR REPLACE FUNCTION connection_secrets_expiry_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cid	bigint;
BEGIN
	cid := CASE WHEN TG_OP = 'DELETE' THEN OLD.connection_id ELSE NEW.connection_id END;
	UPDATE connections c SET secrets_expire_on = connection_secrets_expire_on(cid)
	WHERE c.id = cid AND c.secrets_expire_on IS DISTINCT FROM connection_secrets_expire_on(cid);
	RETURN NULL;
END
$$;

CREATE FUNCTION named_credential_secrets_expiry_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	nid	bigint;
BEGIN
	nid := CASE WHEN TG_OP = 'DELETE' THEN OLD.named_credential_id
	    ELSE NEW.named_credential_id END;
	UPDATE connections c SET secrets_expire_on = connection_secrets_expire_on(c.id)
	WHERE c.named_credential_id = nid
	  AND c.secrets_expire_on IS DISTINCT FROM connection_secrets_expire_on(c.id);
	RETURN NULL;
END
$$;

CREATE TRIGGER named_credential_secrets_expiry
	AFTER INSERT OR DELETE OR UPDATE OF expires_on ON named_credential_secrets
	FOR EACH ROW EXECUTE FUNCTION named_credential_secrets_expiry_keep();

-- A connection that starts (or stops) using a named credential.
CREATE FUNCTION connections_named_credential_expiry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE connections c SET secrets_expire_on = connection_secrets_expire_on(c.id)
	WHERE c.id = NEW.id AND c.secrets_expire_on IS DISTINCT FROM
	    connection_secrets_expire_on(c.id);
	RETURN NULL;
END
$$;

CREATE TRIGGER connections_named_credential_expiry
	AFTER INSERT OR UPDATE OF named_credential_id ON connections
	FOR EACH ROW WHEN (NEW.named_credential_id IS NOT NULL OR
	    NEW.secrets_expire_on IS NOT NULL)
	EXECUTE FUNCTION connections_named_credential_expiry();

-- What is there already.
UPDATE connections c SET secrets_expire_on = connection_secrets_expire_on(c.id)
WHERE c.named_credential_id IS NOT NULL
  AND c.secrets_expire_on IS DISTINCT FROM connection_secrets_expire_on(c.id);
