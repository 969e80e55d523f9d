-- 014_form_once.sql — one-time form tokens (issue 12 §2: a double click on
-- Test, Save or Create runs one action, not two).
--
-- Every page carries a fresh random token (Once.Token); the forms whose
-- action must not run twice send it as "once". The first POST with a token
-- inserts it here and runs; any later POST with the same token finds it
-- and is answered without running anything (once.c). Rows older than a day
-- are swept as new ones arrive: a page kept open longer than that sends a
-- token that is simply taken again.
CREATE TABLE form_once (
	token	text PRIMARY KEY CHECK (length(token) BETWEEN 16 AND 64),
	user_id	bigint NOT NULL,
	used_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX form_once_used_at ON form_once (used_at);

GRANT SELECT, INSERT, DELETE ON form_once TO tether_app;
