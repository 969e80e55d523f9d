/*
 * ctl-webhook.c — tetherctl webhook: the endpoints events are POSTed to.
 *   webhook add URL [--events LIST] [--team TEAM]   prints the id and the
 *       signing secret, once (LIST: comma-separated event types; none: all)
 *   webhook list                                     webhook remove ID
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

/* Split LIST at commas into events[] (pointers into list); -1 on an unknown
 * type or too many. */
static int
ctl_webhook_events(char *list, const char **events, size_t *n)
{
	char	*tok, *save = NULL;

	*n = 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (*tok == '\0')
			continue;
		if (!webhook_event_known(tok)) {
			fprintf(stderr, "tetherctl: unknown event %s\n", tok);
			return -1;
		}
		if (*n == WEBHOOK_EVENTS_MAX)
			return -1;
		events[(*n)++] = tok;
	}
	return 0;
}

static int
ctl_webhook_add(struct app *app, int argc, char **argv)
{
	struct actor	 a;
	const char	*events[WEBHOOK_EVENTS_MAX], *team = NULL, *why, *params[1];
	char		 secret[WEBHOOK_SECRET_SIZE];
	size_t		 nevents = 0;
	int64_t		 id, team_id = 0;
	PGresult	*res;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
			if (ctl_webhook_events(argv[++i], events, &nevents) == -1)
				return 1;
		} else if (strcmp(argv[i], "--team") == 0 && i + 1 < argc)
			team = argv[++i];
		else
			return 2;
	}
	if ((why = webhook_url_check(app, argv[0])) != NULL) {
		fprintf(stderr, "tetherctl: %s\n", why);
		return 1;
	}
	if (team != NULL) {
		params[0] = team;
		if ((res = db_exec_params(&app->db, "SELECT id FROM teams WHERE lower(name) ="
		    " lower($1)", 1, params)) == NULL)
			return 1;
		if (db_rows(res) == 1)
			team_id = strtoll(db_get(res, 0, "id"), NULL, 10);
		db_clear(res);
		if (team_id == 0) {
			fprintf(stderr, "tetherctl: no such team: %s\n", team);
			return 1;
		}
	}
	actor_system(&a, app, "tetherctl", "ctl");
	if (webhook_create(&a, argv[0], events, nevents, team_id, &id, secret) == -1) {
		fprintf(stderr, "tetherctl: the endpoint was not created\n");
		return 1;
	}
	/* Shown this once: it is stored sealed and never shown again. */
	printf("id %lld\nsecret %s\n", (long long)id, secret);
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

int
ctl_webhook(struct app *app, int argc, char **argv)
{
	struct actor	 a;
	PGresult	*res;
	long long	 id;
	const char	*why;
	int		 i;

	if (argc >= 2 && strcmp(argv[0], "add") == 0)
		return ctl_webhook_add(app, argc - 1, argv + 1);
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		res = db_exec_params(&app->db, "SELECT w.id, w.url, CASE WHEN"
		    " cardinality(w.events) = 0 THEN 'all' ELSE array_to_string(w.events, ',')"
		    " END AS events, coalesce(t.name, '') AS team, CASE WHEN w.enabled THEN"
		    " 'enabled' ELSE 'disabled' END AS state FROM webhook_endpoints w"
		    " LEFT JOIN teams t ON t.id = w.team_id ORDER BY w.id", 0, NULL);
		if (res == NULL)
			return 1;
		for (i = 0; i < db_rows(res); i++)
			printf("%s\t%s\t%s\t%s\t%s\n", db_get(res, i, "id"), db_get(res, i, "url"),
			    db_get(res, i, "events"), db_get(res, i, "team"),
			    db_get(res, i, "state"));
		db_clear(res);
		return 0;
	}
	if (argc == 2 && strcmp(argv[0], "remove") == 0) {
		if ((why = valid_int(argv[1], 1, 999999999999999LL, &id)) != NULL) {
			fprintf(stderr, "tetherctl: %s\n", why);
			return 1;
		}
		actor_system(&a, app, "tetherctl", "ctl");
		switch (webhook_remove(&a, id)) {
		case 0:
			return 0;
		case 1:
			fprintf(stderr, "tetherctl: no such webhook: %lld\n", id);
			return 1;
		default:
			return 1;
		}
	}
	return 2;
}
