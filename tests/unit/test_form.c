/*
 * test_form.c — unit tests for form.c: urlencoded and cookie parsing with
 * their limits and refusals, fields_get, utf8_valid and path_canonical.
 */

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

/* Parse a NUL-terminated string into a fresh set; the caller frees it. */
static enum form_err
parse(struct fields *f, const char *s, size_t max)
{
	memset(f, 0, sizeof *f);
	return (form_parse_urlencoded(f, s, strlen(s), max));
}

/* The error parsing s gives, with nothing kept. */
static enum form_err
parse_err(const char *s)
{
	struct fields	 f;
	enum form_err	 e;

	e = parse(&f, s, 100);
	fields_free(&f);
	return (e);
}

static enum form_err
cookie_err(const char *s)
{
	struct fields	 f;
	enum form_err	 e;

	memset(&f, 0, sizeof f);
	e = form_parse_cookies(&f, s, 100);
	fields_free(&f);
	return (e);
}

static void
test_basic(void)
{
	struct fields	 f;
	enum form_err	 e;

	e = parse(&f, "a=1&b=two", 10);
	T_INT(e, FORM_OK, "simple pairs parse");
	T_INT(f.n, 2, "simple pairs count");
	T_OK(f.n == 2 && strcmp(f.v[0].name, "a") == 0 &&
	    strcmp(f.v[0].value, "1") == 0 && strcmp(f.v[1].name, "b") == 0 &&
	    strcmp(f.v[1].value, "two") == 0 && f.v[1].len == 3,
	    "simple pairs in order with lengths");
	fields_free(&f);
	T_OK(f.v == NULL && f.n == 0, "fields_free clears");
	fields_free(&f);
	fields_free(NULL);

	e = parse(&f, "&&a=1&&b=2&", 10);
	T_OK(e == FORM_OK && f.n == 2, "empty pairs skipped");
	fields_free(&f);

	e = parse(&f, "flag&x=", 10);
	T_OK(e == FORM_OK && f.n == 2 && strcmp(f.v[0].name, "flag") == 0 &&
	    strcmp(f.v[0].value, "") == 0 && f.v[0].len == 0 &&
	    strcmp(f.v[1].value, "") == 0, "pair without '=' has empty value");
	fields_free(&f);

	e = parse(&f, "q=a=b", 10);
	T_OK(e == FORM_OK && f.n == 1 && strcmp(f.v[0].value, "a=b") == 0,
	    "value keeps later '='");
	fields_free(&f);

	e = parse(&f, "a+b=x+y%20z%2B", 10);
	T_OK(e == FORM_OK && f.n == 1, "'+' decoding parses");
	T_STR(f.n ? f.v[0].name : NULL, "a b", "'+' is a space in names");
	T_STR(f.n ? f.v[0].value : NULL, "x y z+", "'+' is a space, %2B a plus");
	fields_free(&f);

	e = parse(&f, "%41%62=%e2%82%ac%E2%82%AC", 10);
	T_INT(e, FORM_OK, "hex either case");
	T_STR(f.n ? f.v[0].name : NULL, "Ab", "encoded name decoded");
	T_STR(f.n ? f.v[0].value : NULL, "\xe2\x82\xac\xe2\x82\xac",
	    "encoded UTF-8 value decoded");
	T_INT(f.n ? f.v[0].len : 0, 6, "len is the decoded length");
	fields_free(&f);

	memset(&f, 0, sizeof f);
	e = form_parse_urlencoded(&f, "a=1&b=2", 3, 10);
	T_OK(e == FORM_OK && f.n == 1 && strcmp(f.v[0].value, "1") == 0,
	    "only len bytes are read");
	fields_free(&f);

	memset(&f, 0, sizeof f);
	e = form_parse_urlencoded(&f, "", 0, 10);
	T_OK(e == FORM_OK && f.n == 0, "empty body");
	fields_free(&f);
}

static void
test_refusals(void)
{
	struct fields	 f;
	enum form_err	 e;

	T_INT(parse_err("a=%4"), FORM_BAD_ENCODING, "%4 at the end refused");
	T_INT(parse_err("a=%4&b=1"), FORM_BAD_ENCODING, "%4& refused");
	T_INT(parse_err("a=%zz"), FORM_BAD_ENCODING, "%zz refused");
	T_INT(parse_err("a=%4g"), FORM_BAD_ENCODING, "%4g refused");
	T_INT(parse_err("a=%"), FORM_BAD_ENCODING, "lone % refused");
	T_INT(parse_err("%=1"), FORM_BAD_ENCODING, "lone % in a name refused");
	T_INT(parse_err("a=%%41"), FORM_BAD_ENCODING, "%% refused");

	memset(&f, 0, sizeof f);
	e = form_parse_urlencoded(&f, "a=%41", 4, 10);
	T_INT(e, FORM_BAD_ENCODING, "%4 at the end of len refused");
	fields_free(&f);

	T_INT(parse_err("a=%00"), FORM_NUL, "%00 in a value refused");
	T_INT(parse_err("a%00b=1"), FORM_NUL, "%00 in a name refused");
	memset(&f, 0, sizeof f);
	e = form_parse_urlencoded(&f, "a=x\0y", 5, 10);
	T_INT(e, FORM_NUL, "raw NUL byte refused");
	fields_free(&f);

	T_INT(parse_err("a=%C0%AF"), FORM_BAD_UTF8, "overlong %C0%AF refused");
	T_INT(parse_err("a=%E0%80%AF"), FORM_BAD_UTF8,
	    "3-byte overlong refused");
	T_INT(parse_err("a=%F0%80%80%AF"), FORM_BAD_UTF8,
	    "4-byte overlong refused");
	T_INT(parse_err("a=%ED%A0%80"), FORM_BAD_UTF8, "surrogate refused");
	T_INT(parse_err("a=%ED%BF%BF"), FORM_BAD_UTF8, "last surrogate refused");
	T_INT(parse_err("a=%F4%90%80%80"), FORM_BAD_UTF8,
	    "above U+10FFFF refused");
	T_INT(parse_err("a=%F5%80%80%80"), FORM_BAD_UTF8, "lead F5 refused");
	T_INT(parse_err("a=%E2%82"), FORM_BAD_UTF8, "truncated at the end");
	T_INT(parse_err("a=%E2%82x"), FORM_BAD_UTF8, "truncated mid-string");
	T_INT(parse_err("a=%80"), FORM_BAD_UTF8, "lone continuation refused");
	T_INT(parse_err("a=%FF"), FORM_BAD_UTF8, "byte FF refused");
	T_INT(parse_err("%C3=1"), FORM_BAD_UTF8, "bad UTF-8 in a name refused");
	T_INT(parse_err("a=\xc3"), FORM_BAD_UTF8, "raw bad UTF-8 refused");

	T_INT(parse_err("a=%ED%9F%BF"), FORM_OK, "U+D7FF accepted");
	T_INT(parse_err("a=%EE%80%80"), FORM_OK, "U+E000 accepted");
	T_INT(parse_err("a=%F4%8F%BF%BF"), FORM_OK, "U+10FFFF accepted");
	T_INT(parse_err("a=%F0%9F%98%80"), FORM_OK, "emoji accepted");
	T_INT(parse_err("a=%C2%80"), FORM_OK, "U+0080 accepted");

	T_STR(form_strerror(FORM_BAD_UTF8), "invalid UTF-8",
	    "form_strerror names the error");
	T_OK(strcmp(form_strerror(FORM_TOO_MANY),
	    form_strerror(FORM_TOO_LONG)) != 0, "form_strerror distinct");
}

static void
test_limits(void)
{
	struct fields	 f;
	enum form_err	 e;
	char		 name[FORM_NAME_MAX + 4], buf[512];
	size_t		 i;

	memset(name, 'n', sizeof name);
	name[FORM_NAME_MAX] = '\0';
	snprintf(buf, sizeof buf, "%s=1", name);
	T_INT(parse_err(buf), FORM_OK, "name of FORM_NAME_MAX accepted");
	name[FORM_NAME_MAX] = 'n';
	name[FORM_NAME_MAX + 1] = '\0';
	snprintf(buf, sizeof buf, "%s=1", name);
	T_INT(parse_err(buf), FORM_TOO_LONG, "name over FORM_NAME_MAX refused");
	snprintf(buf, sizeof buf, "%s", name);
	T_INT(parse_err(buf), FORM_TOO_LONG, "bare name too long refused");

	buf[0] = '\0';
	for (i = 0; i < FORM_NAME_MAX; i++)
		strcat(buf, "%41");
	strcat(buf, "=1");
	T_INT(parse_err(buf), FORM_OK, "the decoded name length counts");

	e = parse(&f, "a=1&b=2&c=3", 3);
	T_OK(e == FORM_OK && f.n == 3, "exactly max_fields accepted");
	fields_free(&f);

	e = parse(&f, "a=1&b=2&c=3&d=4", 3);
	T_INT(e, FORM_TOO_MANY, "one over max_fields refused");
	T_INT(f.n, 3, "the cap is never passed");
	fields_free(&f);

	e = parse(&f, "a=1&&&b=2&", 2);
	T_INT(e, FORM_OK, "empty pairs do not count");
	fields_free(&f);

	e = parse(&f, "a=1&b=2", 3);
	T_INT(e, FORM_OK, "first part under the cap");
	e = form_parse_urlencoded(&f, "c=3", 3, 3);
	T_INT(e, FORM_OK, "second part fills the cap");
	e = form_parse_urlencoded(&f, "d=4", 3, 3);
	T_INT(e, FORM_TOO_MANY, "the cap is over the whole set");
	T_INT(f.n, 3, "the whole set stays at the cap");
	fields_free(&f);

	e = parse(&f, "", 0);
	T_INT(e, FORM_OK, "nothing with a cap of 0");
	e = parse(&f, "a", 0);
	T_INT(e, FORM_TOO_MANY, "one pair with a cap of 0");
	fields_free(&f);

	memset(&f, 0, sizeof f);
	for (i = 0; i < 100; i++) {
		snprintf(buf, sizeof buf, "k%zu=%zu", i, i);
		if (form_parse_urlencoded(&f, buf, strlen(buf), 100) != FORM_OK)
			break;
	}
	T_OK(i == 100 && f.n == 100 && strcmp(f.v[99].name, "k99") == 0 &&
	    strcmp(f.v[57].value, "57") == 0, "the set grows to 100 pairs");
	fields_free(&f);
}

static void
test_get(void)
{
	struct fields	 f;
	size_t		 count;

	parse(&f, "a=1&b=2&a=3&c=&A=4", 10);
	count = 99;
	T_STR(fields_get(&f, "b", &count), "2", "fields_get one pair");
	T_INT(count, 1, "fields_get counts one");
	count = 99;
	T_STR(fields_get(&f, "a", &count), NULL,
	    "fields_get refuses a repeated name");
	T_INT(count, 2, "fields_get counts duplicates");
	count = 99;
	T_STR(fields_get(&f, "z", &count), NULL, "fields_get absent");
	T_INT(count, 0, "fields_get counts none");
	T_STR(fields_get(&f, "c", NULL), "", "fields_get empty value, no count");
	T_STR(fields_get(&f, "A", NULL), "4", "fields_get is case-sensitive");
	fields_free(&f);
}

static void
test_cookies(void)
{
	struct fields	 f;
	enum form_err	 e;

	memset(&f, 0, sizeof f);
	e = form_parse_cookies(&f, "a=1; b=2", 10);
	T_OK(e == FORM_OK && f.n == 2 && strcmp(f.v[0].name, "a") == 0 &&
	    strcmp(f.v[0].value, "1") == 0 && strcmp(f.v[1].name, "b") == 0 &&
	    strcmp(f.v[1].value, "2") == 0, "cookies a=1; b=2");
	fields_free(&f);

	e = form_parse_cookies(&f, " \ta = 1 ;b=2\t;; ;c=x+y%20z ", 10);
	T_INT(e, FORM_OK, "cookies with whitespace parse");
	T_INT(f.n, 3, "cookies with whitespace count");
	T_STR(fields_get(&f, "a", NULL), "1", "cookie whitespace trimmed");
	T_STR(fields_get(&f, "b", NULL), "2", "cookie after ' ;'");
	T_STR(fields_get(&f, "c", NULL), "x+y z", "cookie: no '+' rule");
	fields_free(&f);

	e = form_parse_cookies(&f, "__Host-tether_session=abc-_.~; t=a=b", 10);
	T_STR(fields_get(&f, "__Host-tether_session", NULL), "abc-_.~",
	    "cookie with a prefixed name");
	T_STR(fields_get(&f, "t", NULL), "a=b", "cookie value keeps '='");
	fields_free(&f);

	e = form_parse_cookies(&f, "flag; x=1", 10);
	T_OK(e == FORM_OK && f.n == 2, "cookie without '=' parses");
	T_STR(fields_get(&f, "flag", NULL), "", "cookie without '=' is empty");
	fields_free(&f);

	e = form_parse_cookies(&f, "s=1; s=2", 10);
	T_STR(fields_get(&f, "s", NULL), NULL, "duplicate cookies not read");
	fields_free(&f);

	e = form_parse_cookies(&f, "", 10);
	T_OK(e == FORM_OK && f.n == 0, "empty cookie header");
	e = form_parse_cookies(&f, " ; ;  ", 10);
	T_OK(e == FORM_OK && f.n == 0, "cookie header of separators");
	fields_free(&f);

	T_INT(cookie_err("s=%zz"), FORM_BAD_ENCODING, "cookie %zz refused");
	T_INT(cookie_err("s=%4"), FORM_BAD_ENCODING, "cookie %4 refused");
	T_INT(cookie_err("s=%00"), FORM_NUL, "cookie %00 refused");
	T_INT(cookie_err("s=%ED%A0%80"), FORM_BAD_UTF8,
	    "cookie surrogate refused");

	e = form_parse_cookies(&f, "x=%zz; y=%00; tether_session=tok; z=%ED%A0%80",
	    10);
	T_INT(e, FORM_BAD_ENCODING, "cookies: the first error is returned");
	T_INT(f.n, 1, "cookies: bad pairs left out");
	T_STR(fields_get(&f, "tether_session", NULL), "tok",
	    "cookies: a bad foreign cookie does not hide ours");
	fields_free(&f);

	e = form_parse_cookies(&f, "a=1; b=2; c=3", 2);
	T_INT(e, FORM_TOO_MANY, "cookie cap");
	T_INT(f.n, 2, "cookie cap not passed");
	fields_free(&f);

	e = form_parse_cookies(&f,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
	    10);
	T_INT(e, FORM_TOO_LONG, "cookie name over FORM_NAME_MAX");
	fields_free(&f);
}

static void
test_utf8(void)
{
	T_INT(utf8_valid("", 0), 1, "utf8_valid empty");
	T_INT(utf8_valid("abc\xc3\xa9", 5), 1, "utf8_valid e-acute");
	T_INT(utf8_valid("\xc3\xa9", 1), 0, "utf8_valid honours len");
	T_INT(utf8_valid("\xc1\xbf", 2), 0, "utf8_valid C1 lead refused");
	T_INT(utf8_valid("\xe0\x9f\xbf", 3), 0, "utf8_valid E0 overlong");
	T_INT(utf8_valid("\xe0\xa0\x80", 3), 1, "utf8_valid U+0800");
	T_INT(utf8_valid("\xf0\x8f\xbf\xbf", 4), 0, "utf8_valid F0 overlong");
	T_INT(utf8_valid("\xf0\x90\x80\x80", 4), 1, "utf8_valid U+10000");
	T_INT(utf8_valid("\xe2\x28\xa1", 3), 0, "utf8_valid bad continuation");
	T_INT(utf8_valid("\xf0\x9f\x98\x28", 4), 0,
	    "utf8_valid bad last continuation");
	T_INT(utf8_valid("a\0b", 3), 1, "utf8_valid: NUL is valid UTF-8");
}

static void
test_path(void)
{
	char	*p;

#define PATH_IS(raw, want, name) do {					\
	p = path_canonical(raw);					\
	T_STR(p, want, name);						\
	free(p);							\
} while (0)
	PATH_IS("/", "/", "root");
	PATH_IS("//", "/", "double slash is root");
	PATH_IS("/connections", "/connections", "plain path");
	PATH_IS("/connections//12/", "/connections/12",
	    "slashes collapsed, trailing slash dropped");
	PATH_IS("///a//b///", "/a/b", "many slashes");
	PATH_IS("/%7e", "/~", "%7e decoded");
	PATH_IS("/%7Euser/x", "/~user/x", "%7E decoded");
	PATH_IS("/caf%C3%A9", "/caf\xc3\xa9", "UTF-8 decoded");
	PATH_IS("/a+b", "/a+b", "no '+' rule in paths");
	PATH_IS("/%252F", "/%2F", "decoded once only");
	PATH_IS("/.well-known/x", "/.well-known/x", "dot-prefixed segment kept");
	PATH_IS("/a/.../b", "/a/.../b", "three dots is a name");
	PATH_IS("/a?b", "/a?b", "'?' is an ordinary byte");

	PATH_IS("", NULL, "empty refused");
	PATH_IS("a/b", NULL, "relative refused");
	PATH_IS("%2Fa", NULL, "encoded leading slash refused");
	PATH_IS("/a/../b", NULL, "'..' refused");
	PATH_IS("/a/..", NULL, "trailing '..' refused");
	PATH_IS("/..", NULL, "'..' at root refused");
	PATH_IS("/a/./b", NULL, "'.' refused");
	PATH_IS("/.", NULL, "'.' at root refused");
	PATH_IS("/a/.//", NULL, "'.' before slashes refused");
	PATH_IS("/a/%2e%2e/b", NULL, "encoded '..' refused");
	PATH_IS("/a/%2E/b", NULL, "encoded '.' refused");
	PATH_IS("/a/.%2e", NULL, "half-encoded '..' refused");
	PATH_IS("/a%2Fb", NULL, "%2F refused");
	PATH_IS("/a%2fb", NULL, "%2f refused");
	PATH_IS("/a%00", NULL, "%00 refused");
	PATH_IS("/a%4", NULL, "%4 refused");
	PATH_IS("/a%zz", NULL, "%zz refused");
	PATH_IS("/a%", NULL, "lone % refused");
	PATH_IS("/%C0%AF", NULL, "overlong refused");
	PATH_IS("/%ED%A0%80", NULL, "surrogate refused");
	PATH_IS("/\xc3", NULL, "raw bad UTF-8 refused");
	PATH_IS("/\\evil.example", NULL, "backslash refused");
	PATH_IS("/%5Cevil.example", NULL, "encoded backslash refused");
	PATH_IS("/a%0D%0ASet-Cookie:x", NULL, "encoded CR LF refused");
	PATH_IS("/a\tb", NULL, "raw tab refused");
	PATH_IS("/a%7F", NULL, "DEL refused");
	T_OK(path_canonical(NULL) == NULL, "NULL refused");
#undef PATH_IS
}

int
main(void)
{
	test_basic();
	test_refusals();
	test_limits();
	test_get();
	test_cookies();
	test_utf8();
	test_path();
	return (t_done());
}
