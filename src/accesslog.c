/*
 * accesslog.c — one structured line per request on stderr. Routes are
 * logged by pattern, never with query strings or form values, so nothing
 * secret reaches the log.
 */
#include <stdio.h>
#include <time.h>

#include "tether.h"
#include "web.h"

void
accesslog_write(const struct req *r)
{
	struct timespec	 now;
	double		 ms;
	char		 ts[32], note[160] = "";
	time_t		 t = time(NULL);
	struct tm	 tm;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* An answer that reached nobody is logged as nginx logs it, 499 (the
	 * client went away), with what it would have been. */
	if (r->undelivered)
		snprintf(note, sizeof(note), " note=client gone (answer %d not delivered)%s%s",
		    r->status, r->log_note != NULL ? "; " : "",
		    r->log_note != NULL ? r->log_note : "");
	else if (r->log_note != NULL)
		snprintf(note, sizeof(note), " note=%s", r->log_note);
	fprintf(stderr, "%s access rid=%s method=%s route=%s status=%d ms=%.1f user=%lld%s\n",
	    ts, r->id, r->method_name, r->route != NULL ? r->route->pattern : "-",
	    r->undelivered ? 499 : r->status, ms,
	    (long long)r->actor.user_id, note);
}
