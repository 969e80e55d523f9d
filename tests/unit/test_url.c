/*
 * test_url.c — unit tests for url.c: tricky URLs, whether they are
 * accepted, and for the accepted ones the host and port libcurl will
 * connect to (read back from the very handle a transfer is given).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "t.h"
#include "tether.h"

#define H	URL_HTTP

struct url_case {
	const char	*url;
	int		 flags;
	enum url_error	 want;
	const char	*host;		/* accepted: where curl connects */
	int		 port;
	const char	*why;
};

static const struct url_case cases[] = {
	/* accepted */
	{ "https://example.com", 0, URL_OK, "example.com", 443, "host only" },
	{ "https://example.com/", 0, URL_OK, "example.com", 443, "root path" },
	{ "https://example.com:8443/api/v2?x=1&y=%20", 0, URL_OK, "example.com", 8443,
	    "port, path, query" },
	{ "HTTPS://Example.COM/", 0, URL_OK, "Example.COM", 443, "scheme and host in any case" },
	{ "hTTp://example.com", H, URL_OK, "example.com", 80, "http in any case, when allowed" },
	{ "http://example.com:8080/x", H, URL_OK, "example.com", 8080, "http with a port" },
	{ "https://192.0.2.10/x", 0, URL_OK, "192.0.2.10", 443, "IPv4" },
	{ "https://[::1]", 0, URL_OK, "[::1]", 443, "IPv6 loopback (the policy decides)" },
	{ "https://[::1]:8443/x", 0, URL_OK, "[::1]", 8443, "IPv6 and port" },
	{ "https://[2001:db8::1]", 0, URL_OK, "[2001:db8::1]", 443, "IPv6" },
	{ "https://[0:0::1]/", 0, URL_OK, "[::1]", 443, "IPv6 as curl writes it" },
	{ "https://[::ffff:127.0.0.1]/", 0, URL_OK, "[::ffff:127.0.0.1]", 443,
	    "IPv4-mapped IPv6" },
	{ "https://localhost:1", 0, URL_OK, "localhost", 1, "port 1" },
	{ "https://localhost:65535", 0, URL_OK, "localhost", 65535, "port 65535" },
	{ "https://xn--exmple-cua.com/", 0, URL_OK, "xn--exmple-cua.com", 443,
	    "IDN as punycode" },
	{ "https://example.com/users/@me", 0, URL_OK, "example.com", 443, "'@' in the path" },
	{ "https://example.com/a\\@evil.example/", 0, URL_OK, "example.com", 443,
	    "'\\@' in the path stays in the path" },
	{ "https://example.com/a/../b", 0, URL_OK, "example.com", 443, "dot segments" },
	{ "https://example.com/%00", 0, URL_OK, "example.com", 443, "encoded NUL in the path" },
	/* Behaviour change: the hand parser ended the authority at '/' only and
	 * refused this as a bad host; curl (and RFC 3986) end it at '?' too. */
	{ "https://example.com?x=1", 0, URL_OK, "example.com", 443, "query without a path" },
	{ "https://a.example?@evil.example", 0, URL_OK, "a.example", 443,
	    "'@' in a query without a path" },

	/* scheme */
	{ "http://example.com", 0, URL_SCHEME, NULL, 0, "http refused" },
	{ "javascript:alert(1)", H, URL_SCHEME_HTTP, NULL, 0, "javascript: refused" },
	{ "ftp://example.com", 0, URL_SCHEME, NULL, 0, "ftp refused" },
	{ "//example.com", 0, URL_SCHEME, NULL, 0, "scheme-relative refused" },
	{ "https:example.com", 0, URL_SCHEME, NULL, 0, "https:x refused" },
	{ "https:/example.com", 0, URL_SCHEME, NULL, 0, "https:/x refused (curl takes it)" },
	{ "example.com", 0, URL_SCHEME, NULL, 0, "no scheme (curl would guess)" },

	/* user info */
	{ "https://a@b.example", 0, URL_USERINFO, NULL, 0, "user" },
	{ "https://user:pw@host.example.com/", 0, URL_USERINFO, NULL, 0, "user and password" },
	{ "https://evil.com\\@good.com", 0, URL_USERINFO, NULL, 0,
	    "backslash: curl's user is \"evil.com\\\", its host good.com" },
	{ "https://good.example:443@evil.example/", 0, URL_USERINFO, NULL, 0,
	    "port-looking password" },

	/* host */
	{ "https://", 0, URL_BAD, NULL, 0, "no host" },
	{ "https:///example.com", 0, URL_BAD, NULL, 0, "empty authority (curl takes the path as the host)" },
	{ "https://0x7f.1", 0, URL_BAD, NULL, 0, "hex and short IPv4 (curl: 127.0.0.1)" },
	{ "https://127.1", 0, URL_BAD, NULL, 0, "short IPv4 (curl: 127.0.0.1)" },
	{ "https://2130706433/", 0, URL_BAD, NULL, 0, "integer IPv4 (curl: 127.0.0.1)" },
	{ "https://0177.0.0.1/", 0, URL_BAD, NULL, 0, "octal IPv4" },
	{ "https://ex%61mple.com/", 0, URL_BAD, NULL, 0, "percent-encoded host (curl decodes it)" },
	{ "https://127.0.0.1%2f@evil/", 0, URL_USERINFO, NULL, 0, "encoded slash and '@'" },
	{ "https://example.com./", 0, URL_BAD, NULL, 0, "trailing dot" },
	{ "https://a..example", 0, URL_BAD, NULL, 0, "empty label" },
	{ "https://a_b.example", 0, URL_BAD, NULL, 0, "underscore" },
	{ "https://good.com\\evil", 0, URL_BAD, NULL, 0, "backslash in the host" },
	{ "https://example.com;x=1/", 0, URL_BAD, NULL, 0, "';' in the host" },
	{ "https://[192.0.2.1]/", 0, URL_BAD, NULL, 0, "IPv4 in brackets" },
	{ "https://[fe80::1%25eth0]/", 0, URL_BAD, NULL, 0, "zone id" },
	{ "https://[::1", 0, URL_BAD, NULL, 0, "unclosed bracket" },
	{ "https://[]/", 0, URL_BAD, NULL, 0, "empty brackets" },
	{ "https://[::1]x", 0, URL_BAD, NULL, 0, "junk after IPv6" },

	/* port */
	{ "https://example.com:0", 0, URL_PORT, NULL, 0, "port 0 (curl takes it)" },
	{ "https://example.com:65536/", 0, URL_PORT, NULL, 0, "port 65536" },
	{ "https://example.com:123456", 0, URL_PORT, NULL, 0, "port of six digits" },
	{ "https://example.com:", 0, URL_BAD, NULL, 0, "empty port (curl: the default)" },
	{ "https://example.com:/x", 0, URL_BAD, NULL, 0, "empty port before a path" },
	{ "https://[::1]:", 0, URL_BAD, NULL, 0, "empty port after IPv6" },
	{ "https://example.com:080/", 0, URL_BAD, NULL, 0, "port with a leading zero (curl: 80)" },
	{ "https://example.com:+80", 0, URL_BAD, NULL, 0, "signed port" },
	{ "https://example.com:8a", 0, URL_BAD, NULL, 0, "port not a number" },

	/* characters */
	{ "https://example.com/#top", 0, URL_FRAGMENT, NULL, 0, "fragment" },
	{ "https://example.com#@evil.example", 0, URL_FRAGMENT, NULL, 0, "fragment with '@'" },
	{ "https://exa mple.com", 0, URL_SPACE, NULL, 0, "space" },
	{ "https://example.com/\tx", 0, URL_SPACE, NULL, 0, "tab" },
	{ "https://example.com\n.evil/", 0, URL_SPACE, NULL, 0, "newline" },
	{ "https://example.com\r/", 0, URL_SPACE, NULL, 0, "carriage return" },
	{ "https://example.com/\x01", 0, URL_CHARS, NULL, 0, "control character" },
	{ "https://example.com/\x7f", 0, URL_CHARS, NULL, 0, "DEL" },
	{ "https://ex\xc3\xa4mple.com/", 0, URL_CHARS, NULL, 0, "raw IDN" },
	{ "", 0, URL_EMPTY, NULL, 0, "empty" },
};

/* `s` for a TAP line: control characters as \\xNN, and bounded. */
static const char *
show(const char *s)
{
	static char	 out[200];
	size_t		 n = 0;

	for (; *s != '\0' && n + 5 < sizeof(out); s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\x%02x", (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

/* Where the handle a transfer gets connects: curl's own reading of it. */
static void
check_handle(const struct url *u, const struct url_case *c)
{
	char	 name[200], *host = NULL, *port = NULL;

	snprintf(name, sizeof(name), "%s: the handle's host", c->url);
	T_OK(curl_url_get(u->h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strcmp(host, c->host) == 0, name);
	snprintf(name, sizeof(name), "%s: the handle's port", c->url);
	T_OK(curl_url_get(u->h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    atoi(port) == c->port, name);
	curl_free(host);
	curl_free(port);
}

static void
test_table(void)
{
	struct url	 u;
	enum url_error	 e;
	char		 name[300];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct url_case *c = &cases[i];

		e = url_parse(&u, c->url, c->flags);
		snprintf(name, sizeof(name), "%s (%s): %s", c->why, show(c->url),
		    c->want == URL_OK ? "accepted" : url_strerror(c->want));
		if (!T_INT(e, c->want, name))
			printf("#   said: %s\n", url_strerror(e));
		if (c->want != URL_OK) {
			T_OK(u.h == NULL && u.host == NULL, "refused: nothing is kept");
			continue;
		}
		if (e != URL_OK)
			continue;
		snprintf(name, sizeof(name), "%s: host", c->url);
		T_STR(u.host, c->host, name);
		snprintf(name, sizeof(name), "%s: port", c->url);
		T_INT(u.port, c->port, name);
		check_handle(&u, c);
		url_free(&u);
	}
	url_free(&u);		/* twice is harmless */
}

static void
test_limits(void)
{
	struct url	 u;
	char		*s;

	T_INT(url_parse(&u, NULL, 0), URL_EMPTY, "NULL");
	s = malloc(URL_MAX + 2);
	if (s == NULL)
		abort();
	strcpy(s, "https://example.com/");
	memset(s + 20, 'p', URL_MAX - 20);
	s[URL_MAX] = '\0';
	T_INT(url_parse(&u, s, 0), URL_OK, "URL_MAX characters");
	url_free(&u);
	s[URL_MAX] = 'p';
	s[URL_MAX + 1] = '\0';
	T_INT(url_parse(&u, s, 0), URL_LONG, "URL_MAX + 1 characters");
	free(s);

	/* A NUL ends the string: what follows it is never seen. */
	T_INT(url_parse(&u, "https://a.example\0@evil.example", 0), URL_OK, "NUL");
	T_STR(u.host, "a.example", "NUL: the host before it");
	url_free(&u);
}

static void
test_strings(void)
{
	struct url	 u;
	char		*s;

	T_STR(url_strerror(URL_BAD), "Enter an address like https://example.com.", "bad");
	T_STR(url_strerror(URL_SCHEME), "The address must start with https://.", "scheme");
	T_STR(url_strerror(URL_SCHEME_HTTP),
	    "The address must start with https:// or http://.", "scheme with http");
	T_STR(url_strerror(URL_USERINFO),
	    "Remove the user name and password from the address.", "userinfo");
	T_STR(url_strerror(URL_PORT), "Use a port between 1 and 65535.", "port");

	/* What a proxy string is rebuilt from: the checked handle. */
	T_INT(url_parse(&u, "HTTP://Proxy.example:3128", H), URL_OK, "proxy");
	s = url_string(&u);
	T_STR(s, "http://Proxy.example:3128/", "proxy: curl's own spelling");
	free(s);
	url_free(&u);
}

/* A URL made of checked parts (SMTP): no text to parse at all. */
static void
test_build(void)
{
	struct url	 u;
	char		*s;

	T_INT(url_build(&u, "smtps", "mail.example.com", 465), URL_OK, "build: smtps");
	s = url_string(&u);
	T_STR(s, "smtps://mail.example.com:465/", "build: the URL curl fetches");
	free(s);
	T_STR(u.host, "mail.example.com", "build: host");
	T_INT(u.port, 465, "build: port");
	url_free(&u);
	T_INT(url_build(&u, "smtp", "localhost", 25), URL_OK, "build: smtp");
	url_free(&u);
	T_INT(url_build(&u, "smtp", "127.1", 25), URL_BAD, "build: short IPv4 refused");
	T_INT(url_build(&u, "smtp", "a@b.example", 25), URL_BAD, "build: '@' refused");
	T_INT(url_build(&u, "smtp", "b.example/x", 25), URL_BAD, "build: '/' refused");
	T_INT(url_build(&u, "smtp", "b.example:26", 25), URL_BAD, "build: ':' refused");
	T_INT(url_build(&u, "smtp", "", 25), URL_BAD, "build: empty host");
	T_INT(url_build(&u, "smtp", NULL, 25), URL_BAD, "build: no host");
	T_INT(url_build(&u, "smtp", "b.example", 0), URL_PORT, "build: port 0");
	T_INT(url_build(&u, "smtp", "b.example", 65536), URL_PORT, "build: port 65536");
	T_OK(u.h == NULL, "build: nothing kept when refused");
}

/* A proxy in the configuration is refused when Tether starts, not at
 * every test: the same parser, http allowed. */
static void
test_config_proxy(void)
{
	static const struct { const char *proxy; int ok; } p[] = {
		{ "", 1 },
		{ "http://proxy.example:3128", 1 },
		{ "https://proxy.example", 1 },
		{ "http://user:pw@proxy.example:3128", 0 },
		{ "http://127.1:3128", 0 },
		{ "socks5://proxy.example:1080", 0 },
		{ "proxy.example:3128", 0 },
	};
	struct config	 cfg;
	char		 path[] = "/tmp/tether-test-url-XXXXXX", err[300], name[200];
	size_t		 i;
	FILE		*f;
	int		 fd, rc;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		strcpy(path + sizeof(path) - 7, "XXXXXX");
		if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
			abort();
		fprintf(f, "outbound.proxy = %s\n", p[i].proxy);
		fclose(f);
		err[0] = '\0';
		memset(&cfg, 0, sizeof(cfg));
		rc = config_load(&cfg, path, err, sizeof(err));
		snprintf(name, sizeof(name), "config: outbound.proxy = \"%s\" %s", p[i].proxy,
		    p[i].ok ? "loads" : "refused");
		T_INT(rc, p[i].ok ? 0 : -1, name);
		if (!p[i].ok)
			T_OK(strstr(err, "outbound.proxy") != NULL, "config: the message names the key");
		if (rc == 0)
			config_free(&cfg);
		unlink(path);
	}
}

/*
 * Differential: URLs put together from tricky pieces. Whenever url_parse
 * accepts one, libcurl reading the same text again as CURLOPT_URL would
 * (scheme guessing, any scheme), and reading url_string() again (what a
 * proxy gets), must find the same host and port. Bounded, fixed seed.
 */
static const char *const d_schemes[] = { "https://", "https://", "https://", "HTTPS://",
    "http://", "http://", "hTTp://", "https:/",
    "https:///", "https:", "//", "", "ftp://", "https:\\\\" };
static const char *const d_users[] = { "", "", "", "", "", "", "", "", "", "", "a@", "a:b@", "evil.com\\@", ":@", "%40@" };
static const char *const d_hosts[] = { "example.com", "EXAMPLE.com", "127.0.0.1", "127.1",
    "0x7f.1", "2130706433", "0177.0.0.1", "[::1]", "[0::1]", "[::ffff:127.0.0.1]",
    "[fe80::1%25eth0]", "[::1", "ex%61mple.com", "a..b", "a.b.", "xn--bcher-kva.example",
    "localhost", "", "a_b.c", "1.2.3.4.5", "[192.0.2.1]", "h\\x", "h;x" };
static const char *const d_ports[] = { "", "", "", "", ":8443", ":", ":0", ":1", ":080", ":443", ":65535",
    ":65536", ":+1", ":8a", "::1", ":99999999999" };
static const char *const d_tails[] = { "", "/", "/a", "?q", "#f", "/@x", "\\@x", "/..",
    "/%2e%2e/", ";x", " x", "\t", "?a=b@c", "@evil.com", "/a/../../b", "?#", "%00", "//x" };

#define D_N(a)	(sizeof(a) / sizeof((a)[0]))
#define D_RUNS	60000

static unsigned long d_seed = 20261204;

static size_t
d_pick(size_t n)
{
	d_seed = d_seed * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)((d_seed >> 33) % n);
}

/* Host and default-filled port of `s` read by curl with `flags`; -1 if refused. */
static int
d_curl(const char *s, unsigned flags, char *host, size_t hostlen, int *port)
{
	CURLU	*h = curl_url();
	char	*v = NULL, *p = NULL;
	int	 rc = -1;

	if (h != NULL && curl_url_set(h, CURLUPART_URL, s, flags) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &v, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		snprintf(host, hostlen, "%s", v);
		*port = atoi(p);
		rc = 0;
	}
	curl_free(v);
	curl_free(p);
	curl_url_cleanup(h);
	return rc;
}

static void
test_differential(void)
{
	char		 s[512], host[300], *again;
	struct url	 u;
	size_t		 i, accepted = 0, bad = 0;
	int		 port;

	for (i = 0; i < D_RUNS; i++) {
		snprintf(s, sizeof(s), "%s%s%s%s%s%s", d_schemes[d_pick(D_N(d_schemes))],
		    d_users[d_pick(D_N(d_users))], d_hosts[d_pick(D_N(d_hosts))],
		    d_ports[d_pick(D_N(d_ports))], d_tails[d_pick(D_N(d_tails))],
		    d_tails[d_pick(D_N(d_tails))]);
		if (url_parse(&u, s, URL_HTTP) != URL_OK)
			continue;
		accepted++;
		again = url_string(&u);
		if (d_curl(s, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME, host,
		    sizeof(host), &port) == -1 || strcmp(host, u.host) != 0 ||
		    port != u.port || strchr(u.host, '@') != NULL ||
		    again == NULL || d_curl(again, CURLU_GUESS_SCHEME |
		    CURLU_NON_SUPPORT_SCHEME, host, sizeof(host), &port) == -1 ||
		    strcmp(host, u.host) != 0 || port != u.port) {
			if (bad++ < 5)
				printf("#   disagreement: %s\n", show(s));
		}
		free(again);
		url_free(&u);
	}
	T_INT(bad, 0, "differential: curl reads every accepted URL the same way again");
	T_OK(accepted > D_RUNS / 50, "differential: some URLs were accepted");
	printf("# differential: %zu of %d accepted\n", accepted, D_RUNS);
}

int
main(void)
{
	test_table();
	test_limits();
	test_strings();
	test_build();
	test_config_proxy();
	test_differential();
	return (t_done());
}
