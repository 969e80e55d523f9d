-- How many connections each team owns, kept by a trigger, so the
-- Integrations tab's unfiltered total (and the per-team one) is a sum over a
-- few rows instead of a count over every connection.
CREATE TABLE connection_counts (
	owner_team_id	bigint PRIMARY KEY REFERENCES teams ON DELETE CASCADE,
	n		bigint NOT NULL DEFAULT 0 CHECK (n >= 0)
);

INSERT INTO connection_counts (owner_team_id, n)
	SELECT owner_team_id, count(*) FROM connections GROUP BY owner_team_id;

CREATE FUNCTION connection_counts_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE connection_counts SET n = n - 1 WHERE owner_team_id = OLD.owner_team_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO connection_counts (owner_team_id, n) VALUES (NEW.owner_team_id, 1)
		ON CONFLICT (owner_team_id) DO UPDATE SET n = connection_counts.n + 1;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER connection_counts_insert_delete AFTER INSERT OR DELETE ON connections
	FOR EACH ROW EXECUTE FUNCTION connection_counts_keep();
CREATE TRIGGER connection_counts_move AFTER UPDATE OF owner_team_id ON connections
	FOR EACH ROW WHEN (OLD.owner_team_id IS DISTINCT FROM NEW.owner_team_id)
	EXECUTE FUNCTION connection_counts_keep();

GRANT SELECT, INSERT, UPDATE ON connection_counts TO tether_app;
