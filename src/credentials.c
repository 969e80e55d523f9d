/*
 * credentials.c — a connection's credentials for the automation engine
 * (issue 14 §1). The engine asks for one flow's use; the answer is what the
 * flow needs to call the system (tester_credentials builds it the way the
 * connection's test authenticates), or a refusal:
 *
 *   - the principal (the token's user or service account) may use the
 *     connection (PERM_USE: a viewer may not);
 *   - the flow is registered as using it (flow_connections);
 *   - a per-user connection is used as one named user, who may use it too
 *     and has connected their own account; a shared one as nobody;
 *   - its last test passed (ok; not_testable: Tether cannot test it from
 *     here), unless the caller bypasses that check.
 *
 * Every ask, issued or denied, is a row of credential_uses and an audit
 * entry (credential_read) naming the flow, the token and the reason —
 * never a value.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"

/* Record the ask; in one transaction with its audit entry. 0 or -1. */
static int
credential_record(const struct actor *a, const struct conn *c, const struct credential_ask *q,
    const char *outcome, const char *reason)
{
	char		 cid[24], fid[24], pid[24], uid[24], tid[24], details[256];
	const char	*params[8];
	unsigned char	 ip[16];
	PGresult	*res;
	int		 v6;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(fid, sizeof(fid), "%lld", (long long)q->flow_id);
	snprintf(pid, sizeof(pid), "%lld", (long long)a->user_id);
	snprintf(uid, sizeof(uid), "%lld", (long long)q->as_user);
	snprintf(tid, sizeof(tid), "%lld", (long long)q->token_id);
	v6 = strchr(a->client_addr, ':') != NULL;
	params[0] = cid;
	params[1] = q->flow_id > 0 ? fid : NULL;
	params[2] = a->user_id > 0 ? pid : NULL;
	params[3] = q->as_user > 0 ? uid : NULL;
	params[4] = q->token_id > 0 ? tid : NULL;
	params[5] = inet_pton(v6 ? AF_INET6 : AF_INET, a->client_addr, ip) == 1 ?
	    a->client_addr : NULL;
	params[6] = outcome;
	params[7] = reason;
	if (db_begin(&a->app->db) == -1)
		return -1;
	/* A flow id that names no flow is recorded without it (the FK). */
	res = db_exec_named(&a->app->db, "credential_use",
	    "INSERT INTO credential_uses (connection_id, flow_id, principal_id, as_user_id,"
	    " token_id, client_addr, outcome, reason) SELECT $1,"
	    " (SELECT id FROM flows WHERE id = $2::bigint), $3, $4, $5, $6::inet, $7, $8",
	    8, params);
	if (res == NULL) {
		db_rollback(&a->app->db);
		return -1;
	}
	db_clear(res);
	snprintf(details, sizeof(details), "{\"flow_id\":%lld,\"token_id\":%lld,"
	    "\"as_user\":%lld,\"reason\":\"%s\",\"bypass\":%s}", (long long)q->flow_id,
	    (long long)q->token_id, (long long)q->as_user, reason, q->bypass ? "true" : "false");
	if (audit_add(a, "connection", c->id, c->name, "credential_read",
	    strcmp(outcome, "issued") == 0 ? "success" : "denied", details) == -1 ||
	    db_commit(&a->app->db) == -1) {
		db_rollback(&a->app->db);
		return -1;
	}
	return 0;
}

/* The named user as an actor (to load their view and their own secrets);
 * 0, 1 when there is no such enabled user, -1. */
static int
credential_user(const struct actor *a, int64_t user_id, struct actor *u, char **email)
{
	char		 uid[24];
	const char	*params[1] = { uid };
	PGresult	*res;

	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	if ((res = db_exec_named(&a->app->db, "credential_user", "SELECT email, is_admin"
	    " FROM users WHERE id = $1 AND NOT disabled AND NOT is_service", 1, params)) == NULL)
		return -1;
	if (db_rows(res) != 1) {
		db_clear(res);
		return 1;
	}
	*u = *a;
	u->user_id = user_id;
	u->is_admin = strcmp(db_get(res, 0, "is_admin"), "t") == 0;
	*email = xstrdup(db_get(res, 0, "email"));
	u->email = *email;
	db_clear(res);
	return 0;
}

/* 1 when the flow is registered as using the connection; -1. */
static int
credential_flow_uses(const struct actor *a, int64_t flow_id, int64_t conn_id)
{
	char		 fid[24], cid[24];
	const char	*params[2] = { fid, cid };
	PGresult	*res;
	int		 yes;

	snprintf(fid, sizeof(fid), "%lld", (long long)flow_id);
	snprintf(cid, sizeof(cid), "%lld", (long long)conn_id);
	if ((res = db_exec_named(&a->app->db, "credential_flow", "SELECT 1 FROM"
	    " flow_connections WHERE flow_id = $1 AND connection_id = $2", 2, params)) == NULL)
		return -1;
	yes = db_rows(res) == 1;
	db_clear(res);
	return yes;
}

/* The access token's expiry after any refresh, "YYYY-MM-DDTHH:MI:SSZ" or "". */
static void
credential_token_expiry(const struct actor *a, int64_t conn_id, int64_t owner, json_t *j)
{
	char		 cid[24], uid[24];
	const char	*params[2] = { cid, uid };
	PGresult	*res;

	snprintf(cid, sizeof(cid), "%lld", (long long)conn_id);
	snprintf(uid, sizeof(uid), "%lld", (long long)owner);
	res = db_exec_named(&a->app->db, "credential_token_expiry",
	    "SELECT to_char(CASE WHEN $2::bigint > 0 THEN (SELECT s.token_expires_at FROM"
	    " user_connection_states s WHERE s.connection_id = $1 AND s.user_id = $2)"
	    " ELSE (SELECT c.token_expires_at FROM connections c WHERE c.id = $1) END"
	    " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at", 2, params);
	if (res != NULL && db_rows(res) == 1 && !db_isnull(res, 0, "at"))
		json_object_set_new(j, "expires_at", json_string(db_get(res, 0, "at")));
	else
		json_object_set_new(j, "expires_at", json_null());
	db_clear(res);
}

/* A refusal: recorded and audited, then said in `why`. */
static int
credential_refuse(const struct actor *a, const struct conn *c, const struct credential_ask *q,
    int code, const char *reason, char *why, size_t whylen, const char *sentence)
{
	snprintf(why, whylen, "%s", sentence);
	return credential_record(a, c, q, "denied", reason) == -1 ? -1 : code;
}

int
credential_issue(const struct actor *a, int64_t id, const struct credential_ask *q,
    json_t **out, char *why, size_t whylen)
{
	struct conn	*c, *cu = NULL;
	struct actor	 u;
	char		*email = NULL, sentence[256];
	const char	*status;
	int		 dberr = 0, rc = -1, per_user, oauth = 0, k;

	*out = NULL;
	*why = '\0';
	if ((c = conn_get(a, id, &dberr)) == NULL)
		return dberr ? -1 : CRED_NOT_FOUND;
	per_user = strcmp(c->context, "per_user") == 0;
	if (c->perm < PERM_USE) {
		rc = credential_refuse(a, c, q, CRED_FORBIDDEN, "role", why, whylen,
		    "This token's user may only view this connection, not use it.");
		goto out;
	}
	if ((k = credential_flow_uses(a, q->flow_id, c->id)) != 1) {
		rc = k == -1 ? -1 : credential_refuse(a, c, q, CRED_FLOW, "flow", why, whylen,
		    "That flow is not registered as using this connection.");
		goto out;
	}
	if (per_user && q->as_user <= 0) {
		rc = credential_refuse(a, c, q, CRED_USER, "user_missing", why, whylen,
		    "Each user of this connection has credentials of their own: name the user"
		    " the flow acts as (user_id).");
		goto out;
	}
	if (!per_user && q->as_user > 0) {
		rc = credential_refuse(a, c, q, CRED_USER, "user_shared", why, whylen,
		    "This connection's credentials are shared: do not name a user.");
		goto out;
	}
	status = c->status;
	if (per_user) {
		/* The user must be able to use it too, and their own state counts. */
		if ((k = credential_user(a, q->as_user, &u, &email)) == -1)
			goto out;
		if (k == 0 && (cu = conn_get(&u, id, &dberr)) == NULL && dberr)
			goto out;
		if (k == 1 || cu == NULL || cu->perm < PERM_USE) {
			rc = credential_refuse(a, c, q, CRED_USER, "user_not_allowed", why, whylen,
			    "That user may not use this connection.");
			goto out;
		}
		status = conn_status_seen(cu);
	}
	if (!q->bypass && strcmp(status, "ok") != 0 && strcmp(status, "not_testable") != 0) {
		snprintf(sentence, sizeof(sentence), "The connection is %s: its last test did not"
		    " pass, so its credentials are not handed out. Send \"bypass_status\": true"
		    " to use them anyway.", conn_status_label(status));
		rc = credential_refuse(a, c, q, CRED_NOT_READY, "status", why, whylen, sentence);
		goto out;
	}
	k = tester_credentials(per_user ? &u : a, per_user ? cu : c, per_user ? q->as_user : 0,
	    out, &oauth);
	if (k == -1)
		goto out;
	if (k == PROBE_BUSY) {
		/* Another refresh of the same token holds the lock: ask again. */
		rc = CRED_BUSY;
		goto out;
	}
	if (k != 0) {
		probe_result_sentence((enum probe_result)k, 0, sentence, sizeof(sentence));
		rc = credential_refuse(a, c, q, CRED_NONE, probe_result_key((enum probe_result)k),
		    why, whylen, sentence);
		goto out;
	}
	if (oauth)
		credential_token_expiry(a, c->id, per_user ? q->as_user : 0, *out);
	json_object_set_new(*out, "connection_id", json_integer(c->id));
	json_object_set_new(*out, "flow_id", json_integer(q->flow_id));
	if (credential_record(a, c, q, "issued", "") == -1)
		goto out;
	rc = CRED_OK;
out:
	if (rc != CRED_OK) {
		credentials_json_free(*out);
		*out = NULL;
	}
	conn_free(c);
	conn_free(cu);
	free(email);
	return rc;
}
