-- The database lives on SSDs: random reads cost little more than sequential
-- ones, and with the default (4) the planner scans where an index serves the
-- non-admin Integrations list.
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
END
$$;
