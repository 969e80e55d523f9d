/*
 * form.c — strict parsing of untrusted request input: query strings and
 * bodies in application/x-www-form-urlencoded, the Cookie header, UTF-8
 * validation and the canonical form of a request path. Pure: no FastCGI,
 * no database; unit-tested on its own.
 */

#include <stdlib.h>
#include <string.h>

#include "tether.h"

static enum form_err	 form_decode(const char *, size_t, int, char **,
			    size_t *);
static enum form_err	 form_add(struct fields *, const char *, size_t,
			    const char *, size_t, int, size_t);

int
form_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into a new NUL-terminated string; '+' becomes a
 * space when plus is set. Refuses malformed escapes, any NUL (encoded or
 * raw) and invalid UTF-8 in the result.
 */
static enum form_err
form_decode(const char *s, size_t n, int plus, char **out, size_t *outlen)
{
	char	*d;
	size_t	 i, j;
	int	 hi, lo;

	*out = NULL;
	d = xmalloc(n + 1);
	for (i = j = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3 ||
			    (hi = form_hexval((unsigned char)s[i + 1])) == -1 ||
			    (lo = form_hexval((unsigned char)s[i + 2])) == -1) {
				free(d);
				return FORM_BAD_ENCODING;
			}
			d[j] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus)
			d[j] = ' ';
		else
			d[j] = s[i];
		if (d[j] == '\0') {
			free(d);
			return FORM_NUL;
		}
		j++;
	}
	d[j] = '\0';
	if (!utf8_valid(d, j)) {
		free(d);
		return FORM_BAD_UTF8;
	}
	*out = d;
	*outlen = j;
	return FORM_OK;
}

/* Decode one name and value and append them, within the cap. */
static enum form_err
form_add(struct fields *out, const char *name, size_t namelen,
    const char *value, size_t valuelen, int plus, size_t max_fields)
{
	struct field	*f;
	char		*n, *v;
	size_t		 nlen, vlen;
	enum form_err	 e;

	if (out->n >= max_fields)
		return FORM_TOO_MANY;
	if ((e = form_decode(name, namelen, plus, &n, &nlen)) != FORM_OK)
		return e;
	if (nlen > FORM_NAME_MAX) {
		free(n);
		return FORM_TOO_LONG;
	}
	if ((e = form_decode(value, valuelen, plus, &v, &vlen)) != FORM_OK) {
		free(n);
		return e;
	}
	if (out->n == out->cap) {
		out->cap = out->cap == 0 ? 16 : out->cap * 2;
		out->v = xrealloc(out->v, out->cap * sizeof *out->v);
	}
	f = &out->v[out->n++];
	f->name = n;
	f->value = v;
	f->len = vlen;
	return FORM_OK;
}

enum form_err
form_parse_urlencoded(struct fields *out, const char *data, size_t len,
    size_t max_fields)
{
	const char	*p, *end, *amp, *eq;
	enum form_err	 e;

	p = data;
	end = data + len;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp != p) {
			if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
				e = form_add(out, p, (size_t)(amp - p), "", 0,
				    1, max_fields);
			else
				e = form_add(out, p, (size_t)(eq - p), eq + 1,
				    (size_t)(amp - eq - 1), 1, max_fields);
			if (e != FORM_OK)
				return e;
		}
		p = amp + 1;
	}
	return FORM_OK;
}

const char *
form_strerror(enum form_err e)
{
	switch (e) {
	case FORM_OK:
		return "no error";
	case FORM_BAD_ENCODING:
		return "malformed percent-encoding";
	case FORM_BAD_UTF8:
		return "invalid UTF-8";
	case FORM_NUL:
		return "NUL character";
	case FORM_TOO_MANY:
		return "too many fields";
	case FORM_TOO_LONG:
		return "field name too long";
	}
	return "unknown error";
}

/*
 * "a=1; b=2": pairs separated by ';', spaces and tabs around ';' and '='
 * trimmed, names and values percent-decoded ('+' is itself). A pair
 * without '=' has an empty value, as in a form.
 *
 * Other applications on the same host may set cookies we cannot decode; a
 * bad pair is left out and parsing goes on, so it cannot hide our own
 * cookies behind it. The first such error is returned at the end; only
 * the field cap stops at once.
 */
enum form_err
form_parse_cookies(struct fields *out, const char *header, size_t max_fields)
{
	const char	*p, *end, *semi, *eq, *ns, *ne, *vs, *ve;
	enum form_err	 e, first = FORM_OK;

#define FORM_IS_WS(c) ((c) == ' ' || (c) == '\t')
	p = header;
	end = header + strlen(header);
	while (p < end) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		ns = p;
		while (ns < semi && FORM_IS_WS(*ns))
			ns++;
		ve = semi;
		while (ve > ns && FORM_IS_WS(ve[-1]))
			ve--;
		if (ns != ve) {
			if ((eq = memchr(ns, '=', (size_t)(ve - ns))) == NULL)
				eq = vs = ve;
			else
				vs = eq + 1;
			ne = eq;
			while (ne > ns && FORM_IS_WS(ne[-1]))
				ne--;
			while (vs < ve && FORM_IS_WS(*vs))
				vs++;
			e = form_add(out, ns, (size_t)(ne - ns), vs,
			    (size_t)(ve - vs), 0, max_fields);
			if (e == FORM_TOO_MANY)
				return e;
			if (e != FORM_OK && first == FORM_OK)
				first = e;
		}
		p = semi + 1;
	}
#undef FORM_IS_WS
	return first;
}

void
fields_free(struct fields *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		/* Form values may be passwords or secrets: wiped, not just freed. */
		explicit_bzero(f->v[i].value, f->v[i].len);
		free(f->v[i].value);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

/*
 * The value of the pair named `name` when there is exactly one; NULL when
 * there is none or more than one, so a repeated field is never silently
 * read as its first (or last) copy. `*count` says which.
 */
const char *
fields_get(const struct fields *f, const char *name, size_t *count)
{
	const char	*value = NULL;
	size_t		 i, n = 0;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, name) == 0) {
			if (n++ == 0)
				value = f->v[i].value;
		}
	}
	if (count != NULL)
		*count = n;
	return n == 1 ? value : NULL;
}

