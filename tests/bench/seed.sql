-- seed.sql — benchmark data: :n connections (default 10000) spread over 20
-- teams and all the connector keys, with random statuses and test times,
-- their last test each, some shares, and n/20 flows using a few thousand
-- (flow, connection) pairs. Then VACUUM ANALYZE, so plans are those of a
-- real installation.
--
--   psql -v ON_ERROR_STOP=1 -U tether_owner -d tether -v n=10000 \
--       -f tests/bench/seed.sql
--
-- Run it as tether_owner (VACUUM and ANALYZE need the tables' owner), and
-- not with psql -1 (VACUUM cannot run inside a transaction). Every row it
-- makes is named with the prefix "bench-", and a rerun first deletes the
-- bench rows of the previous run, so it can be run again with another n.
-- random() is seeded, so a given n gives the same data every time.

\set ON_ERROR_STOP 1
\if :{?n}
\else
\set n 10000
\endif

BEGIN;

SELECT setseed(0.4242) \g /dev/null

-- ------------------------------------------------- previous run, if any

DELETE FROM flow_connections fc
USING connections c
WHERE fc.connection_id = c.id AND c.name LIKE 'bench-%';
DELETE FROM flows WHERE name LIKE 'bench-%';
-- Cascades to the connections' tests, versions, secrets, shares and jobs.
DELETE FROM connections WHERE name LIKE 'bench-%';

-- ------------------------------------------------------------------ teams

INSERT INTO teams (name)
SELECT format('bench-team-%s', lpad(g::text, 2, '0'))
FROM generate_series(1, 20) AS g
ON CONFLICT ((lower(name))) DO NOTHING;

-- ------------------------------------------------------------ connections

WITH
team AS (
	SELECT array_agg(id ORDER BY name) AS ids
	FROM teams WHERE name LIKE 'bench-team-%'
),
kind AS (
	-- Every connector key with the protocols it is seeded with.
	SELECT array_agg(connector ORDER BY ord) AS connector,
	    array_agg(protocol ORDER BY ord) AS protocol
	FROM (VALUES
		(1, 'jira', 'cloud'), (2, 'jira', 'server'),
		(3, 'salesforce', 'oauth2_code'), (4, 'salesforce', 'oauth2_client'),
		(5, 'servicenow', 'basic'), (6, 'servicenow', 'oauth2_code'),
		(7, 'celonis', 'app_key'), (8, 'celonis', 'api_key'),
		(9, 'celonis', 'oauth2_client'), (10, 'celonis-user', 'user'),
		(11, 'msgraph', 'oauth2_code'), (12, 'msgraph', 'oauth2_client'),
		(13, 'google-workspace', 'oauth2_code'), (14, 'sap', 'basic'),
		(15, 'smtp', 'basic'), (16, 'smtp', 'none'),
		(17, 'http', 'none'), (18, 'http', 'api_key'),
		(19, 'http', 'bearer'), (20, 'http', 'basic')
	) AS k(ord, connector, protocol)
),
word AS (
	SELECT ARRAY['Payroll', 'Invoices', 'Tickets', 'Leads', 'Orders',
	    'Inventory', 'Onboarding', 'Support', 'Campaigns', 'Procurement',
	    'Expenses', 'Contracts', 'Assets', 'Shipments', 'Vendors',
	    'Forecast', 'Incidents', 'Changes', 'Ledger', 'Mailroom'] AS w
),
row AS (
	SELECT g AS i,
	    1 + floor(random() * 20)::int AS k,		-- kind
	    1 + floor(random() * 20)::int AS w1,	-- words of the name
	    1 + floor(random() * 20)::int AS w2,
	    random() AS s,				-- status
	    random() AS t				-- when last tested
	FROM generate_series(1, :n) AS g
)
INSERT INTO connections (owner_team_id, name, description, connector,
    auth_protocol, api_type, settings, execution_context, status,
    last_tested_at, last_test_result, last_test_message, created_at,
    updated_at)
SELECT team.ids[1 + (r.i * 7) % array_length(team.ids, 1)],
    format('bench-%s %s %s %s', kind.connector[r.k], word.w[r.w1],
	word.w[r.w2], lpad(r.i::text, 6, '0')),
    CASE WHEN r.i % 3 = 0 THEN ''
	ELSE format('Benchmark connection %s for %s.', r.i, word.w[r.w1]) END,
    kind.connector[r.k], kind.protocol[r.k],
    CASE WHEN kind.connector[r.k] = 'celonis'
	THEN (ARRAY['intelligence', 'data_push'])[1 + r.i % 2] ELSE '' END,
    CASE WHEN kind.connector[r.k] = 'smtp'
	THEN jsonb_build_object('host', format('smtp%s.bench.example', r.i),
	    'port', 587, 'starttls', true)
	WHEN kind.connector[r.k] IN ('celonis', 'celonis-user')
	THEN jsonb_build_object('domain',
	    format('bench%s.eu-1.celonis.cloud', r.i))
	ELSE jsonb_build_object('url', format('https://bench%s.example.com', r.i),
	    'username', format('svc-%s', r.i)) END,
    CASE WHEN kind.connector[r.k] = 'celonis-user'
	THEN 'per_user' ELSE 'system' END,
    st.status,
    CASE WHEN st.status <> 'not_tested'
	THEN now() - r.t * interval '30 days' END,
    CASE st.status WHEN 'ok' THEN 'ok'
	WHEN 'not_tested' THEN NULL ELSE 'failing' END,
    CASE st.status WHEN 'ok' THEN 'HTTP 200.'
	WHEN 'failing' THEN 'HTTP 401 Unauthorized.'
	WHEN 'needs_reconnect' THEN 'Token refresh refused: invalid_grant.'
	END,
    now() - interval '90 days' + r.i * interval '1 second',
    now() - r.t * interval '30 days'
FROM row r
CROSS JOIN team
CROSS JOIN kind
CROSS JOIN word
CROSS JOIN LATERAL (SELECT CASE
	WHEN r.s < 0.60 THEN 'ok'
	WHEN r.s < 0.75 THEN 'failing'
	WHEN r.s < 0.80 THEN 'needs_reconnect'
	ELSE 'not_tested' END AS status) st
ORDER BY r.i;

-- The last test of each tested connection, as the Details tab shows it.
INSERT INTO connection_tests (connection_id, tested_at, trigger, result,
    http_status, latency_ms, message)
SELECT id, last_tested_at,
    (ARRAY['schedule', 'manual', 'flow_open', 'api'])[1 + id % 4],
    last_test_result,
    CASE status WHEN 'ok' THEN 200 WHEN 'failing' THEN 401 ELSE 400 END,
    20 + floor(random() * 800)::int,
    last_test_message
FROM connections
WHERE name LIKE 'bench-%' AND last_tested_at IS NOT NULL;

-- A tenth of them shared with another bench team.
INSERT INTO connection_shares (connection_id, team_id, permission)
SELECT s.connection_id, s.team_id, s.permission
FROM (SELECT c.id, t.ids[1 + floor(random() * array_length(t.ids, 1))::int],
    (ARRAY['use', 'manage'])[1 + floor(random() * 2)::int]
FROM connections c
CROSS JOIN (SELECT array_agg(id ORDER BY name) AS ids
	FROM teams WHERE name LIKE 'bench-team-%') t
WHERE c.name LIKE 'bench-%' AND right(c.name, 6)::int % 10 = 0
ORDER BY c.id) AS s(connection_id, team_id, permission)
JOIN connections c ON c.id = s.connection_id
WHERE s.team_id <> c.owner_team_id		-- not with its own team
ON CONFLICT (connection_id, team_id) DO NOTHING;

-- ------------------------------------------------------------------ flows

INSERT INTO flows (name, version, status, owner, progress_status)
SELECT format('bench-flow-%s', lpad(g::text, 5, '0')),
    1 + floor(random() * 9)::int,
    (ARRAY['active', 'active', 'inactive', 'draft'])[1 + g % 4],
    format('owner-%s', g % 37),
    (ARRAY['Running', 'Running', 'Stopped', 'Not deployed'])[1 + g % 4]
FROM generate_series(1, greatest(:n / 20, 1)) AS g
ORDER BY g;

-- About six connections a flow, drawn at random from the bench ones, so
-- roughly a quarter of the connections are used by at least one flow.
-- The pick is made below OFFSET 0, before the sort: otherwise each sorted
-- row carries the whole array (at 200,000 connections, ~100 GB of temp).
INSERT INTO flow_connections (flow_id, connection_id)
SELECT flow_id, connection_id FROM (
	SELECT f.id AS flow_id, c.ids[1 + floor(random() * array_length(c.ids, 1))::int]
	    AS connection_id
	FROM flows f
	CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids
		FROM connections WHERE name LIKE 'bench-%') c
	CROSS JOIN generate_series(1, 6)
	WHERE f.name LIKE 'bench-flow-%'
	OFFSET 0
) AS pick
ORDER BY flow_id
ON CONFLICT (flow_id, connection_id) DO NOTHING;

COMMIT;

-- VACUUM as well: it sets the visibility map, without which index-only
-- scans visit the heap for every row, and reclaims the previous run's rows.
VACUUM (ANALYZE) teams, connections, connection_tests, connection_shares,
    flows, flow_connections;

SELECT (SELECT count(*) FROM connections WHERE name LIKE 'bench-%')
	AS bench_connections,
    (SELECT count(*) FROM flows WHERE name LIKE 'bench-%') AS bench_flows,
    (SELECT count(*) FROM flow_connections fc JOIN flows f ON f.id = fc.flow_id
	WHERE f.name LIKE 'bench-%') AS bench_flow_connections;
