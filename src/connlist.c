/*
 * connlist.c — the list of connections an actor may see, filtered, searched
 * and sorted: what the Integrations tab (page-index.c) and the JSON API's
 * GET /api/v1/connections (api-connections.c) both show. One reader of the
 * filters, one WHERE, one ORDER BY; each caller adds its columns and paging.
 *
 * Keyset cursors (the API): the sort key and id of the last row shown,
 * "v1.SORT.ID.KIND.KEY" in base64url, then "." and a MAC over it and the
 * filters (a key derived from the master key), so that a cursor is only
 * good for the view it came from and a crafted one is refused before any
 * query. KIND is "k" (KEY follows) or "n" (the sort column was NULL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tether.h"

/* Statuses the filter offers; "expiring" is not a status: a secret or
 * refresh token expiring within the horizon, or expired. */
const struct connlist_choice connlist_statuses[CONNLIST_NSTATUSES] = {
	{ "ok", "Connected" },
	{ "failing", "Failing" },
	{ "needs_reconnect", "Needs reconnect" },
	{ "not_tested", "Not tested yet" },
	{ "not_testable", "Not testable" },
	{ "expiring", "Expiring soon" },
};

const struct connlist_choice connlist_sorts[CONNLIST_NSORTS] = {
	{ "name", "Name (A–Z)" },
	{ "-name", "Name (Z–A)" },
	{ "-tested", "Last tested (newest first)" },
	{ "tested", "Last tested (oldest first)" },
};

/* The ORDER BY of each sort, same order as connlist_sorts; each one index
 * read (connections_name_idx, connections_last_tested_idx). */
static const char *const connlist_orders[CONNLIST_NSORTS] = {
	"c.name_key, c.id",
	"c.name_key DESC, c.id DESC",
	"c.last_tested_at DESC NULLS LAST, c.id DESC",
	"c.last_tested_at ASC NULLS FIRST, c.id",
};

/* What "unused" offers: days without a credential read (credential_uses). */
static const char *const connlist_unused_days[] = { "30", "90" };

/* "Expiring": the earliest of the secrets' and the refresh token's expiry
 * within the horizon ($n days), expired ones included; the partial index
 * connections_expiry_idx (sql/009_health.sql) answers it. */
#define EXPIRING_WHERE(n)						\
	" AND (c.secrets_expire_on IS NOT NULL OR"			\
	" c.refresh_token_expires_at IS NOT NULL) AND LEAST(c.secrets_expire_on," \
	" (c.refresh_token_expires_at AT TIME ZONE 'UTC')::date) <= current_date + $" n "::int"

/*
 * The connections a non-admin may see ($N: their user id; positional, so
 * one parameter serves every use): those their teams own and those shared
 * with one of their teams, in three parts that never overlap, so that a
 * UNION ALL of them needs no de-duplication, each part is read through
 * an index, and counts and filters apply to each part (sql/031's per-team
 * indexes). PostgreSQL 15 does not merge ordered scans of such parts
 * (no MergeAppend for them): ORDER BY … LIMIT still sorts the visible rows.
 *   - owned by their first team: `owner_team_id = (scalar)`, one index range;
 *   - owned by their other teams (most users have none: an empty hash);
 *   - shared with them and owned by none of their teams: a few primary key
 *     lookups (an id shared with two of their teams is one array element
 *     twice, and = ANY matches a row once).
 */
#define MY_TEAMS	"SELECT m.team_id FROM team_members m WHERE m.user_id = $%1$d"
#define SHARED_NOT_OWNED						\
	"c.id = ANY (ARRAY(SELECT sh.connection_id FROM connection_shares sh"	\
	" JOIN team_members m ON m.team_id = sh.team_id WHERE m.user_id = $%1$d))" \
	" AND c.owner_team_id <> ALL (ARRAY(" MY_TEAMS "))"
#define VISIBLE_SOURCE							\
	"(SELECT c.* FROM connections c WHERE c.owner_team_id ="		\
	" (" MY_TEAMS " ORDER BY m.team_id LIMIT 1)"			\
	" UNION ALL SELECT c.* FROM connections c WHERE c.owner_team_id IN"	\
	" (" MY_TEAMS " ORDER BY m.team_id OFFSET 1)"			\
	" UNION ALL SELECT c.* FROM connections c WHERE " SHARED_NOT_OWNED ")"

void
connlist_init(struct connlist *cl, const struct actor *who)
{
	memset(cl, 0, sizeof(*cl));
	snprintf(cl->horizon, sizeof(cl->horizon), "%d", who->app->cfg.expiry_horizon_days);
	snprintf(cl->uid, sizeof(cl->uid), "%lld", (long long)who->user_id);
	if (!who->is_admin)
		cl->mask |= CONNLIST_VISIBLE;
}

const char *
connlist_set(struct connlist *cl, const struct catalog *cat, const char *key,
    const char *v)
{
	long long	 n;
	size_t		 i;

	if (v == NULL || *v == '\0')
		return NULL;
	if (strcmp(key, "q") == 0) {
		if (valid_text(v, 1, 100) != NULL)
			return "Search for at most 100 characters of plain text.";
		cl->q = v;
		cl->mask |= CONNLIST_Q;
		like_escape(v, cl->like, sizeof(cl->like));
		return NULL;
	}
	if (strcmp(key, "connector") == 0) {
		if (catalog_get(cat, v) == NULL)
			return "That connector does not exist.";
		cl->connector = v;
		cl->mask |= CONNLIST_CONNECTOR;
		return NULL;
	}
	if (strcmp(key, "status") == 0) {
		for (i = 0; i < CONNLIST_NSTATUSES; i++)
			if (strcmp(connlist_statuses[i].key, v) == 0) {
				cl->status = connlist_statuses[i].key;
				cl->mask |= strcmp(v, "expiring") == 0 ?
				    CONNLIST_EXPIRING : CONNLIST_STATUS;
				return NULL;
			}
		return "The status is one of ok, failing, needs_reconnect, not_tested,"
		    " not_testable or expiring.";
	}
	if (strcmp(key, "team") == 0) {
		if (valid_int(v, 1, INT64_MAX / 2, &n) != NULL)
			return "The team is a team id.";
		cl->team = v;
		cl->mask |= CONNLIST_TEAM;
		return NULL;
	}
	if (strcmp(key, "unused") == 0) {
		for (i = 0; i < sizeof(connlist_unused_days) / sizeof(connlist_unused_days[0]); i++)
			if (strcmp(connlist_unused_days[i], v) == 0) {
				cl->unused = connlist_unused_days[i];
				cl->mask |= CONNLIST_UNUSED;
				return NULL;
			}
		return "Unused is 30 or 90 (days).";
	}
	if (strcmp(key, "sort") == 0) {
		for (i = 0; i < CONNLIST_NSORTS; i++)
			if (strcmp(connlist_sorts[i].key, v) == 0) {
				cl->sort = (int)i;
				return NULL;
			}
		return "The sort is name, -name, tested or -tested.";
	}
	return "Unknown filter.";
}

const char *
connlist_order(const struct connlist *cl)
{
	return connlist_orders[cl->sort];
}

/*
 * Keyset pages (the Integrations tab): each sort's key as a row value of
 * the listed row (c) and of the cursor row (k), and its order both ways, so
 * that the page after or before a row is one range read of an index from
 * that row's key, not OFFSET. The tested sorts key a never tested row as
 * -infinity (sql/028_list_keyset.sql indexes that expression): last newest
 * first, first oldest first, the order connlist_orders gives.
 */
#define TESTED_KEY(t)	"COALESCE(" t ".last_tested_at, '-infinity'::timestamptz), " t ".id"
#define TESTED_ASC	"COALESCE(c.last_tested_at, '-infinity'::timestamptz), c.id"
#define TESTED_DESC	"COALESCE(c.last_tested_at, '-infinity'::timestamptz) DESC, c.id DESC"
static const struct connlist_keyset connlist_keysets[CONNLIST_NSORTS] = {
	{ "c.name_key, c.id", "k.name_key, k.id", "c.name_key, c.id",
	    "c.name_key DESC, c.id DESC", 0 },
	{ "c.name_key, c.id", "k.name_key, k.id", "c.name_key DESC, c.id DESC",
	    "c.name_key, c.id", 1 },
	{ TESTED_KEY("c"), TESTED_KEY("k"), TESTED_DESC, TESTED_ASC, 1 },
	{ TESTED_KEY("c"), TESTED_KEY("k"), TESTED_ASC, TESTED_DESC, 0 },
};

const struct connlist_keyset *
connlist_keyset(const struct connlist *cl)
{
	return &connlist_keysets[cl->sort];
}

int
connlist_keyset_where(const struct connlist *cl, struct buf *sql, const char **params,
    int n, const char *id, int before)
{
	const struct connlist_keyset	*ks = &connlist_keysets[cl->sort];

	/* Forwards past the row is ">" in an ascending sort. */
	params[n++] = id;
	buf_printf(sql, " AND (%s) %s (SELECT %s FROM connections k WHERE k.id = $%d::bigint",
	    ks->row, ks->descending != before ? "<" : ">", ks->cursor, n);
	if (cl->mask & CONNLIST_VISIBLE) {
		/* A row the actor may not see is no cursor: the subquery finds
		 * nothing, the comparison is NULL, the page has no rows. */
		params[n++] = cl->uid;
		buf_printf(sql, " AND (k.owner_team_id IN (" MY_TEAMS ") OR k.id IN"
		    " (SELECT sh.connection_id FROM connection_shares sh JOIN team_members m"
		    " ON m.team_id = sh.team_id WHERE m.user_id = $%1$d))", n);
	}
	buf_puts(sql, ")");
	return n;
}

/* After the cursor's row, in the sort's order ($a: key, $b: id). */
static void
connlist_after(const struct connlist *cl, struct buf *sql, int a, int b)
{
	int	 null = (cl->mask & CONNLIST_AFTER_NULL) != 0;

	switch (cl->sort) {
	case 0:
		buf_printf(sql, " AND (c.name_key, c.id) > ($%d, $%d::bigint)", a, b);
		break;
	case 1:
		buf_printf(sql, " AND (c.name_key, c.id) < ($%d, $%d::bigint)", a, b);
		break;
	case 2:		/* newest first, never tested last */
		if (null)
			buf_printf(sql, " AND c.last_tested_at IS NULL AND c.id < $%d::bigint", b);
		else
			buf_printf(sql, " AND (c.last_tested_at < $%d::timestamptz OR"
			    " (c.last_tested_at = $%d::timestamptz AND c.id < $%d::bigint) OR"
			    " c.last_tested_at IS NULL)", a, a, b);
		break;
	default:	/* oldest first, never tested first */
		if (null)
			buf_printf(sql, " AND (c.last_tested_at IS NOT NULL OR"
			    " c.id > $%d::bigint)", b);
		else
			buf_printf(sql, " AND (c.last_tested_at > $%d::timestamptz OR"
			    " (c.last_tested_at = $%d::timestamptz AND c.id > $%d::bigint))",
			    a, a, b);
		break;
	}
}

/* The filters but visibility, " AND …" each, parameters from params[n]. */
static int
connlist_filters(const struct connlist *cl, struct buf *sql, const char **params, int n)
{
	if (cl->mask & CONNLIST_Q) {
		params[n++] = cl->like;
		buf_printf(sql, " AND lower(c.name) LIKE '%%' || lower($%d) || '%%'", n);
	}
	if (cl->mask & CONNLIST_CONNECTOR) {
		params[n++] = cl->connector;
		buf_printf(sql, " AND c.connector = $%d", n);
	}
	if (cl->mask & CONNLIST_STATUS) {
		params[n++] = cl->status;
		buf_printf(sql, " AND c.status = $%d", n);
	}
	if (cl->mask & CONNLIST_EXPIRING) {
		params[n++] = cl->horizon;
		buf_printf(sql, EXPIRING_WHERE("%d"), n);
	}
	if (cl->mask & CONNLIST_TEAM) {
		params[n++] = cl->team;
		buf_printf(sql, " AND c.owner_team_id = $%d::bigint", n);
	}
	if (cl->mask & CONNLIST_UNUSED) {
		/* Older than the window, and no credential read inside it. */
		params[n++] = cl->unused;
		buf_printf(sql, " AND c.created_at < now() - make_interval(days => $%d::int)"
		    " AND NOT EXISTS (SELECT 1 FROM credential_uses u WHERE u.connection_id = c.id"
		    " AND u.outcome = 'issued' AND u.at > now() - make_interval(days => $%d::int))",
		    n, n);
	}
	if (cl->mask & CONNLIST_AFTER) {
		/* A NULL key is no parameter: its type could not be known. */
		if (!(cl->mask & CONNLIST_AFTER_NULL))
			params[n++] = cl->after_key;
		params[n++] = cl->after_id;
		connlist_after(cl, sql, n - 1, n);
	}
	return n;
}

int
connlist_where(const struct connlist *cl, struct buf *sql, const char **params)
{
	int	 n = 0;

	buf_puts(sql, " WHERE true");
	if (cl->mask & CONNLIST_VISIBLE) {
		params[n++] = cl->uid;
		buf_printf(sql, " AND c.id IN (SELECT v.id FROM " VISIBLE_SOURCE " v)", n);
	}
	return connlist_filters(cl, sql, params, n);
}

int
connlist_from(const struct connlist *cl, struct buf *sql, const char **params)
{
	int	 n = 0;

	if (cl->mask & CONNLIST_VISIBLE) {
		params[n++] = cl->uid;
		buf_printf(sql, " FROM " VISIBLE_SOURCE " c WHERE true", n);
	} else
		buf_puts(sql, " FROM connections c WHERE true");
	return connlist_filters(cl, sql, params, n);
}

int
connlist_from_top(const struct connlist *cl, struct buf *sql, const char **params,
    const char *take, const char *cursor, int before)
{
	const char	*order = cursor == NULL ? connlist_order(cl) : before ?
			    connlist_keysets[cl->sort].backward : connlist_keysets[cl->sort].forward;
	struct buf	 f;
	int		 n = 0;

	if (!(cl->mask & CONNLIST_VISIBLE)) {
		n = connlist_from(cl, sql, params);
		return cursor != NULL ? connlist_keyset_where(cl, sql, params, n, cursor,
		    before) : n;
	}
	/* Each of their teams, then the shared rows, read in the view's order
	 * (from the cursor's row, when there is one) up to `take` rows each;
	 * the caller's ORDER BY … LIMIT takes its page from those. */
	params[n++] = cl->uid;
	buf_init(&f);
	n = connlist_filters(cl, &f, params, n);
	if (cursor != NULL)
		n = connlist_keyset_where(cl, &f, params, n, cursor, before);
	params[n++] = take;
	buf_printf(sql, " FROM ((SELECT c.* FROM (" MY_TEAMS ") t CROSS JOIN LATERAL"
	    " (SELECT c.* FROM connections c WHERE c.owner_team_id = t.team_id", 1);
	buf_printf(sql, "%s ORDER BY %s LIMIT $%d::bigint) c)", f.data, order, n);
	buf_printf(sql, " UNION ALL (SELECT c.* FROM connections c WHERE " SHARED_NOT_OWNED, 1);
	buf_printf(sql, "%s ORDER BY %s LIMIT $%d::bigint)) c WHERE true", f.data, order, n);
	buf_free(&f);
	return n;
}

/*
 * Counts from connection_status_counts (sql/031), kept by triggers: for a
 * member, their teams' totals plus the rows shared with them and owned by
 * none of their teams (counted through connection_shares: a few lookups).
 */
int
connlist_count_kept(const struct connlist *cl, struct buf *sql, const char **params)
{
	int	 n = 0, vis = (cl->mask & CONNLIST_VISIBLE) != 0, st = 0, tm = 0;

	if ((cl->mask & ~(CONNLIST_VISIBLE | CONNLIST_STATUS | CONNLIST_TEAM)) != 0)
		return -1;
	if (vis)
		params[n++] = cl->uid;
	buf_puts(sql, "SELECT COALESCE((SELECT sum(k.n) FROM connection_status_counts k"
	    " WHERE true");
	if (vis)
		buf_printf(sql, " AND k.owner_team_id IN (" MY_TEAMS ")", 1);
	if (cl->mask & CONNLIST_STATUS) {
		params[st = n++] = cl->status;
		buf_printf(sql, " AND k.status = $%d", n);
	}
	if (cl->mask & CONNLIST_TEAM) {
		params[tm = n++] = cl->team;
		buf_printf(sql, " AND k.owner_team_id = $%d::bigint", n);
	}
	buf_puts(sql, "), 0)");
	if (vis) {
		buf_printf(sql, " + (SELECT count(*) FROM connections c WHERE "
		    SHARED_NOT_OWNED, 1);
		if (cl->mask & CONNLIST_STATUS)
			buf_printf(sql, " AND c.status = $%d", st + 1);
		if (cl->mask & CONNLIST_TEAM)
			buf_printf(sql, " AND c.owner_team_id = $%d::bigint", tm + 1);
		buf_puts(sql, ")");
	}
	buf_puts(sql, " AS n");
	return n;
}

int
connlist_health(const struct connlist *cl, struct buf *sql, const char **params)
{
	params[0] = cl->horizon;
	if (!(cl->mask & CONNLIST_VISIBLE)) {
		buf_puts(sql, "SELECT COALESCE(sum(k.n) FILTER (WHERE k.status = 'failing'), 0)"
		    " AS failing, COALESCE(sum(k.n) FILTER (WHERE k.status = 'needs_reconnect'),"
		    " 0) AS reconnect, (SELECT count(*) FROM connections c WHERE true"
		    EXPIRING_WHERE("1") ") AS expiring FROM connection_status_counts k");
		return 1;
	}
	params[1] = cl->uid;
	buf_printf(sql, "SELECT COALESCE(k.failing, 0) + s.failing AS failing,"
	    " COALESCE(k.reconnect, 0) + s.reconnect AS reconnect,"
	    " (SELECT count(*) FROM " VISIBLE_SOURCE " c WHERE true" EXPIRING_WHERE("%2$d")
	    ") AS expiring"
	    " FROM (SELECT sum(k.n) FILTER (WHERE k.status = 'failing') AS failing,"
	    " sum(k.n) FILTER (WHERE k.status = 'needs_reconnect') AS reconnect"
	    " FROM connection_status_counts k WHERE k.owner_team_id IN (" MY_TEAMS ")) k,"
	    " (SELECT count(*) FILTER (WHERE c.status = 'failing') AS failing,"
	    " count(*) FILTER (WHERE c.status = 'needs_reconnect') AS reconnect"
	    " FROM connections c WHERE " SHARED_NOT_OWNED ") s", 2, 1);
	return 2;
}

/* ------------------------------------------------------------- cursors */

/* The MAC of a cursor's payload for this view's filters. */
static void
connlist_mac(const struct connlist *cl, const unsigned char *key, const char *payload,
    size_t len, unsigned char mac[crypto_auth_BYTES])
{
	crypto_auth_hmacsha512256_state	 st;
	const char		*f[] = { cl->q, cl->connector, cl->status, cl->team, cl->unused };
	size_t			 i;

	crypto_auth_hmacsha512256_init(&st, key, 32);
	crypto_auth_hmacsha512256_update(&st,
	    (const unsigned char *)"tether-cursor-v1\n", 17);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)payload, len);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		crypto_auth_hmacsha512256_update(&st, (const unsigned char *)"\n", 1);
		if (f[i] != NULL)
			crypto_auth_hmacsha512256_update(&st,
			    (const unsigned char *)f[i], strlen(f[i]));
	}
	crypto_auth_hmacsha512256_final(&st, mac);
}

void
connlist_cursor(const struct connlist *cl, const unsigned char *key, const char *id,
    const char *sortkey, struct buf *out)
{
	struct buf	 p;
	unsigned char	 mac[crypto_auth_BYTES];
	char		*b64;
	size_t		 cap;

	buf_init(&p);
	buf_printf(&p, "v1.%d.%s.%s.%s", cl->sort, id, sortkey == NULL ? "n" : "k",
	    sortkey == NULL ? "" : sortkey);
	connlist_mac(cl, key, p.data, p.len, mac);
	cap = sodium_base64_ENCODED_LEN(p.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	b64 = xmalloc(cap);
	sodium_bin2base64(b64, cap, (const unsigned char *)p.data, p.len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_puts(out, b64);
	buf_puts(out, ".");
	cap = sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	b64 = xrealloc(b64, cap);
	sodium_bin2base64(b64, cap, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_puts(out, b64);
	free(b64);
	buf_free(&p);
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", digits where digits go. */
static int
connlist_is_stamp(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t			 i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	return 1;
}

const char *
connlist_cursor_read(struct connlist *cl, const unsigned char *key, const char *cursor)
{
	unsigned char	 mac[crypto_auth_BYTES], want[crypto_auth_BYTES];
	char		 p[CONNLIST_CURSOR_MAX], *f[5], *s;
	size_t		 plen, maclen, i;
	const char	*dot;
	long long	 n;

	if (strlen(cursor) > CONNLIST_CURSOR_MAX || (dot = strchr(cursor, '.')) == NULL ||
	    sodium_base642bin((unsigned char *)p, sizeof(p) - 1, cursor, (size_t)(dot - cursor),
	    NULL, &plen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1), NULL, &maclen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || maclen != sizeof(mac))
		return "The cursor is not one this API gave.";
	connlist_mac(cl, key, p, plen, want);
	if (sodium_memcmp(mac, want, sizeof(mac)) != 0)
		return "The cursor is not one this API gave for these filters.";
	p[plen] = '\0';
	if (memchr(p, '\0', plen) != NULL)
		return "The cursor is not one this API gave.";
	/* v1 . sort . id . kind . key (the key may hold dots: the rest). */
	for (s = p, i = 0; i < 4; i++) {
		f[i] = s;
		if ((s = strchr(s, '.')) == NULL)
			return "The cursor is not one this API gave.";
		*s++ = '\0';
	}
	f[4] = s;
	if (strcmp(f[0], "v1") != 0 || valid_int(f[1], 0, CONNLIST_NSORTS - 1, &n) != NULL ||
	    valid_int(f[2], 1, INT64_MAX, NULL) != NULL ||
	    (strcmp(f[3], "k") != 0 && strcmp(f[3], "n") != 0))
		return "The cursor is not one this API gave.";
	if (n != cl->sort)
		return "The cursor belongs to another sort.";
	if (strcmp(f[3], "n") == 0) {
		if (*f[4] != '\0' || cl->sort < 2)
			return "The cursor is not one this API gave.";
		cl->mask |= CONNLIST_AFTER_NULL;
	} else if (cl->sort >= 2 ? !connlist_is_stamp(f[4]) :
	    valid_text(f[4], 1, 200) != NULL ||
	    strlen(f[4]) >= sizeof(cl->after_key))
		return "The cursor is not one this API gave.";
	snprintf(cl->after_id, sizeof(cl->after_id), "%s", f[2]);
	snprintf(cl->after_key, sizeof(cl->after_key), "%s", f[4]);
	cl->mask |= CONNLIST_AFTER;
	return NULL;
}
