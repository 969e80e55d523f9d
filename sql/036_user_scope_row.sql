-- 036_user_scope_row.sql — a user's teams and whether they manage one, kept
-- on their row of list_user_versions (sql/032) as memberships change (issue
-- 15). The session lookup every request makes (src/db.c, session_get) reads
-- them with one primary-key lookup instead of three aggregates over
-- team_members; memberships change seldom, requests all the time.
ALTER TABLE list_user_versions
	ADD COLUMN team_ids bigint[] NOT NULL DEFAULT '{}',
	ADD COLUMN is_manager boolean NOT NULL DEFAULT false;

-- Users' rows as their memberships are now. A user who is gone (a cascade
-- from users) gets no row.
CREATE FUNCTION user_scope_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO list_user_versions (user_id, v, team_ids, is_manager)
	SELECT u.id, 0,
	    ARRAY(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id ORDER BY m.team_id),
	    EXISTS (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.role = 'manager')
	FROM users u WHERE u.id = ANY (ids)
	ON CONFLICT (user_id) DO UPDATE SET team_ids = EXCLUDED.team_ids,
	    is_manager = EXCLUDED.is_manager;
$$;

CREATE FUNCTION user_scope_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM user_scope_refresh(ARRAY[NEW.user_id]);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM user_scope_refresh(ARRAY[OLD.user_id]);
	ELSE
		PERFORM user_scope_refresh(ARRAY[OLD.user_id, NEW.user_id]);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER user_scope AFTER INSERT OR UPDATE OR DELETE ON team_members
    FOR EACH ROW EXECUTE FUNCTION user_scope_member();

CREATE FUNCTION user_scope_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE list_user_versions SET team_ids = '{}', is_manager = false;
	RETURN NULL;
END
$$;
CREATE TRIGGER user_scope_truncate AFTER TRUNCATE ON team_members
    FOR EACH STATEMENT EXECUTE FUNCTION user_scope_truncated();

SELECT user_scope_refresh(ARRAY(SELECT DISTINCT user_id FROM team_members));
