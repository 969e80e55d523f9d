-- 033_list_name_key.sql — the name sorts read a stored key (issue 15).
--
-- The list orders by name as `name_key, id`, name_key being lower(name)
-- kept by the database. An index on the expression lower(name) cannot
-- answer an index-only scan, so a page by number (OFFSET) fetched every
-- row it skipped from the table: page 190 read 9,500 rows. On a stored
-- column, the page's ids are read from the index alone (where the table's
-- pages are all-visible), then its 50 rows (connlist.c, list_page_queue in
-- page-index.c). Keyset cursors are unchanged: the key is the same
-- lower(name).
ALTER TABLE connections
	ADD COLUMN name_key text GENERATED ALWAYS AS (lower(name)) STORED;

DROP INDEX connections_name_idx;
CREATE INDEX connections_name_idx ON connections (name_key, id);
DROP INDEX connections_connector_name_idx;
CREATE INDEX connections_connector_name_idx ON connections (connector, name_key, id);
DROP INDEX connections_status_name_idx;
CREATE INDEX connections_status_name_idx ON connections (status, name_key, id);
DROP INDEX connections_team_name_idx;
CREATE INDEX connections_team_name_idx ON connections (owner_team_id, name_key, id);
DROP INDEX connections_team_status_name_idx;
CREATE INDEX connections_team_status_name_idx
	ON connections (owner_team_id, status, name_key, id);

-- connection_counts (006) is read by nothing since the counts per team and
-- status (031); its triggers only cost every insert, delete and move.
DROP TRIGGER connection_counts_insert_delete ON connections;
DROP TRIGGER connection_counts_move ON connections;
DROP FUNCTION connection_counts_keep();
DROP TABLE connection_counts;
