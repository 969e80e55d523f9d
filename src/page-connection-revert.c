/*
 * page-connection-revert.c — Revert a connection to an earlier version from
 * its History tab: a confirmation (GET) listing what changes back, then the
 * revert (POST): that version's settings become a new version, audited
 * (connection_revert), then tested. Name, description and the scheduled
 * check stay. The version's sealed secrets come back when they are still
 * kept (sql/015_secret_versions.sql, connections.secret_versions_kept),
 * copied as sealed, never decrypted; when they are not, a version with
 * another destination (an auth_bound field differs) is not reverted — the
 * stored secrets never go to another destination: Edit it and enter them
 * again. The connection mode is one more destination: it comes back with
 * the version (sql/017_version_uplink.sql), unless its uplink was removed
 * since (refused as another destination).
 * Inputs: {id}; GET version; POST csrf, version, current (the version the
 * page showed: optimistic locking), once (the form's one-time token).
 * Statuses: 200, 303 (reverted: to the details page, tested; a second POST
 * of the same form: at once, nothing done), 400 (a crafted field), 403 (not
 * a manager of it), 404 (no such version), 409 (stale: someone saved in
 * between; or another destination; nothing done), 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

struct revert {
	long long	 version;	/* the one to go back to */
	json_t		*to;		/* its settings */
	json_t		*now;		/* the current ones */
	struct buf	 changed;	/* keys that change, comma-separated */
	int		 nchanged;
	int		 bound;		/* an auth_bound field changes */
	int		 kept;		/* its secrets are kept: they come back */
	int		 nsecrets;	/* secret fields that differ (kept only) */
	int64_t		 uplink_id;	/* its connection mode (0: Direct) */
	int		 mode;		/* the connection mode changes */
	int		 mode_gone;	/* its uplink was removed since */
};

/*
 * Whether version v->version's secrets are kept, and which of them differ
 * from the stored ones (Revert.Secrets.N.Label; their keys join
 * v->changed). Compared as sealed bytes: nothing is decrypted.
 */
static int
revert_secrets(struct req *r, const struct conn *c, HDF *proto, const char *version,
    struct revert *v)
{
	char		 cid[24], *keys, *p, *save = NULL;
	const char	*params[2] = { cid, version };
	PGresult	*res;
	int		 i = 0;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	res = db_exec_named(&r->app->db, "revert_secrets",
	    "SELECT EXISTS (SELECT 1 FROM connection_secret_snapshots"
	    "  WHERE connection_id = $1 AND version = $2::int) AS kept,"
	    " COALESCE((SELECT string_agg(f, ',' ORDER BY f) FROM ("
	    "  SELECT COALESCE(s.field, c.field) AS f FROM"
	    "  (SELECT field, ciphertext FROM connection_secret_versions"
	    "   WHERE connection_id = $1 AND version = $2::int) s FULL JOIN"
	    "  (SELECT field, ciphertext FROM connection_secrets WHERE connection_id = $1) c"
	    "  ON c.field = s.field WHERE s.ciphertext IS DISTINCT FROM c.ciphertext) d), '')"
	    " AS differ", 2, params);
	if (res == NULL)
		return -1;
	v->kept = strcmp(db_get(res, 0, "kept"), "t") == 0;
	keys = xstrdup(db_get(res, 0, "differ"));
	db_clear(res);
	for (p = strtok_r(keys, ",", &save); v->kept && p != NULL; p = strtok_r(NULL, ",", &save)) {
		HDF	*f = hdf_get_obj(proto, "Fields");

		f = f != NULL ? hdf_get_obj(f, p) : NULL;
		render_set(render_node(r->hdf, "Revert.Secrets.%d", i++), "Label",
		    f != NULL ? hdf_get_value(f, "label", p) : p);
		buf_printf(&v->changed, "%s%s", v->nchanged + v->nsecrets++ > 0 ? "," : "", p);
	}
	free(keys);
	render_set(r->hdf, "Revert.Kept", v->kept ? "1" : "0");
	render_set_int(r->hdf, "Revert.SecretCount", v->nsecrets);
	return 0;
}

static void
revert_free(struct revert *v)
{
	json_decref(v->to);
	json_decref(v->now);
	buf_free(&v->changed);
}

/* A setting as text for the page ("" when unset). */
static const char *
revert_text(json_t *o, const char *key, char *tmp, size_t len)
{
	json_t	*v = json_object_get(o, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(tmp, len, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	return v == NULL || json_is_null(v) ? "" : json_is_true(v) ? "Yes" :
	    json_is_false(v) ? "No" : "(set)";
}

/* The connection mode changes back (Revert.Changes.N, a destination). */
static void
revert_mode(struct req *r, const struct conn *c, const char *uplink, struct revert *v, int *i)
{
	HDF	*n = render_node(r->hdf, "Revert.Changes.%d", (*i)++);
	char	 from[160], to[160];

	connpage_mode(from, sizeof(from), c->uplink);
	connpage_mode(to, sizeof(to), uplink);
	if (v->mode_gone)
		snprintf(to + strlen(to), sizeof(to) - strlen(to), " (removed)");
	render_set(n, "Label", "Connection mode");
	render_set(n, "From", from);
	render_set(n, "To", to);
	render_set(n, "Bound", "1");
	buf_printf(&v->changed, "%suplink", v->nchanged++ > 0 ? "," : "");
	v->mode = 1;
	v->bound = 1;
}

/*
 * Load version `version` of c and compare it with the current settings,
 * field by field of the definition (Revert.Changes.N.Label|From|To).
 * 0 loaded, 1 no such version (404 sent), -1 on failure.
 */
static int
revert_load(struct req *r, const struct conn *c, const char *version, struct revert *v)
{
	HDF		*proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	HDF		*f;
	char		 cid[24], a[32], b[32];
	const char	*params[2] = { cid, version };
	PGresult	*res;
	int		 i = 0;

	memset(v, 0, sizeof(*v));
	buf_init(&v->changed);
	if (version == NULL || valid_int(version, 1, c->version - 1, &v->version) != NULL) {
		http_error(r, 404, "There is no such earlier version of this connection.");
		return 1;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	res = db_exec_named(&r->app->db, "revert_version",
	    "SELECT settings::text AS settings, COALESCE(uplink_id, 0) AS uplink_id,"
	    " uplink FROM connection_versions"
	    " WHERE connection_id = $1 AND version = $2::int", 2, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) != 1) {
		db_clear(res);
		http_error(r, 404, "There is no such earlier version of this connection.");
		return 1;
	}
	v->to = json_loads(db_get(res, 0, "settings"), 0, NULL);
	v->uplink_id = strtoll(db_get(res, 0, "uplink_id"), NULL, 10);
	v->mode_gone = v->uplink_id == 0 && *db_get(res, 0, "uplink") != '\0';
	if (v->uplink_id != c->uplink_id || v->mode_gone)
		revert_mode(r, c, db_get(res, 0, "uplink"), v, &i);
	db_clear(res);
	v->now = json_loads(c->settings, 0, NULL);
	if (v->to == NULL || v->now == NULL || proto == NULL)
		return -1;
	for (f = hdf_obj_child(hdf_get_obj(proto, "Fields")); f != NULL; f = hdf_obj_next(f)) {
		const char	*key = hdf_obj_name(f);
		json_t		*x = json_object_get(v->now, key), *y = json_object_get(v->to, key);
		HDF		*n;

		if (x == y || (x != NULL && y != NULL && json_equal(x, y)))
			continue;
		if (strcmp(hdf_get_value(f, "type", ""), "secret") == 0)
			continue;	/* never in settings; never shown */
		n = render_node(r->hdf, "Revert.Changes.%d", i++);
		render_set(n, "Label", hdf_get_value(f, "label", key));
		render_set(n, "From", revert_text(v->now, key, a, sizeof(a)));
		render_set(n, "To", revert_text(v->to, key, b, sizeof(b)));
		buf_printf(&v->changed, "%s%s", v->nchanged++ > 0 ? "," : "", key);
		if (hdf_get_int_value(f, "auth_bound", 0)) {
			v->bound = 1;
			render_set(n, "Bound", "1");
		}
	}
	if (revert_secrets(r, c, proto, version, v) == -1)
		return -1;
	render_set_int(r->hdf, "Revert.Version", (int)v->version);
	render_set_int(r->hdf, "Revert.Current", c->version);
	/* Another destination without the secrets it had: not with one click. */
	render_set(r->hdf, "Revert.Bound", (v->bound && !v->kept) || v->mode_gone ? "1" : "0");
	render_set(r->hdf, "Revert.ModeGone", v->mode_gone ? "1" : "0");
	render_set_int(r->hdf, "Revert.Count", v->nchanged + v->nsecrets);
	render_set(r->hdf, "Page.Title", "Revert connection");
	return 0;
}

int
page_connection_revert(struct req *r)
{
	struct conn	*c;
	struct revert	 v;
	int		 rc;

	if (connpage_load(r, PERM_MANAGE, &c))
		return 0;
	connpage_fill(r, c, "history");
	if ((rc = revert_load(r, c, req_param(r, "version"), &v)) == 0)
		rc = http_page(r, 200, "connection-revert.cs");
	revert_free(&v);
	conn_free(c);
	return rc == 1 ? 0 : rc;
}

/* The revert in one transaction: 0 done, 1 stale, -1 failure. */
static int
revert_save(struct req *r, const struct conn *c, struct revert *v, const char *current)
{
	char		 fields[1024], *settings, *details;
	json_t		*d;
	int		 rc = -1, saved;

	snprintf(fields, sizeof(fields), "{%s}", v->changed.data);
	settings = json_dumps(v->to, JSON_COMPACT);
	d = json_pack("{s:I,s:[]}", "to_version", (json_int_t)v->version, "fields");
	{
		char	*p, *save = NULL, *keys = xstrdup(v->changed.data);

		for (p = strtok_r(keys, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
			json_array_append_new(json_object_get(d, "fields"), json_string(p));
		free(keys);
	}
	details = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	if (settings == NULL || details == NULL || db_begin(&r->app->db) == -1)
		goto out;
	if (v->nsecrets > 0) {
		/* The version's secrets, as sealed then (the AEAD binds the
		 * connection, field and key version: still valid); before the
		 * new version, which may let this snapshot go. */
		char		 cid[24], ver[24], uid[24];
		const char	*sp[3] = { cid, ver, uid };
		PGresult	*res;

		snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
		snprintf(ver, sizeof(ver), "%lld", v->version);
		snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
		if ((res = db_exec_named(&r->app->db, "revert_secrets_clear",
		    "DELETE FROM connection_secrets WHERE connection_id = $1", 1, sp)) == NULL)
			goto fail;
		db_clear(res);
		if ((res = db_exec_named(&r->app->db, "revert_secrets_restore",
		    "INSERT INTO connection_secrets (connection_id, field, key_version, nonce,"
		    " ciphertext, expires_on, updated_at, updated_by) SELECT connection_id, field,"
		    " key_version, nonce, ciphertext, expires_on, now(), $3"
		    " FROM connection_secret_versions WHERE connection_id = $1 AND version = $2::int",
		    3, sp)) == NULL)
			goto fail;
		db_clear(res);
	}
	/* The mode first: the new version records the row's (017_version_uplink). */
	if (v->mode && conn_set_uplink(&r->actor, c->id, v->uplink_id) == -1)
		goto fail;
	/* Name, description and the scheduled check stay as they are. */
	if ((saved = connpage_save_version(r, c, current, c->name, c->description, settings,
	    c->check_interval, fields)) == -1)
		goto fail;
	if (saved == 0) {
		db_rollback(&r->app->db);
		rc = 1;
		goto out;
	}
	rc = audit_add(&r->actor, "connection", c->id, c->name, "connection_revert", "success",
	    details) == -1 || event_connection(&r->actor, EVENT_UPDATED, c->id, NULL) == -1 ||
	    db_commit(&r->app->db) == -1 ? -1 : 0;
fail:
	if (rc == -1)
		db_rollback(&r->app->db);
out:
	free(settings);
	free(details);
	return rc;
}

int
page_connection_revert_post(struct req *r)
{
	struct conn	*c;
	struct revert	 v;
	const char	*current = req_param(r, "current"), *once = req_param(r, "once");
	char		 loc[48], msg[200];
	long long	 cur;
	int		 rc;

	if (connpage_load(r, PERM_MANAGE, &c))
		return 0;
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	if (current == NULL || valid_int(current, 1, 2147483647, &cur) != NULL ||
	    (once != NULL && !once_shape_ok(once))) {
		r->log_note = "bad revert form";
		http_error(r, 400, NULL);
		conn_free(c);
		return 0;
	}
	connpage_fill(r, c, "history");
	if ((rc = revert_load(r, c, req_param(r, "version"), &v)) != 0)
		goto out;
	if (once != NULL && (rc = once_take(&r->actor, once)) != 1) {
		if (rc == 0) {
			http_flash_next(r, "info", "This revert was already sent by your first "
			    "click; it was not done again.");
			http_redirect(r, loc);
		}
		goto out;
	}
	if (cur != c->version) {
		render_set(r->hdf, "Revert.Stale", "1");
		r->log_note = "stale revert";
		rc = http_page(r, 409, "connection-revert.cs");
		goto out;
	}
	if ((v.bound && !v.kept) || v.mode_gone) {
		r->log_note = "revert to another destination";
		rc = http_page(r, 409, "connection-revert.cs");
		goto out;
	}
	if (v.nchanged + v.nsecrets == 0) {
		http_flash_next(r, "info", "Version settings are the same as the current "
		    "ones, so nothing was changed.");
		http_redirect(r, loc);
		rc = 0;
		goto out;
	}
	if ((rc = revert_save(r, c, &v, current)) == 1) {
		render_set(r->hdf, "Revert.Stale", "1");
		rc = http_page(r, 409, "connection-revert.cs");
		goto out;
	}
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "Reverted to the settings of version %lld (saved "
		    "as version %d).", v.version, c->version + 1);
		rc = connpage_test_and_show(r, c->id, "edit", msg);
	}
out:
	revert_free(&v);
	conn_free(c);
	return rc == 1 ? 0 : rc;
}
