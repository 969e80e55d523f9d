/*
 * answer.c — one value read from a system's answer to a test, for
 * "Connected as" where the test call itself says who the credentials are
 * (issue 16 §1: AWS STS GetCallerIdentity answers XML with <Arn> and
 * <Account>; a JSON API answers a member). The first element or member of
 * that name, anywhere in the answer; a value is printable, valid UTF-8 and
 * at most ANSWER_VALUE_MAX bytes, or it is not read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tether.h"

#define ANSWER_DEPTH_MAX	8

/* A value people may see: no control character, valid UTF-8, bounded. */
static char *
answer_printable(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > ANSWER_VALUE_MAX || !utf8_valid(s, n))
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return xstrndup(s, n);
}

static char *
answer_json(json_t *v, const char *name, int depth)
{
	json_t		*m;
	const char	*k;
	size_t		 i;
	char		 num[32], *out;

	if (depth > ANSWER_DEPTH_MAX)
		return NULL;
	if (json_is_object(v)) {
		if ((m = json_object_get(v, name)) != NULL) {
			if (json_is_integer(m)) {
				snprintf(num, sizeof(num), "%lld",
				    (long long)json_integer_value(m));
				return xstrdup(num);
			}
			if (json_is_string(m))
				return answer_printable(json_string_value(m),
				    json_string_length(m));
		}
		json_object_foreach(v, k, m)
			if ((out = answer_json(m, name, depth + 1)) != NULL)
				return out;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if ((out = answer_json(m, name, depth + 1)) != NULL)
				return out;
	}
	return NULL;
}

/* The five XML entities; anything else with "&" is not read. */
static char *
answer_xml_text(const char *s, size_t n)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	struct buf	 b;
	size_t		 i, k, el;
	char		*out;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (s[i] != '&') {
			buf_append(&b, s + i, 1);
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			el = strlen(ents[k].ent);
			if (n - i >= el && strncmp(s + i, ents[k].ent, el) == 0)
				break;
		}
		if (k == sizeof(ents) / sizeof(ents[0])) {
			buf_free(&b);
			return NULL;
		}
		buf_append(&b, &ents[k].c, 1);
		i += strlen(ents[k].ent) - 1;
	}
	out = b.len > 0 ? answer_printable(b.data, b.len) : NULL;
	buf_free(&b);
	return out;
}

/* <name>text</name> or <name attr="…">text</name>; not <nameX>. */
static char *
answer_xml(const char *body, size_t len, const char *name)
{
	const char	*p = body, *end = body + len, *open, *close;
	size_t		 nl = strlen(name);

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		p++;
		if ((size_t)(end - p) <= nl || strncmp(p, name, nl) != 0 ||
		    (p[nl] != '>' && p[nl] != ' '))
			continue;
		if ((open = memchr(p, '>', (size_t)(end - p))) == NULL ||
		    open[-1] == '/')
			return NULL;
		open++;
		if ((close = memchr(open, '<', (size_t)(end - open))) == NULL ||
		    (size_t)(end - close) < nl + 3 || close[1] != '/' ||
		    strncmp(close + 2, name, nl) != 0 || close[2 + nl] != '>')
			return NULL;
		return answer_xml_text(open, (size_t)(close - open));
	}
	return NULL;
}

char *
answer_value(const char *body, size_t len, const char *name)
{
	json_t	*j;
	char	*out;
	size_t	 i;

	if (body == NULL || name == NULL || *name == '\0' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") != strlen(name))
		return NULL;
	for (i = 0; i < len && strchr(" \t\r\n", body[i]) != NULL; i++)
		;
	if (i < len && (body[i] == '{' || body[i] == '[')) {
		if ((j = json_loadb(body, len, 0, NULL)) == NULL)
			return NULL;
		out = answer_json(j, name, 0);
		json_decref(j);
		return out;
	}
	return i < len && body[i] == '<' ? answer_xml(body, len, name) : NULL;
}

int
answer_true(const char *body, size_t len, const char *name)
{
	json_t	*j, *m;
	int	 yes;

	if (body == NULL || (j = json_loadb(body, len, 0, NULL)) == NULL)
		return 0;
	/* A top-level member only: the flag an API answers with ("ok"). */
	m = json_is_object(j) ? json_object_get(j, name) : NULL;
	yes = m != NULL && json_is_true(m);
	json_decref(j);
	return yes;
}
