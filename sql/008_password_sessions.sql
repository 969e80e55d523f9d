-- 008_password_sessions.sql — a new password ends every session of its user,
-- in the transaction that sets it, whichever path sets it (tetherctl, a page,
-- a hand-run UPDATE): a session opened with the old password, perhaps by
-- whoever learnt it, must not outlive it. A rehash at sign-in (same password,
-- new parameters) counts too; it is rare, and ending sessions is the safe side.
CREATE FUNCTION users_password_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM sessions WHERE user_id = NEW.id;
	RETURN NULL;
END
$$;

CREATE TRIGGER users_password_changed
	AFTER UPDATE OF password_hash ON users
	FOR EACH ROW
	WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
	EXECUTE FUNCTION users_password_changed();
