-- 031_list_scopes.sql — the Integrations tab for a team member reads about
-- one page of rows, and its counts read a few rows of totals (issue 15).
--
-- Indexes per owner team: a member's list is their teams' rows plus the
-- rows shared with them (connlist.c, VISIBLE_SOURCE). With the team fixed,
-- these give each sort and the status filter in order, so ORDER BY … LIMIT
-- 50 merges ordered index scans (MergeAppend) instead of fetching and
-- sorting every row the member may see.
CREATE INDEX connections_team_name_idx
	ON connections (owner_team_id, lower(name), id);
CREATE INDEX connections_team_tested_idx
	ON connections (owner_team_id, last_tested_at DESC NULLS LAST, id DESC);
CREATE INDEX connections_team_status_name_idx
	ON connections (owner_team_id, status, lower(name), id);
CREATE INDEX connections_team_expiry_idx
	ON connections (owner_team_id, LEAST(secrets_expire_on,
	    (refresh_token_expires_at AT TIME ZONE 'UTC')::date))
	WHERE secrets_expire_on IS NOT NULL OR refresh_token_expires_at IS NOT NULL;

-- How many connections each team owns in each status, kept by statement
-- triggers, so that the health summary and the unfiltered and status
-- totals are sums over a few rows. n may pass through a negative value
-- inside a statement's deltas, never after it.
CREATE TABLE connection_status_counts (
	owner_team_id	bigint NOT NULL REFERENCES teams ON DELETE CASCADE,
	status		text NOT NULL,
	n		bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (owner_team_id, status)
);

-- Statement triggers with transition tables: one write per (team, status)
-- a statement changes, however many rows, and always in (team, status)
-- order, so that two writers lock the rows they share in the same order
-- and never deadlock (a status flip ok→failing and one failing→ok of the
-- same team each take (team, failing) first). A transaction holds the
-- rows it changed until it commits: status changes of one team and status
-- queue behind each other for that long, never longer.
CREATE FUNCTION connection_status_counts_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO connection_status_counts AS k (owner_team_id, status, n)
		SELECT owner_team_id, status, count(*) FROM new_rows
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT (owner_team_id, status) DO UPDATE SET n = k.n + EXCLUDED.n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO connection_status_counts AS k (owner_team_id, status, n)
		SELECT owner_team_id, status, -count(*) FROM old_rows
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT (owner_team_id, status) DO UPDATE SET n = k.n + EXCLUDED.n;
	ELSE
		INSERT INTO connection_status_counts AS k (owner_team_id, status, n)
		SELECT t, s, sum(d) FROM (
			SELECT n.owner_team_id, n.status, 1 FROM new_rows n JOIN old_rows o
			    USING (id) WHERE (n.owner_team_id, n.status) IS DISTINCT FROM
			    (o.owner_team_id, o.status)
			UNION ALL
			SELECT o.owner_team_id, o.status, -1 FROM new_rows n JOIN old_rows o
			    USING (id) WHERE (n.owner_team_id, n.status) IS DISTINCT FROM
			    (o.owner_team_id, o.status)
		) AS x (t, s, d)
		GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
		ON CONFLICT (owner_team_id, status) DO UPDATE SET n = k.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER connection_status_counts_insert AFTER INSERT ON connections
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_keep();
CREATE TRIGGER connection_status_counts_delete AFTER DELETE ON connections
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_keep();
CREATE TRIGGER connection_status_counts_update AFTER UPDATE ON connections
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION connection_status_counts_keep();

-- Counted under a lock that keeps writers out until this commits.
LOCK TABLE connections IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO connection_status_counts (owner_team_id, status, n)
	SELECT owner_team_id, status, count(*) FROM connections GROUP BY 1, 2;

GRANT SELECT, INSERT, UPDATE ON connection_status_counts TO tether_app;
