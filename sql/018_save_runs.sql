-- 018_save_runs.sql — Create and Save never freeze (issue 12 §2): like Test
-- (016_test_runs.sql), they answer at once with a "Testing…" page for the
-- form's one-time token and go on in the background.
--
-- action says what the run does: 'test' (Test, or the test after a Save),
-- 'create' (the first test of a new connection), 'save' (test before
-- save: the change is tried, then saved when it passes). A save whose try failed ends 'unsaved' (the message
-- says why) and one that found the connection saved by someone else in
-- between ends 'stale'; the form comes back with the values typed, kept in
-- inputs (the form's fields, URL-encoded, never a secret field: typed
-- secrets stay in the memory of the process that tries them and are
-- entered again when the form comes back). inputs is cleared when the
-- save is done; rows go after a day (once.c).
ALTER TABLE form_once ADD COLUMN action text
	CHECK (action IN ('test', 'create', 'save'));
ALTER TABLE form_once ADD COLUMN inputs text
	CHECK (octet_length(inputs) <= 1048576);
ALTER TABLE form_once DROP CONSTRAINT form_once_result_kind_check;
ALTER TABLE form_once ADD CONSTRAINT form_once_result_kind_check
	CHECK (result_kind IN ('success', 'error', 'gone', 'unsaved', 'stale'));
-- "Saved "NAME"; …. Test: …": a name of 120 characters, in any script.
ALTER TABLE form_once DROP CONSTRAINT form_once_result_message_check;
ALTER TABLE form_once ADD CONSTRAINT form_once_result_message_check
	CHECK (char_length(result_message) <= 1000);
