-- demo.sql — demonstration data: two teams, a named credential, an uplink,
-- fourteen connections across the connectors, their test history, a couple
-- of shares and four flows.
--
--   psql -v ON_ERROR_STOP=1 -d tether -f deploy/demo.sql
--
-- Safe to load again: every row is keyed on a natural key (ON CONFLICT or
-- WHERE NOT EXISTS), so a second load adds nothing and changes nothing.
-- It holds no secrets: `tetherctl demo seed Platform 'Finance Ops'` (run by
-- deploy/tether up --demo after this file) stores a random placeholder in
-- every empty secret field through the vault. Every host is under the
-- reserved .example domain, which never resolves: Test answers at once
-- "The host name could not be found (DNS)." and reaches no real system
-- (Microsoft Graph and Google Workspace keep their providers' fixed token
-- endpoints). The scheduled checks of the demo connections are off, so the
-- recorded tests below stay the last ones until someone presses Test.
-- Times are relative to the moment of loading. Runs as tether_owner or
-- tether_app.

BEGIN;

-- ------------------------------------------------------------------ teams

INSERT INTO teams (name)
VALUES ('Platform'), ('Finance Ops')
ON CONFLICT ((lower(name))) DO NOTHING;

-- An administrator, if there is one (admin@tether.local first), manages both.
INSERT INTO team_members (team_id, user_id, role)
SELECT t.id, a.id, 'manager'
FROM teams t
CROSS JOIN (
	SELECT id FROM users
	WHERE is_admin AND NOT disabled
	ORDER BY lower(email) = 'admin@tether.local' DESC, id
	LIMIT 1
) a
WHERE lower(t.name) IN ('platform', 'finance ops')
ON CONFLICT (team_id, user_id) DO NOTHING;

-- ---------------------------------------------- uplink, named credential

INSERT INTO uplinks (name, proxy_url, allow)
VALUES ('dc1-agent', 'https://uplink-dc1.corp.acme.example:8443',
    '10.20.0.0/16')
ON CONFLICT (name) DO NOTHING;

INSERT INTO named_credentials (owner_team_id, name, description, url,
    auth_protocol, settings, created_by, updated_by)
SELECT t.id, 'Salesforce Sandbox',
    'Access token of the integration user on the full-copy sandbox.',
    'https://salesforce-sandbox.acme.example', 'bearer', '{}',
    (SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1),
    (SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1)
FROM teams t
WHERE lower(t.name) = 'finance ops'
ON CONFLICT (owner_team_id, lower(name)) DO NOTHING;

-- ------------------------------------------------------------ connections

INSERT INTO connections (owner_team_id, name, description, connector,
    auth_protocol, api_type, settings, execution_context,
    named_credential_id, uplink_id, status, last_tested_at,
    last_test_result, last_test_message, token_expires_at, granted_scopes,
    check_interval, failing_since, consecutive_failures,
    created_by, created_at, updated_by, updated_at)
SELECT t.id, v.name, v.description, v.connector, v.auth_protocol,
    v.api_type, v.settings::jsonb, v.execution_context,
    (SELECT nc.id FROM named_credentials nc
	WHERE nc.owner_team_id = t.id
	  AND lower(nc.name) = lower(v.named_credential)),
    (SELECT u.id FROM uplinks u WHERE u.name = v.uplink),
    v.status,
    now() - v.tested_ago::interval,
    v.result, v.message,
    now() + v.token_expires_in::interval,
    v.granted_scopes,
    -- Off: the worker would test .example hosts at once (see above).
    'off',
    CASE WHEN v.result <> 'ok' THEN now() - v.tested_ago::interval END,
    CASE WHEN v.result <> 'ok' THEN 1 ELSE 0 END,
    (SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1),
    now() - v.created_ago::interval,
    (SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1),
    now() - v.created_ago::interval
-- Numbered, so that the ids follow the order of this list.
FROM (SELECT row_number() OVER () AS ord, * FROM (VALUES
	-- team, name, description,
	-- connector, auth_protocol, api_type, settings, execution_context,
	-- named_credential, uplink, status, tested_ago, result, message,
	-- token_expires_in, granted_scopes, created_ago
	('Platform', 'Jira Cloud (Engineering)',
	    'Issues for the engineering projects; used by the incident bridge.',
	    'jira', 'cloud', '',
	    '{"url": "https://jira-cloud.acme.example", "email": "svc-tether@acme.example", "max_parallel_extractions": 4, "read_only": true}',
	    'system', NULL, NULL,
	    'ok', '2 hours', 'ok', 'The connection works.',
	    NULL, NULL, '120 days'),
	('Platform', 'Jira Server (DC1)',
	    'On-premises Jira, reached through the DC1 uplink.',
	    'jira', 'server', '',
	    '{"url": "https://jira.corp.acme.example", "username": "svc_tether", "max_parallel_extractions": 2, "read_only": true}',
	    'system', NULL, 'dc1-agent',
	    'failing', '35 minutes', 'bad_credentials', 'The system refused the credentials (check the user, secret and permissions).',
	    NULL, NULL, '300 days'),
	('Platform', 'ServiceNow Production',
	    'Incident and change records.',
	    'servicenow', 'basic', '',
	    '{"url": "https://servicenow.acme.example", "username": "tether.integration"}',
	    'system', NULL, NULL,
	    'ok', '5 hours', 'ok', 'The connection works.',
	    NULL, NULL, '200 days'),
	('Platform', 'Celonis EMS (application key)',
	    'Intelligence API of the EU-1 team.',
	    'celonis', 'app_key', 'intelligence',
	    '{"domain": "celonis.acme.example"}',
	    'system', NULL, NULL,
	    'ok', '1 day', 'ok', 'The connection works.',
	    NULL, NULL, '90 days'),
	('Platform', 'Celonis data push',
	    'Pushes ticket data into the Service Management pool.',
	    'celonis', 'oauth2_client', 'data_push',
	    '{"domain": "celonis.acme.example", "pool_id": "pool-7f3a9c21", "client_id": "tether-datapush", "scopes": "integration.data-push"}',
	    'system', NULL, NULL,
	    'not_tested', NULL, NULL, NULL,
	    NULL, NULL, '2 days'),
	('Platform', 'Celonis (business user)',
	    'Runs actions as the person who triggers the flow.',
	    'celonis-user', 'user', '',
	    '{"domain": "celonis.acme.example"}',
	    'per_user', NULL, NULL,
	    'not_tested', NULL, NULL, NULL,
	    NULL, NULL, '1 day'),
	('Platform', 'Microsoft Graph (mail)',
	    'Sends notification mail from the automation mailbox.',
	    'msgraph', 'oauth2_code', '',
	    '{"tenant": "acme.example", "client_id": "6f1c2a4e-0b7d-4c55-9a3e-2d8e5b7c9f10", "scopes": "Mail.Send offline_access"}',
	    'system', NULL, NULL,
	    'needs_reconnect', '3 hours', 'needs_reconnect', 'The authorization is missing or was revoked: reconnect.',
	    '-3 hours', 'Mail.Send offline_access', '400 days'),
	('Platform', 'Google Workspace directory',
	    'Reads users and groups for onboarding.',
	    'google-workspace', 'oauth2_code', '',
	    '{"domain": "acme.example", "client_id": "1234567890-demo.apps.googleusercontent.com", "scopes": "https://www.googleapis.com/auth/admin.directory.user.readonly"}',
	    'system', NULL, NULL,
	    'ok', '50 minutes', 'ok', 'The connection works.',
	    '40 minutes', 'https://www.googleapis.com/auth/admin.directory.user.readonly', '60 days'),
	('Platform', 'SMTP relay',
	    'Outbound mail relay for flow notifications.',
	    'smtp', 'basic', '',
	    '{"host": "smtp.acme.example", "port": 587, "tls": "starttls", "username": "tether-notify", "from": "noreply@acme.example"}',
	    'system', NULL, NULL,
	    'ok', '6 hours', 'ok', 'The connection works.',
	    NULL, NULL, '500 days'),
	('Platform', 'Status page health check',
	    'Public health endpoint; no authentication.',
	    'http', 'none', '',
	    '{"url": "https://status.acme.example/api", "test_path": "/health", "test_status": 200}',
	    'system', NULL, NULL,
	    'ok', '10 minutes', 'ok', 'The connection works.',
	    NULL, NULL, '30 days'),
	('Finance Ops', 'Salesforce Production',
	    'Opportunities and accounts for the revenue flows.',
	    'salesforce', 'oauth2_code', '',
	    '{"url": "https://salesforce.acme.example", "login_url": "https://login.acme.example", "client_id": "3MVG9prodDemoClientId", "scopes": "api refresh_token"}',
	    'system', NULL, NULL,
	    'ok', '20 minutes', 'ok', 'The connection works.',
	    '100 minutes', 'api refresh_token', '250 days'),
	('Finance Ops', 'Salesforce Sandbox',
	    'Uses the "Salesforce Sandbox" named credential.',
	    'salesforce', 'named_credential', '',
	    '{}',
	    'system', 'Salesforce Sandbox', NULL,
	    'ok', '4 days', 'ok', 'The connection works.',
	    NULL, NULL, '45 days'),
	('Finance Ops', 'SAP S/4HANA Finance',
	    'Journal entries and open items, client 100.',
	    'sap', 'basic', '',
	    '{"url": "https://s4.corp.acme.example:44300", "client": "100", "username": "TETHER_RFC"}',
	    'system', NULL, NULL,
	    'failing', '15 minutes', 'timeout', 'The system did not answer in time.',
	    NULL, NULL, '150 days'),
	('Finance Ops', 'Exchange rates API',
	    'Daily reference rates for currency conversion.',
	    'http', 'api_key', '',
	    '{"url": "https://rates.acme.example/v1", "test_path": "/latest", "test_status": 200, "header": "X-API-Key"}',
	    'system', NULL, NULL,
	    'ok', '1 hour', 'ok', 'The connection works.',
	    NULL, NULL, '75 days'),
	('Finance Ops', 'Invoice archive',
	    'Document archive of the accounts-payable team.',
	    'http', 'bearer', '',
	    '{"url": "https://archive.finance.acme.example/api/v2", "test_path": "/status", "test_status": 200}',
	    'system', NULL, NULL,
	    'not_tested', NULL, NULL, NULL,
	    NULL, NULL, '3 hours')
) AS v0(team, name, description, connector, auth_protocol, api_type, settings,
    execution_context, named_credential, uplink, status, tested_ago, result,
    message, token_expires_in, granted_scopes, created_ago)) AS v
JOIN teams t ON lower(t.name) = lower(v.team)
ORDER BY v.ord
ON CONFLICT (owner_team_id, lower(name)) DO NOTHING;

-- ------------------------------------------------------------ test history

-- One row for each test a demo connection shows as its last (matching
-- last_tested_at, result and message), plus an earlier success for some, so
-- the history tab has something to show; none by the schedule, which is off
-- for the demo. Only for connections that have no test yet, so a second
-- load adds nothing.
INSERT INTO connection_tests (connection_id, tested_at, trigger, triggered_by,
    result, http_status, latency_ms, message)
SELECT c.id, c.last_tested_at - v.before::interval, v.trigger,
    CASE WHEN v.trigger IN ('manual', 'create', 'edit')
	THEN c.created_by END,
    coalesce(v.result, c.last_test_result), v.http_status, v.latency_ms,
    coalesce(v.message, c.last_test_message)
FROM (VALUES
	-- team, connection, how long before its last test, trigger,
	-- result and message (NULL: the connection's last), HTTP status, ms
	('Platform', 'Jira Cloud (Engineering)', '0', 'flow_open', NULL, NULL, 200, 412),
	('Platform', 'Jira Cloud (Engineering)', '1 day', 'manual', 'ok', 'The connection works.', 200, 388),
	('Platform', 'Jira Server (DC1)', '0', 'flow_open', NULL, NULL, 401, 95),
	('Platform', 'Jira Server (DC1)', '7 days', 'manual', 'ok', 'The connection works.', 200, 143),
	('Platform', 'ServiceNow Production', '0', 'flow_open', NULL, NULL, 200, 530),
	('Platform', 'Celonis EMS (application key)', '0', 'manual', NULL, NULL, 200, 290),
	('Platform', 'Microsoft Graph (mail)', '0', 'refresh', NULL, NULL, 400, 180),
	('Platform', 'Microsoft Graph (mail)', '2 days', 'reconnect', 'ok', 'The connection works.', 200, 610),
	('Platform', 'Google Workspace directory', '0', 'edit', NULL, NULL, 200, 233),
	('Platform', 'SMTP relay', '0', 'manual', NULL, NULL, NULL, 157),
	('Platform', 'Status page health check', '0', 'api', NULL, NULL, 200, 84),
	('Finance Ops', 'Salesforce Production', '0', 'flow_open', NULL, NULL, 200, 348),
	('Finance Ops', 'Salesforce Sandbox', '0', 'create', NULL, NULL, 200, 402),
	('Finance Ops', 'SAP S/4HANA Finance', '0', 'manual', NULL, NULL, NULL, 10000),
	('Finance Ops', 'SAP S/4HANA Finance', '1 day', 'flow_open', 'ok', 'The connection works.', 200, 760),
	('Finance Ops', 'Exchange rates API', '0', 'api', NULL, NULL, 200, 212)
) AS v(team, connection, before, trigger, result, message, http_status,
    latency_ms)
JOIN teams t ON lower(t.name) = lower(v.team)
JOIN connections c ON c.owner_team_id = t.id
    AND lower(c.name) = lower(v.connection)
WHERE c.last_tested_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM connection_tests ct
	WHERE ct.connection_id = c.id);

-- ---------------------------------------------------------- status changes

-- A failing demo connection turned failing with its last test, as the
-- Details tab's status history says. Only where it has none yet.
INSERT INTO connection_status_changes (connection_id, at, from_status,
    to_status, reason, test_id, trigger, consecutive_failures)
SELECT c.id, ct.tested_at, 'ok', c.status, ct.message, ct.id, ct.trigger, 1
FROM connections c
JOIN teams t ON t.id = c.owner_team_id
JOIN LATERAL (SELECT * FROM connection_tests x WHERE x.connection_id = c.id
	ORDER BY x.tested_at DESC, x.id DESC LIMIT 1) ct ON true
WHERE lower(t.name) IN ('platform', 'finance ops')
  AND c.status IN ('failing', 'needs_reconnect')
  AND NOT EXISTS (SELECT 1 FROM connection_status_changes sc
	WHERE sc.connection_id = c.id);

-- ---------------------------------------------------------------- sharing

INSERT INTO connection_shares (connection_id, team_id, permission, created_by)
SELECT c.id, st.id, v.permission,
    (SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1)
FROM (VALUES
	('Platform', 'SMTP relay', 'Finance Ops', 'use'),
	('Platform', 'Microsoft Graph (mail)', 'Finance Ops', 'use'),
	('Finance Ops', 'Exchange rates API', 'Platform', 'manage')
) AS v(owner, connection, shared_with, permission)
JOIN teams ot ON lower(ot.name) = lower(v.owner)
JOIN connections c ON c.owner_team_id = ot.id
    AND lower(c.name) = lower(v.connection)
JOIN teams st ON lower(st.name) = lower(v.shared_with)
ON CONFLICT (connection_id, team_id) DO NOTHING;

-- ------------------------------------------------------------------ flows

INSERT INTO flows (name, version, status, owner, description,
    progress_status, created_at, updated_at)
SELECT v.name, v.version, v.status, v.owner, v.description,
    v.progress_status, now() - v.age::interval, now() - v.age::interval / 4
FROM (VALUES
	('Open Jira issue for P1 incidents', 3, 'active', 'Priya Raman',
	    'Creates a Jira issue for every P1 ServiceNow incident and links them.',
	    'Running', '90 days'),
	('Sync opportunities to Celonis', 7, 'active', 'Marco Bianchi',
	    'Pushes closed Salesforce opportunities into the Celonis data pool nightly.',
	    'Running', '180 days'),
	('Month-end close reminders', 2, 'inactive', 'Dana Whitfield',
	    'Mails owners of open SAP items three days before month end.',
	    'Stopped', '240 days'),
	('New hire onboarding', 1, 'draft', 'Priya Raman',
	    'Creates accounts and tickets for people joining next week.',
	    'Not deployed', '5 days')
) AS v(name, version, status, owner, description, progress_status, age)
WHERE NOT EXISTS (SELECT 1 FROM flows f WHERE f.name = v.name);

INSERT INTO flow_connections (flow_id, connection_id)
SELECT f.id, c.id
FROM (VALUES
	('Open Jira issue for P1 incidents', 'Platform', 'Jira Cloud (Engineering)'),
	('Open Jira issue for P1 incidents', 'Platform', 'ServiceNow Production'),
	('Sync opportunities to Celonis', 'Finance Ops', 'Salesforce Production'),
	('Sync opportunities to Celonis', 'Platform', 'Celonis data push'),
	('Month-end close reminders', 'Finance Ops', 'SAP S/4HANA Finance'),
	('Month-end close reminders', 'Platform', 'SMTP relay'),
	('Month-end close reminders', 'Platform', 'Microsoft Graph (mail)'),
	('New hire onboarding', 'Platform', 'Google Workspace directory'),
	('New hire onboarding', 'Platform', 'Jira Server (DC1)'),
	('New hire onboarding', 'Platform', 'ServiceNow Production')
) AS v(flow, team, connection)
JOIN LATERAL (SELECT id FROM flows WHERE name = v.flow ORDER BY id LIMIT 1) f
    ON true
JOIN teams t ON lower(t.name) = lower(v.team)
JOIN connections c ON c.owner_team_id = t.id
    AND lower(c.name) = lower(v.connection)
ON CONFLICT (flow_id, connection_id) DO NOTHING;

COMMIT;
