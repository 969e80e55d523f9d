/*
 * log.c — error lines on stderr, each naming the request (or run) it
 * belongs to, so that one request id finds the access line and its errors.
 * Never a secret in them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tether.h"

void
log_error(const char *request_id, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "tether: rid=%s ", request_id != NULL ? request_id : "-");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
