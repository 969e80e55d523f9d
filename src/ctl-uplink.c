/*
 * ctl-uplink.c — tetherctl uplink: the named HTTP proxies into customers'
 * private networks that Uplinked connections go through. Each has its own
 * allowlist: what its proxy address may be (the app's outbound policy does
 * not reach private ranges; an uplink is the explicit exception).
 *   uplink add NAME PROXY_URL [ALLOW]   uplink list   uplink remove NAME
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

int
ctl_uplink(struct db *db, int argc, char **argv)
{
	struct netpolicy np;
	PGresult	*res;
	const char	*params[3], *why;
	char		 err[256];
	int		 i;

	if (argc >= 3 && argc <= 4 && strcmp(argv[0], "add") == 0) {
		if ((why = valid_name(argv[1], 120)) != NULL ||
		    (why = valid_url(argv[2], 1)) != NULL) {
			fprintf(stderr, "tetherctl: %s\n", why);
			return 1;
		}
		if (netpolicy_parse(&np, argc == 4 ? argv[3] : "", err, sizeof(err)) == -1) {
			fprintf(stderr, "tetherctl: allow: %s\n", err);
			return 1;
		}
		netpolicy_free(&np);
		params[0] = argv[1], params[1] = argv[2], params[2] = argc == 4 ? argv[3] : "";
		res = db_exec_params(db, "INSERT INTO uplinks (name, proxy_url, allow)"
		    " VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET proxy_url = $2,"
		    " allow = $3 RETURNING id", 3, params);
		if (res == NULL)
			return 1;
		printf("%s\n", db_get(res, 0, "id"));
		db_clear(res);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		res = db_exec_params(db, "SELECT id, name, proxy_url, allow FROM uplinks"
		    " ORDER BY lower(name)", 0, NULL);
		if (res == NULL)
			return 1;
		for (i = 0; i < db_rows(res); i++)
			printf("%s\t%s\t%s\t%s\n", db_get(res, i, "id"), db_get(res, i, "name"),
			    db_get(res, i, "proxy_url"), db_get(res, i, "allow"));
		db_clear(res);
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "remove") == 0) {
		params[0] = argv[1];
		/* Connections on it keep the foreign key: refused while any uses it. */
		res = db_exec_params(db, "DELETE FROM uplinks WHERE name = $1", 1, params);
		if (res == NULL) {
			fprintf(stderr, "tetherctl: connections use uplink %s\n", argv[1]);
			return 1;
		}
		i = strcmp(PQcmdTuples(res), "1") == 0;
		db_clear(res);
		if (!i)
			fprintf(stderr, "tetherctl: no such uplink: %s\n", argv[1]);
		return i ? 0 : 1;
	}
	fprintf(stderr, "usage: tetherctl -c config uplink add NAME PROXY_URL [ALLOW] | "
	    "list | remove NAME\n");
	return 2;
}
