/*
 * accesslog.c — one structured line per request on stderr. Routes are
 * logged by pattern, never with query strings or form values, so nothing
 * secret reaches the log.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tether.h"
#include "web.h"

/*
 * The line is put together by hand and written in one write(2): a printf
 * of it (its float among them) through unbuffered stdio was a twelfth of a
 * kept page's instructions. The timestamp is formatted once a second.
 */
void
accesslog_write(const struct req *r)
{
	static time_t	 ts_for = -1;
	static char	 ts[32];
	struct timespec	 now;
	long long	 tenths;
	char		 num[96], note[160] = "";
	struct buf	 line;
	time_t		 t = time(NULL);
	struct tm	 tm;

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Milliseconds to one decimal, rounded. */
	tenths = ((long long)(now.tv_sec - r->started.tv_sec) * 1000000000LL +
	    (now.tv_nsec - r->started.tv_nsec) + 50000) / 100000;
	if (t != ts_for) {
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		ts_for = t;
	}
	/* An answer that reached nobody is logged as nginx logs it, 499 (the
	 * client went away), with what it would have been. */
	if (r->undelivered)
		snprintf(note, sizeof(note), " note=client gone (answer %d not delivered)%s%s",
		    r->status, r->log_note != NULL ? "; " : "",
		    r->log_note != NULL ? r->log_note : "");
	else if (r->log_note != NULL)
		snprintf(note, sizeof(note), " note=%s", r->log_note);
	buf_init(&line);
	buf_reserve(&line, 256);
	buf_puts(&line, ts);
	BUF_LIT(&line, " access rid=");
	buf_puts(&line, r->id);
	BUF_LIT(&line, " method=");
	buf_puts(&line, r->method_name);
	BUF_LIT(&line, " route=");
	buf_puts(&line, r->route != NULL ? r->route->pattern : "-");
	snprintf(num, sizeof(num), " status=%d ms=%lld.%lld user=%lld",
	    r->undelivered ? 499 : r->status, tenths / 10, tenths % 10,
	    (long long)r->actor.user_id);
	buf_puts(&line, num);
	buf_puts(&line, note);
	BUF_LIT(&line, "\n");
	(void)write(STDERR_FILENO, line.data, line.len);
	buf_free(&line);
}
