-- 016_test_runs.sql — a Test run in the background (issue 12 §2: long tests
-- show that they are running). The POST /connections/ID/test that takes a
-- one-time token (014_form_once.sql) answers at once with a "Testing…" page
-- for that token and runs the test after the answer is sent; the outcome is
-- kept on the token's row for the page to pick up.
ALTER TABLE form_once ADD COLUMN connection_id bigint;
ALTER TABLE form_once ADD COLUMN result_kind text
	CHECK (result_kind IN ('success', 'error', 'gone'));
ALTER TABLE form_once ADD COLUMN result_message text
	CHECK (char_length(result_message) <= 400);

GRANT UPDATE ON form_once TO tether_app;
