-- 015_secret_versions.sql — the sealed secrets of each saved version, so
-- that a revert (page-connection-revert.c) can bring a version's secrets
-- back (issue 12 §2). Ciphertexts are copied as they are sealed (the AEAD's
-- additional data binds connection_id, field and key_version, not the
-- version): nothing is decrypted to keep or restore them.
--
-- A snapshot is taken when a version's row (connection_versions) is
-- committed: a deferred trigger, so that it sees the secrets the same
-- transaction stored after the version row (Create, Edit, Revert). The
-- snapshot row says the version's secrets are kept (a version may have
-- none). The application keeps `connections.secret_versions_kept` of them
-- (connpage_save_version deletes older ones).
CREATE TABLE connection_secret_snapshots (
	connection_id	bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
	version		integer NOT NULL CHECK (version >= 1),
	taken_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (connection_id, version)
);

CREATE TABLE connection_secret_versions (
	connection_id	bigint NOT NULL,
	version		integer NOT NULL,
	field		text NOT NULL CHECK (char_length(field) BETWEEN 1 AND 64),
	key_version	integer NOT NULL,
	nonce		bytea NOT NULL,
	ciphertext	bytea NOT NULL,
	expires_on	date,
	updated_at	timestamptz NOT NULL,
	updated_by	bigint,
	PRIMARY KEY (connection_id, version, field),
	FOREIGN KEY (connection_id, version)
		REFERENCES connection_secret_snapshots ON DELETE CASCADE
);
-- Key rotation may want to find the copies sealed with an old key.
CREATE INDEX connection_secret_versions_key_version_idx
	ON connection_secret_versions (key_version);

CREATE FUNCTION connection_secrets_snapshot() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM connections WHERE id = NEW.connection_id) THEN
		RETURN NULL;	-- deleted in the same transaction
	END IF;
	INSERT INTO connection_secret_snapshots (connection_id, version)
	VALUES (NEW.connection_id, NEW.version) ON CONFLICT DO NOTHING;
	INSERT INTO connection_secret_versions (connection_id, version, field, key_version,
		nonce, ciphertext, expires_on, updated_at, updated_by)
	SELECT connection_id, NEW.version, field, key_version, nonce, ciphertext, expires_on,
		updated_at, updated_by
	FROM connection_secrets WHERE connection_id = NEW.connection_id
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER connection_versions_secrets
	AFTER INSERT ON connection_versions DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION connection_secrets_snapshot();

GRANT SELECT, INSERT, DELETE ON connection_secret_snapshots, connection_secret_versions
	TO tether_app;
