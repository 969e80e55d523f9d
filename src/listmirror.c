/*
 * listmirror.c — a worker's own copy of what the Integrations list shows
 * of every connection (issue 15), so that a page of any view, its count
 * and the health summary above it are found in memory instead of three
 * queries a request.
 *
 * The copy is as new as the list version it was read at (sql/007, in
 * commit order). A request brings it up to the version its session lookup
 * read (the user's scope version, sql/032, is never above the global one)
 * with one query: the rows list_changes (sql/034) logged under any later
 * version, read in the same snapshot as the version itself. A copy older
 * than the log's floor, or never read, is read whole. Teams (their names)
 * are read again when list_teams_version moves; a user's own teams come
 * with the session lookup. So a page from the copy is never older than
 * the last change committed before the request began, and visibility is
 * decided on the same rows the SQL list reads.
 *
 * Two orders are kept sorted (name, last tested; each walked either way)
 * and one by id for lookups; a changed row is taken out and put back in
 * place (a memmove), never a full sort after the first read.
 */
#include <limits.h>
#include <locale.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include <libpq-fe.h>

#include "tether.h"

/* Bring a copy this old up to date at least every so often even when no
 * session asks for newer: "expiring" moves with the database's date. */
#define MIRROR_MAX_AGE	60

struct mirror_team {
	int64_t		 id;
	char		*name;
	char		*key;		/* lower(name) */
};

/*
 * What a walk over every row reads, apart from the rows themselves, packed
 * together by slot: a view's count and health summary read this array from
 * end to end (a few cache lines for 1,000 rows) instead of chasing one
 * pointer a row. A row keeps its slot for its life in the copy.
 */
struct mirror_hot {
	int64_t		 owner;
	int32_t		 expires;	/* as mirror_row's */
	uint16_t	 connector;	/* an atom */
	uint16_t	 status;	/* an atom */
	uint32_t	 owned_at;	/* its place in its owner's team_rows.owned */
	uint16_t	 shared;	/* 1: shared with some team */
	uint16_t	 live;		/* 0: a free slot */
};

/* A team's rows by slot, in no order: those it owns and those shared with
 * it, so that a member's count walks their rows, not everyone's. */
struct team_rows {
	int64_t		 team;		/* 0: a free entry */
	uint32_t	*owned, *shared;
	size_t		 nowned, cowned, nshared, cshared;
};

/*
 * A view's walk, kept (list_mirror_page): its count, health summary and
 * page. It stays true while no row changed since is, before or after the
 * change, one the view shows (the viewer's, passing its filters) or its
 * cursor; the health summary, which counts every row of the viewer's, is
 * moved by each change of theirs. So a test of a connection the view does
 * not show leaves it, for admins and members alike.
 */
#define MIRROR_MEMOS	512		/* a power of two */
struct mirror_memo {
	char			*key;	/* the view and whose (mirror_memo_key); NULL: free */
	int64_t			 at;	/* the copy's version it is true at */
	uint64_t		 reads;	/* the copy's whole reads then: its rows' */
	int32_t			 today;
	struct mirror_page	 page;
};

/*
 * The last MIRROR_CHANGES rows changed, oldest first, as they were and are:
 * what a kept walk is checked against. `was` is owned here (taken out of
 * the copy); `now` is in the copy, or a later change's `was`, so it lives
 * at least as long as this entry.
 */
#define MIRROR_CHANGES	1024
struct mirror_change {
	int64_t			 version;
	struct mirror_row	*was;	/* NULL: inserted */
	const struct mirror_row	*now;	/* NULL: deleted */
};

struct list_mirror {
	struct mirror_row	**row;		/* by slot */
	struct mirror_hot	 *hot;		/* by slot */
	uint32_t		 *free_slots;
	size_t			  nfree, nslots, slots_cap;
	uint32_t		 *by_id;	/* slots, sorted by id */
	uint32_t		 *by_name;	/* name_key, id */
	uint32_t		 *by_tested;	/* never tested first, then oldest; id */
	unsigned char		 *match;	/* a walk's scratch, by slot */
	size_t			  n, cap;
	char			**atoms;	/* connector and status values, interned */
	size_t			  natoms;
	struct team_rows	 *team_rows;	/* open addressing by team id */
	size_t			  team_rows_cap, team_rows_used;
	struct mirror_team	 *teams;	/* sorted by id */
	struct mirror_team	**teams_by_name;	/* lower(name), id: the filter's order */
	size_t			  nteams;
	long long		  all_health[3];	/* every row's (an admin's), */
	int64_t			  all_health_version;	/* at this version; -1: none */
	int32_t			  all_health_by;	/* for this expiry day */
	int64_t			  version;	/* -1: never read */
	struct mirror_memo	 *memo;		/* MIRROR_MEMOS, by the key's hash */
	struct mirror_change	 *changes;	/* a ring of MIRROR_CHANGES */
	size_t			  nchanges, changes_next;
	int64_t			  changes_from;	/* every change after it is in the ring */
	uint64_t		  reads;	/* whole reads so far (each frees every row) */
	int64_t			  teams_version;
	int32_t			  today;	/* the database's current_date, days since 1970 */
	time_t			  synced;
	locale_t		  utf8;		/* lower() as PostgreSQL's (C.UTF-8) */
};

#define ATOM_NONE	UINT16_MAX	/* a value no row has */

/* The columns of a row, the same in the whole read and in a change. */
#define MIRROR_COLUMNS							\
	" c.id, c.name, c.name_key, c.connector, c.auth_protocol, c.status,"	\
	" to_char(c.last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS tested," \
	" (extract(epoch FROM c.last_tested_at) * 1000000)::bigint AS tested_us,"	\
	" c.last_test_result, c.owner_team_id,"					\
	" LEAST(c.secrets_expire_on, (c.refresh_token_expires_at AT TIME ZONE 'UTC')::date)" \
	"  - DATE '1970-01-01' AS expires"

/* The version, its floor, the teams' stamp and the date: every read's
 * first columns, from the snapshot its rows come from. */
#define MIRROR_HEAD							\
	"SELECT lv.v AS lv, lv.log_floor AS floor,"			\
	" (SELECT v FROM list_teams_version) AS tv,"			\
	" current_date - DATE '1970-01-01' AS today,"

static const char SQL_WHOLE[] = MIRROR_HEAD " c.id AS changed," MIRROR_COLUMNS ","
    " COALESCE(f.n, 0) AS flows, COALESCE(s.teams, '{}') AS shares"
    " FROM (SELECT v, log_floor FROM list_version) lv"
    " LEFT JOIN connections c ON true"
    " LEFT JOIN (SELECT connection_id, count(*) AS n FROM flow_connections"
    "  GROUP BY connection_id) f ON f.connection_id = c.id"
    " LEFT JOIN (SELECT connection_id, array_agg(team_id) AS teams FROM connection_shares"
    "  GROUP BY connection_id) s ON s.connection_id = c.id";

/* The rows changed after version $1: a changed id with no row was deleted.
 * Nothing when $1 is below the floor (the caller reads the whole copy). */
static const char SQL_CHANGES[] = MIRROR_HEAD " ch.id AS changed," MIRROR_COLUMNS ","
    " (SELECT count(*) FROM flow_connections fc WHERE fc.connection_id = c.id) AS flows,"
    " ARRAY(SELECT sh.team_id FROM connection_shares sh WHERE sh.connection_id = c.id)"
    " AS shares"
    " FROM (SELECT v, log_floor FROM list_version) lv"
    " LEFT JOIN (SELECT DISTINCT l.connection_id AS id FROM list_changes l"
    "  WHERE l.v > $1::bigint) ch ON $1::bigint >= lv.log_floor"
    " LEFT JOIN connections c ON c.id = ch.id";

static const char SQL_TEAMS[] = "SELECT id, name FROM teams ORDER BY id";

struct list_mirror *
list_mirror_new(void)
{
	struct list_mirror	*m = xcalloc(1, sizeof(*m));

	m->version = -1;
	m->teams_version = -1;
	m->all_health_version = -1;
	m->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	return m;
}

static void
mirror_row_free(struct mirror_row *w)
{
	if (w == NULL)
		return;
	free(w->shares);
	free(w);
}

static void
mirror_teams_free(struct list_mirror *m)
{
	size_t	 i;

	for (i = 0; i < m->nteams; i++) {
		free(m->teams[i].name);
		free(m->teams[i].key);
	}
	free(m->teams);
	free(m->teams_by_name);
	m->teams = NULL;
	m->teams_by_name = NULL;
	m->nteams = 0;
}

static void
mirror_team_rows_free(struct list_mirror *m)
{
	size_t	 i;

	for (i = 0; i < m->team_rows_cap; i++) {
		free(m->team_rows[i].owned);
		free(m->team_rows[i].shared);
	}
	free(m->team_rows);
	m->team_rows = NULL;
	m->team_rows_cap = m->team_rows_used = 0;
}

/* Forget every change (the copy is read whole, or freed). */
static void
mirror_changes_clear(struct list_mirror *m)
{
	size_t	 i;

	for (i = 0; i < m->nchanges; i++)
		mirror_row_free(m->changes[(m->changes_next + MIRROR_CHANGES - m->nchanges + i) %
		    MIRROR_CHANGES].was);
	m->nchanges = m->changes_next = 0;
}

static void
mirror_rows_free(struct list_mirror *m)
{
	size_t	 i;

	mirror_changes_clear(m);
	mirror_team_rows_free(m);
	m->reads++;	/* the kept walks' rows are gone */
	m->all_health_version = -1;
	for (i = 0; i < m->nslots; i++)
		mirror_row_free(m->row[i]);
	memset(m->row, 0, m->nslots * sizeof(*m->row));
	memset(m->hot, 0, m->nslots * sizeof(*m->hot));
	m->n = m->nslots = m->nfree = 0;
}

void
list_mirror_free(struct list_mirror *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	mirror_rows_free(m);
	free(m->row);
	free(m->hot);
	free(m->free_slots);
	free(m->match);
	free(m->by_id);
	free(m->by_name);
	free(m->by_tested);
	for (i = 0; i < m->natoms; i++)
		free(m->atoms[i]);
	free(m->atoms);
	for (i = 0; m->memo != NULL && i < MIRROR_MEMOS; i++)
		free(m->memo[i].key);
	free(m->memo);
	free(m->changes);
	mirror_teams_free(m);
	if (m->utf8 != (locale_t)0)
		freelocale(m->utf8);
	free(m);
}

/* A connector's or a status's number: the same value, the same number. */
static uint16_t
mirror_atom(struct list_mirror *m, const char *v)
{
	size_t	 i;

	for (i = 0; i < m->natoms; i++)
		if (strcmp(m->atoms[i], v) == 0)
			return (uint16_t)i;
	if (m->natoms >= ATOM_NONE)
		return ATOM_NONE;
	m->atoms = xrealloc(m->atoms, (m->natoms + 1) * sizeof(*m->atoms));
	m->atoms[m->natoms] = xstrdup(v);
	return (uint16_t)m->natoms++;
}

/* v's number, or ATOM_NONE when no row ever had it. */
static uint16_t
mirror_atom_of(const struct list_mirror *m, const char *v)
{
	size_t	 i;

	for (i = 0; i < m->natoms; i++)
		if (strcmp(m->atoms[i], v) == 0)
			return (uint16_t)i;
	return ATOM_NONE;
}

/* ------------------------------------------------------------- orders */

static int
cmp_id(const struct mirror_row *a, const struct mirror_row *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
cmp_name(const struct mirror_row *a, const struct mirror_row *b)
{
	int	 c = strcmp(a->key, b->key);	/* C.UTF-8: byte order, as the index */

	return c != 0 ? c : cmp_id(a, b);
}

static int
cmp_tested(const struct mirror_row *a, const struct mirror_row *b)
{
	if (a->tested_us != b->tested_us)
		return a->tested_us < b->tested_us ? -1 : 1;
	return cmp_id(a, b);
}

typedef int	(*mirror_cmp)(const struct mirror_row *, const struct mirror_row *);

/* qsort's comparisons of slots: the rows are those of the copy being read. */
static struct list_mirror *mirror_sorting;

static int
qcmp_id(const void *a, const void *b)
{
	return cmp_id(mirror_sorting->row[*(const uint32_t *)a],
	    mirror_sorting->row[*(const uint32_t *)b]);
}

static int
qcmp_name(const void *a, const void *b)
{
	return cmp_name(mirror_sorting->row[*(const uint32_t *)a],
	    mirror_sorting->row[*(const uint32_t *)b]);
}

static int
qcmp_tested(const void *a, const void *b)
{
	return cmp_tested(mirror_sorting->row[*(const uint32_t *)a],
	    mirror_sorting->row[*(const uint32_t *)b]);
}

/* The first position in order[0..m->n) whose row is not before w. */
static size_t
mirror_lower_bound(const struct list_mirror *m, const uint32_t *order,
    const struct mirror_row *w, mirror_cmp cmp)
{
	size_t	 lo = 0, hi = m->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp(m->row[order[mid]], w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
mirror_insert_at(struct list_mirror *m, uint32_t *order, uint32_t slot, mirror_cmp cmp)
{
	size_t	 at = mirror_lower_bound(m, order, m->row[slot], cmp);

	memmove(order + at + 1, order + at, (m->n - at) * sizeof(*order));
	order[at] = slot;
}

static void
mirror_remove_from(struct list_mirror *m, uint32_t *order, uint32_t slot, mirror_cmp cmp)
{
	size_t	 at = mirror_lower_bound(m, order, m->row[slot], cmp);

	if (at < m->n && order[at] == slot)
		memmove(order + at, order + at + 1, (m->n - at - 1) * sizeof(*order));
}

/* The slot of connection id, or -1. */
static long
mirror_slot_of(const struct list_mirror *m, int64_t id)
{
	struct mirror_row	 key = { .id = id };
	size_t			 at = mirror_lower_bound(m, m->by_id, &key, cmp_id);

	return at < m->n && m->row[m->by_id[at]]->id == id ? (long)m->by_id[at] : -1;
}

const struct mirror_row *
list_mirror_get(const struct list_mirror *m, int64_t id)
{
	long	 slot = mirror_slot_of(m, id);

	return slot < 0 ? NULL : m->row[slot];
}

static void
mirror_reserve(struct list_mirror *m, size_t n)
{
	if (n > m->cap) {
		m->cap = n < 64 ? 64 : n + n / 2;
		m->by_id = xrealloc(m->by_id, m->cap * sizeof(*m->by_id));
		m->by_name = xrealloc(m->by_name, m->cap * sizeof(*m->by_name));
		m->by_tested = xrealloc(m->by_tested, m->cap * sizeof(*m->by_tested));
	}
	if (n > m->slots_cap) {
		size_t	 was = m->slots_cap;

		m->slots_cap = n < 64 ? 64 : n + n / 2;
		m->row = xrealloc(m->row, m->slots_cap * sizeof(*m->row));
		m->hot = xrealloc(m->hot, m->slots_cap * sizeof(*m->hot));
		m->match = xrealloc(m->match, m->slots_cap);
		m->free_slots = xrealloc(m->free_slots, m->slots_cap * sizeof(*m->free_slots));
		memset(m->row + was, 0, (m->slots_cap - was) * sizeof(*m->row));
		memset(m->hot + was, 0, (m->slots_cap - was) * sizeof(*m->hot));
	}
}

static size_t
team_rows_hash(int64_t team, size_t cap)
{
	return (size_t)((uint64_t)team * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);
}

/* Team `team`'s entry; created when `make`, else NULL when it has none. */
static struct team_rows *
mirror_team_rows(struct list_mirror *m, int64_t team, int make)
{
	size_t	 i;

	if (m->team_rows_cap == 0 && !make)
		return NULL;
	if (make && (m->team_rows_used + 1) * 2 > m->team_rows_cap) {
		struct team_rows	*was = m->team_rows;
		size_t			 n = m->team_rows_cap, k;

		m->team_rows_cap = n == 0 ? 64 : n * 2;
		m->team_rows = xcalloc(m->team_rows_cap, sizeof(*m->team_rows));
		for (k = 0; k < n; k++) {
			if (was[k].team == 0)
				continue;
			for (i = team_rows_hash(was[k].team, m->team_rows_cap);
			    m->team_rows[i].team != 0; i = (i + 1) & (m->team_rows_cap - 1))
				continue;
			m->team_rows[i] = was[k];
		}
		free(was);
	}
	for (i = team_rows_hash(team, m->team_rows_cap); m->team_rows[i].team != 0;
	    i = (i + 1) & (m->team_rows_cap - 1))
		if (m->team_rows[i].team == team)
			return &m->team_rows[i];
	if (!make)
		return NULL;
	m->team_rows_used++;
	m->team_rows[i].team = team;
	return &m->team_rows[i];
}

static void
slots_add(uint32_t **v, size_t *n, size_t *cap, uint32_t slot)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = slot;
}

static void
mirror_team_rows_add(struct list_mirror *m, uint32_t slot)
{
	const struct mirror_row	*w = m->row[slot];
	struct team_rows	*t = mirror_team_rows(m, w->owner, 1);
	size_t			 i;

	m->hot[slot].owned_at = (uint32_t)t->nowned;
	slots_add(&t->owned, &t->nowned, &t->cowned, slot);
	for (i = 0; i < w->nshares; i++) {
		t = mirror_team_rows(m, w->shares[i], 1);
		slots_add(&t->shared, &t->nshared, &t->cshared, slot);
	}
}

static void
mirror_team_rows_drop(struct list_mirror *m, uint32_t slot)
{
	const struct mirror_row	*w = m->row[slot];
	struct team_rows	*t = mirror_team_rows(m, w->owner, 0);
	uint32_t		 at = m->hot[slot].owned_at, last;
	size_t			 i, k;

	if (t != NULL && at < t->nowned && t->owned[at] == slot) {
		/* The last one takes its place. */
		last = t->owned[--t->nowned];
		t->owned[at] = last;
		m->hot[last].owned_at = at;
	}
	for (i = 0; i < w->nshares; i++) {
		if ((t = mirror_team_rows(m, w->shares[i], 0)) == NULL)
			continue;
		for (k = 0; k < t->nshared; k++)
			if (t->shared[k] == slot) {
				t->shared[k] = t->shared[--t->nshared];
				break;
			}
	}
}

/* A slot for w, its hot fields filled. */
static uint32_t
mirror_place(struct list_mirror *m, struct mirror_row *w)
{
	uint32_t		 slot;
	struct mirror_hot	*h;

	mirror_reserve(m, m->n + 1);
	slot = m->nfree > 0 ? m->free_slots[--m->nfree] : (uint32_t)m->nslots++;
	m->row[slot] = w;
	h = &m->hot[slot];
	h->owner = w->owner;
	h->expires = w->expires;
	h->connector = mirror_atom(m, w->connector);
	h->status = mirror_atom(m, w->status);
	h->shared = w->nshares > 0;
	h->live = 1;
	mirror_team_rows_add(m, slot);
	return slot;
}

/* The row in slot, taken out of the copy: the caller's now. */
static struct mirror_row *
mirror_take(struct list_mirror *m, uint32_t slot)
{
	struct mirror_row	*w = m->row[slot];

	mirror_remove_from(m, m->by_id, slot, cmp_id);
	mirror_remove_from(m, m->by_name, slot, cmp_name);
	mirror_remove_from(m, m->by_tested, slot, cmp_tested);
	m->n--;
	mirror_team_rows_drop(m, slot);
	m->row[slot] = NULL;
	memset(&m->hot[slot], 0, sizeof(m->hot[slot]));
	m->free_slots[m->nfree++] = slot;
	return w;
}

static void
mirror_insert(struct list_mirror *m, struct mirror_row *w)
{
	uint32_t	 slot = mirror_place(m, w);

	mirror_insert_at(m, m->by_id, slot, cmp_id);
	mirror_insert_at(m, m->by_name, slot, cmp_name);
	mirror_insert_at(m, m->by_tested, slot, cmp_tested);
	m->n++;
}

/* --------------------------------------------------------------- reads */

/* Row i of res as a mirror row: its strings in one block after it. */
static struct mirror_row *
mirror_row_read(PGresult *res, int i, const int *col, int64_t version)
{
	enum { ID, NAME, KEY, CONNECTOR, PROTOCOL, STATUS, TESTED, TESTED_US, RESULT,
	    OWNER, EXPIRES, FLOWS, SHARES, NCOLS };
	const char		*v[NCOLS];
	size_t			 len[NCOLS], total = 0;
	struct mirror_row	*w;
	char			*p;
	int			 k;

	for (k = 0; k < NCOLS; k++) {
		v[k] = db_value(res, i, col[k]);
		len[k] = strlen(v[k]) + 1;
		total += len[k];
	}
	w = xcalloc(1, sizeof(*w) + total);
	p = (char *)(w + 1);
	for (k = 0; k < NCOLS; k++) {
		memcpy(p, v[k], len[k]);
		v[k] = p;
		p += len[k];
	}
	w->id = strtoll(v[ID], NULL, 10);
	w->name = v[NAME];
	w->key = v[KEY];
	w->connector = v[CONNECTOR];
	w->protocol = v[PROTOCOL];
	w->status = v[STATUS];
	w->tested = v[TESTED];
	w->tested_us = *v[TESTED_US] == '\0' ? INT64_MIN : strtoll(v[TESTED_US], NULL, 10);
	w->result = v[RESULT];
	w->owner = strtoll(v[OWNER], NULL, 10);
	w->expires = *v[EXPIRES] == '\0' ? INT32_MAX : (int32_t)strtol(v[EXPIRES], NULL, 10);
	w->flows = v[FLOWS];
	w->rv = version;
	pg_int_array(v[SHARES], &w->shares, &w->nshares);
	return w;
}

static void
mirror_columns(PGresult *res, int *col)
{
	static const char *const names[] = { "id", "name", "name_key", "connector",
	    "auth_protocol", "status", "tested", "tested_us", "last_test_result",
	    "owner_team_id", "expires", "flows", "shares" };
	size_t	 k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		col[k] = db_col(res, names[k]);
}

/* The head columns of res; 0 when it has none. */
static int
mirror_head(struct list_mirror *m, PGresult *res, int64_t *lv, int64_t *floor,
    int64_t *tv)
{
	if (db_rows(res) < 1)
		return 0;
	*lv = strtoll(db_get(res, 0, "lv"), NULL, 10);
	*floor = strtoll(db_get(res, 0, "floor"), NULL, 10);
	*tv = strtoll(db_get(res, 0, "tv"), NULL, 10);
	m->today = (int32_t)strtol(db_get(res, 0, "today"), NULL, 10);
	return 1;
}

static int
mirror_read_whole(struct list_mirror *m, struct db *db, int64_t *tv)
{
	PGresult	*res;
	int		 col[13], i, changed, rows;
	int64_t		 lv, floor;

	if ((res = db_exec_named(db, "mirror_whole", SQL_WHOLE, 0, NULL)) == NULL)
		return -1;
	if (!mirror_head(m, res, &lv, &floor, tv)) {
		db_clear(res);
		return -1;
	}
	mirror_rows_free(m);
	mirror_columns(res, col);
	changed = db_col(res, "changed");
	rows = db_rows(res);
	mirror_reserve(m, (size_t)rows);
	for (i = 0; i < rows; i++) {
		if (*db_value(res, i, changed) == '\0')
			continue;	/* no connections at all */
		uint32_t	 slot = mirror_place(m, mirror_row_read(res, i, col, lv));

		m->by_id[m->n++] = slot;
	}
	db_clear(res);
	memcpy(m->by_name, m->by_id, m->n * sizeof(*m->by_id));
	memcpy(m->by_tested, m->by_id, m->n * sizeof(*m->by_id));
	mirror_sorting = m;
	qsort(m->by_id, m->n, sizeof(*m->by_id), qcmp_id);
	qsort(m->by_name, m->n, sizeof(*m->by_name), qcmp_name);
	qsort(m->by_tested, m->n, sizeof(*m->by_tested), qcmp_tested);
	mirror_sorting = NULL;
	m->version = lv;
	m->changes_from = lv;
	/* The whole read's result was several times the copy: give the pages
	 * it left free back to the system. */
	malloc_trim(0);
	return 0;
}

/* A row changed at version lv: the ring keeps it, the oldest making way. */
static void
mirror_change_add(struct list_mirror *m, int64_t lv, struct mirror_row *was,
    const struct mirror_row *now)
{
	struct mirror_change	*c;

	if (m->changes == NULL)
		m->changes = xcalloc(MIRROR_CHANGES, sizeof(*m->changes));
	c = &m->changes[m->changes_next];
	if (m->nchanges == MIRROR_CHANGES) {
		/* Changes at its version may be missing from now on. */
		if (c->version > m->changes_from)
			m->changes_from = c->version;
		mirror_row_free(c->was);
	} else
		m->nchanges++;
	c->version = lv;
	c->was = was;
	c->now = now;
	m->changes_next = (m->changes_next + 1) % MIRROR_CHANGES;
}

/* 1: brought up to date; 0: the log no longer reaches back (read whole). */
static int
mirror_read_changes(struct list_mirror *m, struct db *db, int64_t *tv)
{
	char		 since[24];
	const char	*params[1] = { since };
	PGresult	*res;
	int		 col[13], i, changed, rows;
	int64_t		 lv, floor;

	snprintf(since, sizeof(since), "%lld", (long long)m->version);
	if ((res = db_exec_named(db, "mirror_changes", SQL_CHANGES, 1, params)) == NULL)
		return -1;
	if (!mirror_head(m, res, &lv, &floor, tv) || m->version < floor) {
		db_clear(res);
		return 0;
	}
	mirror_columns(res, col);
	changed = db_col(res, "changed");
	rows = db_rows(res);
	for (i = 0; i < rows; i++) {
		const char		*id = db_value(res, i, changed);
		struct mirror_row	*was, *now;
		long			 slot;

		if (*id == '\0')
			continue;
		was = (slot = mirror_slot_of(m, strtoll(id, NULL, 10))) >= 0 ?
		    mirror_take(m, (uint32_t)slot) : NULL;
		now = NULL;
		if (*db_value(res, i, col[0]) != '\0') {	/* not deleted */
			now = mirror_row_read(res, i, col, lv);
			mirror_insert(m, now);
		}
		mirror_change_add(m, lv, was, now);
	}
	db_clear(res);
	m->version = lv;
	return 1;
}

static int
qcmp_team_name(const void *a, const void *b)
{
	const struct mirror_team	*x = *(struct mirror_team *const *)a;
	const struct mirror_team	*y = *(struct mirror_team *const *)b;
	int				 c = strcmp(x->key, y->key);

	return c != 0 ? c : x->id < y->id ? -1 : x->id > y->id;
}

static int
mirror_read_teams(struct list_mirror *m, struct db *db, int64_t tv)
{
	PGresult	*res;
	int		 i, id, name;

	if ((res = db_exec_named(db, "mirror_teams", SQL_TEAMS, 0, NULL)) == NULL)
		return -1;
	mirror_teams_free(m);
	id = db_col(res, "id");
	name = db_col(res, "name");
	m->nteams = (size_t)db_rows(res);
	m->teams = xcalloc(m->nteams + 1, sizeof(*m->teams));
	m->teams_by_name = xcalloc(m->nteams + 1, sizeof(*m->teams_by_name));
	for (i = 0; i < db_rows(res); i++) {
		const char	*v = db_value(res, i, name);
		size_t		 size = strlen(v) * 2 + 8;	/* a lowered letter may be longer */

		m->teams[i].id = strtoll(db_value(res, i, id), NULL, 10);
		m->teams[i].name = xstrdup(v);
		m->teams[i].key = xmalloc(size);
		if (list_mirror_lower(m, v, m->teams[i].key, size) == -1)
			snprintf(m->teams[i].key, size, "%s", v);
		m->teams_by_name[i] = &m->teams[i];
	}
	db_clear(res);
	qsort(m->teams_by_name, m->nteams, sizeof(*m->teams_by_name), qcmp_team_name);
	/* Read after the stamp: at least as new as tv says. */
	m->teams_version = tv;
	return 0;
}

int
list_mirror_sync(struct list_mirror *m, struct db *db, int64_t version,
    int64_t teams_version)
{
	time_t	 now = time(NULL);
	int64_t	 tv = m->teams_version;
	int	 rc;

	if (m->version >= 0 && m->version >= version && m->teams_version >= teams_version &&
	    now - m->synced < MIRROR_MAX_AGE)
		return 0;
	if (m->version < 0 || m->version < version || now - m->synced >= MIRROR_MAX_AGE) {
		rc = m->version < 0 ? 0 : mirror_read_changes(m, db, &tv);
		if (rc == 0)
			rc = mirror_read_whole(m, db, &tv) == 0 ? 1 : -1;
		if (rc == -1) {
			m->version = -1;	/* read it whole next time */
			return -1;
		}
		m->synced = now;
	}
	if (tv > m->teams_version || teams_version > m->teams_version)
		return mirror_read_teams(m, db, tv > teams_version ? tv : teams_version);
	return 0;
}

int64_t
list_mirror_version(const struct list_mirror *m)
{
	return m->version;
}

int64_t
list_mirror_teams_version(const struct list_mirror *m)
{
	return m->teams_version;
}

const char *
list_mirror_team_name(const struct list_mirror *m, int64_t id)
{
	size_t	 lo = 0, hi = m->nteams, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->teams[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nteams && m->teams[lo].id == id ? m->teams[lo].name : "";
}

/* The i-th team in the team filter's order (lower(name), id): 1, or 0 past
 * the last. */
int
list_mirror_team_at(const struct list_mirror *m, size_t i, int64_t *id, const char **name)
{
	if (i >= m->nteams)
		return 0;
	*id = m->teams_by_name[i]->id;
	*name = m->teams_by_name[i]->name;
	return 1;
}

/* -------------------------------------------------------------- search */

int
list_mirror_lower(const struct list_mirror *m, const char *s, char *out, size_t size)
{
	mbstate_t	 in, op;
	size_t		 len = strlen(s), k, at = 0;
	wchar_t		 wc;
	char		 mb[MB_LEN_MAX];
	locale_t	 was;

	if (m->utf8 == (locale_t)0)
		return -1;
	was = uselocale(m->utf8);
	memset(&in, 0, sizeof(in));
	memset(&op, 0, sizeof(op));
	while (len > 0) {
		k = mbrtowc(&wc, s, len, &in);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		s += k;
		len -= k;
		k = wcrtomb(mb, (wchar_t)towlower((wint_t)wc), &op);
		if (k == (size_t)-1 || at + k >= size)
			break;
		memcpy(out + at, mb, k);
		at += k;
	}
	uselocale(was);
	out[at] = '\0';
	return len == 0 ? 0 : -1;
}

/* --------------------------------------------------------------- pages */

/* Whether the viewer of v may see row w: one of their teams owns it or it
 * is shared with one of them. */
static int
mirror_row_theirs(const struct mirror_row *w, const struct mirror_view *v)
{
	size_t	 i, j;

	if (v->teams == NULL)
		return 1;
	for (i = 0; i < v->nteams; i++) {
		if (w->owner == v->teams[i])
			return 1;
		for (j = 0; j < w->nshares; j++)
			if (w->shares[j] == v->teams[i])
				return 1;
	}
	return 0;
}

/* 1 when the row in slot passes the view's filters (visibility aside). */
static int
mirror_passes(const struct list_mirror *m, uint32_t slot, const struct mirror_view *v,
    uint16_t connector, uint16_t status, int32_t expiring_by)
{
	const struct mirror_hot	*h = &m->hot[slot];

	if (v->connector != NULL && h->connector != connector)
		return 0;
	if (v->status != NULL && h->status != status)
		return 0;
	if (v->expiring && h->expires > expiring_by)
		return 0;
	if (v->team != 0 && h->owner != v->team)
		return 0;
	if (v->q != NULL && strstr(m->row[slot]->key, v->q) == NULL)
		return 0;
	return 1;
}

/* Every row's health summary (an admin's), kept while the copy's version
 * and the expiry day stay. */
static void
mirror_all_health(struct list_mirror *m, uint16_t failing, uint16_t reconnect,
    int32_t expiring_by, long long health[3])
{
	size_t	 slot;

	if (m->all_health_version != m->version || m->all_health_by != expiring_by) {
		memset(m->all_health, 0, sizeof(m->all_health));
		for (slot = 0; slot < m->nslots; slot++) {
			const struct mirror_hot	*h = &m->hot[slot];

			if (!h->live)
				continue;
			m->all_health[0] += h->status == failing;
			m->all_health[1] += h->status == reconnect;
			m->all_health[2] += h->expires <= expiring_by;
		}
		m->all_health_version = m->version;
		m->all_health_by = expiring_by;
	}
	memcpy(health, m->all_health, sizeof(m->all_health));
}

static void
mirror_walk(struct list_mirror *m, const struct mirror_view *v, struct mirror_page *p)
{
	const uint32_t	*order = v->sort <= 1 ? m->by_name : m->by_tested;
	/* Name Z-A and newest first walk their order backwards. */
	int		 back = v->sort == 1 || v->sort == 2;
	int		 filtered = v->q != NULL || v->connector != NULL || v->status != NULL ||
			    v->expiring || v->team != 0;
	uint16_t	 connector = v->connector != NULL ? mirror_atom_of(m, v->connector) :
			    ATOM_NONE;
	uint16_t	 status = v->status != NULL ? mirror_atom_of(m, v->status) : ATOM_NONE;
	uint16_t	 failing = mirror_atom_of(m, "failing");
	uint16_t	 reconnect = mirror_atom_of(m, "needs_reconnect");
	/* "Expiring": the earliest expiry within the horizon, expired included
	 * (none is INT32_MAX). */
	int32_t		 expiring_by = m->today + v->horizon;
	long long	 first = (v->page - 1) * MIRROR_PAGE, k = 0;
	uint32_t	 ring[MIRROR_PAGE];
	size_t		 i, j, slot, nring = 0, at = 0;
	int		 passed = 0;

	memset(p, 0, sizeof(*p));
	/* The count and the health summary over the rows the viewer may see:
	 * an admin's every row (the packed array front to back; without a
	 * filter, the summary kept for the version), a member's their teams'
	 * rows and those shared with them. match[] notes, by slot, 1 for a row
	 * the view shows, 2 for one it does not, 0 for one not theirs; the
	 * walk below reads it. */
	memset(m->match, 0, m->nslots);
#define MIRROR_COUNT(s) do {								const struct mirror_hot	*h_ = &m->hot[s];					int			 in_;																p->health[0] += h_->status == failing;						p->health[1] += h_->status == reconnect;					p->health[2] += h_->expires <= expiring_by;					in_ = !filtered || mirror_passes(m, (uint32_t)(s), v, connector, status,		    expiring_by);								m->match[s] = in_ ? 1 : 2;							p->total += in_;							} while (0)
	if (v->teams == NULL && !filtered) {
		p->total = (long long)m->n;
		mirror_all_health(m, failing, reconnect, expiring_by, p->health);
	} else if (v->teams == NULL) {
		for (slot = 0; slot < m->nslots; slot++)
			if (m->hot[slot].live)
				MIRROR_COUNT(slot);
	} else {
		for (j = 0; j < v->nteams; j++) {
			const struct team_rows	*t = mirror_team_rows(m, v->teams[j], 0);

			for (i = 0; t != NULL && i < t->nowned; i++)
				MIRROR_COUNT(t->owned[i]);
		}
		/* Shared with them: once, and not when one of their teams owns it. */
		for (j = 0; j < v->nteams; j++) {
			const struct team_rows	*t = mirror_team_rows(m, v->teams[j], 0);

			for (i = 0; t != NULL && i < t->nshared; i++)
				if (m->match[t->shared[i]] == 0)
					MIRROR_COUNT(t->shared[i]);
		}
	}
#undef MIRROR_COUNT
	/* The page: the view's rows in its order, from the first asked for, or
	 * from beside a cursor's row (which the viewer must be able to see,
	 * and which is not on its own page). */
	if (v->after == 0 && v->before == 0) {
		if (!filtered && v->teams == NULL) {
			/* Every row: the page is a slice of the order. */
			for (i = (size_t)first; i < m->n && p->n < MIRROR_PAGE; i++)
				p->rows[p->n++] = m->row[order[back ? m->n - 1 - i : i]];
			return;
		}
		for (i = 0; i < m->n && p->n < MIRROR_PAGE; i++) {
			uint32_t	 s = order[back ? m->n - 1 - i : i];

			if (m->match[s] == 1 && k++ >= first)
				p->rows[p->n++] = m->row[s];
		}
		return;
	}
	for (i = 0; i < m->n; i++) {
		uint32_t	 s = order[back ? m->n - 1 - i : i];
		int64_t		 id = m->row[s]->id;

		if (id == v->after || id == v->before) {
			if (!mirror_row_theirs(m->row[s], v))
				return;		/* not theirs: no cursor */
			p->cursor_found = 1;
			if (v->before != 0)
				break;
			passed = 1;
			continue;
		}
		if (m->match[s] != 1)
			continue;
		if (v->after != 0 && passed) {
			p->rows[p->n++] = m->row[s];
			if (p->n == MIRROR_PAGE)
				return;
		} else if (v->before != 0) {
			ring[at] = s;
			at = (at + 1) % MIRROR_PAGE;
			if (nring < MIRROR_PAGE)
				nring++;
		}
	}
	if (v->before != 0 && p->cursor_found)
		/* The nearest rows before it, in the page's order. */
		for (i = 0; i < nring; i++)
			p->rows[p->n++] = m->row[ring[(at + MIRROR_PAGE - nring + i) % MIRROR_PAGE]];
}

/* A string of the view's key: its length first, so no value reads as two. */
static void
mirror_memo_str(struct buf *k, const char *v)
{
	if (v == NULL)
		BUF_LIT(k, "|-");
	else
		buf_printf(k, "|%zu:%s", strlen(v), v);
}

/* Everything of v that a walk reads, whose rows included. */
static void
mirror_memo_key(const struct mirror_view *v, struct buf *k)
{
	size_t	 i;

	buf_printf(k, "%d %d %d %lld %lld %lld %lld", v->sort, v->expiring, v->horizon,
	    (long long)v->team, v->page, (long long)v->after, (long long)v->before);
	mirror_memo_str(k, v->q);
	mirror_memo_str(k, v->connector);
	mirror_memo_str(k, v->status);
	if (v->teams == NULL)
		BUF_LIT(k, "|admin");
	for (i = 0; v->teams != NULL && i < v->nteams; i++)
		buf_printf(k, "|%lld", (long long)v->teams[i]);
}

/* Whether v shows row w, theirs: mirror_passes's, on a row. */
static int
mirror_row_passes(const struct mirror_row *w, const struct mirror_view *v,
    int32_t expiring_by)
{
	return (v->connector == NULL || strcmp(w->connector, v->connector) == 0) &&
	    (v->status == NULL || strcmp(w->status, v->status) == 0) &&
	    (!v->expiring || w->expires <= expiring_by) &&
	    (v->team == 0 || w->owner == v->team) &&
	    (v->q == NULL || strstr(w->key, v->q) != NULL);
}

/* Row w's part in the health summary, added (sign 1) or taken out (-1). */
static void
mirror_row_health(const struct mirror_row *w, int sign, int32_t expiring_by,
    long long health[3])
{
	health[0] += sign * (strcmp(w->status, "failing") == 0);
	health[1] += sign * (strcmp(w->status, "needs_reconnect") == 0);
	health[2] += sign * (w->expires <= expiring_by);
}

/*
 * Whether e, v's walk, is still what a walk would find now: no change since
 * it was walked touches a row it shows, before or after, or its cursor.
 * The changes to the viewer's other rows move its health summary, and it
 * is then true at the copy's version.
 */
static int
mirror_memo_fresh(struct list_mirror *m, struct mirror_memo *e, const struct mirror_view *v)
{
	int32_t		 expiring_by = m->today + v->horizon;
	long long	 health[3];
	size_t		 i, k;

	if (e->reads != m->reads || e->today != m->today || e->at > m->version)
		return 0;
	if (e->at == m->version)
		return 1;
	if (e->at < m->changes_from)
		return 0;	/* some of the changes since are no longer known */
	memcpy(health, e->page.health, sizeof(health));
	for (i = 0; i < m->nchanges; i++) {
		const struct mirror_change	*c = &m->changes[(m->changes_next +
					    MIRROR_CHANGES - 1 - i) % MIRROR_CHANGES];
		const struct mirror_row		*face[2] = { c->was, c->now };

		if (c->version <= e->at)
			break;
		for (k = 0; k < 2; k++) {
			if (face[k] == NULL || !mirror_row_theirs(face[k], v))
				continue;
			if (mirror_row_passes(face[k], v, expiring_by) ||
			    face[k]->id == v->after || face[k]->id == v->before)
				return 0;
			mirror_row_health(face[k], k == 0 ? -1 : 1, expiring_by, health);
		}
	}
	memcpy(e->page.health, health, sizeof(health));
	e->at = m->version;
	return 1;
}

void
list_mirror_page(struct list_mirror *m, const struct mirror_view *v,
    struct mirror_page *p)
{
	struct buf		 key;
	struct mirror_memo	*e;
	uint32_t		 h = 2166136261u;	/* FNV-1a */
	size_t			 i;

	buf_init(&key);
	mirror_memo_key(v, &key);
	for (i = 0; i < key.len; i++)
		h = (h ^ (unsigned char)key.data[i]) * 16777619u;
	if (m->memo == NULL)
		m->memo = xcalloc(MIRROR_MEMOS, sizeof(*m->memo));
	e = &m->memo[h & (MIRROR_MEMOS - 1)];
	if (e->key != NULL && strcmp(e->key, key.data) == 0 && mirror_memo_fresh(m, e, v)) {
		*p = e->page;
		buf_free(&key);
		return;
	}
	mirror_walk(m, v, p);
	free(e->key);
	e->key = key.data;	/* the buffer is the key now */
	e->at = m->version;
	e->reads = m->reads;
	e->today = m->today;
	e->page = *p;
}
