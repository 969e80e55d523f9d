/*
 * worker.c — tether-worker: keeps health true without anyone pressing a
 * button. A master forks worker.processes children (replacing any that
 * dies, more slowly each time it dies young); each child claims due jobs
 * from PostgreSQL (src/jobs.c: scheduled checks, token refreshes, the
 * expiry sweep), runs them as the system actor, then delivers what the
 * events outbox holds (webhooks, e-mail), and sleeps worker.poll_ms when
 * there is nothing to do.
 *
 *   tether-worker -c CONF            run until SIGTERM
 *   tether-worker -c CONF --once     run everything due now, then exit
 *   tether-worker -c CONF --once --all   every connection's check is due
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "tether.h"

#define BATCH_MAX	100
#define RESPAWN_MAX_S	60

/* A fresh id for each job, as a request has one, for the log and audit. */
static void
new_request_id(char *rid, size_t len)
{
	unsigned char	 raw[8];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(rid, len, raw, sizeof(raw));
}

/* One batch: claim, run, finish; the jobs run, or -1 (database down). */
static int
run_batch(struct app *app, const char *me)
{
	struct job	 jobs[BATCH_MAX];
	struct actor	 a;
	char		 rid[17];
	int		 n, i;

	new_request_id(rid, sizeof(rid));
	actor_system(&a, app, "tether-worker", rid);
	if ((n = jobs_claim(&a, me, app->cfg.worker_batch, jobs)) <= 0)
		return n;
	for (i = 0; i < n; i++) {
		if (process_stopping) {
			(void)jobs_release(&a, me, &jobs[i]);
			continue;
		}
		new_request_id(rid, sizeof(rid));
		actor_system(&a, app, "tether-worker", rid);
		db_forget_failure(&app->db);
		/* Waited behind slower jobs past its lease: another worker has it. */
		if (jobs_start(&a, me, &jobs[i]) != 1)
			continue;
		if (jobs_finish(&a, me, &jobs[i], jobs_run(&a, &jobs[i])) == -1)
			log_error(rid, "job %lld: its next run was not recorded",
			    (long long)jobs[i].id);
	}
	return n;
}

static int
child_loop(struct app *app, int once)
{
	struct actor	 a;
	char		 me[96], host[64] = "", rid[17];
	int		 jobs, sent;

	process_signals();
	gethostname(host, sizeof(host) - 1);
	new_request_id(rid, sizeof(rid));
	snprintf(me, sizeof(me), "%s:%ld:%s", host, (long)getpid(), rid);
	(void)db_connect(&app->db);	/* retried by each statement when down */
	while (!process_stopping) {
		jobs = run_batch(app, me);
		new_request_id(rid, sizeof(rid));
		actor_system(&a, app, "tether-worker", rid);
		sent = process_stopping ? 0 : webhook_deliver_due(&a, app->cfg.worker_batch);
		if (!process_stopping && sent >= 0)
			sent += mail_send_due(&a, app->cfg.worker_batch);
		if (jobs > 0 || sent > 0)
			continue;
		if (once)
			return jobs == -1 || sent == -1 ? 1 : 0;
		(void)poll(NULL, 0, app->cfg.worker_poll_ms);
	}
	return 0;
}

/* The body of a child process: arg says whether it runs once. */
static int
child_body(struct app *app, void *arg)
{
	return child_loop(app, *(int *)arg);
}

/*
 * Keep the children running. A child that dies within a minute of its start
 * is replaced after a delay that doubles each time (1 s up to a minute): a
 * crash loop neither forks in a storm nor hammers what it was testing.
 */
static int
master_loop(struct app *app, int once)
{
	int		 n = app->cfg.worker_processes, i, status, failed = 0;
	pid_t		*pids = xcalloc((size_t)n, sizeof(*pids)), pid;
	time_t		*started = xcalloc((size_t)n, sizeof(*started));
	int		 delay = 1;

	for (i = 0; i < n; i++) {
		pids[i] = app_spawn(app, "tether-worker", child_body, &once);
		started[i] = time(NULL);
	}
	fprintf(stderr, "tether-worker: master %ld running %d processes%s\n",
	    (long)getpid(), n, once ? " once" : "");
	while (!process_stopping) {
		pid = waitpid(-1, &status, 0);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;	/* no children left (--once: all done) */
		}
		for (i = 0; i < n; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed = 1;
			if (once || process_stopping)
				break;
			fprintf(stderr, "tether-worker: process %ld exited (status %d); "
			    "starting another\n", (long)pid, status);
			if (time(NULL) - started[i] < 60) {
				sleep((unsigned)delay);
				delay = delay * 2 > RESPAWN_MAX_S ? RESPAWN_MAX_S : delay * 2;
			} else
				delay = 1;
			if (!process_stopping) {
				pids[i] = app_spawn(app, "tether-worker", child_body, &once);
				started[i] = time(NULL);
			}
		}
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) > 0 &&
		    (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
			failed = 1;
	free(pids);
	free(started);
	return failed;
}

static void
usage(void)
{
	fprintf(stderr, "usage: tether-worker -c config [--once [--all]] [-p processes]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct app	 app;
	struct actor	 a;
	const char	*conf = NULL;
	char		 err[1024];
	int		 ch, once = 0, all = 0, processes = 0, lease_min, rc;

	process_harden();
	while ((ch = getopt_long(argc, argv, "c:p:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'p': processes = atoi(optarg); break;
		case 'o': once = 1; break;
		case 'a': all = 1; break;
		default: usage();
		}
	}
	if (conf == NULL || optind != argc || (all && !once) || processes < 0 ||
	    processes > 64)
		usage();
	if (app_open(&app, conf, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "tether-worker: %s\n", err);
		return 1;
	}
	if (processes > 0)
		app.cfg.worker_processes = processes;
	/* A lease shorter than a check can take (a token refresh and a test,
	 * each up to outbound.timeout_ms) would let another worker check a
	 * connection still being checked. */
	lease_min = 2 * (app.cfg.outbound_timeout_ms + 999) / 1000 + 5;
	if (app.cfg.worker_lease_s < lease_min) {
		fprintf(stderr, "tether-worker: worker.lease_seconds %d is shorter than "
		    "two outbound.timeout_ms and 5 s: using %d\n", app.cfg.worker_lease_s,
		    lease_min);
		app.cfg.worker_lease_s = lease_min;
	}
	if (all) {
		actor_system(&a, &app, "tether-worker", "all");
		if (db_connect(&app.db) == -1 || jobs_all_checks_due(&a) == -1) {
			fprintf(stderr, "tether-worker: cannot reach the database\n");
			app_close(&app);
			return 1;
		}
		db_close(&app.db);
	}
	process_signals();
	if (!once)
		process_pidfile("tether-worker", app.cfg.worker_pidfile);
	rc = master_loop(&app, once);
	if (!once && *app.cfg.worker_pidfile != '\0')
		unlink(app.cfg.worker_pidfile);
	fprintf(stderr, "tether-worker: stopped\n");
	app_close(&app);
	return rc;
}
