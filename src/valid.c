/*
 * valid.c — field validators. Each returns NULL when the value is
 * acceptable, or a short sentence telling the user what to change.
 *
 * A sentence that names a limit ("Use at most 120 characters.") is made
 * once and kept for the life of the process in valid_msgs, so the pointer
 * stays good however many fields a page validates before it renders. The
 * limits come from code and connector files, never from the request, so
 * the table stays small; it is capped all the same, and past the cap a
 * sentence without the number is returned.
 */

#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tether.h"

#define VALID_URL_MAX		2048
#define VALID_HOST_MAX		253
#define VALID_EMAIL_MAX		254
#define VALID_LOCAL_MAX		64
#define VALID_MSGS_MAX		256

static const char *valid_msgs[VALID_MSGS_MAX];
static size_t valid_nmsgs;

static const char	*valid_msg(const char *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static const char	*valid_chars(const char *, size_t, int, size_t *);
static int		 valid_is_digit(int);

/* The sentence fmt makes, kept for good; `fallback` when the table is full. */
static const char *
valid_msg(const char *fallback, const char *fmt, ...)
{
	char	 s[128];
	va_list	 ap;
	size_t	 i;

	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	for (i = 0; i < valid_nmsgs; i++) {
		if (strcmp(valid_msgs[i], s) == 0)
			return valid_msgs[i];
	}
	if (valid_nmsgs == VALID_MSGS_MAX)
		return fallback;
	return valid_msgs[valid_nmsgs++] = xstrdup(s);
}

static int
valid_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * Check s[0..len) is UTF-8 free of control characters (C0, DEL, C1);
 * with `lines` set, tab, CR and LF are allowed. Counts code points.
 */
static const char *
valid_chars(const char *s, size_t len, int lines, size_t *count)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n = 0;

	if (!utf8_valid(s, len))
		return "Remove the characters that are not valid text.";
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20) {
			if (!lines || (p[i] != '\t' && p[i] != '\r' &&
			    p[i] != '\n'))
				return "Remove the control characters.";
		} else if (p[i] == 0x7f)
			return "Remove the control characters.";
		else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] <= 0x9f)
			return "Remove the control characters.";	/* C1 */
		if ((p[i] & 0xc0) != 0x80)
			n++;
	}
	*count = n;
	return NULL;
}

/* A message when n characters are fewer than minlen or more than maxlen. */
static const char *
valid_length(size_t n, size_t minlen, size_t maxlen)
{
	if (n < minlen)
		return valid_msg("Enter a longer value.", "Use at least %zu character%s.",
		    minlen, minlen == 1 ? "" : "s");
	if (n > maxlen)
		return valid_msg("Enter a shorter value.", "Use at most %zu character%s.",
		    maxlen, maxlen == 1 ? "" : "s");
	return NULL;
}

const char *
valid_text(const char *s, size_t minlen, size_t maxlen)
{
	const char	*msg;
	size_t		 len, n;

	len = s == NULL ? 0 : strlen(s);
	if (len == 0) {
		if (minlen > 0)
			return "Enter a value.";
		return NULL;
	}
	if ((msg = valid_chars(s, len, 1, &n)) != NULL)
		return msg;
	return valid_length(n, minlen, maxlen);
}

/* One line, 1..maxlen characters, not only spaces. */
const char *
valid_name(const char *s, size_t maxlen)
{
	const char	*msg;
	size_t		 len, n;

	len = s == NULL ? 0 : strlen(s);
	if (strspn(s == NULL ? "" : s, " ") == len)
		return "Enter a value.";
	/* " Name " would sit beside "Name" looking the same: refuse, don't guess. */
	if (s[0] == ' ' || s[len - 1] == ' ')
		return "Remove the spaces at the start and end.";
	if ((msg = valid_chars(s, len, 0, &n)) != NULL)
		return msg;
	return valid_length(n, 0, maxlen);
}

/*
 * Pragmatic: local@domain, the local part 1..64 printable ASCII characters
 * without the ones that break addresses or markup, no leading, trailing or
 * double dot; the domain a DNS name with at least one dot.
 */
const char *
valid_email(const char *s)
{
	const char	*at, *p;
	size_t		 len;

	if (s == NULL || *s == '\0')
		return "Enter an email address.";
	if ((len = strlen(s)) > VALID_EMAIL_MAX)
		return "Use at most 254 characters.";
	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		goto bad;
	if (at == s || (size_t)(at - s) > VALID_LOCAL_MAX)
		goto bad;
	if (s[0] == '.' || at[-1] == '.')
		goto bad;
	for (p = s; p < at; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("\"(),:;<>[\\]", *p) != NULL)
			goto bad;
		if (p[0] == '.' && p[1] == '.')
			goto bad;
	}
	if (strchr(at + 1, '.') == NULL ||
	    !url_dns_name(at + 1, len - (size_t)(at + 1 - s)))
		goto bad;
	return NULL;
bad:
	return "Enter an email address like name@example.com.";
}

/* Base 10, optional '-', digits only, within [min, max]. */
const char *
valid_int(const char *s, long long min, long long max, long long *out)
{
	const char		*p;
	unsigned long long	 v = 0, limit;
	int			 neg = 0, d;

	if (s == NULL || *s == '\0')
		goto bad;
	p = s;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '\0')
		goto bad;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 :
	    (unsigned long long)LLONG_MAX;
	for (; *p != '\0'; p++) {
		if (!valid_is_digit((unsigned char)*p))
			goto bad;
		d = *p - '0';
		if (v > (limit - (unsigned long long)d) / 10)
			goto bad;
		v = v * 10 + (unsigned long long)d;
	}
	if (neg) {
		if (v == (unsigned long long)LLONG_MAX + 1) {
			if (min != LLONG_MIN)
				goto bad;
			if (out != NULL)
				*out = LLONG_MIN;
			return NULL;
		}
		if (-(long long)v < min || -(long long)v > max)
			goto bad;
		if (out != NULL)
			*out = -(long long)v;
	} else {
		if ((long long)v < min || (long long)v > max)
			goto bad;
		if (out != NULL)
			*out = (long long)v;
	}
	return NULL;

bad:
	if (min == LLONG_MIN && max == LLONG_MAX)
		return "Enter a whole number.";
	if (min == LLONG_MIN) {
		return valid_msg("Enter a smaller whole number.",
		    "Enter a whole number no greater than %lld.", max);
	}
	if (max == LLONG_MAX) {
		return valid_msg("Enter a larger whole number.",
		    "Enter a whole number of at least %lld.", min);
	}
	return valid_msg("Enter a whole number in the allowed range.",
	    "Enter a whole number between %lld and %lld.", min, max);
}

/* The form's rules are url_parse()'s, with a shorter limit. */
const char *
valid_url(const char *s, int allow_http)
{
	struct url	 u;
	enum url_error	 e;

	if (s != NULL && strlen(s) > VALID_URL_MAX)
		return "Use at most 2048 characters.";
	e = url_parse(&u, s, allow_http ? URL_HTTP : 0);
	url_free(&u);
	return url_strerror(e);
}

const char *
valid_hostname(const char *s)
{
	size_t	 len;

	if (s == NULL || *s == '\0')
		return "Enter a host name like example.com.";
	if ((len = strlen(s)) > VALID_HOST_MAX)
		return "Use at most 253 characters.";
	if (!url_dns_name(s, len))
		return "Enter a host name like example.com.";
	return NULL;
}

/*
 * A calendar date "YYYY-MM-DD" (ISO 8601, as <input type="date"> sends it)
 * that exists (no 30 February), from 2000-01-01 to 2099-12-31: a secret's
 * expiry, say. Leap years by the Gregorian rule.
 */
const char *
valid_date(const char *s)
{
	static const int	 mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int			 y, m, d, i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !valid_is_digit((unsigned char)s[i]))
			return "Enter a date as YYYY-MM-DD, like 2027-03-31.";
	if (s[10] != '\0')
		return "Enter a date as YYYY-MM-DD, like 2027-03-31.";
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 &&
	    (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return "Enter a real date: that day does not exist.";
	if (y < 2000 || y > 2099)
		return "Enter a date from 2000-01-01 to 2099-12-31.";
	return NULL;
}
