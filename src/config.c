/*
 * config.c — read the HDF configuration file once at start-up. Every key is
 * bounded here so the rest of the code can trust the values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"

static char *
config_str(HDF *hdf, const char *name, const char *def)
{
	const char	*v = hdf_get_value(hdf, name, def);

	return v != NULL ? xstrdup(v) : NULL;
}

/* An integer key within [min, max]; -1 and a message when out of range. */
static int
config_int(HDF *hdf, const char *name, long def, long min, long max,
    long *out, char *err, size_t errlen)
{
	const char	*v = hdf_get_value(hdf, name, NULL);
	char		*end;
	long		 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 0);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		snprintf(err, errlen, "%s: expected a number from %ld to %ld, got \"%s\"",
		    name, min, max, v);
		return -1;
	}
	*out = n;
	return 0;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	HDF		*hdf = NULL;
	NEOERR		*nerr;
	long		 n;
	int		 rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if ((nerr = hdf_init(&hdf)) != STATUS_OK)
		goto neo_fail;
	if ((nerr = hdf_read_file(hdf, path)) != STATUS_OK)
		goto neo_fail;

	cfg->path = xstrdup(path);
	cfg->conninfo = config_str(hdf, "db.conninfo", "dbname=tether user=tether_app");
	cfg->owner_conninfo = config_str(hdf, "db.owner_conninfo", cfg->conninfo);
	cfg->socket_path = config_str(hdf, "server.socket", "");
	cfg->socket_group = config_str(hdf, "server.socket_group", "");
	cfg->pidfile = config_str(hdf, "server.pidfile", "");
	cfg->templates_dir = config_str(hdf, "paths.templates", "templates");
	cfg->connectors_dir = config_str(hdf, "paths.connectors", "connectors");
	cfg->sql_dir = config_str(hdf, "paths.sql", "sql");
	cfg->master_key_file = config_str(hdf, "vault.master_key_file", "");
	cfg->base_url = config_str(hdf, "http.base_url", "http://127.0.0.1:8080");
	cfg->outbound_allow = config_str(hdf, "outbound.allow", "");
	cfg->outbound_ca_bundle = config_str(hdf, "outbound.ca_bundle", "");
	cfg->outbound_proxy = config_str(hdf, "outbound.proxy", "");
	cfg->outbound_egress = config_str(hdf, "outbound.egress_addresses", "");
	cfg->worker_pidfile = config_str(hdf, "worker.pidfile", "");
	cfg->mail_smtp_url = config_str(hdf, "mail.smtp_url", "");
	cfg->mail_from = config_str(hdf, "mail.from", "");
	cfg->mail_username = config_str(hdf, "mail.username", "");
	cfg->mail_password_file = config_str(hdf, "mail.password_file", "");
	cfg->mail_ca_bundle = config_str(hdf, "mail.ca_bundle", "");

#define INT_KEY(field, key, def, min, max) do {				\
	if (config_int(hdf, key, def, min, max, &n, err, errlen) == -1)	\
		goto out;						\
	cfg->field = n;							\
} while (0)
	INT_KEY(db_connect_timeout, "db.connect_timeout", 5, 1, 60);
	INT_KEY(db_statement_timeout_ms, "db.statement_timeout_ms", 5000, 100, 600000);
	INT_KEY(socket_mode, "server.socket_mode", 0660, 0, 07777);
	/* Owner, or owner and group: never a socket every account may use. */
	if (cfg->socket_mode != 0600 && cfg->socket_mode != 0660) {
		snprintf(err, errlen, "server.socket_mode: expected 0600 or 0660, got 0%o",
		    (unsigned)cfg->socket_mode);
		goto out;
	}
	INT_KEY(workers, "server.workers", 4, 1, 256);
	INT_KEY(secure_cookies, "http.secure_cookies", 0, 0, 1);
	INT_KEY(body_max, "http.body_max", 65536, 1024, 16 * 1024 * 1024);
	INT_KEY(fields_max, "http.fields_max", 200, 8, 10000);
	INT_KEY(session_idle_min, "session.idle_minutes", 60, 1, 60 * 24 * 7);
	INT_KEY(session_absolute_min, "session.absolute_minutes", 720, 5, 60 * 24 * 30);
	INT_KEY(login_free_failures, "login.free_failures", 5, 1, 1000);
	INT_KEY(login_max_delay_s, "login.max_delay_s", 900, 1, 86400);
	INT_KEY(outbound_connect_timeout_ms, "outbound.connect_timeout_ms", 3000, 100, 60000);
	INT_KEY(outbound_timeout_ms, "outbound.timeout_ms", 10000, 100, 120000);
	INT_KEY(list_cache_pages, "list.cache_pages", 1024, 0, 4096);
	INT_KEY(list_cache_rows, "list.cache_rows", 8192, 0, 1048576);
	INT_KEY(list_mirror, "list.mirror", 1, 0, 1);
	INT_KEY(secret_versions_kept, "connections.secret_versions_kept", 5, 1, 1000);
	INT_KEY(check_interval_min, "health.check_interval_minutes", 60, 1, 60 * 24 * 7);
	INT_KEY(expiry_horizon_days, "health.expiry_horizon_days", 14, 1, 365);
	INT_KEY(notify_after_failures, "health.notify_after_failures", 2, 1, 100);
	INT_KEY(refresh_ahead_s, "health.refresh_ahead_seconds", 300, 30, 86400);
	INT_KEY(revoke_timeout_ms, "oauth.revoke_timeout_ms", 3000, 100, 60000);
	INT_KEY(worker_processes, "worker.processes", 4, 1, 64);
	INT_KEY(worker_lease_s, "worker.lease_seconds", 120, 10, 3600);
	INT_KEY(worker_batch, "worker.batch", 8, 1, 100);
	INT_KEY(worker_poll_ms, "worker.poll_ms", 1000, 50, 60000);
	INT_KEY(mail_notify_admins, "mail.notify_admins", 1, 0, 1);
#undef INT_KEY
	/* Checked by the parser every outbound URL goes through: a proxy it
	 * would refuse stops the start, rather than fail every test. */
	if (*cfg->outbound_proxy != '\0') {
		struct url	 u;
		enum url_error	 e;

		e = url_parse(&u, cfg->outbound_proxy, URL_HTTP);
		url_free(&u);
		if (e != URL_OK) {
			snprintf(err, errlen, "%s: outbound.proxy: %s", path, url_strerror(e));
			goto out;
		}
	}
	/* Shown to people for their firewalls: a wrong one stops the start. */
	{
		char	 why[200];

		if (uplink_egress_check(cfg->outbound_egress, why, sizeof(why)) != NULL) {
			snprintf(err, errlen, "%s: outbound.egress_addresses: %s", path, why);
			goto out;
		}
	}
	rc = 0;
	goto out;

neo_fail:
	{
		STRING	 s;

		string_init(&s);
		nerr_error_string(nerr, &s);
		snprintf(err, errlen, "%s: %s", path, s.buf != NULL ? s.buf : "cannot read");
		string_clear(&s);
		nerr_ignore(&nerr);
	}
out:
	hdf_destroy(&hdf);
	if (rc == -1)
		config_free(cfg);
	return rc;
}

void
config_free(struct config *cfg)
{
	free(cfg->path);
	free(cfg->conninfo);
	free(cfg->owner_conninfo);
	free(cfg->socket_path);
	free(cfg->socket_group);
	free(cfg->pidfile);
	free(cfg->templates_dir);
	free(cfg->connectors_dir);
	free(cfg->sql_dir);
	free(cfg->master_key_file);
	free(cfg->base_url);
	free(cfg->outbound_allow);
	free(cfg->outbound_ca_bundle);
	free(cfg->outbound_proxy);
	free(cfg->outbound_egress);
	free(cfg->worker_pidfile);
	free(cfg->mail_smtp_url);
	free(cfg->mail_from);
	free(cfg->mail_username);
	free(cfg->mail_password_file);
	free(cfg->mail_ca_bundle);
	memset(cfg, 0, sizeof(*cfg));
}
