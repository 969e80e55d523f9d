/*
 * mail.c — e-mail for the status events (connection.failing,
 * .needs_reconnect, .recovered, .expiring, .refresh_failed): one plain-text
 * message an event, to the managers of the connection's team (and the
 * administrators with mail.notify_admins), through the relay of
 * mail.smtp_url with TLS required (probe_smtp_send). Claimed from
 * mail_outbox like webhook deliveries (a lease, FOR UPDATE SKIP LOCKED) and
 * tried again on the webhooks' schedule for up to a day. No storm: an
 * event is written once per transition (tester.c), and sent once.
 * Without mail.smtp_url, what falls due is marked skipped: nothing piles up
 * to be sent the day a relay is configured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define MAIL_RCPTS_MAX		100
#define MAIL_GIVE_UP_S		(24 * 3600)

/* What happened, as the end of "The connection "X" …". */
static const char *
mail_what(const char *type)
{
	if (strcmp(type, EVENT_FAILING) == 0)
		return "is failing";
	if (strcmp(type, EVENT_NEEDS_RECONNECT) == 0)
		return "needs to be reconnected";
	if (strcmp(type, EVENT_RECOVERED) == 0)
		return "works again";
	if (strcmp(type, EVENT_EXPIRING) == 0)
		return "has credentials that expire soon";
	if (strcmp(type, EVENT_REFRESH_FAILED) == 0)
		return "could not refresh its authorization";
	return "changed";
}

/* Text for a header or a line: control characters become spaces. */
static void
mail_text(struct buf *b, const char *s, size_t max)
{
	size_t	 i;

	for (i = 0; s[i] != '\0' && i < max; i++)
		buf_append(b, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? " " : &s[i], 1);
}

/* A header value: as is in ASCII, RFC 2047 base64 words otherwise. */
static void
mail_header(struct buf *b, const char *name, const char *value)
{
	struct buf	 v;
	const char	*p;
	char		 b64[sodium_base64_ENCODED_LEN(45, sodium_base64_VARIANT_ORIGINAL)];
	size_t		 off, n;
	int		 ascii = 1;

	buf_init(&v);
	mail_text(&v, value, 300);
	for (p = v.data; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	buf_printf(b, "%s: ", name);
	if (ascii)
		buf_puts(b, v.data);
	else
		for (off = 0; off < v.len; off += n) {
			n = v.len - off > 45 ? 45 : v.len - off;
			/* Never split a UTF-8 sequence between two words. */
			while (off + n < v.len && ((unsigned char)v.data[off + n] & 0xc0) == 0x80)
				n--;
			sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)v.data + off, n,
			    sodium_base64_VARIANT_ORIGINAL);
			buf_printf(b, "%s=?UTF-8?B?%s?=", off > 0 ? "\r\n " : "", b64);
		}
	buf_puts(b, "\r\n");
	buf_free(&v);
}

/* The message of claimed row `row`: headers and a plain-text body, CRLF. */
static void
mail_compose(const struct app *app, PGresult *res, int row, struct buf *m)
{
	const struct config	*cfg = &app->cfg;
	const char		*name = db_get(res, row, "name"), *type = db_get(res, row, "type");
	const char		*before = db_get(res, row, "before"), *after = db_get(res, row, "after");
	const char		*team = db_get(res, row, "team"), *at, *domain;
	struct buf		 subject;
	char			 date[64];
	time_t			 now = time(NULL);
	struct tm		 tm;

	buf_init(&subject);
	buf_printf(&subject, "[Tether] %s %s", name, mail_what(type));
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	domain = strchr(cfg->mail_from, '@');
	mail_header(m, "From", cfg->mail_from);
	buf_puts(m, "To: undisclosed-recipients:;\r\n");
	mail_header(m, "Subject", subject.data);
	buf_printf(m, "Date: %s\r\n", date);
	buf_printf(m, "Message-ID: <tether-event-%s@%s>\r\n", db_get(res, row, "event_id"),
	    domain != NULL ? domain + 1 : "tether.invalid");
	buf_puts(m, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n");
	buf_puts(m, "The connection \"");
	mail_text(m, name, 200);
	buf_printf(m, "\" %s.\r\n\r\n", mail_what(type));
	if (*after != '\0') {
		buf_printf(m, "Status: %s", conn_status_label(*before != '\0' ? before : "not_tested"));
		buf_printf(m, " -> %s\r\n", conn_status_label(after));
	}
	if (*(at = db_get(res, row, "tested_at")) != '\0') {
		buf_puts(m, "Last test: ");
		mail_text(m, at, 40);
		buf_puts(m, "\r\n");
	}
	if (*db_get(res, row, "message") != '\0') {
		buf_puts(m, "Result: ");
		mail_text(m, db_get(res, row, "message"), 500);
		buf_puts(m, "\r\n");
	}
	buf_puts(m, "Team: ");
	mail_text(m, team, 200);
	buf_printf(m, "\r\n\r\nOpen it: %s/connections/%s\r\n\r\n-- \r\n", cfg->base_url,
	    db_get(res, row, "connection_id"));
	buf_puts(m, "Tether sends this to the managers of the connection's team");
	buf_puts(m, cfg->mail_notify_admins ? " and to the administrators.\r\n" : ".\r\n");
	buf_free(&subject);
}

/* mail.password_file's first line (malloc'd; secret_free it), or "" when
 * none is configured; NULL when it cannot be read. */
static char *
mail_password(const struct config *cfg)
{
	char	 line[512], *p = NULL;
	FILE	*f;

	if (*cfg->mail_password_file == '\0')
		return xstrdup("");
	if ((f = fopen(cfg->mail_password_file, "r")) == NULL) {
		log_error(NULL, "mail: cannot read mail.password_file");
		return NULL;
	}
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		p = xstrdup(line);
	}
	sodium_memzero(line, sizeof(line));
	fclose(f);
	return p != NULL ? p : xstrdup("");
}

/* The addresses to write to about claimed row `row`: NULL-terminated, into
 * rcpts; their result (db_clear it) or NULL. */
static PGresult *
mail_recipients(const struct actor *a, PGresult *res, int row, const char **rcpts)
{
	const char	*params[2];
	PGresult	*r;
	int		 i;

	params[0] = db_get(res, row, "team_id");
	params[1] = a->app->cfg.mail_notify_admins ? "t" : "f";
	r = db_exec_named(&a->app->db, "mail_recipients",
	    "SELECT DISTINCT u.email FROM users u WHERE NOT u.disabled AND NOT u.is_service"
	    " AND (EXISTS"
	    " (SELECT 1 FROM team_members m WHERE m.user_id = u.id AND m.team_id = $1"
	    " AND m.role = 'manager') OR ($2::boolean AND u.is_admin))"
	    " ORDER BY u.email LIMIT 100", 2, params);
	if (r == NULL)
		return NULL;
	for (i = 0; i < db_rows(r) && i < MAIL_RCPTS_MAX; i++)
		rcpts[i] = db_get(r, i, "email");
	rcpts[i] = NULL;
	return r;
}

static int
mail_record(const struct actor *a, PGresult *res, int row, const char *state, long delay,
    const char *error)
{
	char		 d[24];
	const char	*params[4];
	PGresult	*r;

	snprintf(d, sizeof(d), "%ld", delay);
	params[0] = db_get(res, row, "id"), params[1] = state, params[2] = d;
	params[3] = error;
	r = db_exec_named(&a->app->db, "mail_record",
	    "UPDATE mail_outbox SET state = $2, last_error = left($4, 200),"
	    " next_attempt_at = CASE $2 WHEN 'pending' THEN now() + make_interval(secs => $3)"
	    " ELSE next_attempt_at END, done_at = CASE $2 WHEN 'pending' THEN NULL"
	    " ELSE now() END WHERE id = $1", 4, params);
	if (r == NULL)
		return -1;
	db_clear(r);
	return 0;
}

/* Send claimed row `row`; its new state recorded. */
static int
mail_send_one(const struct actor *a, PGresult *res, int row, const char *password)
{
	const struct config	*cfg = &a->app->cfg;
	const char		*rcpts[MAIL_RCPTS_MAX + 1], *state;
	struct probe_outcome	 o;
	struct buf		 msg;
	char			 why[200];
	PGresult		*r;
	long			 delay = 0;
	int			 rc;

	if ((r = mail_recipients(a, res, row, rcpts)) == NULL)
		return -1;
	if (rcpts[0] == NULL) {
		db_clear(r);
		return mail_record(a, res, row, "skipped", 0, "nobody to write to");
	}
	buf_init(&msg);
	mail_compose(a->app, res, row, &msg);
	probe_outcome_init(&o);
	if (probe_smtp_send(a->app, cfg->mail_smtp_url, cfg->mail_username, password,
	    cfg->mail_from, rcpts, msg.data, &o) == -1)
		o.result = PROBE_PROTOCOL;
	db_clear(r);
	buf_free(&msg);
	probe_result_sentence(o.result, o.http_status, why, sizeof(why));
	if (o.result == PROBE_OK)
		state = "sent", why[0] = '\0';
	else if (atol(db_get(res, row, "age")) + (delay = webhook_retry_delay(
	    atoi(db_get(res, row, "attempts")))) > MAIL_GIVE_UP_S)
		state = "failed";
	else
		state = "pending";
	if (o.result != PROBE_OK)
		log_error(a->request_id, "mail: event %s not sent (%s): %s",
		    db_get(res, row, "event_id"), probe_result_key(o.result), why);
	rc = mail_record(a, res, row, state, delay, why);
	probe_outcome_free(&o);
	return rc;
}

int
mail_send_due(const struct actor *a, int max)
{
	char		 lim[16], lease[24], *password;
	const char	*params[2] = { lim, lease };
	PGresult	*res;
	int		 i, n, rc = 0;

	snprintf(lim, sizeof(lim), "%d", max > 0 ? max : 1);
	if (*a->app->cfg.mail_smtp_url == '\0') {
		res = db_exec_named(&a->app->db, "mail_skip",
		    "WITH due AS (SELECT id FROM mail_outbox WHERE state = 'pending'"
		    " AND next_attempt_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)"
		    " UPDATE mail_outbox m SET state = 'skipped', done_at = now(),"
		    " last_error = 'mail.smtp_url is not set' FROM due WHERE m.id = due.id",
		    1, params);
		if (res == NULL)
			return -1;
		n = atoi(PQcmdTuples(res));
		db_clear(res);
		return n;
	}
	snprintf(lease, sizeof(lease), "%ld", webhook_lease(a->app, max));
	res = db_exec_named(&a->app->db, "mail_claim",
	    "WITH due AS (SELECT id FROM mail_outbox WHERE state = 'pending'"
	    " AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1"
	    " FOR UPDATE SKIP LOCKED)"
	    " UPDATE mail_outbox m SET attempts = m.attempts + 1,"
	    " next_attempt_at = now() + make_interval(secs => $2)"
	    " FROM due, events e WHERE m.id = due.id AND e.id = m.event_id"
	    " RETURNING m.id, m.attempts, extract(epoch FROM now() - m.created_at)::bigint"
	    " AS age, e.id AS event_id, e.type, e.connection_id, e.team_id,"
	    " coalesce(e.payload #>> '{connection,name}', '') AS name,"
	    " coalesce(e.payload #>> '{connection,owner_team,name}', '') AS team,"
	    " coalesce(e.payload #>> '{status,before}', '') AS before,"
	    " coalesce(e.payload #>> '{status,after}', '') AS after,"
	    " coalesce(e.payload #>> '{test,at}', '') AS tested_at,"
	    " coalesce(e.payload #>> '{test,message}', '') AS message", 2, params);
	if (res == NULL)
		return -1;
	n = db_rows(res);
	if (n > 0 && (password = mail_password(&a->app->cfg)) != NULL) {
		for (i = 0; i < n && rc == 0; i++)
			rc = mail_send_one(a, res, i, password);
		secret_free(password);
	}
	/* Without the password, the claimed rows wait for their lease. */
	db_clear(res);
	return rc == -1 ? -1 : n;
}
