// tests/lib/demo.mjs — the demo data of `deploy/tether up --demo` in the
// scratch stack, loaded as up loads it (deploy/demo.sql, then tetherctl demo
// seed) and removed again, so that the tests after one that loads it see the
// stack without it.
//
//   const seeded = loadDemo();   // tetherctl's "demo seed: stored N secrets…"
//   demoConnectionIds();         // [id…] in the demo teams
//   removeDemo();

import fs from 'node:fs';
import path from 'node:path';

import { env, psql, tetherctl } from './stack.mjs';

export const DEMO_TEAMS = ['Platform', 'Finance Ops'];
export const DEMO_TEAMS_SQL = "lower(t.name) IN ('platform', 'finance ops')";

/** Load deploy/demo.sql and seed its secrets; tetherctl's output. */
export function loadDemo() {
	psql(fs.readFileSync(path.join(env('TETHER_SRC'), 'deploy/demo.sql'), 'utf8'), { single: false });
	return tetherctl('demo', 'seed', ...DEMO_TEAMS);
}

/** The ids of the demo teams' connections, in order. */
export function demoConnectionIds() {
	return psql(`SELECT c.id FROM connections c JOIN teams t ON t.id = c.owner_team_id
	    WHERE ${DEMO_TEAMS_SQL} ORDER BY c.id`).map(([id]) => Number(id));
}

/** Remove what deploy/demo.sql made (its teams and everything they own). */
export function removeDemo() {
	psql(`CREATE TEMP TABLE demo_teams AS SELECT t.id FROM teams t WHERE ${DEMO_TEAMS_SQL};
	    CREATE TEMP TABLE demo_conns AS SELECT id FROM connections
	        WHERE owner_team_id IN (SELECT id FROM demo_teams);
	    DELETE FROM flow_connections WHERE connection_id IN (SELECT id FROM demo_conns);
	    DELETE FROM flows f WHERE f.name IN ('Open Jira issue for P1 incidents',
	        'Sync opportunities to Celonis', 'Month-end close reminders', 'New hire onboarding')
	        AND NOT EXISTS (SELECT 1 FROM flow_connections fc WHERE fc.flow_id = f.id);
	    DELETE FROM connection_shares WHERE connection_id IN (SELECT id FROM demo_conns)
	        OR team_id IN (SELECT id FROM demo_teams);
	    DELETE FROM connections WHERE id IN (SELECT id FROM demo_conns);
	    DELETE FROM named_credentials WHERE owner_team_id IN (SELECT id FROM demo_teams);
	    DELETE FROM uplinks u WHERE u.name = 'dc1-agent'
	        AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.uplink_id = u.id);
	    DELETE FROM teams WHERE id IN (SELECT id FROM demo_teams);`);
}
