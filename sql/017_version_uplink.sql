-- 017_version_uplink.sql — each version of a connection records its
-- connection mode (issue 12 §2: the mode is changed on Edit like any setting,
-- and the History tab says the change in words: "Connection mode: Direct →
-- Uplinked via Plant-Net"). uplink_id: the uplink it went through (NULL:
-- Direct); uplink: that uplink's name then ('' for Direct), kept when the
-- uplink is removed later.
--
-- A trigger takes both from the connection row as the version is inserted
-- (Create, Edit and Revert insert versions; Edit changes connections.uplink_id
-- first, in the same transaction), so no insert can record another mode than
-- the one saved.
ALTER TABLE connection_versions ADD COLUMN uplink_id bigint
	REFERENCES uplinks ON DELETE SET NULL;
ALTER TABLE connection_versions ADD COLUMN uplink text NOT NULL DEFAULT ''
	CHECK (char_length(uplink) <= 120);

-- Until now the mode could not change: every version had the current one.
UPDATE connection_versions v SET uplink_id = c.uplink_id, uplink = COALESCE(u.name, '')
FROM connections c LEFT JOIN uplinks u ON u.id = c.uplink_id
WHERE c.id = v.connection_id AND c.uplink_id IS NOT NULL;

CREATE FUNCTION connection_versions_uplink() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	SELECT c.uplink_id, COALESCE(u.name, '') INTO NEW.uplink_id, NEW.uplink
	FROM connections c LEFT JOIN uplinks u ON u.id = c.uplink_id
	WHERE c.id = NEW.connection_id;
	NEW.uplink := COALESCE(NEW.uplink, '');
	RETURN NEW;
END
$$;

CREATE TRIGGER connection_versions_uplink
	BEFORE INSERT ON connection_versions
	FOR EACH ROW EXECUTE FUNCTION connection_versions_uplink();
