-- 028_list_keyset.sql — the Integrations list's "last tested" sorts as one
-- key with no NULLs, so that a keyset page (the rows after or before a row:
-- connlist_keyset() in src/connlist.c) is a range read of one index either
-- way. Never tested sorts as -infinity: last when newest first, first when
-- oldest first, as the NULLS LAST / NULLS FIRST orders do. (The name sorts
-- read connections_name_idx, sql/001.)
CREATE INDEX connections_tested_key_idx
	ON connections ((COALESCE(last_tested_at, '-infinity'::timestamptz)), id);
