/*
 * test_valid.c — unit tests for valid.c: each validator's accepting and
 * refusing edges and the exact sentences the user sees.
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

#define MSG_VALUE	"Enter a value."
#define MSG_CONTROL	"Remove the control characters."
#define MSG_EMAIL	"Enter an email address like name@example.com."
#define MSG_URL		"Enter an address like https://example.com."
#define MSG_HTTPS	"The address must start with https://."
#define MSG_HTTP	"The address must start with https:// or http://."
#define MSG_USERINFO	"Remove the user name and password from the address."
#define MSG_PORT	"Use a port between 1 and 65535."
#define MSG_HOST	"Enter a host name like example.com."

/* A string of n copies of c; the caller frees it. */
static char *
rep(int c, size_t n)
{
	char	*s;

	s = malloc(n + 1);
	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return (s);
}

static void
test_text(void)
{
	const char	*m120, *m2000;
	char		*s121, *s2001;

	T_STR(valid_text("", 0, 10), NULL, "text: empty allowed at min 0");
	T_STR(valid_text(NULL, 0, 10), NULL, "text: NULL allowed at min 0");
	T_STR(valid_text("", 1, 10), MSG_VALUE, "text: empty refused at min 1");
	T_STR(valid_text(NULL, 1, 10), MSG_VALUE, "text: NULL refused at min 1");
	T_STR(valid_text("abc", 1, 3), NULL, "text: exactly max");
	T_STR(valid_text("abcd", 1, 3), "Use at most 3 characters.",
	    "text: one over max");
	T_STR(valid_text("ab", 3, 10), "Use at least 3 characters.",
	    "text: under min");
	T_STR(valid_text("abc", 3, 10), NULL, "text: exactly min");
	T_STR(valid_text("ab", 0, 1), "Use at most 1 character.",
	    "text: singular");
	T_STR(valid_text("\xc3\xa9\xc3\xa9\xc3\xa9", 1, 3), NULL,
	    "text: counts characters, not bytes");
	T_STR(valid_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1, 3),
	    "Use at most 3 characters.", "text: four e-acutes over 3");
	T_STR(valid_text("\xf0\x9f\x98\x80", 1, 1), NULL,
	    "text: an emoji is one character");
	T_STR(valid_text("line\r\nline\ttab", 1, 100), NULL,
	    "text: tab, CR, LF allowed");
	T_STR(valid_text("a\x01" "b", 1, 100), MSG_CONTROL, "text: C0 refused");
	T_STR(valid_text("a\x1b" "b", 1, 100), MSG_CONTROL, "text: ESC refused");
	T_STR(valid_text("a\x7f", 1, 100), MSG_CONTROL, "text: DEL refused");
	T_STR(valid_text("a\xc2\x85", 1, 100), MSG_CONTROL,
	    "text: C1 NEL refused");
	T_STR(valid_text("a\xc2\x9f", 1, 100), MSG_CONTROL,
	    "text: C1 APC refused");
	T_STR(valid_text("a\xc2\xa0" "b", 1, 100), NULL,
	    "text: U+00A0 allowed");
	T_STR(valid_text("a\xc3", 1, 100),
	    "Remove the characters that are not valid text.",
	    "text: bad UTF-8 refused");
	T_STR(valid_text("\xed\xa0\x80", 1, 100),
	    "Remove the characters that are not valid text.",
	    "text: surrogate refused");

	s121 = rep('x', 121);
	s2001 = rep('y', 2001);
	T_STR(valid_text(s121 + 1, 1, 120), NULL, "text: 120 of 120");
	m120 = valid_text(s121, 1, 120);
	m2000 = valid_text(s2001, 1, 2000);
	T_STR(m120, "Use at most 120 characters.", "text: 121 of 120");
	T_STR(m2000, "Use at most 2000 characters.", "text: 2001 of 2000");
	T_OK(valid_text(s121, 1, 120) == m120,
	    "text: the same sentence is the same pointer");
	free(s121);
	free(s2001);
}

static void
test_name(void)
{
	T_STR(valid_name("Jira production", 120), NULL, "name: ordinary");
	T_STR(valid_name(" Jira", 120), "Remove the spaces at the start and end.",
	    "name: a leading space refused");
	T_STR(valid_name("Jira  ", 120), "Remove the spaces at the start and end.",
	    "name: trailing spaces refused");
	T_STR(valid_name("J\xc3\xbcrgen", 6), NULL, "name: counts characters");
	T_STR(valid_name("ab", 2), NULL, "name: exactly max");
	T_STR(valid_name("abc", 2), "Use at most 2 characters.",
	    "name: over max");
	T_STR(valid_name("", 120), MSG_VALUE, "name: empty refused");
	T_STR(valid_name(NULL, 120), MSG_VALUE, "name: NULL refused");
	T_STR(valid_name("   ", 120), MSG_VALUE, "name: only spaces refused");
	T_STR(valid_name("a\tb", 120), MSG_CONTROL, "name: tab refused");
	T_STR(valid_name("a\nb", 120), MSG_CONTROL, "name: LF refused");
	T_STR(valid_name("a\rb", 120), MSG_CONTROL, "name: CR refused");
	T_STR(valid_name("a\x7f", 120), MSG_CONTROL, "name: DEL refused");
	T_STR(valid_name("a\xc2\x80", 120), MSG_CONTROL, "name: C1 refused");
	T_STR(valid_name("\xc0\xaf", 120),
	    "Remove the characters that are not valid text.",
	    "name: overlong refused");
}

static void
test_email(void)
{
	char	*local, *big;

	T_STR(valid_email("ann@example.com"), NULL, "email: ordinary");
	T_STR(valid_email("a.b+tag@mail.example.co"), NULL,
	    "email: dots, plus, subdomain");
	T_STR(valid_email("x@a.b"), NULL, "email: shortest");
	T_STR(valid_email(""), "Enter an email address.", "email: empty");
	T_STR(valid_email(NULL), "Enter an email address.", "email: NULL");
	T_STR(valid_email("ann@example"), MSG_EMAIL, "email: no dot in domain");
	T_STR(valid_email("annexample.com"), MSG_EMAIL, "email: no '@'");
	T_STR(valid_email("ann@@example.com"), MSG_EMAIL, "email: two '@'");
	T_STR(valid_email("a@b@example.com"), MSG_EMAIL, "email: '@' in local");
	T_STR(valid_email("@example.com"), MSG_EMAIL, "email: no local part");
	T_STR(valid_email("ann@"), MSG_EMAIL, "email: no domain");
	T_STR(valid_email("a nn@example.com"), MSG_EMAIL, "email: space");
	T_STR(valid_email("ann@exa mple.com"), MSG_EMAIL,
	    "email: space in domain");
	T_STR(valid_email("ann@example.com "), MSG_EMAIL,
	    "email: trailing space");
	T_STR(valid_email(".ann@example.com"), MSG_EMAIL, "email: leading dot");
	T_STR(valid_email("ann.@example.com"), MSG_EMAIL, "email: trailing dot");
	T_STR(valid_email("a..b@example.com"), MSG_EMAIL, "email: double dot");
	T_STR(valid_email("ann@example..com"), MSG_EMAIL,
	    "email: empty domain label");
	T_STR(valid_email("ann@-example.com"), MSG_EMAIL,
	    "email: label starts with '-'");
	T_STR(valid_email("ann@example.com."), MSG_EMAIL,
	    "email: trailing dot in domain");
	T_STR(valid_email("<a>@example.com"), MSG_EMAIL, "email: markup");
	T_STR(valid_email("a\n@example.com"), MSG_EMAIL, "email: control");
	T_STR(valid_email("j\xc3\xbcrgen@example.com"), MSG_EMAIL,
	    "email: non-ASCII local part refused");

	/* 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 */
	local = rep('l', 65);
	big = malloc(300);
	if (big == NULL)
		abort();
	memset(big, 'a', 300);
	memcpy(big, local, 64);
	big[64] = '@';
	big[64 + 1 + 63] = '.';
	big[64 + 1 + 63 + 1 + 63] = '.';
	big[254] = '\0';
	T_INT(strlen(big), 254, "email: built 254 characters");
	T_STR(valid_email(big), NULL, "email: 254 characters accepted");
	big[254] = 'a';
	big[255] = '\0';
	T_STR(valid_email(big), "Use at most 254 characters.",
	    "email: 255 characters refused");
	free(big);

	big = malloc(100);
	if (big == NULL)
		abort();
	snprintf(big, 100, "%s@example.com", local);
	T_STR(valid_email(big), MSG_EMAIL, "email: local part of 65 refused");
	snprintf(big, 100, "%.64s@example.com", local);
	T_STR(valid_email(big), NULL, "email: local part of 64 accepted");
	free(big);
	free(local);
}

static void
test_int(void)
{
	long long	 v;

	v = -1;
	T_STR(valid_int("42", 1, 50, &v), NULL, "int: in range");
	T_INT(v, 42, "int: value stored");
	T_STR(valid_int("1", 1, 50, &v), NULL, "int: at min");
	T_INT(v, 1, "int: min value");
	T_STR(valid_int("50", 1, 50, &v), NULL, "int: at max");
	T_INT(v, 50, "int: max value");
	v = 7;
	T_STR(valid_int("0", 1, 50, &v), "Enter a whole number between 1 and 50.",
	    "int: under min");
	T_INT(v, 7, "int: out untouched on refusal");
	T_STR(valid_int("51", 1, 50, &v), "Enter a whole number between 1 and 50.",
	    "int: over max");
	T_STR(valid_int("-5", -10, 10, &v), NULL, "int: negative");
	T_INT(v, -5, "int: negative value");
	T_STR(valid_int("-0", -10, 10, &v), NULL, "int: -0");
	T_INT(v, 0, "int: -0 is 0");
	T_STR(valid_int("007", 1, 50, &v), NULL, "int: leading zeros");
	T_INT(v, 7, "int: leading zeros value");
	T_STR(valid_int("5", 1, 50, NULL), NULL, "int: NULL out");

	T_OK(valid_int("+5", 1, 50, &v) != NULL, "int: '+' refused");
	T_OK(valid_int(" 5", 1, 50, &v) != NULL, "int: leading space refused");
	T_OK(valid_int("5 ", 1, 50, &v) != NULL, "int: trailing space refused");
	T_OK(valid_int("", 1, 50, &v) != NULL, "int: empty refused");
	T_OK(valid_int(NULL, 1, 50, &v) != NULL, "int: NULL refused");
	T_OK(valid_int("-", -5, 5, &v) != NULL, "int: lone '-' refused");
	T_OK(valid_int("--1", -5, 5, &v) != NULL, "int: '--' refused");
	T_OK(valid_int("0x10", 0, 100, &v) != NULL, "int: hex refused");
	T_OK(valid_int("1e2", 0, 1000, &v) != NULL, "int: exponent refused");
	T_OK(valid_int("1.0", 0, 100, &v) != NULL, "int: decimal refused");
	T_OK(valid_int("12a", 0, 100, &v) != NULL, "int: trailing junk refused");

	T_STR(valid_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v), NULL,
	    "int: LLONG_MAX");
	T_INT(v, LLONG_MAX, "int: LLONG_MAX value");
	T_STR(valid_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v), NULL,
	    "int: LLONG_MIN");
	T_INT(v, LLONG_MIN, "int: LLONG_MIN value");
	T_STR(valid_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v),
	    "Enter a whole number.", "int: LLONG_MAX + 1 refused");
	T_STR(valid_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v),
	    "Enter a whole number.", "int: LLONG_MIN - 1 refused");
	T_STR(valid_int("99999999999999999999999", LLONG_MIN, LLONG_MAX, &v),
	    "Enter a whole number.", "int: far overflow refused");
	T_OK(valid_int("-11", -10, 10, &v) != NULL, "int: under a negative min");
	T_OK(valid_int("-5", -10, -6, &v) != NULL, "int: over a negative max");
	T_OK(valid_int("-5", 1, 50, &v) != NULL, "int: negative under min");
	T_OK(valid_int("11", -10, 10, &v) != NULL, "int: over max, negative min");
	T_OK(valid_int("-9223372036854775808", -5, 5, &v) != NULL,
	    "int: LLONG_MIN out of a small range");
	T_STR(valid_int("11", LLONG_MIN, 10, &v),
	    "Enter a whole number no greater than 10.", "int: no lower bound");
	T_STR(valid_int("0", 1, LLONG_MAX, &v),
	    "Enter a whole number of at least 1.", "int: no upper bound");
}

static void
test_url(void)
{
	char	*s, *label;

	T_STR(valid_url("https://example.com", 0), NULL, "url: host only");
	T_STR(valid_url("https://example.com/", 0), NULL, "url: root path");
	T_STR(valid_url("https://example.com:8443/api/v2?x=1&y=%20", 0), NULL,
	    "url: port, path, query");
	T_STR(valid_url("HTTPS://Example.COM/", 0), NULL, "url: any case");
	T_STR(valid_url("https://team.cluster.celonis.cloud/ems", 0), NULL,
	    "url: Celonis host");
	T_STR(valid_url("https://localhost:1", 0), NULL, "url: port 1");
	T_STR(valid_url("https://localhost:65535", 0), NULL, "url: port 65535");
	T_STR(valid_url("https://192.0.2.10/x", 0), NULL, "url: IPv4");
	T_STR(valid_url("https://255.255.255.255", 0), NULL, "url: IPv4 max");
	T_STR(valid_url("https://[::1]:8443/x", 0), NULL, "url: IPv6 and port");
	T_STR(valid_url("https://[2001:db8::1]", 0), NULL, "url: IPv6");
	T_STR(valid_url("https://[::ffff:192.0.2.1]/", 0), NULL,
	    "url: IPv6 with IPv4 tail");
	T_STR(valid_url("https://example.com/users/@me", 0), NULL,
	    "url: '@' in the path");

	T_STR(valid_url("http://example.com", 0), MSG_HTTPS,
	    "url: http refused");
	T_STR(valid_url("http://example.com", 1), NULL,
	    "url: http allowed when asked");
	T_STR(valid_url("https://example.com", 1), NULL,
	    "url: https still allowed with http");
	T_STR(valid_url("javascript:alert(1)", 0), MSG_HTTPS,
	    "url: javascript: refused");
	T_STR(valid_url("javascript:alert(1)", 1), MSG_HTTP,
	    "url: javascript: refused with http allowed");
	T_STR(valid_url("ftp://example.com", 0), MSG_HTTPS, "url: ftp refused");
	T_STR(valid_url("//example.com", 0), MSG_HTTPS,
	    "url: scheme-relative refused");
	T_STR(valid_url("https:example.com", 0), MSG_HTTPS,
	    "url: no slashes refused");
	T_STR(valid_url("", 0), MSG_URL, "url: empty");
	T_STR(valid_url(NULL, 0), MSG_URL, "url: NULL");

	T_STR(valid_url("https://user:pw@host.example.com", 0), MSG_USERINFO,
	    "url: user and password refused");
	T_STR(valid_url("https://user@host.example.com/", 0), MSG_USERINFO,
	    "url: user refused");
	T_STR(valid_url("https://good.example\\@evil.example/", 0), MSG_USERINFO,
	    "url: backslash trick refused");
	T_STR(valid_url("https://example.com/#top", 0),
	    "Remove the # and what follows it from the address.",
	    "url: fragment refused");

	T_STR(valid_url("https://example.com:0", 0), MSG_PORT, "url: port 0");
	T_STR(valid_url("https://example.com:65536/", 0), MSG_PORT,
	    "url: port 65536");
	T_STR(valid_url("https://example.com:", 0), MSG_URL, "url: empty port");
	T_STR(valid_url("https://example.com:8a", 0), MSG_URL,
	    "url: port not a number");
	T_STR(valid_url("https://example.com:123456", 0), MSG_PORT,
	    "url: port of six digits");
	T_STR(valid_url("https://example.com:080", 0), MSG_URL,
	    "url: port with a leading zero (curl reads 80)");
	T_STR(valid_url("https://[::1]x", 0), MSG_URL,
	    "url: junk after IPv6");
	T_STR(valid_url("https://[::1]1234", 0), MSG_URL,
	    "url: digits after IPv6 without ':'");

	T_STR(valid_url("https://", 0), MSG_URL, "url: no host");
	T_STR(valid_url("https:///path", 0), MSG_URL, "url: empty host");
	T_STR(valid_url("https://example.com?x=1", 0), NULL,
	    "url: query without a path (the authority ends at '?')");
	T_STR(valid_url("https:///example.com", 0), MSG_URL,
	    "url: three slashes (curl takes the host from the path)");
	T_STR(valid_url("https://ex%61mple.com", 0), MSG_URL,
	    "url: percent-encoded host (curl decodes it)");
	T_STR(valid_url("https://-a.example", 0), MSG_URL,
	    "url: label starts with '-'");
	T_STR(valid_url("https://a-.example", 0), MSG_URL,
	    "url: label ends with '-'");
	T_STR(valid_url("https://a..example", 0), MSG_URL,
	    "url: empty label");
	T_STR(valid_url("https://a_b.example", 0), MSG_URL,
	    "url: underscore refused");
	T_STR(valid_url("https://256.1.1.1", 0), MSG_URL, "url: octet 256");
	T_STR(valid_url("https://1.2.3", 0), MSG_URL, "url: three parts");
	T_STR(valid_url("https://1.2.3.4.5", 0), MSG_URL, "url: five parts");
	T_STR(valid_url("https://010.0.0.1", 0), MSG_URL, "url: octal-looking");
	T_STR(valid_url("https://2130706433/", 0), MSG_URL,
	    "url: integer address");
	T_STR(valid_url("https://0x7f000001/", 0), MSG_URL, "url: hex address");
	T_STR(valid_url("https://0x7f.1/", 0), MSG_URL, "url: mixed address");
	T_STR(valid_url("https://[::1", 0), MSG_URL, "url: unclosed bracket");
	T_STR(valid_url("https://[fe80::1%25eth0]/", 0), MSG_URL,
	    "url: zone id refused");
	T_STR(valid_url("https://[192.0.2.1]/", 0), MSG_URL,
	    "url: IPv4 in brackets");
	T_STR(valid_url("https://[]/", 0), MSG_URL, "url: empty brackets");

	T_STR(valid_url("https://exa mple.com", 0),
	    "Remove the spaces from the address.", "url: space");
	T_STR(valid_url(" https://example.com", 0),
	    "Remove the spaces from the address.", "url: leading space");
	T_STR(valid_url("https://example.com/\x01", 0),
	    "Remove the special characters from the address.", "url: control");
	T_STR(valid_url("https://example.com/\x7f", 0),
	    "Remove the special characters from the address.", "url: DEL");
	T_STR(valid_url("https://example.com/caf\xc3\xa9", 0),
	    "Remove the special characters from the address.",
	    "url: raw non-ASCII");

	label = rep('a', 64);
	s = malloc(3000);
	if (s == NULL)
		abort();
	snprintf(s, 3000, "https://%.63s.example/", label);
	T_STR(valid_url(s, 0), NULL, "url: label of 63");
	snprintf(s, 3000, "https://%s.example/", label);
	T_STR(valid_url(s, 0), MSG_URL, "url: label of 64");
	free(label);

	/* host of 254: three labels of 63, one of 62 */
	strcpy(s, "https://");
	memset(s + 8, 'h', 254);
	s[8 + 63] = s[8 + 127] = s[8 + 191] = '.';
	strcpy(s + 8 + 254, "/x");
	T_STR(valid_url(s, 0), MSG_URL, "url: host of 254 refused");
	s[8 + 253] = '/';
	s[8 + 254] = '\0';
	T_STR(valid_url(s, 0), NULL, "url: host of 253 accepted");

	strcpy(s, "https://example.com/");
	memset(s + 20, 'p', 2048 - 20);
	s[2048] = '\0';
	T_STR(valid_url(s, 0), NULL, "url: 2048 characters");
	s[2048] = 'p';
	s[2049] = '\0';
	T_STR(valid_url(s, 0), "Use at most 2048 characters.",
	    "url: 2049 characters");
	free(s);
}

static void
test_hostname(void)
{
	char	*s;
	size_t	 i;

	T_STR(valid_hostname("example.com"), NULL, "host: ordinary");
	T_STR(valid_hostname("team.cluster.celonis.cloud"), NULL,
	    "host: Celonis domain");
	T_STR(valid_hostname("localhost"), NULL, "host: one label");
	T_STR(valid_hostname("a"), NULL, "host: one character");
	T_STR(valid_hostname("xn--bcher-kva.example"), NULL, "host: punycode");
	T_STR(valid_hostname("123.example"), NULL, "host: numeric first label");
	T_STR(valid_hostname("A-1.Example.COM"), NULL, "host: case and '-'");
	T_STR(valid_hostname(""), MSG_HOST, "host: empty");
	T_STR(valid_hostname(NULL), MSG_HOST, "host: NULL");
	T_STR(valid_hostname("-a.com"), MSG_HOST, "host: leading '-'");
	T_STR(valid_hostname("a-.com"), MSG_HOST, "host: trailing '-'");
	T_STR(valid_hostname("a..b"), MSG_HOST, "host: empty label");
	T_STR(valid_hostname(".a"), MSG_HOST, "host: leading dot");
	T_STR(valid_hostname("a.b."), MSG_HOST, "host: trailing dot");
	T_STR(valid_hostname("a_b.com"), MSG_HOST, "host: underscore");
	T_STR(valid_hostname("exa mple.com"), MSG_HOST, "host: space");
	T_STR(valid_hostname("example.com/"), MSG_HOST, "host: slash");
	T_STR(valid_hostname("example.com:443"), MSG_HOST, "host: port");
	T_STR(valid_hostname("https://example.com"), MSG_HOST, "host: URL");
	T_STR(valid_hostname("1.2.3.4"), MSG_HOST, "host: IPv4 refused");
	T_STR(valid_hostname("example.123"), MSG_HOST, "host: numeric TLD");
	T_STR(valid_hostname("0x1f"), MSG_HOST, "host: hex number");
	T_STR(valid_hostname("b\xc3\xbc" "cher.example"), MSG_HOST,
	    "host: raw non-ASCII");

	s = rep('a', 260);
	s[63] = '\0';
	T_STR(valid_hostname(s), NULL, "host: label of 63");
	s[63] = 'a';
	s[64] = '\0';
	T_STR(valid_hostname(s), MSG_HOST, "host: label of 64");
	/* four labels of 63 and one of 1: 63 * 4 + 4 dots = 256; use 3 + 61 */
	memset(s, 'a', 260);
	for (i = 63; i < 253; i += 64)
		s[i] = '.';
	s[253] = '\0';
	T_INT(strlen(s), 253, "host: built 253 characters");
	T_STR(valid_hostname(s), NULL, "host: 253 characters");
	s[253] = 'a';
	s[254] = '\0';
	T_STR(valid_hostname(s), "Use at most 253 characters.",
	    "host: 254 characters");
	free(s);
}

/* A secret's expiry: ISO dates that exist, within 2000..2099. */
static void
test_date(void)
{
	const char	*fmt = "Enter a date as YYYY-MM-DD, like 2027-03-31.";
	const char	*real = "Enter a real date: that day does not exist.";
	const char	*range = "Enter a date from 2000-01-01 to 2099-12-31.";

	T_STR(valid_date("2027-03-31"), NULL, "date: plain");
	T_STR(valid_date("2028-02-29"), NULL, "date: leap day");
	T_STR(valid_date("2000-02-29"), NULL, "date: 2000 is a leap year");
	T_STR(valid_date("2000-01-01"), NULL, "date: first allowed");
	T_STR(valid_date("2099-12-31"), NULL, "date: last allowed");
	T_STR(valid_date("2027-02-29"), real, "date: no 29 February in 2027");
	T_STR(valid_date("2027-02-30"), real, "date: no 30 February");
	T_STR(valid_date("2027-04-31"), real, "date: April has 30 days");
	T_STR(valid_date("2027-13-01"), real, "date: month 13");
	T_STR(valid_date("2027-00-10"), real, "date: month 0");
	T_STR(valid_date("2027-01-00"), real, "date: day 0");
	T_STR(valid_date("1999-12-31"), range, "date: before 2000");
	T_STR(valid_date("2100-01-01"), range, "date: after 2099");
	T_STR(valid_date(""), fmt, "date: empty");
	T_STR(valid_date("2027-1-5"), fmt, "date: no leading zeros");
	T_STR(valid_date("2027/03/31"), fmt, "date: slashes");
	T_STR(valid_date("2027-03-31x"), fmt, "date: trailing text");
	T_STR(valid_date("2027-03-3"), fmt, "date: short");
	T_STR(valid_date("31.03.2027"), fmt, "date: another order");
}

int
main(void)
{
	test_text();
	test_name();
	test_email();
	test_int();
	test_url();
	test_hostname();
	test_date();
	return (t_done());
}
