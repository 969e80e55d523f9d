-- 037_connection_stamp_plpgsql.sql — connection_stamp (sql/035) in PL/pgSQL.
-- As a SQL function it was parsed and planned again on every call from a
-- trigger (a non-inlined SQL function keeps its plan for one execution of
-- the calling statement only), three or four times a recorded test; PL/pgSQL
-- keeps the plan for the session. Same statement, same effect.
CREATE OR REPLACE FUNCTION connection_stamp(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO connection_stamps (connection_id, v)
	SELECT c.id, nextval('connection_stamp_seq') FROM connections c
	WHERE c.id = ANY (ids)
	ON CONFLICT (connection_id) DO UPDATE SET v = EXCLUDED.v;
END
$$;
