/*
 * tetherctl.c — the admin CLI: apply migrations, manage users and teams.
 * Passwords come from stdin or are generated, never from the command line
 * (which other users of the machine can read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define PASSWORD_MIN	8
#define PASSWORD_MAX	1024

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tetherctl -c config command ...\n"
	    "  migrate\n"
	    "  user add EMAIL [--admin] [--name NAME] [--password-stdin]\n"
	    "  user passwd EMAIL [--password-stdin]\n"
	    "  user disable EMAIL\n"
	    "  team add NAME\n"
	    "  team member TEAM EMAIL viewer|member|manager\n"
	    "  flow add|update|remove ...   (tetherctl -c config flow for help)\n"
	    "  token add EMAIL NAME [--scopes LIST] [--expires-days N] [--client-range CIDR]\n"
	    "  token list EMAIL | token revoke ID\n"
	    "  uplink add NAME PROXY_URL [ALLOW] [--egress LIST] [--probe HOST:PORT] |\n"
	    "    uplink list | uplink remove NAME | uplink test NAME\n"
	    "  webhook add URL [--events LIST] [--team TEAM] | webhook list | webhook remove ID\n"
	    "  rotate-key                   re-encrypt every secret under a new data key\n"
	    "  rotate-master-key NEW_KEY_FILE  re-wrap the data keys\n"
	    "  test ID | test --all [--concurrency N]   test connections now\n"
	    "  connection list [--team NAME] [--status S] | connection show ID |\n"
	    "    connection test ID | connection export [--team NAME]\n"
	    "  demo seed TEAM...            placeholder secrets for deploy/demo.sql's connections\n");
	exit(2);
}

/* Run SQL; print the error and return NULL on failure. */
static PGresult *
ctl_exec(struct db *db, const char *sql, int n, const char *const *params)
{
	return db_exec_params(db, sql, n, params);
}

static void
ctl_audit(struct db *db, const char *object_type, const char *label, const char *action)
{
	const char	*params[3] = { object_type, label, action };
	PGresult	*res;

	res = ctl_exec(db, "INSERT INTO audit_log (actor_label, object_type, object_label,"
	    " action, outcome) VALUES ('tetherctl', $1, $2, $3, 'success')", 3, params);
	db_clear(res);
}

/* A user saved: its audit entry, and the password when tetherctl made it up. */
static void
ctl_user_saved(struct db *db, const char *email, const char *action, const char *generated)
{
	ctl_audit(db, "user", email, action);
	if (generated != NULL)
		printf("password: %s\n", generated);
}

static int
ctl_read_password(char *out, size_t outlen)
{
	size_t	 len;

	if (fgets(out, (int)outlen, stdin) == NULL) {
		fprintf(stderr, "tetherctl: no password on stdin\n");
		return -1;
	}
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	if (len < PASSWORD_MIN || len > PASSWORD_MAX) {
		fprintf(stderr, "tetherctl: the password must have %d to %d characters\n",
		    PASSWORD_MIN, PASSWORD_MAX);
		return -1;
	}
	return 0;
}

/* A password from stdin, or a generated one (printed once). */
static int
ctl_password(int from_stdin, char *out, size_t outlen, int *generated)
{
	*generated = !from_stdin;
	if (from_stdin)
		return ctl_read_password(out, outlen);
	auth_random_token(out, outlen, 15);	/* 20 characters */
	return 0;
}

static int
cmd_user_add(struct db *db, int argc, char **argv)
{
	const char	*email, *name = "", *admin = "f";
	char		 password[PASSWORD_MAX + 2], hash[128];
	const char	*params[4];
	int		 i, from_stdin = 0, generated, rc = 1;
	const char	*why;
	PGresult	*res;

	if (argc < 1)
		usage();
	email = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--admin") == 0)
			admin = "t";
		else if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = 1;
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else
			usage();
	}
	if ((why = valid_email(email)) != NULL || (why = valid_text(name, 0, 120)) != NULL) {
		fprintf(stderr, "tetherctl: %s\n", why);
		return 1;
	}
	if (ctl_password(from_stdin, password, sizeof(password), &generated) == -1)
		return 1;
	if (auth_hash_password(password, hash) != 0) {
		fprintf(stderr, "tetherctl: cannot hash the password (out of memory?)\n");
		goto out;
	}
	params[0] = email, params[1] = name, params[2] = hash, params[3] = admin;
	res = ctl_exec(db, "INSERT INTO users (email, name, password_hash, is_admin)"
	    " VALUES ($1, $2, $3, $4::boolean)", 4, params);
	if (res == NULL) {
		fprintf(stderr, "tetherctl: cannot add %s (does the user exist already?)\n",
		    email);
		goto out;
	}
	db_clear(res);
	printf("added %s%s\n", email, *admin == 't' ? " (admin)" : "");
	ctl_user_saved(db, email, "user_create", generated ? password : NULL);
	rc = 0;
out:
	sodium_memzero(password, sizeof(password));
	return rc;
}

static int
cmd_user_passwd(struct db *db, int argc, char **argv)
{
	char		 password[PASSWORD_MAX + 2], hash[128];
	const char	*params[2];
	int		 generated, rc = 1;
	PGresult	*res;

	if (argc < 1 || argc > 2 || (argc == 2 && strcmp(argv[1], "--password-stdin") != 0))
		usage();
	if (ctl_password(argc == 2, password, sizeof(password), &generated) == -1)
		return 1;
	if (auth_hash_password(password, hash) != 0)
		goto out;
	params[0] = argv[0], params[1] = hash;
	res = ctl_exec(db, "UPDATE users SET password_hash = $2, updated_at = now()"
	    " WHERE lower(email) = lower($1)", 2, params);
	if (res == NULL || strcmp(PQcmdTuples(res), "1") != 0) {
		fprintf(stderr, "tetherctl: no such user: %s\n", argv[0]);
		db_clear(res);
		goto out;
	}
	db_clear(res);
	ctl_user_saved(db, argv[0], "user_password", generated ? password : NULL);
	rc = 0;
out:
	sodium_memzero(password, sizeof(password));
	return rc;
}

static int
cmd_user_disable(struct db *db, int argc, char **argv)
{
	const char	*params[1];
	PGresult	*res;

	if (argc != 1)
		usage();
	params[0] = argv[0];
	/* Disabling ends every session of the user at once. */
	res = ctl_exec(db, "WITH u AS (UPDATE users SET disabled = true, updated_at = now()"
	    " WHERE lower(email) = lower($1) RETURNING id),"
	    " s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u))"
	    " SELECT count(*) AS n FROM u", 1, params);
	if (res == NULL || strcmp(db_get(res, 0, "n"), "1") != 0) {
		fprintf(stderr, "tetherctl: no such user: %s\n", argv[0]);
		db_clear(res);
		return 1;
	}
	db_clear(res);
	ctl_audit(db, "user", argv[0], "user_disable");
	printf("disabled %s\n", argv[0]);
	return 0;
}

static int
cmd_team(struct db *db, int argc, char **argv)
{
	const char	*params[3];
	PGresult	*res;
	const char	*why;

	if (argc == 2 && strcmp(argv[0], "add") == 0) {
		if ((why = valid_name(argv[1], 80)) != NULL) {
			fprintf(stderr, "tetherctl: %s\n", why);
			return 1;
		}
		params[0] = argv[1];
		res = ctl_exec(db, "INSERT INTO teams (name) VALUES ($1)"
		    " ON CONFLICT DO NOTHING", 1, params);
		if (res == NULL)
			return 1;
		db_clear(res);
		ctl_audit(db, "team", argv[1], "team_create");
		return 0;
	}
	if (argc == 4 && strcmp(argv[0], "member") == 0) {
		params[0] = argv[1], params[1] = argv[2], params[2] = argv[3];
		res = ctl_exec(db, "INSERT INTO team_members (team_id, user_id, role)"
		    " SELECT t.id, u.id, $3 FROM teams t, users u"
		    " WHERE lower(t.name) = lower($1) AND lower(u.email) = lower($2)"
		    " ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role",
		    3, params);
		if (res == NULL || strcmp(PQcmdTuples(res), "1") != 0) {
			fprintf(stderr, "tetherctl: no such team or user\n");
			db_clear(res);
			return 1;
		}
		db_clear(res);
		ctl_audit(db, "team", argv[1], "team_member_set");
		return 0;
	}
	usage();
	return 2;
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	struct db	 db;
	const char	*conf = NULL;
	char		 err[1024];
	int		 ch, rc;

	process_harden();	/* it decrypts secrets too: no core dumps */
	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		if (ch != 'c')
			usage();
		conf = optarg;
	}
	argc -= optind, argv += optind;
	if (conf == NULL || argc < 1)
		usage();
	if (sodium_init() < 0 || config_load(&cfg, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "tetherctl: %s\n", err);
		return 1;
	}
	if (strcmp(argv[0], "rotate-key") == 0 || strcmp(argv[0], "rotate-master-key") == 0 ||
	    strcmp(argv[0], "test") == 0 || strcmp(argv[0], "webhook") == 0 ||
	    strcmp(argv[0], "token") == 0 || strcmp(argv[0], "uplink") == 0 ||
	    strcmp(argv[0], "connection") == 0 || strcmp(argv[0], "demo") == 0) {
		struct app	 app;

		config_free(&cfg);
		/* Uplinks hold no secret: no vault needed. */
		if (app_open(&app, conf, strcmp(argv[0], "uplink") != 0, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "tetherctl: %s\n", err);
			return 1;
		}
		if (strcmp(argv[0], "test") == 0)
			rc = ctl_test(&app, argc - 1, argv + 1);
		else if (strcmp(argv[0], "webhook") == 0)
			rc = ctl_webhook(&app, argc - 1, argv + 1);
		else if (strcmp(argv[0], "token") == 0)
			rc = ctl_token(&app, argc - 1, argv + 1);
		else if (strcmp(argv[0], "connection") == 0)
			rc = ctl_connection(&app, argc - 1, argv + 1);
		else if (strcmp(argv[0], "uplink") == 0)
			rc = ctl_uplink(&app, argc - 1, argv + 1);
		else if (strcmp(argv[0], "demo") == 0)
			rc = ctl_demo(&app, argc - 1, argv + 1);
		else if (strcmp(argv[0], "rotate-key") == 0)
			rc = ctl_rotate_key(&app, argc - 1, argv + 1);
		else
			rc = ctl_rotate_master_key(&app, argc - 1, argv + 1);
		app_close(&app);
		if (rc == 2)
			usage();
		return rc;
	}
	if (strcmp(argv[0], "migrate") == 0) {
		db_init(&db, cfg.owner_conninfo, cfg.db_connect_timeout, 600000);
		rc = migrate_run(&db, cfg.sql_dir, 1) == 0 ? 0 : 1;
	} else {
		db_init(&db, cfg.conninfo, cfg.db_connect_timeout, cfg.db_statement_timeout_ms);
		if (db_connect(&db) == -1)
			rc = 1;
		else if (argc >= 2 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "add") == 0)
			rc = cmd_user_add(&db, argc - 2, argv + 2);
		else if (argc >= 2 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "passwd") == 0)
			rc = cmd_user_passwd(&db, argc - 2, argv + 2);
		else if (argc >= 2 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "disable") == 0)
			rc = cmd_user_disable(&db, argc - 2, argv + 2);
		else if (strcmp(argv[0], "team") == 0)
			rc = cmd_team(&db, argc - 1, argv + 1);
		else if (strcmp(argv[0], "flow") == 0)
			rc = ctl_flow(&db, argc - 1, argv + 1);
		else
			usage(), rc = 2;
	}
	db_close(&db);
	config_free(&cfg);
	return rc;
}
