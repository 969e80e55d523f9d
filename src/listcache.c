/*
 * listcache.c — a worker's copies of Integrations pages it rendered, so a
 * user who reloads or comes back to a view gets the same bytes without
 * the list's queries and a 38 KB render.
 *
 * A copy is served only when nothing it shows can have changed:
 *  - the same session, and the same user details the header shows;
 *  - the same view (filters, sort, page), with no message to show;
 *  - the same list version of the user's scope: the session lookup reads
 *    it each request (list_scope_version(), sql/032), and the page is
 *    stored with the one read before its rows. It moves in every committed
 *    transaction that touches connections, teams, members, shares or flows
 *    the user may see (an admin: any; sql/007's counter), so an equal
 *    number means equal rows.
 * A page from the worker's copy of the list (listmirror.c) is kept with
 * its print instead: the exact values it was rendered from (count, health
 * summary, each row's id and the version it was read at, the teams'
 * version, the viewer's teams…), which the copy gives again each request
 * without a query. An equal print means equal bytes, so such a copy
 * outlives changes to rows it does not show.
 * The footer's request id is the one thing that differs between requests:
 * its place in the copy is remembered and rewritten; so are the places of
 * the page's one-time form token (Once.Token, the Test button of a
 * connection's tabs), which gets this request's.
 *
 * A page may hold one part that a copy takes anew when served (its "hole":
 * the list's health summary, r->hole_at/hole_len as the page was written),
 * so that counts moving elsewhere leave the rest of it kept; the print then
 * leaves those counts out, and the caller gives the part's markup now.
 *
 * A connection's Details and Related pages are kept the same way, by print:
 * every value their reads returned (db_batch_print), so a kept one is served
 * only when the database said exactly what it said when the page was written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "web.h"

#define LIST_CACHE_BODY_MAX	(512 * 1024)	/* a bigger page is not kept */
#define REQUEST_ID_LEN		16
#define ONCE_PLACES		8	/* a page with more one-time tokens is not kept */

struct list_copy {
	int64_t		 session_id;	/* 0: the slot is free */
	int64_t		 version;
	unsigned long	 used;		/* for least-recently-used replacement */
	char		*view;
	char		*email;		/* the header's user, as rendered */
	char		*name;
	int		 is_admin;
	char		*body;
	size_t		 len;
	size_t		 id_at;		/* offset of the request id in body */
	char		*print;		/* kept by print (NULL: by version) */
	size_t		 print_len;
	size_t		 once_at[ONCE_PLACES];	/* the one-time token's places, */
	size_t		 nonce, once_len;		/* how many, its length */
	size_t		 hole_at, hole_len;	/* the part taken anew */
	int		 hole;
};

/*
 * The health summary above the list depends on what the user may see, not
 * on the view: one copy a user (one for all admins), for every view, under
 * the scope version of the session lookup before it was read, as a page.
 * "Expiring" also moves with the date.
 */
#define LIST_HEALTH_SLOTS	256
struct list_health {
	int64_t		 who;		/* user id, 0 for admins; -1: free */
	int64_t		 version;
	long long	 day;
	char		 v[3][24];	/* failing, needs reconnect, expiring */
	int64_t		 teams_who;	/* a member's team options: whose, */
	int64_t		 teams_version;	/* at which scope version */
	char		*teams;		/* the markup (render_option_html) */
};

struct list_cache {
	struct list_copy	*slots;
	size_t			 nslots;
	unsigned long		 clock;
	struct list_health	 health[LIST_HEALTH_SLOTS];
};

struct list_cache *
list_cache_new(int nslots)
{
	struct list_cache	*c;
	size_t			 i;

	if (nslots <= 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->slots = xcalloc((size_t)nslots, sizeof(*c->slots));
	c->nslots = (size_t)nslots;
	for (i = 0; i < LIST_HEALTH_SLOTS; i++)
		c->health[i].who = c->health[i].teams_who = -1;
	return c;
}

static void
list_copy_clear(struct list_copy *e)
{
	free(e->view);
	free(e->email);
	free(e->name);
	free(e->body);
	free(e->print);
	memset(e, 0, sizeof(*e));
}

void
list_cache_free(struct list_cache *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nslots; i++)
		list_copy_clear(&c->slots[i]);
	for (i = 0; i < LIST_HEALTH_SLOTS; i++)
		free(c->health[i].teams);
	free(c->slots);
	free(c);
}

static int
list_copy_is_for(const struct list_copy *e, const struct session *s, const char *view)
{
	return e->session_id == s->id && strcmp(e->view, view) == 0;
}

/* The copy with `hole` (len bytes) in its hole: the places after it move. */
static void
list_copy_refill(struct list_copy *e, const char *hole, size_t len)
{
	size_t	 end = e->hole_at + e->hole_len, n = e->len - e->hole_len + len, k;
	char	*body;

	if (len == e->hole_len && memcmp(e->body + e->hole_at, hole, len) == 0)
		return;
	body = xmalloc(n);
	memcpy(body, e->body, e->hole_at);
	memcpy(body + e->hole_at, hole, len);
	memcpy(body + e->hole_at + len, e->body + end, e->len - end);
	if (e->id_at >= end)
		e->id_at = e->id_at - e->hole_len + len;
	for (k = 0; k < e->nonce; k++)
		if (e->once_at[k] >= end)
			e->once_at[k] = e->once_at[k] - e->hole_len + len;
	free(e->body);
	e->body = body;
	e->len = n;
	e->hole_len = len;
}

int
list_cache_serve(struct req *r, const char *view, const char *print, size_t print_len)
{
	return list_cache_serve_hole(r, view, print, print_len, NULL, 0);
}

/* print NULL: served while the version is the same (a copy kept with a
 * print too: nothing it shows can have changed either); else while the
 * print is, with `hole` (when not NULL) in the copy's hole. */
int
list_cache_serve_hole(struct req *r, const char *view, const char *print,
    size_t print_len, const char *hole, size_t hole_len)
{
	struct list_cache	*c = r->app->list_cache;
	const struct session	*s = r->sess;
	struct list_copy	*e;
	const char		*once;
	size_t			 i, k;

	if (c == NULL || s == NULL)
		return 0;
	for (i = 0; i < c->nslots; i++) {
		e = &c->slots[i];
		if (e->session_id == 0 || !list_copy_is_for(e, s, view))
			continue;
		if (e->is_admin != s->is_admin || strcmp(e->email, s->email) != 0 ||
		    strcmp(e->name, s->name) != 0) {
			list_copy_clear(e);	/* out of date for good */
			return 0;
		}
		if (print == NULL && e->version != s->list_version) {
			if (e->print == NULL)
				list_copy_clear(e);
			return 0;	/* a print may still say it is the same */
		}
		if (print != NULL && (e->print == NULL || e->print_len != print_len ||
		    memcmp(e->print, print, print_len) != 0)) {
			list_copy_clear(e);
			return 0;
		}
		/* Sent from the copy itself: only the request id and the
		 * one-time token change. */
		once = r->once;
		if (e->nonce > 0 && strlen(once) != e->once_len)
			return 0;
		if (hole != NULL && e->hole)
			list_copy_refill(e, hole, hole_len);
		e->used = ++c->clock;
		memcpy(e->body + e->id_at, r->id, REQUEST_ID_LEN);
		for (k = 0; k < e->nonce; k++)
			memcpy(e->body + e->once_at[k], once, e->once_len);
		r->kept = e->body;
		r->kept_len = e->len;
		r->status = 200;
		r->content_type = "text/html; charset=utf-8";
		r->log_note = r->pre != NULL ? "list copy, read with the session check" :
		    "list copy";
		return 1;
	}
	return 0;
}

void
list_cache_keep(struct req *r, const char *view, int64_t version, const char *print,
    size_t print_len)
{
	struct list_cache	*c = r->app->list_cache;
	const struct session	*s = r->sess;
	struct list_copy	*e = NULL;
	const char		*at, *again, *once = r->once, *p;
	size_t			 i, once_at[ONCE_PLACES], nonce = 0;

	if (c == NULL || s == NULL || r->out.len > LIST_CACHE_BODY_MAX ||
	    strlen(r->id) != REQUEST_ID_LEN)
		return;
	/* The request id must be findable exactly once, or it cannot be swapped. */
	if ((at = memmem(r->out.data, r->out.len, r->id, REQUEST_ID_LEN)) == NULL)
		return;
	again = memmem(at + 1, r->out.len - (size_t)(at + 1 - r->out.data), r->id,
	    REQUEST_ID_LEN);
	if (again != NULL)
		return;
	/* Each place of the one-time token (none on most pages). */
	for (p = r->out.data; once != NULL && *once != '\0' &&
	    (p = memmem(p, r->out.len - (size_t)(p - r->out.data), once, strlen(once))) != NULL;
	    p += strlen(once)) {
		if (nonce == ONCE_PLACES)
			return;
		once_at[nonce++] = (size_t)(p - r->out.data);
	}
	for (i = 0; i < c->nslots; i++) {
		struct list_copy	*slot = &c->slots[i];

		if (slot->session_id != 0 && list_copy_is_for(slot, s, view)) {
			e = slot;
			break;
		}
		if (e == NULL || slot->session_id == 0 ||
		    (e->session_id != 0 && slot->used < e->used))
			e = slot;
	}
	list_copy_clear(e);
	e->session_id = s->id;
	e->version = version;
	e->used = ++c->clock;
	e->view = xstrdup(view);
	e->email = xstrdup(s->email);
	e->name = xstrdup(s->name);
	e->is_admin = s->is_admin;
	e->body = xmalloc(r->out.len);
	memcpy(e->body, r->out.data, r->out.len);
	e->len = r->out.len;
	e->id_at = (size_t)(at - r->out.data);
	memcpy(e->once_at, once_at, nonce * sizeof(*once_at));
	e->hole = r->hole;
	e->hole_at = r->hole_at;
	e->hole_len = r->hole_len;
	e->nonce = nonce;
	e->once_len = once != NULL ? strlen(once) : 0;
	if (print != NULL) {
		e->print = xmalloc(print_len);
		memcpy(e->print, print, print_len);
		e->print_len = print_len;
	}
}

static struct list_health *
list_health_slot(struct req *r, int64_t *who)
{
	struct list_cache	*c = r->app->list_cache;

	if (c == NULL || r->sess == NULL)
		return NULL;
	*who = r->sess->is_admin ? 0 : r->sess->user_id;
	return &c->health[(uint64_t)*who % LIST_HEALTH_SLOTS];
}

int
list_cache_health(struct req *r, long long day, char out[3][24])
{
	struct list_health	*h;
	int64_t			 who;

	if ((h = list_health_slot(r, &who)) == NULL || h->who != who ||
	    h->version != r->sess->list_version || h->day != day)
		return 0;
	memcpy(out, h->v, sizeof(h->v));
	return 1;
}

void
list_cache_health_keep(struct req *r, long long day, char v[3][24])
{
	struct list_health	*h;
	int64_t			 who;

	if ((h = list_health_slot(r, &who)) == NULL)
		return;
	h->who = who;
	h->version = r->sess->list_version;
	h->day = day;
	memcpy(h->v, v, sizeof(h->v));
}

/* A member's team filter options (their teams) change only with what the
 * scope version counts (their memberships, their teams' names): kept
 * beside their health summary. */
const char *
list_cache_teams(struct req *r)
{
	struct list_health	*h;
	int64_t			 who;

	if ((h = list_health_slot(r, &who)) == NULL || who == 0 || h->teams_who != who ||
	    h->teams_version != r->sess->list_version)
		return NULL;
	return h->teams;
}

void
list_cache_teams_keep(struct req *r, const char *html)
{
	struct list_health	*h;
	int64_t			 who;

	if ((h = list_health_slot(r, &who)) == NULL || who == 0)
		return;
	free(h->teams);
	h->teams = xstrdup(html);
	h->teams_who = who;
	h->teams_version = r->sess->list_version;
}
