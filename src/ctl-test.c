/*
 * ctl-test.c — tetherctl test: test connections from the command line, one
 * (`test ID`) or all (`test --all [--concurrency N]`, at most 16), recorded
 * with the trigger `cli`. Children split the connections by id, each with its own
 * database connection; each test is bounded by outbound.timeout_ms.
 * Prints one line per connection and a summary with tests/s and the worst
 * latency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define CONCURRENCY_MAX	16

/* Test the connections with id % n == k; print "id result latency". */
static int
ctl_test_share(struct app *app, int n, int k, int64_t only, long *worst, int *count,
    int *passed)
{
	struct actor	 a;
	char		 nn[8], kk[8], one[24], rid[17];
	unsigned char	 raw[8];
	const char	*params[3] = { nn, kk, one };
	PGresult	*res;
	int		 i;

	snprintf(nn, sizeof(nn), "%d", n);
	snprintf(kk, sizeof(kk), "%d", k);
	snprintf(one, sizeof(one), "%lld", (long long)only);
	res = db_exec_params(&app->db, "SELECT id FROM connections WHERE"
	    " ($3::bigint = 0 AND id % $1::int = $2::int) OR id = $3::bigint ORDER BY id",
	    3, params);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		struct conn		*c;
		struct probe_outcome	 o;
		char			 message[200];
		int			 dberr;

		/* A request id for each test, as a page has, for the log and the
		 * audit trail. */
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(rid, sizeof(rid), raw, sizeof(raw));
		actor_system(&a, app, "tetherctl", rid);
		if ((c = conn_get(&a, strtoll(db_get(res, i, "id"), NULL, 10), &dberr)) != NULL) {
			probe_outcome_init(&o);
			/* 1: busy (another test refreshing its token), printed as such. */
			if (tester_run(&a, c, "cli", &o, message, sizeof(message)) != -1) {
				printf("%lld %s %ldms\n", (long long)c->id,
				    probe_result_key(o.result), o.latency_ms);
				if (o.result == PROBE_OK)
					(*passed)++;
				if (o.latency_ms > *worst)
					*worst = o.latency_ms;
				(*count)++;
			}
			probe_outcome_free(&o);
			conn_free(c);
		}
	}
	db_clear(res);
	fflush(stdout);
	return 0;
}

int
ctl_test(struct app *app, int argc, char **argv)
{
	struct timespec	 t0, t1;
	int		 concurrency = 4, all = 0, i, count = 0, status, pipes[CONCURRENCY_MAX][2];
	int64_t		 only = 0;
	long		 worst = 0;
	double		 secs;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc)
			concurrency = atoi(argv[++i]);
		else if ((only = strtoll(argv[i], NULL, 10)) <= 0)
			return 2;
	}
	if ((!all && only == 0) || concurrency < 1 || concurrency > CONCURRENCY_MAX)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!all) {
		int	 passed = 0;

		/* One connection: the exit status says whether it passed. */
		if (ctl_test_share(app, 1, 0, only, &worst, &count, &passed) == -1)
			return 1;
		return count == 1 && passed == 1 ? 0 : 1;
	}
	db_close(&app->db);
	for (i = 0; i < concurrency; i++) {
		if (pipe(pipes[i]) == -1)
			return 1;
		if (fork() == 0) {
			int	 n = 0, p = 0;
			long	 w = 0;

			close(pipes[i][0]);
			ctl_test_share(app, concurrency, i, 0, &w, &n, &p);
			dprintf(pipes[i][1], "%d %ld\n", n, w);
			_exit(0);
		}
		close(pipes[i][1]);
	}
	for (i = 0; i < concurrency; i++) {
		char	 line[64] = "";
		ssize_t	 got = read(pipes[i][0], line, sizeof(line) - 1);
		int	 n = 0;
		long	 w = 0;

		if (got > 0 && sscanf(line, "%d %ld", &n, &w) == 2) {
			count += n;
			if (w > worst)
				worst = w;
		}
		close(pipes[i][0]);
	}
	while (wait(&status) > 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("tested %d connections in %.2f s with concurrency %d: %.1f tests/s, "
	    "worst latency %ld ms\n", count, secs, concurrency, secs > 0 ? count / secs : 0.0,
	    worst);
	return 0;
}
