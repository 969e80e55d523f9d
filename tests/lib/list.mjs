// tests/lib/list.mjs — seeding connections for the Integrations tab with
// psql (as tether_owner) and reading the tab's HTML back: rows by column
// header, the "Showing A–B of N" line, the filter form's state, pager and
// sort links. Parsing goes by structure (thead labels, rel=next, the form's
// names), not by classes, so that restyling does not break the tests.

import { decodeEntities, pageText, psql, sqlString } from './stack.mjs';

/**
 * Insert teams, connections, shares and flows in one transaction.
 *   spec.teams: [ key, … ] -> teams named `${prefix}-${key}`
 *   spec.connections: [ { key, team, name, connector = 'http',
 *       protocol = 'none', status = 'not_tested', testedAgo (SQL interval
 *       text or null), result, flows = 0 }, … ]
 *   spec.shares: [ { connection: key, team: key, permission = 'use' } ]
 * Returns { teams: { key: { id, name } }, connections: { key: { id, name } } }.
 */
export function seed(prefix, spec) {
	const lines = [];
	for (const t of spec.teams ?? []) {
		lines.push(`INSERT INTO teams (name) VALUES (${sqlString(`${prefix}-${t}`)});`);
	}
	for (const c of spec.connections ?? []) {
		const team = `(SELECT id FROM teams WHERE name = ${sqlString(`${prefix}-${c.team}`)})`;
		const tested = c.testedAgo == null ? 'NULL'
		    : `now() - ${sqlString(c.testedAgo)}::interval`;
		const result = c.result !== undefined ? (c.result === null ? 'NULL' : sqlString(c.result))
		    : c.testedAgo == null ? 'NULL'
		    : sqlString(c.status === 'ok' ? 'ok' : 'failing');
		lines.push(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol,
		    status, last_tested_at, last_test_result) VALUES (${team}, ${sqlString(c.name)},
		    ${sqlString(c.connector ?? 'http')}, ${sqlString(c.protocol ?? 'none')},
		    ${sqlString(c.status ?? 'not_tested')}, ${tested}, ${result});`);
		for (let i = 0; i < (c.flows ?? 0); i++) {
			lines.push(`WITH f AS (INSERT INTO flows (name, status, owner) VALUES
			    (${sqlString(`${prefix}-flow-${c.key}-${i}`)}, 'active', 'tests') RETURNING id)
			    INSERT INTO flow_connections (flow_id, connection_id)
			    SELECT f.id, c.id FROM f, connections c
			    WHERE c.owner_team_id = ${team} AND c.name = ${sqlString(c.name)};`);
		}
	}
	for (const s of spec.shares ?? []) {
		const c = spec.connections.find((x) => x.key === s.connection);
		lines.push(`INSERT INTO connection_shares (connection_id, team_id, permission)
		    SELECT c.id, t.id, ${sqlString(s.permission ?? 'use')} FROM connections c, teams t
		    WHERE c.owner_team_id = (SELECT id FROM teams WHERE name = ${sqlString(`${prefix}-${c.team}`)})
		      AND c.name = ${sqlString(c.name)}
		      AND t.name = ${sqlString(`${prefix}-${s.team}`)};`);
	}
	psql(lines.join('\n'));
	const out = { teams: {}, connections: {} };
	const teamRows = psql(`SELECT name, id FROM teams WHERE name LIKE ${sqlString(prefix + '-%')}`);
	for (const t of spec.teams ?? []) {
		const r = teamRows.find(([n]) => n === `${prefix}-${t}`);
		out.teams[t] = { name: r[0], id: r[1] };
	}
	const connRows = psql(`SELECT c.id, t.name, c.name FROM connections c
	    JOIN teams t ON t.id = c.owner_team_id WHERE t.name LIKE ${sqlString(prefix + '-%')}`);
	for (const c of spec.connections ?? []) {
		const r = connRows.find(([, tn, cn]) => tn === `${prefix}-${c.team}` && cn === c.name);
		out.connections[c.key] = { id: r[0], name: c.name };
	}
	return out;
}

/** n connections "NAME-0001"… in one team, with one INSERT. */
export function seedMany(teamName, namePrefix, n, opts = {}) {
	psql(`INSERT INTO connections (owner_team_id, name, connector, auth_protocol, status,
	    last_tested_at, last_test_result)
	    SELECT (SELECT id FROM teams WHERE name = ${sqlString(teamName)}),
	        ${sqlString(namePrefix)} || lpad(g::text, 4, '0'),
	        ${sqlString(opts.connector ?? 'http')}, ${sqlString(opts.protocol ?? 'none')},
	        'ok', now() - g * interval '1 minute', 'ok'
	    FROM generate_series(1, ${Number(n)}) AS g;`);
}

function cellsOf(rowHtml) {
	const cells = [];
	const re = /<(t[hd])\b[^>]*>([\s\S]*?)<\/\1>/g;
	let m;
	while ((m = re.exec(rowHtml)) !== null)
		cells.push(m[2]);
	return cells;
}

/** Read the Integrations tab. */
export function parseList(html) {
	const out = {
		rows: [],
		headers: [],
		showing: null,		// { first, last, total } from "Showing A–B of N"
		form: null,		// { q, connector, status, team, sort, options: {…} }
		next: null,		// href of rel="next"
		prev: null,
		sortLinks: {},		// header label -> href
		ariaSort: {},		// header label -> ascending|descending
		// the empty state of a list with nothing yet (for a manager "Create
		// your first connection", for a member "No connections yet")
		emptyFirst: /Create your first connection|No connections yet/.test(html),
		emptyFiltered: /No connections match these filters/.test(html),
		flash: null,
		text: pageText(html),
	};
	const table = /<table\b[^>]*>([\s\S]*?)<\/table>/.exec(html);
	if (table !== null) {
		const thead = /<thead>([\s\S]*?)<\/thead>/.exec(table[1]);
		if (thead !== null) {
			const ths = [...thead[1].matchAll(/<th\b([^>]*)>([\s\S]*?)<\/th>/g)];
			for (const [, attrs, inner] of ths) {
				const label = pageText(inner.replace(/<span class="visually-hidden">[\s\S]*?<\/span>/g, ''));
				out.headers.push(label);
				const a = /<a\b[^>]*href="([^"]*)"/.exec(inner);
				if (a !== null)
					out.sortLinks[label] = decodeEntities(a[1]);
				const s = /aria-sort="([^"]*)"/.exec(attrs);
				if (s !== null)
					out.ariaSort[label] = s[1];
			}
		}
		const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]);
		for (const tr of tbody === null ? [] : tbody[1].matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)) {
			const cells = cellsOf(tr[1]);
			const cell = (label) => {
				const i = out.headers.indexOf(label);
				return i === -1 ? undefined : cells[i];
			};
			const nameCell = cell('Name') ?? '';
			const link = /<a\b[^>]*href="\/connections\/(\d+)"[^>]*>([\s\S]*?)<\/a>/.exec(nameCell);
			const flowsCell = cell('Flows') ?? '';
			const flowsLink = /<a\b[^>]*href="([^"]*)"/.exec(flowsCell);
			const flowsText = pageText(flowsCell.replace(/<span class="visually-hidden">[\s\S]*?<\/span>/g, ''));
			out.rows.push({
				id: link?.[1],
				nameHtml: link?.[2],
				name: link ? decodeEntities(link[2].replace(/<[^>]*>/g, '')) : pageText(nameCell),
				connector: pageText(cell('Connector') ?? ''),
				auth: pageText(cell('Authentication') ?? ''),
				status: pageText(cell('Status') ?? ''),
				lastTested: pageText(cell('Last tested') ?? ''),
				team: pageText(cell('Owner team') ?? ''),
				flows: parseInt(flowsText.replace(/,/g, ""), 10) || 0,	// "2 flows", "No flows"
				flowsHref: flowsLink ? decodeEntities(flowsLink[1]) : null,
			});
		}
	}
	const showing = /Showing\s*(?:<[^>]*>\s*)*([\d,]+)\s*[–-]\s*([\d,]+)\s*(?:<[^>]*>\s*)*\s*of\s*(?:<[^>]*>\s*)*([\d,]+)(\+?)/.exec(html);
	const n = (s) => Number(s.replace(/,/g, ''));	// "200,014"
	if (showing !== null)
		out.showing = { first: n(showing[1]), last: n(showing[2]), total: n(showing[3]) };
	// "of 10,000+": a count that stopped at the cap; total is a lower bound
	out.estimated = showing !== null && showing[4] === '+';
	const form = /<form\b[^>]*method="get"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
	if (form !== null) {
		const f = { options: {} };
		const q = /<input\b[^>]*\bname="q"[^>]*>/.exec(form[1]);
		if (q !== null) {
			const v = /\bvalue="([^"]*)"/.exec(q[0]);
			f.q = v ? decodeEntities(v[1]) : '';
		}
		for (const sel of form[1].matchAll(/<select\b[^>]*\bname="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
			const opts = [...sel[2].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map(([, attrs, label]) => ({
				value: decodeEntities(/\bvalue="([^"]*)"/.exec(attrs)?.[1] ?? ''),
				label: pageText(label),
				selected: /\bselected\b/.test(attrs),
			}));
			f.options[sel[1]] = opts;
			f[sel[1]] = opts.find((o) => o.selected)?.value ?? opts[0]?.value;
		}
		out.form = f;
	}
	const next = /<a\b[^>]*href="([^"]*)"[^>]*rel="next"|<a\b[^>]*rel="next"[^>]*href="([^"]*)"/.exec(html);
	if (next !== null)
		out.next = decodeEntities(next[1] ?? next[2]);
	const prev = /<a\b[^>]*href="([^"]*)"[^>]*rel="prev"|<a\b[^>]*rel="prev"[^>]*href="([^"]*)"/.exec(html);
	if (prev !== null)
		out.prev = decodeEntities(prev[1] ?? prev[2]);
	const flashAt = html.indexOf('class="flash"');
	if (flashAt !== -1) {
		const body = /class="alert-body">([\s\S]*?)<\/div>/.exec(html.slice(flashAt));
		out.flash = body ? pageText(body[1]) : '';
	}
	return out;
}

/** The query of a link as an object ("/?q=a&page=2" -> { q: 'a', page: '2' }). */
export function linkQuery(href) {
	return Object.fromEntries(new URL(href, 'http://x').searchParams);
}
