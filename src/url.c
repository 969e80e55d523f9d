/*
 * url.c — the one URL parser. Every URL Tether fetches, or lets someone save
 * to be fetched later, is parsed once by libcurl's URL API; the checks run
 * on the parts libcurl found, and the transfer is given that same handle
 * (CURLOPT_CURLU), so what was checked is what is fetched. Two parsers that
 * could disagree (a hand-written validator, then libcurl's) are how SSRF
 * checks get bypassed.
 *
 * The text is also read by hand, but only ever to refuse: it must start
 * with "https://" (or "http://"), and its authority — from there to the
 * first '/', '?' or '#' — must spell exactly the host and port libcurl
 * found. Where the two readings differ the URL is refused rather than one
 * picked: libcurl reads "127.1" and "0x7f.1" as 127.0.0.1, decodes
 * "ex%61mple.com", takes "https:/x" and "https:///x" for https://x/, and
 * "https://h:" or "https://h:080" for the default port or port 80.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "tether.h"

static enum url_error	 url_curl_error(CURLUcode, const char *, const char *, int);
static int		 url_authority_is(const char *, size_t, const char *,
			    const char *);

#define URL_HOST_MAX	253	/* a DNS name, dots included */
#define URL_LABEL_MAX	63

/* ASCII only, whatever the locale says. */
static int
url_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
url_is_alnum(int c)
{
	return url_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * DNS name: labels of 1..63 letters, digits and '-', not starting or
 * ending with '-', at most 253 in all, no trailing dot. The last label may
 * not look like a number ("10.1", "0x7f000001"): resolvers would read the
 * name as an IPv4 address.
 */
int
url_dns_name(const char *s, size_t len)
{
	size_t	 i, start, n;
	int	 numeric;

	if (len == 0 || len > URL_HOST_MAX)
		return 0;
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!url_is_alnum((unsigned char)s[i]) && s[i] != '-')
				return 0;
			continue;
		}
		n = i - start;
		if (n == 0 || n > URL_LABEL_MAX)
			return 0;
		if (s[start] == '-' || s[i - 1] == '-')
			return 0;
		if (i == len) {
			numeric = 1;
			if (n >= 2 && s[start] == '0' &&
			    (s[start + 1] == 'x' || s[start + 1] == 'X')) {
				/* 0x, 0x1f: hexadecimal to inet_aton */
				for (i = start + 2; i < len; i++) {
					if (strchr("0123456789abcdefABCDEF",
					    s[i]) == NULL)
						numeric = 0;
				}
			} else {
				for (i = start; i < len; i++) {
					if (!url_is_digit((unsigned char)s[i]))
						numeric = 0;
				}
			}
			if (numeric)
				return 0;
			break;
		}
		start = i + 1;
	}
	return 1;
}

/* Dotted quad, four decimal parts 0..255 without leading zeros. */
int
url_ipv4(const char *s, size_t len)
{
	size_t	 i, parts = 0, digits = 0;
	int	 v = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (digits == 0 || ++parts > 4)
				return 0;
			digits = 0;
			v = 0;
			continue;
		}
		if (!url_is_digit((unsigned char)s[i]))
			return 0;
		if (digits == 1 && v == 0)
			return 0;	/* leading zero */
		v = v * 10 + (s[i] - '0');
		if (++digits > 3 || v > 255)
			return 0;
	}
	return parts == 4;
}

/* What curl's refusal means to the user; auth..aend is the raw authority. */
static enum url_error
url_curl_error(CURLUcode rc, const char *auth, const char *aend, int flags)
{
	const char	*colon, *p;

	switch (rc) {
	case CURLUE_BAD_PORT_NUMBER:
		/* "Use a port between 1 and 65535" only for a number */
		colon = NULL;
		for (p = auth; p < aend; p++) {
			if (*p == ']')
				colon = NULL;
			else if (*p == ':')
				colon = p;
		}
		if (colon == NULL || colon + 1 == aend)
			return URL_BAD;
		for (p = colon + 1; p < aend; p++)
			if (*p < '0' || *p > '9')
				return URL_BAD;
		return URL_PORT;
	case CURLUE_USER_NOT_ALLOWED:
	case CURLUE_BAD_LOGIN:
	case CURLUE_BAD_USER:
	case CURLUE_BAD_PASSWORD:
		return URL_USERINFO;
	case CURLUE_BAD_SCHEME:
	case CURLUE_UNSUPPORTED_SCHEME:
	case CURLUE_BAD_SLASHES:
	case CURLUE_NO_SCHEME:
		return flags & URL_HTTP ? URL_SCHEME_HTTP : URL_SCHEME;
	case CURLUE_BAD_FRAGMENT:
		return URL_FRAGMENT;
	default:
		return URL_BAD;
	}
}

/*
 * 1 when the raw authority a[0..n) is curl's host (port absent) or host
 * ":" port, byte for byte; an IPv6 host may be spelt differently ("0::1"
 * for "::1") as long as it is the same address.
 */
static int
url_authority_is(const char *a, size_t n, const char *host, const char *port)
{
	unsigned char	 want[16], got[16];
	char		 v6[64];
	const char	*end;
	size_t		 hlen = strlen(host), len;

	if (host[0] == '[') {
		if (n < 2 || a[0] != '[' || (end = memchr(a, ']', n)) == NULL)
			return 0;
		len = (size_t)(end - a - 1);
		if (len == 0 || len >= sizeof(v6) || hlen < 3 || hlen - 2 >= sizeof(v6))
			return 0;
		memcpy(v6, a + 1, len);
		v6[len] = '\0';
		if (inet_pton(AF_INET6, v6, got) != 1)
			return 0;
		memcpy(v6, host + 1, hlen - 2);
		v6[hlen - 2] = '\0';
		if (inet_pton(AF_INET6, v6, want) != 1 || memcmp(got, want, 16) != 0)
			return 0;
		hlen = (size_t)(end - a + 1);
	} else if (n < hlen || memcmp(a, host, hlen) != 0)
		return 0;
	a += hlen, n -= hlen;
	if (port == NULL)
		return n == 0;
	return n == strlen(port) + 1 && a[0] == ':' && memcmp(a + 1, port, n - 1) == 0;
}

/* What the text alone says before curl reads it: bounded, printable ASCII,
 * the scheme, no fragment, no user; the authority is [*auth, *aend). */
static enum url_error
url_text_check(const char *s, int flags, const char **auth, const char **aend)
{
	const char	*p;

	if (s == NULL || *s == '\0')
		return URL_EMPTY;
	if (strlen(s) > URL_MAX)
		return URL_LONG;
	for (p = s; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			return URL_SPACE;
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return URL_CHARS;
	}
	if (strncasecmp(s, "https://", 8) == 0)
		*auth = s + 8;
	else if ((flags & URL_HTTP) && strncasecmp(s, "http://", 7) == 0)
		*auth = s + 7;
	else
		return flags & URL_HTTP ? URL_SCHEME_HTTP : URL_SCHEME;
	if (strchr(s, '#') != NULL)
		return URL_FRAGMENT;
	*aend = *auth + strcspn(*auth, "/?#");
	if (memchr(*auth, '@', (size_t)(*aend - *auth)) != NULL)
		return URL_USERINFO;
	return URL_OK;
}

enum url_error
url_parse(struct url *u, const char *s, int flags)
{
	const char	*auth = NULL, *aend = NULL;
	char		*scheme = NULL, *host = NULL, *port = NULL, *part = NULL;
	enum url_error	 e;
	CURLUcode	 rc;
	long		 n;
	size_t		 hlen;

	memset(u, 0, sizeof(*u));
	if ((e = url_text_check(s, flags, &auth, &aend)) != URL_OK)
		return e;
	e = URL_BAD;
	if ((u->h = curl_url()) == NULL)
		goto fail;
	/* No scheme guessing, no scheme curl does not know, no user. */
	rc = curl_url_set(u->h, CURLUPART_URL, s, CURLU_DISALLOW_USER);
	if (rc != CURLUE_OK) {
		e = url_curl_error(rc, auth, aend, flags);
		goto fail;
	}

	/* The parts, as the transfer will read them. */
	if (curl_url_get(u->h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 &&
	    (!(flags & URL_HTTP) || strcmp(scheme, "http") != 0))) {
		e = flags & URL_HTTP ? URL_SCHEME_HTTP : URL_SCHEME;
		goto fail;
	}
	if (curl_url_get(u->h, CURLUPART_USER, &part, 0) != CURLUE_NO_USER ||
	    curl_url_get(u->h, CURLUPART_PASSWORD, &part, 0) != CURLUE_NO_PASSWORD ||
	    curl_url_get(u->h, CURLUPART_OPTIONS, &part, 0) != CURLUE_NO_OPTIONS) {
		e = URL_USERINFO;
		goto fail;
	}
	if (curl_url_get(u->h, CURLUPART_FRAGMENT, &part, 0) != CURLUE_NO_FRAGMENT) {
		e = URL_FRAGMENT;
		goto fail;
	}
	if (curl_url_get(u->h, CURLUPART_ZONEID, &part, 0) != CURLUE_NO_ZONEID ||
	    curl_url_get(u->h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    (hlen = strlen(host)) == 0)
		goto fail;
	if (host[0] == '[') {
		char	 v6[64];

		if (hlen < 3 || hlen - 2 >= sizeof(v6) || host[hlen - 1] != ']')
			goto fail;
		memcpy(v6, host + 1, hlen - 2);
		v6[hlen - 2] = '\0';
		if (inet_pton(AF_INET6, v6, &(struct in6_addr){ 0 }) != 1)
			goto fail;
	} else if (!url_ipv4(host, hlen) && !url_dns_name(host, hlen))
		goto fail;
	rc = curl_url_get(u->h, CURLUPART_PORT, &port, 0);
	if (rc == CURLUE_OK) {
		n = strspn(port, "0123456789") == strlen(port) && strlen(port) <= 5 ?
		    strtol(port, NULL, 10) : 0;
		if (n < 1 || n > 65535) {
			e = URL_PORT;
			goto fail;
		}
	} else if (rc != CURLUE_NO_PORT)
		goto fail;
	/* Both readings of the authority must agree, or neither is used. */
	if (!url_authority_is(auth, (size_t)(aend - auth), host, port))
		goto fail;
	if (port == NULL &&
	    curl_url_get(u->h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto fail;

	snprintf(u->scheme, sizeof(u->scheme), "%s", scheme);
	u->host = xstrdup(host);
	u->port = (int)strtol(port, NULL, 10);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return URL_OK;

fail:
	curl_free(part);	/* only ever set when a check above fails */
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	url_free(u);
	return e;
}

enum url_error
url_build(struct url *u, const char *scheme, const char *host, int port)
{
	char	 num[8], *got = NULL;
	size_t	 hlen;

	memset(u, 0, sizeof(*u));
	hlen = host != NULL ? strlen(host) : 0;
	if (hlen == 0 || (!url_ipv4(host, hlen) && !url_dns_name(host, hlen)))
		return URL_BAD;
	if (port < 1 || port > 65535)
		return URL_PORT;
	snprintf(num, sizeof(num), "%d", port);
	if ((u->h = curl_url()) == NULL ||
	    curl_url_set(u->h, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_set(u->h, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_set(u->h, CURLUPART_PORT, num, 0) != CURLUE_OK ||
	    curl_url_set(u->h, CURLUPART_PATH, "/", 0) != CURLUE_OK ||
	    curl_url_get(u->h, CURLUPART_HOST, &got, 0) != CURLUE_OK ||
	    strcmp(got, host) != 0) {
		curl_free(got);
		url_free(u);
		return URL_BAD;
	}
	curl_free(got);
	snprintf(u->scheme, sizeof(u->scheme), "%s", scheme);
	u->host = xstrdup(host);
	u->port = port;
	return URL_OK;
}

void
url_free(struct url *u)
{
	curl_url_cleanup(u->h);
	free(u->host);
	memset(u, 0, sizeof(*u));
}

char *
url_string(const struct url *u)
{
	char	*s = NULL, *copy;

	if (u->h == NULL || curl_url_get(u->h, CURLUPART_URL, &s, 0) != CURLUE_OK)
		return NULL;
	copy = xstrdup(s);
	curl_free(s);
	return copy;
}

const char *
url_strerror(enum url_error e)
{
	switch (e) {
	case URL_OK:
		return NULL;
	case URL_LONG:
		return "Use at most 8192 characters.";
	case URL_SPACE:
		return "Remove the spaces from the address.";
	case URL_CHARS:
		return "Remove the special characters from the address.";
	case URL_SCHEME:
		return "The address must start with https://.";
	case URL_SCHEME_HTTP:
		return "The address must start with https:// or http://.";
	case URL_FRAGMENT:
		return "Remove the # and what follows it from the address.";
	case URL_USERINFO:
		return "Remove the user name and password from the address.";
	case URL_PORT:
		return "Use a port between 1 and 65535.";
	case URL_EMPTY:
	case URL_BAD:
	default:
		return "Enter an address like https://example.com.";
	}
}
