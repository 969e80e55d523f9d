/*
 * ctl-uplink.c — tetherctl uplink: the uplinks of uplink.c from the shell.
 *   uplink add NAME PROXY_URL [ALLOW] [--egress LIST] [--probe HOST:PORT]
 *       creates NAME, or changes it when it exists (prints its id)
 *   uplink list (id, name, proxy, allowlist, egress, probe)
 *   uplink remove NAME (refused while connections use it)
 *   uplink test NAME (reach the proxy; 0 when it answered as it should)
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

static int
ctl_uplink_add(const struct actor *a, int argc, char **argv)
{
	struct uplink_in	 in = { argv[0], argv[1], "", "", "" };
	struct uplink_errors	 e;
	int64_t			 id;
	int			 i, rc;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--egress") == 0 && i + 1 < argc)
			in.egress = argv[++i];
		else if (strcmp(argv[i], "--probe") == 0 && i + 1 < argc)
			in.probe = argv[++i];
		else if (i == 2 && argv[i][0] != '-')
			in.allow = argv[i];
		else
			return 2;
	}
	if (uplink_check(&in, &e) > 0) {
		const char	*why[] = { e.name, e.proxy_url, e.allow, e.egress, e.probe };

		for (i = 0; i < 5; i++)
			if (why[i] != NULL)
				fprintf(stderr, "tetherctl: %s\n", why[i]);
		return 1;
	}
	if ((id = uplink_id(a->app, in.name)) == -1)
		return 1;
	rc = id == 0 ? uplink_create(a, &in, &id) : uplink_update(a, id, &in);
	if (rc != 0) {
		if (rc == UPLINK_TAKEN)
			fprintf(stderr, "tetherctl: another uplink is named %s\n", in.name);
		return 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

int
ctl_uplink(struct app *app, int argc, char **argv)
{
	struct actor		 a;
	struct probe_outcome	 o;
	PGresult		*res;
	char			 msg[300];
	int64_t			 id;
	int			 i, rc, reached;

	actor_system(&a, app, "tetherctl", NULL);
	if (argc >= 3 && strcmp(argv[0], "add") == 0)
		return ctl_uplink_add(&a, argc - 1, argv + 1);
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		res = db_exec_params(&app->db, "SELECT id, name, coalesce(proxy_url, '')"
		    " AS proxy_url, allow, egress, probe FROM uplinks ORDER BY lower(name)", 0, NULL);
		if (res == NULL)
			return 1;
		for (i = 0; i < db_rows(res); i++)
			printf("%s\t%s\t%s\t%s\t%s\t%s\n", db_get(res, i, "id"),
			    db_get(res, i, "name"), db_get(res, i, "proxy_url"),
			    db_get(res, i, "allow"), db_get(res, i, "egress"),
			    db_get(res, i, "probe"));
		db_clear(res);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[0], "remove") == 0 || strcmp(argv[0], "test") == 0)) {
		if ((id = uplink_id(app, argv[1])) <= 0) {
			if (id == 0)
				fprintf(stderr, "tetherctl: no such uplink: %s\n", argv[1]);
			return 1;
		}
		if (strcmp(argv[0], "remove") == 0) {
			if ((rc = uplink_remove(&a, id)) == UPLINK_IN_USE)
				fprintf(stderr, "tetherctl: connections use uplink %s\n", argv[1]);
			return rc == 0 ? 0 : 1;
		}
		probe_outcome_init(&o);
		rc = uplink_test(&a, id, &o, &reached, msg, sizeof(msg));
		probe_outcome_free(&o);
		if (rc != 0)
			return 1;
		printf("%s\t%s\n", probe_result_key(o.result), msg);
		return reached ? 0 : 1;
	}
	return 2;
}
