-- Team managers read their teams' audit entries; per-user test state reads
-- a user's latest test of a connection.
CREATE INDEX audit_log_team_at_idx ON audit_log (team_id, at DESC) WHERE team_id IS NOT NULL;
CREATE INDEX connection_tests_user_idx ON connection_tests (connection_id, user_id, tested_at DESC)
	WHERE user_id IS NOT NULL;
