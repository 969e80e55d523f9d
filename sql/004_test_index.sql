-- The per-user test rate limit counts a user's tests of the last minute.
CREATE INDEX connection_tests_triggered_by_idx
	ON connection_tests (triggered_by, tested_at) WHERE triggered_by IS NOT NULL;
