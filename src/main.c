/*
 * main.c — tether-fcgi: a master that binds the FastCGI socket and keeps N
 * prefork workers alive (replacing any that dies), and the worker's accept
 * loop. Each request lives in a struct req on the loop's stack and is freed
 * before the next one; nothing of a request survives in globals.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "tether.h"
#include "web.h"

static void
serve_one(struct app *app, FCGX_Request *fr, void (**after)(struct app *, void *),
    void **after_arg)
{
	struct req	 r;
	int		 status;

	req_init(&r, app, fr);
	db_forget_failure(&app->db);
	if ((status = req_parse(&r)) == 0)
		route_dispatch(&r);
	else if (status == REQ_API)
		api_dispatch(&r);
	else
		http_error(&r, status, NULL);
	/* The dispatchers have ended the session; its user stays in r.actor. */
	http_send(&r);
	accesslog_write(&r);
	*after = r.after;
	*after_arg = r.after_arg;
	req_free(&r);
	/* A body the page did not read (413, 415, 404…) is drained, bounded, so
	 * nginx sees a clean end of request instead of a reset (a 502). */
	if (fr->in != NULL) {
		char	 sink[8192];
		long	 left = 16L * 1024 * 1024;

		while (left > 0 && FCGX_GetStr(sink, sizeof(sink), fr->in) > 0)
			left -= (long)sizeof(sink);
	}
}

static int
worker_loop(struct app *app, int fd, unsigned long max_requests)
{
	FCGX_Request	 fr;

	process_signals();
	app->templates = render_cache_new(app->cfg.templates_dir);
	app->list_cache = list_cache_new(app->cfg.list_cache_pages);
	app->rowcache = rowcache_new(app->cfg.list_cache_rows);
	app->mirror = app->cfg.list_mirror ? list_mirror_new() : NULL;
	(void)db_connect(&app->db);	/* retried per request when down */
	if (FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		fprintf(stderr, "tether-fcgi: cannot initialise the request\n");
		return 1;
	}
	while (!process_stopping && FCGX_Accept_r(&fr) == 0) {
		void	(*after)(struct app *, void *) = NULL;
		void	*after_arg = NULL;

		serve_one(app, &fr, &after, &after_arg);
		/* The request was read to its end: close the connection once
		 * the end records are written, without libfcgi's shutdown and
		 * wait for nginx to close first (its guard against a TCP reset
		 * over unread input; there is none). Three system calls and
		 * the worker free a round trip sooner. */
		if (fr.in != NULL && FCGX_HasSeenEOF(fr.in) == EOF)
			(void)FCGX_Detach(&fr);
		FCGX_Finish_r(&fr);
		/* The answer is out: now the work that follows it (page-connection-test.c). */
		if (after != NULL)
			after(app, after_arg);
		if (max_requests > 0 && ++app->served >= max_requests)
			break;
	}
	FCGX_Free(&fr, 1);
	return 0;
}

/* The body of a worker process: arg is the listening socket. */
static int
worker_body(struct app *app, void *arg)
{
	return worker_loop(app, *(int *)arg, 0);
}

/* Keep app->cfg.workers workers running until told to stop. */
static int
master_loop(struct app *app, int fd)
{
	int		 n = app->cfg.workers, i, status;
	pid_t		*pids = xcalloc((size_t)n, sizeof(*pids)), pid;
	time_t		 last_respawn = 0;

	process_signals();
	process_pidfile("tether-fcgi", app->cfg.pidfile);
	for (i = 0; i < n; i++)
		pids[i] = app_spawn(app, "tether-fcgi", worker_body, &fd);
	fprintf(stderr, "tether-fcgi: master %ld serving with %d workers\n",
	    (long)getpid(), n);
	while (!process_stopping) {
		pid = waitpid(-1, &status, 0);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pids[i] != pid)
				continue;
			fprintf(stderr, "tether-fcgi: worker %ld exited (status %d); "
			    "starting another\n", (long)pid, status);
			/* A worker that dies at once must not become a fork storm. */
			if (time(NULL) == last_respawn)
				sleep(1);
			last_respawn = time(NULL);
			pids[i] = process_stopping ? 0 : app_spawn(app, "tether-fcgi", worker_body, &fd);
		}
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], &status, 0);
	free(pids);
	if (*app->cfg.pidfile != '\0')
		unlink(app->cfg.pidfile);
	if (*app->cfg.socket_path != '\0')
		unlink(app->cfg.socket_path);
	fprintf(stderr, "tether-fcgi: stopped\n");
	return 0;
}

/*
 * Bind the socket owner-only (umask 077 around the bind), then give it the
 * configured group and mode: at no moment may another local account connect
 * and speak FastCGI with a forged REMOTE_ADDR or HTTPS. A group or mode that
 * cannot be set is fatal, not a warning.
 */
static int
open_socket(const char *path, int mode, const char *group)
{
	struct group	*gr;
	mode_t		 old;
	int		 fd;

	(void)unlink(path);	/* a stale socket from a previous run */
	old = umask(077);
	fd = FCGX_OpenSocket(path, 128);
	umask(old);
	if (fd < 0) {
		fprintf(stderr, "tether-fcgi: cannot listen on %s\n", path);
		return -1;
	}
	if (group != NULL && *group != '\0') {
		errno = 0;
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "tether-fcgi: server.socket_group %s: %s\n", group,
			    errno != 0 ? strerror(errno) : "no such group");
			goto fail;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) == -1) {
			fprintf(stderr, "tether-fcgi: chgrp %s %s: %s\n", group, path,
			    strerror(errno));
			goto fail;
		}
	}
	if (chmod(path, (mode_t)mode) == -1) {
		fprintf(stderr, "tether-fcgi: chmod %s: %s\n", path, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	(void)unlink(path);
	return -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: tether-fcgi -c config [-f] [-s socket] [-n requests] "
	    "[-w workers]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct app	 app;
	const char	*conf = NULL, *sock = NULL;
	char		 err[1024];
	unsigned long	 max_requests = 0;
	int		 ch, foreground = 0, workers = 0, fd, rc;

	process_harden();
	while ((ch = getopt(argc, argv, "c:fn:s:w:")) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': max_requests = strtoul(optarg, NULL, 10); break;
		case 's': sock = optarg; break;
		case 'w': workers = atoi(optarg); break;
		default: usage();
		}
	}
	if (conf == NULL || optind != argc)
		usage();
	if (FCGX_Init() != 0) {
		fprintf(stderr, "tether-fcgi: FCGX_Init failed\n");
		return 1;
	}
	if (app_open(&app, conf, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "tether-fcgi: %s\n", err);
		return 1;
	}
	if (workers > 0)
		app.cfg.workers = workers;
	if (sock == NULL)
		sock = app.cfg.socket_path;
	if (*sock == '\0') {
		fprintf(stderr, "tether-fcgi: no socket: set server.socket or use -s\n");
		app_close(&app);
		return 2;
	}
	if ((fd = open_socket(sock, app.cfg.socket_mode, app.cfg.socket_group)) == -1) {
		app_close(&app);
		return 1;
	}
	if (sock != app.cfg.socket_path) {
		free(app.cfg.socket_path);
		app.cfg.socket_path = xstrdup(sock);
	}
	rc = foreground ? worker_loop(&app, fd, max_requests) : master_loop(&app, fd);
	close(fd);
	if (foreground)
		unlink(app.cfg.socket_path);
	app_close(&app);
	return rc;
}
