/*
 * session.c — signed-in sessions kept in PostgreSQL (only a hash of the
 * token is stored), CSRF tokens (the session's, or a double-submit cookie
 * on the sign-in form), and the actor a session makes of its request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

#define TOKEN_BYTES	32

/*
 * The sign-in form's token: nonce || issued (8 bytes, big-endian seconds) ||
 * MAC over both and the client's address, under a key derived from the
 * master key. The server can tell its own tokens from one an attacker chose
 * and tossed into a victim's browser together with a matching form field
 * (login CSRF), and one issued to the attacker's address does not work from
 * the victim's.
 */
#define PRE_NONCE	16
#define PRE_MAC		16
#define PRE_BYTES	(PRE_NONCE + 8 + PRE_MAC)
#define PRE_LIFETIME_S	3600

const char *
session_cookie_name(const struct app *app)
{
	return app->cfg.secure_cookies ? "__Host-tether_session" : "tether_session";
}

/* Behind HTTPS the __Host- prefix: no sibling host can set or shadow it. */
static const char *
session_pre_cookie_name(const struct app *app)
{
	return app->cfg.secure_cookies ? "__Host-tether_pre" : "tether_pre";
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	free(s->email);
	free(s->name);
	free(s->team_ids);
	secret_free(s->csrf);
	free(s);
}

void
session_actor(struct req *r)
{
	struct actor	*a = &r->actor;

	a->user_id = r->sess != NULL ? r->sess->user_id : 0;
	a->is_admin = r->sess != NULL && r->sess->is_admin;
	a->email = r->sess != NULL && r->sess->email != NULL ? r->sess->email : "";
}

void
session_end(struct req *r)
{
	session_prefetch_free(r);
	session_free(r->sess);
	r->sess = NULL;
	r->actor.email = "";	/* it pointed into the session */
}

/* Where the user last seen with the cookie of this hash is kept. */
static struct session_seen *
session_seen_slot(struct app *app, const char *hash)
{
	unsigned	 h = 0;
	const char	*p;

	for (p = hash; *p != '\0'; p++)
		h = h * 31 + (unsigned char)*p;
	return &app->sessions_seen[h % (sizeof(app->sessions_seen) /
	    sizeof(app->sessions_seen[0]))];
}

void
session_prefetch_free(struct req *r)
{
	if (r->pre == NULL)
		return;
	db_batch_free(&r->pre->b);
	free(r->pre);
	r->pre = NULL;
}

/*
 * The session check, in one round trip with the page's reads (the route's
 * prefetch, GET and HEAD only) when this worker has seen the cookie before:
 * they are queued for that user, and kept in r->pre only if the check finds
 * the same user with the same admin flag.
 */
static PGresult *
session_get(struct req *r, const char *hash, const char *const *params)
{
	struct session_seen	*seen = session_seen_slot(r->app, hash);
	const struct route	*rt = r->route;
	struct actor		 guess;
	PGresult		*res = NULL;
	int			 at;

	if (rt == NULL || rt->prefetch == NULL || r->method == METHOD_POST ||
	    strcmp(seen->hash, hash) != 0)
		return db_exec(&r->app->db, STMT_SESSION_GET, 2, params);
	r->pre = xcalloc(1, sizeof(*r->pre));
	db_batch_init(&r->pre->b);
	at = db_batch_add_stmt(&r->pre->b, STMT_SESSION_GET, 2, params);
	guess = r->actor;
	guess.user_id = seen->user_id;
	guess.is_admin = seen->is_admin;
	rt->prefetch(r, &guess, r->pre);
	if (db_batch_run(&r->app->db, &r->pre->b) == -1) {
		/* One of the page's reads may be what failed: the check alone,
		 * and the page reads (and fails) on its own. */
		session_prefetch_free(r);
		return db_exec(&r->app->db, STMT_SESSION_GET, 2, params);
	}
	res = db_batch_take(&r->pre->b, at);
	if (res == NULL || db_rows(res) != 1 ||
	    strtoll(db_get(res, 0, "user_id"), NULL, 10) != seen->user_id ||
	    (strcmp(db_get(res, 0, "is_admin"), "t") == 0) != seen->is_admin)
		session_prefetch_free(r);
	return res;
}

int
session_load(struct req *r)
{
	const char		*token = req_cookie(r, session_cookie_name(r->app));
	char			 hash[68], idle[16], id[24];
	const char		*params[2] = { hash, idle }, *touch_params[1] = { id };
	PGresult		*res;
	struct session		*s;
	struct session_seen	*seen;
	int			 touch = 0;

	if (!auth_token_shape_ok(token))
		return 0;
	auth_token_hash_hex(token, hash);
	snprintf(idle, sizeof(idle), "%d", r->app->cfg.session_idle_min);
	if ((res = session_get(r, hash, params)) == NULL)
		return -1;
	seen = session_seen_slot(r->app, hash);
	seen->hash[0] = '\0';
	if (db_rows(res) == 1) {
		s = xcalloc(1, sizeof(*s));
		s->id = strtoll(db_get(res, 0, "id"), NULL, 10);
		s->user_id = strtoll(db_get(res, 0, "user_id"), NULL, 10);
		s->csrf = xstrdup(db_get(res, 0, "csrf_token"));
		s->email = xstrdup(db_get(res, 0, "email"));
		s->name = xstrdup(db_get(res, 0, "name"));
		s->is_admin = strcmp(db_get(res, 0, "is_admin"), "t") == 0;
		s->is_manager = strcmp(db_get(res, 0, "is_manager"), "t") == 0;
		s->list_version = strtoll(db_get(res, 0, "list_version"), NULL, 10);
		s->teams_version = strtoll(db_get(res, 0, "teams_version"), NULL, 10);
		pg_int_array(db_get(res, 0, "team_ids"), &s->team_ids, &s->nteams);
		r->sess = s;
		touch = strcmp(db_get(res, 0, "touch"), "t") == 0;
		snprintf(seen->hash, sizeof(seen->hash), "%s", hash);
		seen->user_id = s->user_id;
		seen->is_admin = s->is_admin;
	}
	db_clear(res);
	session_actor(r);
	if (touch) {
		snprintf(id, sizeof(id), "%lld", (long long)r->sess->id);
		if ((res = db_exec(&r->app->db, STMT_SESSION_TOUCH, 1, touch_params)) == NULL)
			return -1;
		db_clear(res);
	}
	return 0;
}

int
session_create(struct req *r, int64_t user_id)
{
	char		 token[AUTH_TOKEN_CHARS + 8], csrf[AUTH_TOKEN_CHARS + 8], hash[68];
	char		 uid[24], minutes[16];
	const char	*params[6] = { hash, uid, csrf, minutes, r->client_addr,
			    r->user_agent != NULL ? r->user_agent : "" };
	PGresult	*res;

	auth_random_token(token, sizeof(token), TOKEN_BYTES);
	auth_random_token(csrf, sizeof(csrf), TOKEN_BYTES);
	auth_token_hash_hex(token, hash);
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(minutes, sizeof(minutes), "%d", r->app->cfg.session_absolute_min);
	if ((res = db_exec(&r->app->db, STMT_SESSION_CREATE, 6, params)) == NULL)
		return -1;
	db_clear(res);
	/* A browser-session cookie; the server enforces idle and absolute expiry. */
	http_set_cookie(r, session_cookie_name(r->app), token, -1);
	http_set_cookie(r, session_pre_cookie_name(r->app), "", 0);
	sodium_memzero(token, sizeof(token));
	return 0;
}

int
session_destroy(struct req *r)
{
	char		 id[24];
	const char	*params[1] = { id };
	PGresult	*res;

	http_set_cookie(r, session_cookie_name(r->app), "", 0);
	if (r->sess == NULL)
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)r->sess->id);
	if ((res = db_exec(&r->app->db, STMT_SESSION_DELETE, 1, params)) == NULL)
		return -1;
	db_clear(res);
	return 0;
}

static void
session_pre_mac(const struct req *r, const unsigned char *nonce_issued,
    unsigned char mac[PRE_MAC])
{
	crypto_generichash_state st;
	const char	*addr = r->client_addr != NULL ? r->client_addr : "";

	crypto_generichash_init(&st, r->app->pre_key, sizeof(r->app->pre_key), PRE_MAC);
	crypto_generichash_update(&st, nonce_issued, PRE_NONCE + 8);
	crypto_generichash_update(&st, (const unsigned char *)addr, strlen(addr) + 1);
	crypto_generichash_final(&st, mac, PRE_MAC);
}

/* The age in seconds of a pre-session token this server issued to this
 * client, or -1 for anything else (forged, garbled, expired, elsewhere). */
static long
session_pre_age(const struct req *r, const char *token)
{
	unsigned char	 raw[PRE_BYTES], mac[PRE_MAC];
	size_t		 n;
	uint64_t	 issued = 0;
	time_t		 now = time(NULL);
	int		 i;

	if (token == NULL || strlen(token) > 2 * PRE_BYTES ||
	    sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != PRE_BYTES)
		return -1;
	session_pre_mac(r, raw, mac);
	if (crypto_verify_16(mac, raw + PRE_NONCE + 8) != 0)
		return -1;
	for (i = 0; i < 8; i++)
		issued = issued << 8 | raw[PRE_NONCE + i];
	if ((int64_t)issued > (int64_t)now + 60 ||
	    (int64_t)now - (int64_t)issued >= PRE_LIFETIME_S)
		return -1;
	return (long)((int64_t)now - (int64_t)issued);
}

static void
session_pre_issue(struct req *r)
{
	unsigned char	 raw[PRE_BYTES];
	uint64_t	 issued = (uint64_t)time(NULL);
	int		 i;

	randombytes_buf(raw, PRE_NONCE);
	for (i = 7; i >= 0; i--, issued >>= 8)
		raw[PRE_NONCE + i] = (unsigned char)(issued & 0xff);
	session_pre_mac(r, raw, raw + PRE_NONCE + 8);
	sodium_bin2base64(r->pre_csrf, sizeof(r->pre_csrf), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	http_set_cookie(r, session_pre_cookie_name(r->app), r->pre_csrf, PRE_LIFETIME_S);
}

const char *
session_csrf_token(struct req *r)
{
	const char	*pre;
	long		 age;

	if (r->sess != NULL && !(r->route != NULL && (r->route->flags & ROUTE_PRE_CSRF)))
		return r->sess->csrf;
	if (r->pre_csrf[0] != '\0')
		return r->pre_csrf;
	pre = req_cookie(r, session_pre_cookie_name(r->app));
	/* A token past half its life is replaced, so that a form shown now
	 * stays good for at least half an hour. */
	if ((age = session_pre_age(r, pre)) >= 0 && age < PRE_LIFETIME_S / 2)
		snprintf(r->pre_csrf, sizeof(r->pre_csrf), "%s", pre);
	else
		session_pre_issue(r);
	return r->pre_csrf;
}

int
session_csrf_ok(struct req *r)
{
	const char	*given = req_param(r, "csrf");
	const char	*expected;

	if (given == NULL)
		return 0;
	if (r->route->flags & ROUTE_PRE_CSRF) {
		expected = req_cookie(r, session_pre_cookie_name(r->app));
		if (session_pre_age(r, expected) < 0)
			return 0;
		return str_equal_ct(given, expected);
	}
	expected = r->sess != NULL ? r->sess->csrf : NULL;
	if (!auth_token_shape_ok(expected))
		return 0;
	return str_equal_ct(given, expected);
}

int
session_is_manager(struct req *r)
{
	char		 uid[24];
	const char	*params[1] = { uid };
	PGresult	*res;
	int		 ok;

	if (r->sess->is_admin)
		return 1;
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	res = db_exec_named(&r->app->db, "is_manager", "SELECT 1 FROM team_members"
	    " WHERE user_id = $1 AND role = 'manager' LIMIT 1", 1, params);
	if (res == NULL)
		return -1;
	ok = db_rows(res) > 0;
	db_clear(res);
	return ok;
}
