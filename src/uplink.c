/*
 * uplink.c — uplinks: the named HTTP proxies into customers' private
 * networks that Uplinked connections go through. Each carries its own
 * allowlist (what its proxy address may be: the app's outbound policy does
 * not reach private ranges, an uplink is the explicit exception), the
 * addresses its traffic leaves from (egress, for the customer's firewall)
 * and an optional probe, host:port, that its Test asks the proxy to reach.
 * tetherctl uplink (ctl-uplink.c) and /uplinks (page-uplinks.c) both come
 * here; every change and Test is audited (object type "uplink"; the proxy
 * address is not in the details: it may carry a user name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"

#define UPLINK_PROBE_MAX	260
/* No probe declared: a name that exists nowhere (RFC 6761), so a proxy
 * that answers CONNECT at all shows it is there and speaks HTTP. */
#define UPLINK_NOWHERE		"uplink-check.invalid"

const char *
uplink_egress_check(const char *list, char *err, size_t errlen)
{
	struct netpolicy np;
	char		 one[64], why[160];
	const char	*p;
	size_t		 len;

	if (strlen(list) > UPLINK_LIST_MAX) {
		snprintf(err, errlen, "Use at most %d characters.", UPLINK_LIST_MAX);
		return err;
	}
	for (p = list; *p != '\0'; p += len) {
		p += strspn(p, ", \t");
		if ((len = strcspn(p, ", \t")) == 0)
			continue;
		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		if (len >= sizeof(one) || netpolicy_parse(&np, one, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "\"%.40s\" is not an IPv4 or IPv6 address or "
			    "range: write them like 203.0.113.7, 198.51.100.0/28.", one);
			return err;
		}
		netpolicy_free(&np);
	}
	return NULL;
}

/* "" or host:port, host a DNS name or dotted quad; *port set. */
static const char *
uplink_probe_split(const char *probe, char *host, size_t hostlen, int *port)
{
	const char	*colon;
	long long	 n;

	if (strlen(probe) > UPLINK_PROBE_MAX || (colon = strrchr(probe, ':')) == NULL ||
	    (size_t)(colon - probe) >= hostlen)
		return "Write it as host:port, like jira.corp.example:443.";
	snprintf(host, hostlen, "%.*s", (int)(colon - probe), probe);
	/* What url_build takes: a DNS name or a dotted quad. */
	if (!url_ipv4(host, strlen(host)) && valid_hostname(host) != NULL)
		return "Write it as host:port, like jira.corp.example:443 (a host name or IPv4 "
		    "address).";
	if (valid_int(colon + 1, 1, 65535, &n) != NULL)
		return "The port is a number from 1 to 65535.";
	*port = (int)n;
	return NULL;
}

int
uplink_check(const struct uplink_in *in, struct uplink_errors *e)
{
	struct netpolicy np;
	struct url	 u;
	char		 host[256];
	int		 port, n = 0;

	memset(e, 0, sizeof(*e));
	if (in->name == NULL || *in->name == '\0')
		e->name = "Enter a name, like the site or network it reaches.";
	else
		e->name = valid_name(in->name, UPLINK_NAME_MAX);
	if (in->proxy_url == NULL || *in->proxy_url == '\0')
		e->proxy_url = "Enter the proxy's address, like http://10.1.2.3:3128.";
	else if ((e->proxy_url = valid_url(in->proxy_url, 1)) == NULL) {
		/* The parser every proxy goes through before curl sees it. */
		if (url_parse(&u, in->proxy_url, URL_HTTP) != URL_OK)
			e->proxy_url = "Enter an http:// or https:// address with a host "
			    "and port only, like http://10.1.2.3:3128.";
		url_free(&u);
	}
	if (in->allow == NULL)
		e->allow = "Enter the allowlist (it may be empty).";
	else if (strlen(in->allow) > UPLINK_LIST_MAX) {
		snprintf(e->allow_buf, sizeof(e->allow_buf), "Use at most %d characters.",
		    UPLINK_LIST_MAX);
		e->allow = e->allow_buf;
	} else if (netpolicy_parse(&np, in->allow, e->allow_buf, sizeof(e->allow_buf)) == -1)
		e->allow = e->allow_buf;
	else
		netpolicy_free(&np);
	if (in->egress == NULL)
		e->egress = "Enter the egress addresses (they may be empty).";
	else
		e->egress = uplink_egress_check(in->egress, e->egress_buf, sizeof(e->egress_buf));
	if (in->probe != NULL && *in->probe != '\0')
		e->probe = uplink_probe_split(in->probe, host, sizeof(host), &port);
	n += e->name != NULL;
	n += e->proxy_url != NULL;
	n += e->allow != NULL;
	n += e->egress != NULL;
	n += e->probe != NULL;
	return n;
}

/* Audit details: what changed, never the proxy address (it may carry a
 * user name). The caller frees. */
static char *
uplink_details(const struct uplink_in *in)
{
	json_t	*j;
	char	*s;

	j = json_pack("{s:s, s:s, s:s}", "allow", in->allow, "egress", in->egress,
	    "probe", in->probe != NULL ? in->probe : "");
	s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

static void
uplink_label(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "Uplink %s", name);
}

int
uplink_create(const struct actor *a, const struct uplink_in *in, int64_t *id)
{
	const char	*params[5] = { in->name, in->proxy_url, in->allow, in->egress,
			    in->probe != NULL ? in->probe : "" };
	char		 label[160], *details = NULL;
	PGresult	*res;
	int		 rc = -1;

	if (db_begin(&a->app->db) == -1)
		return -1;
	res = db_exec_named(&a->app->db, "uplink_create",
	    "INSERT INTO uplinks (name, proxy_url, allow, egress, probe)"
	    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING id",
	    5, params);
	if (res == NULL)
		goto fail;
	if (db_rows(res) == 0) {
		db_clear(res);
		db_rollback(&a->app->db);
		return UPLINK_TAKEN;
	}
	*id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	uplink_label(label, sizeof(label), in->name);
	if ((details = uplink_details(in)) == NULL ||
	    audit_add(a, "uplink", *id, label, "uplink_create", "success", details) == -1 ||
	    db_commit(&a->app->db) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(&a->app->db);
out:
	free(details);
	return rc;
}

int
uplink_update(const struct actor *a, int64_t id, const struct uplink_in *in)
{
	char		 idbuf[24], label[160], *details;
	const char	*params[6] = { idbuf, in->name, in->proxy_url, in->allow, in->egress,
			    in->probe != NULL ? in->probe : "" };
	PGresult	*res;
	int		 rc;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	res = db_exec_named(&a->app->db, "uplink_name_taken",
	    "SELECT 1 FROM uplinks WHERE name = $2 AND id <> $1", 2, params);
	if (res == NULL)
		return -1;
	rc = db_rows(res);
	db_clear(res);
	if (rc > 0)
		return UPLINK_TAKEN;
	if ((details = uplink_details(in)) == NULL)
		return -1;
	uplink_label(label, sizeof(label), in->name);
	rc = audit_change(a, AUDIT_AFTER, "uplink_update",
	    "UPDATE uplinks SET name = $2, proxy_url = $3, allow = $4, egress = $5,"
	    " probe = $6, updated_at = now() WHERE id = $1", 6, params, "uplink", id, label,
	    "uplink_update", details);
	/* A rename racing another: the unique name decides. */
	if (rc == -1 && db_failed_with(&a->app->db, "23505"))
		rc = UPLINK_TAKEN;
	free(details);
	return rc;
}

int
uplink_remove(const struct actor *a, int64_t id)
{
	char		 idbuf[24], label[160];
	const char	*params[1] = { idbuf };
	PGresult	*res;
	int		 rc;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	res = db_exec_named(&a->app->db, "uplink_in_use",
	    "SELECT u.name, EXISTS (SELECT 1 FROM connections c WHERE c.uplink_id = u.id)::int"
	    " AS used FROM uplinks u WHERE u.id = $1", 1, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 0) {
		db_clear(res);
		return 1;
	}
	rc = strcmp(db_get(res, 0, "used"), "1") == 0;
	uplink_label(label, sizeof(label), db_get(res, 0, "name"));
	db_clear(res);
	if (rc)
		return UPLINK_IN_USE;
	/* One made Uplinked since: the foreign key refuses. */
	rc = audit_change(a, AUDIT_AFTER, "uplink_remove", "DELETE FROM uplinks WHERE id = $1",
	    1, params, "uplink", id, label, "uplink_remove", NULL);
	if (rc == -1 && db_failed_with(&a->app->db, "23503"))
		rc = UPLINK_IN_USE;
	return rc;
}

int64_t
uplink_id(struct app *app, const char *name)
{
	const char	*params[1] = { name };
	PGresult	*res;
	int64_t		 id;

	if ((res = db_exec_named(&app->db, "uplink_id", "SELECT id FROM uplinks WHERE name = $1",
	    1, params)) == NULL)
		return -1;
	id = db_rows(res) == 1 ? strtoll(db_get(res, 0, "id"), NULL, 10) : 0;
	db_clear(res);
	return id;
}

int
uplink_egress(struct app *app, int64_t id, char **out)
{
	char		 idbuf[24];
	const char	*params[1] = { idbuf };
	PGresult	*res;
	int		 rc;

	*out = NULL;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	if ((res = db_exec_named(&app->db, "uplink_egress",
	    "SELECT egress FROM uplinks WHERE id = $1", 1, params)) == NULL)
		return -1;
	rc = db_rows(res) == 1 && *db_get(res, 0, "egress") != '\0' ? 0 : 1;
	if (rc == 0)
		*out = xstrdup(db_get(res, 0, "egress"));
	db_clear(res);
	return rc;
}

/* The sentence for a Test's outcome. */
static void
uplink_test_sentence(const struct probe_outcome *o, const char *probe, char *msg,
    size_t msglen)
{
	switch (o->result) {
	case PROBE_OK:
		snprintf(msg, msglen, "The proxy opened a tunnel to %s (%ld ms).", probe,
		    o->latency_ms);
		break;
	case PROBE_UNEXPECTED_STATUS:
		if (*probe == '\0')
			snprintf(msg, msglen, "The proxy answered (HTTP %ld to a CONNECT for a "
			    "name that exists nowhere, %ld ms). Declare a probe to check a host "
			    "behind it.", o->http_status, o->latency_ms);
		else
			snprintf(msg, msglen, "The proxy answered HTTP %ld: it would not open a "
			    "tunnel to %s.", o->http_status, probe);
		break;
	case PROBE_POLICY:
		snprintf(msg, msglen, "Refused by this uplink's allowlist: it does not "
		    "include the proxy's address. Add that address (or its range) to the "
		    "allowlist.");
		break;
	case PROBE_UNREACHABLE:
		snprintf(msg, msglen, "Nothing answered at the proxy's address (connection "
		    "refused or closed).");
		break;
	case PROBE_TIMEOUT:
		snprintf(msg, msglen, "The proxy did not answer in time (%ld ms).",
		    o->latency_ms);
		break;
	case PROBE_DNS:
		snprintf(msg, msglen, "The proxy's host name does not resolve.");
		break;
	default:
		probe_result_sentence(o->result, o->http_status, msg, msglen);
		break;
	}
}

int
uplink_test(const struct actor *a, int64_t id, struct probe_outcome *o, int *reached,
    char *msg, size_t msglen)
{
	struct netpolicy np;
	char		 idbuf[24], label[160], host[256], why[200], *details = NULL;
	const char	*params[1] = { idbuf };
	PGresult	*res;
	json_t		*j;
	int		 port = 443, rc = -1, passed;

	*reached = 0;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	if ((res = db_exec_named(&a->app->db, "uplink_test_get",
	    "SELECT name, coalesce(proxy_url, '') AS proxy_url, allow, probe FROM uplinks"
	    " WHERE id = $1", 1, params)) == NULL)
		return -1;
	if (db_rows(res) == 0) {
		db_clear(res);
		return 1;
	}
	uplink_label(label, sizeof(label), db_get(res, 0, "name"));
	snprintf(host, sizeof(host), "%s", UPLINK_NOWHERE);
	if (*db_get(res, 0, "probe") != '\0' && uplink_probe_split(db_get(res, 0, "probe"),
	    host, sizeof(host), &port) != NULL) {
		o->result = PROBE_POLICY;	/* stored past the checks */
	} else if (netpolicy_parse(&np, db_get(res, 0, "allow"), why, sizeof(why)) == -1) {
		o->result = PROBE_POLICY;
	} else {
		rc = probe_tunnel(a->app, db_get(res, 0, "proxy_url"), &np, host, port, o);
		netpolicy_free(&np);
		if (rc == -1)
			goto out;
	}
	uplink_test_sentence(o, db_get(res, 0, "probe"), msg, msglen);
	/* Without a probe, any HTTP answer to CONNECT shows the proxy is there. */
	*reached = passed = o->result == PROBE_OK || (*db_get(res, 0, "probe") == '\0' &&
	    o->result == PROBE_UNEXPECTED_STATUS);
	j = json_pack("{s:s, s:I, s:I, s:b}", "result", probe_result_key(o->result),
	    "proxy_status", (json_int_t)o->http_status, "latency_ms",
	    (json_int_t)o->latency_ms, "reached", passed);
	details = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	rc = details != NULL && audit_add(a, "uplink", id, label, "uplink_test",
	    passed ? "success" : "failure", details) == 0 ? 0 : -1;
out:
	free(details);
	db_clear(res);
	return rc;
}
