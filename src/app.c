/*
 * app.c — bring a process up: configuration, the vault (its master key
 * proven against the database's check value, its data keys unwrapped),
 * the connector catalog and the outbound network policy.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

/* Decode a hex column into a malloc'd buffer. */
unsigned char *
app_unhex(const char *hex, size_t *len)
{
	size_t		 max = strlen(hex) / 2 + 1;
	unsigned char	*out = xmalloc(max);

	if (sodium_hex2bin(out, max, hex, strlen(hex), NULL, len, NULL) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *
app_hex(const unsigned char *bin, size_t len)
{
	char	*out = xmalloc(len * 2 + 1);

	sodium_bin2hex(out, len * 2 + 1, bin, len);
	return out;
}

/* Run sql with $1 the hex of bytes (an insert): 0, or -1 with "cannot store
 * <what>" in err. */
static int
app_store_hex(struct app *app, const char *sql, const unsigned char *bytes, size_t len,
    const char *what, char *err, size_t errlen)
{
	char		*hex = app_hex(bytes, len);
	const char	*params[1] = { hex };
	PGresult	*res = db_exec_params(&app->db, sql, 1, params);

	free(hex);
	if (res == NULL) {
		snprintf(err, errlen, "cannot store %s", what);
		return -1;
	}
	db_clear(res);
	return 0;
}

/* The first process to start records the check value; every later one verifies it. */
static int
app_vault_check(struct app *app, char *err, size_t errlen)
{
	PGresult	*res;
	unsigned char	*blob;
	size_t		 len;
	int		 rc = -1;

	res = db_exec_params(&app->db, "SELECT encode(check_blob, 'hex') AS blob"
	    " FROM vault_master WHERE id = 1", 0, NULL);
	if (res == NULL) {
		snprintf(err, errlen, "cannot read the vault check value from the database");
		return -1;
	}
	if (db_rows(res) == 0) {
		db_clear(res);
		if (vault_check_make(&app->vault, &blob, &len) == -1) {
			snprintf(err, errlen, "cannot make the vault check value");
			return -1;
		}
		rc = app_store_hex(app, "INSERT INTO vault_master (id, check_blob)"
		    " VALUES (1, decode($1, 'hex')) ON CONFLICT (id) DO NOTHING", blob, len,
		    "the vault check value", err, errlen);
		free(blob);
		return rc == -1 ? -1 : app_vault_check(app, err, errlen);
	}
	if ((blob = app_unhex(db_get(res, 0, "blob"), &len)) != NULL &&
	    vault_check_verify(&app->vault, blob, len) == 0)
		rc = 0;
	else
		snprintf(err, errlen, "the master key in %s does not match this database; "
		    "refusing to start", app->cfg.master_key_file);
	free(blob);
	db_clear(res);
	return rc;
}

/* Unwrap every data key; make version 1 when there is none yet. */
static int
app_vault_keys(struct app *app, char *err, size_t errlen)
{
	PGresult	*res;
	unsigned char	*wrapped;
	size_t		 len;
	int		 i, version;

	res = db_exec_params(&app->db, "SELECT version, encode(wrapped_key, 'hex') AS k"
	    " FROM vault_keys ORDER BY version", 0, NULL);
	if (res == NULL) {
		snprintf(err, errlen, "cannot read the vault keys from the database");
		return -1;
	}
	if (db_rows(res) == 0) {
		db_clear(res);
		if (vault_key_generate(&app->vault, 1, &wrapped, &len) == -1) {
			snprintf(err, errlen, "cannot make a data key");
			return -1;
		}
		i = app_store_hex(app, "INSERT INTO vault_keys (version, wrapped_key)"
		    " VALUES (1, decode($1, 'hex')) ON CONFLICT (version) DO NOTHING", wrapped,
		    len, "a data key", err, errlen);
		free(wrapped);
		if (i == -1)
			return -1;
		vault_close(&app->vault);
		if (vault_open(&app->vault, app->cfg.master_key_file, err, errlen) == -1)
			return -1;
		return app_vault_keys(app, err, errlen);
	}
	for (i = 0; i < db_rows(res); i++) {
		version = atoi(db_get(res, i, "version"));
		wrapped = app_unhex(db_get(res, i, "k"), &len);
		if (wrapped == NULL || vault_key_add_wrapped(&app->vault, version,
		    wrapped, len) == -1) {
			free(wrapped);
			db_clear(res);
			snprintf(err, errlen, "data key version %d cannot be unwrapped with "
			    "this master key", version);
			return -1;
		}
		free(wrapped);
		app->vault.active = version;
	}
	db_clear(res);
	return 0;
}

int
app_open(struct app *app, const char *conf, int need_vault, char *err, size_t errlen)
{
	memset(app, 0, sizeof(*app));
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot initialise");
		return -1;
	}
	if (config_load(&app->cfg, conf, err, errlen) == -1)
		return -1;
	db_init(&app->db, app->cfg.conninfo, app->cfg.db_connect_timeout,
	    app->cfg.db_statement_timeout_ms);
	if (catalog_load(&app->catalog, app->cfg.connectors_dir, err, errlen) == -1)
		goto fail;
	if (netpolicy_parse(&app->netpolicy, app->cfg.outbound_allow, err, errlen) == -1)
		goto fail;
	if (!need_vault)
		return 0;
	if (*app->cfg.master_key_file == '\0') {
		snprintf(err, errlen, "%s: vault.master_key_file is not set", conf);
		goto fail;
	}
	if (vault_open(&app->vault, app->cfg.master_key_file, err, errlen) == -1)
		goto fail;
	if (db_connect(&app->db) == -1) {
		snprintf(err, errlen, "cannot connect to the database (see the log above)");
		goto fail;
	}
	if (app_vault_check(app, err, errlen) == -1 || app_vault_keys(app, err, errlen) == -1)
		goto fail;
	/* Flash cookies are signed with a key derived from the master key. */
	crypto_generichash(app->flash_key, sizeof(app->flash_key),
	    (const unsigned char *)"tether-flash-v1", 15, app->vault.master,
	    VAULT_KEY_BYTES);
	/* So are the sign-in form's pre-session tokens (session.c). */
	crypto_generichash(app->pre_key, sizeof(app->pre_key),
	    (const unsigned char *)"tether-pre-login-v1", 19, app->vault.master,
	    VAULT_KEY_BYTES);
	if (auth_dummy_hash(app->dummy_hash) != 0) {
		snprintf(err, errlen, "cannot prepare the sign-in check (out of memory?)");
		goto fail;
	}
	/* Workers open their own connection after fork. */
	db_close(&app->db);
	return 0;
fail:
	app_close(app);
	return -1;
}

void
app_close(struct app *app)
{
	render_cache_free(app->templates);
	app->templates = NULL;
	free(app->all_teams_html);
	app->all_teams_html = NULL;
	free(app->connector_options_html);
	app->connector_options_html = NULL;
	list_cache_free(app->list_cache);
	app->list_cache = NULL;
	rowcache_free(app->rowcache);
	app->rowcache = NULL;
	list_mirror_free(app->mirror);
	app->mirror = NULL;
	db_close(&app->db);
	if (app->vault.master != NULL)
		vault_close(&app->vault);
	catalog_free(&app->catalog);
	netpolicy_free(&app->netpolicy);
	config_free(&app->cfg);
	sodium_memzero(app->flash_key, sizeof(app->flash_key));
	sodium_memzero(app->pre_key, sizeof(app->pre_key));
}

pid_t
app_spawn(struct app *app, const char *prog, int (*body)(struct app *, void *),
    void *arg)
{
	pid_t	 pid = fork();

	if (pid == 0) {
		int	 rc;

		/* A child never outlives its master (a SIGKILLed master included). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(0);
		rc = body(app, arg);
		app_close(app);
		_exit(rc);
	}
	if (pid == -1)
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
	return pid;
}
