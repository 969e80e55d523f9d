/*
 * fuzz_url.c — libFuzzer harness over the outbound-address checks:
 * valid_url and valid_hostname on the input as text, netpolicy_parse on it
 * as an allowlist, netpolicy_classify / netpolicy_permits on it as a
 * socket address of any family, and catalog_expand on "template LF value"
 * (the value, a user's, is every field's). Written against tether.h only, so it holds
 * whatever parses URLs behind valid_url.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tether.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_URL_MAX	4096

static void
check_url(const char *s)
{
	const char	*strict = valid_url(s, 0), *loose = valid_url(s, 1);
	const char	*p;

	/* Refusals are sentences; what https-only accepts, http allows too. */
	if (strict != NULL && *strict == '\0')
		abort();
	if (strict == NULL && loose != NULL)
		abort();
	if (strict == NULL && strncasecmp(s, "https://", 8) != 0)
		abort();
	if (loose == NULL) {
		if (strncasecmp(s, "https://", 8) != 0 &&
		    strncasecmp(s, "http://", 7) != 0)
			abort();
		/* No accepted URL carries spaces or control characters. */
		for (p = s; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				abort();
	}
}

static void
check_hostname(const char *s)
{
	const char	*p;

	if (valid_hostname(s) != NULL)
		return;
	if (*s == '\0' || strlen(s) > 253)
		abort();
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '/' || *p == ':' || *p == '@')
			abort();
}

static const char *
expand_value(void *arg, const char *field)
{
	return strcmp(field, "none") == 0 ? NULL : arg;
}

/* Whatever a value holds, the URL built from it has no space or control
 * character the template did not have. */
static void
check_expand(const char *s)
{
	struct buf	 out;
	const char	*nl, *p;
	char		*tmpl, err[256];
	int		 clean = 1;

	if ((nl = strchr(s, '\n')) == NULL)
		return;
	tmpl = strndup(s, (size_t)(nl - s));
	for (p = tmpl; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			clean = 0;
	buf_init(&out);
	err[0] = '\0';
	if (catalog_expand(tmpl, expand_value, (void *)(nl + 1), &out, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
	} else if (clean) {
		for (p = out.data; p != NULL && p < out.data + out.len; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				abort();
	}
	buf_free(&out);
	free(tmpl);
}

/* The input as a socket address: byte 0 picks the family. */
static void
check_sockaddr(const uint8_t *data, size_t size, const struct netpolicy *np)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	enum netclass		 c;

	if (size < 1)
		return;
	memset(&ss, 0, sizeof(ss));
	switch (data[0] % 3) {
	case 0:
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, data + 1, size - 1 < 4 ? size - 1 : 4);
		break;
	case 1:
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, data + 1, size - 1 < 16 ? size - 1 : 16);
		break;
	default:
		memcpy(&ss, data + 1, size - 1 < sizeof(ss) ? size - 1 : sizeof(ss));
		break;
	}
	c = netpolicy_classify((struct sockaddr *)&ss);
	if (netpolicy_class_name(c) == NULL)
		abort();
	/* Public addresses are permitted; an unknown family never is. */
	if (c == NET_PUBLIC && ss.ss_family != AF_INET &&
	    ss.ss_family != AF_INET6)
		abort();
	if (netpolicy_permits(np, (struct sockaddr *)&ss) &&
	    ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		abort();
	if (c == NET_PUBLIC && !netpolicy_permits(np, (struct sockaddr *)&ss))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netpolicy	 np;
	char			*s, err[256];

	if (size > FUZZ_URL_MAX)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	check_url(s);
	check_hostname(s);
	check_expand(s);
	memset(&np, 0, sizeof(np));
	err[0] = '\0';
	if (netpolicy_parse(&np, s, err, sizeof(err)) == -1 && err[0] == '\0')
		abort();
	check_sockaddr(data, size, &np);
	netpolicy_free(&np);
	free(s);
	return 0;
}
