/*
 * probe-pg.c — the test of a PostgreSQL connection (issue 16 §1), through
 * libpq and the outbound policy: the host name is resolved here, its
 * address checked against the network policy before any packet, and libpq
 * connects to that checked address (hostaddr=) while host= keeps the name
 * for TLS verification, so a DNS answer that changes cannot slip past.
 * Then SELECT 1 under a short statement timeout. Nothing from the
 * environment (PGHOST, PGPASSFILE, a service file) is used; the password is
 * never logged; libpq's messages only choose the result.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "tether.h"

#define PG_CA_DEFAULT	"/etc/ssl/certs/ca-certificates.crt"

/* The result libpq's connection failure `msg` says. */
static enum probe_result
pg_classify(const char *msg)
{
	if (strstr(msg, "password authentication failed") != NULL ||
	    strstr(msg, "no password supplied") != NULL ||
	    (strstr(msg, "role \"") != NULL && strstr(msg, "does not exist") != NULL) ||
	    strstr(msg, "pg_hba.conf") != NULL)
		return PROBE_BAD_CREDENTIALS;
	if (strstr(msg, "database \"") != NULL && strstr(msg, "does not exist") != NULL)
		return PROBE_NO_DATABASE;
	if (strstr(msg, "timeout expired") != NULL)
		return PROBE_TIMEOUT;
	if (strstr(msg, "server does not support SSL") != NULL)
		return PROBE_NO_TLS;
	if (strstr(msg, "SSL") != NULL || strstr(msg, "certificate") != NULL ||
	    strstr(msg, "root certificate") != NULL)
		return PROBE_TLS;
	if (strstr(msg, "Connection refused") != NULL ||
	    strstr(msg, "could not connect") != NULL ||
	    strstr(msg, "server closed the connection") != NULL ||
	    strstr(msg, "No route to host") != NULL)
		return PROBE_UNREACHABLE;
	return PROBE_PROTOCOL;
}

/* The first address of host:port, checked by the policy: 0, or a result. */
static enum probe_result
pg_address(const struct app *app, const char *host, int port, char *addr, size_t len)
{
	struct addrinfo	 hints, *res = NULL;
	char		 svc[8];
	enum probe_result r = PROBE_OK;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(svc, sizeof(svc), "%d", port);
	if (getaddrinfo(host, svc, &hints, &res) != 0 || res == NULL)
		return PROBE_DNS;
	if (!netpolicy_permits(&app->netpolicy, res->ai_addr))
		r = PROBE_POLICY;
	else if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, (socklen_t)len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		r = PROBE_DNS;
	freeaddrinfo(res);
	return r;
}

int
probe_postgres(const struct app *app, const struct probe_pg *q, struct probe_outcome *o)
{
	const char	*kw[16], *val[16];
	char		 addr[NI_MAXHOST], port[8], timeout[8];
	const char	*ca = *app->cfg.outbound_ca_bundle != '\0' ?
			    app->cfg.outbound_ca_bundle : PG_CA_DEFAULT;
	struct timespec	 t0, t1;
	PGconn		*pg;
	PGresult	*res;
	char		 sslmode[16];
	int		 n = 0, secs;

	if (q->host == NULL || q->database == NULL || q->user == NULL ||
	    q->password == NULL || q->sslmode == NULL || q->port < 1 || q->port > 65535) {
		o->result = PROBE_CREDENTIALS_MISSING;
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((o->result = pg_address(app, q->host, q->port, addr, sizeof(addr))) != PROBE_OK)
		return 0;
	snprintf(port, sizeof(port), "%d", q->port);
	/* libpq counts whole seconds, at least 2. */
	secs = (app->cfg.outbound_connect_timeout_ms + 999) / 1000;
	snprintf(timeout, sizeof(timeout), "%d", secs < 2 ? 2 : secs);
	kw[n] = "host", val[n++] = q->host;
	kw[n] = "hostaddr", val[n++] = addr;
	kw[n] = "port", val[n++] = port;
	kw[n] = "dbname", val[n++] = q->database;
	kw[n] = "user", val[n++] = q->user;
	kw[n] = "password", val[n++] = q->password;
	/* The connector's option names take "_" where libpq's take "-". */
	if (strcmp(q->sslmode, "verify_full") == 0 || strcmp(q->sslmode, "verify_ca") == 0)
		snprintf(sslmode, sizeof(sslmode), "verify-%s", q->sslmode + 7);
	else if (strcmp(q->sslmode, "require") == 0 || strcmp(q->sslmode, "disable") == 0)
		snprintf(sslmode, sizeof(sslmode), "%s", q->sslmode);
	else {
		o->result = PROBE_UNSUPPORTED;
		return 0;
	}
	kw[n] = "sslmode", val[n++] = sslmode;
	/* Only to verify: with a root certificate given, libpq verifies even
	 * under require (as verify-ca). */
	if (strncmp(sslmode, "verify-", 7) == 0)
		kw[n] = "sslrootcert", val[n++] = ca;
	kw[n] = "gssencmode", val[n++] = "disable";
	kw[n] = "passfile", val[n++] = "/dev/null";
	kw[n] = "connect_timeout", val[n++] = timeout;
	kw[n] = "application_name", val[n++] = "tether-test";
	kw[n] = "options", val[n++] = "-c statement_timeout=5000";
	kw[n] = NULL, val[n] = NULL;
	/* expand_dbname 0: a database name is never read as a connection string. */
	pg = PQconnectdbParams(kw, val, 0);
	if (pg == NULL) {
		o->result = PROBE_PROTOCOL;
		return 0;
	}
	if (PQstatus(pg) != CONNECTION_OK)
		o->result = pg_classify(PQerrorMessage(pg));
	else if ((res = PQexec(pg, "SELECT 1")) != NULL &&
	    PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		o->result = PROBE_OK;
		PQclear(res);
	} else {
		o->result = PROBE_PROTOCOL;
		PQclear(res);
	}
	PQfinish(pg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o->latency_ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	return 0;
}
