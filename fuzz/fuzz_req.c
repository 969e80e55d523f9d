/*
 * fuzz_req.c — libFuzzer harness over what req.c does with a request
 * before any page runs, without FastCGI: the input is
 *
 *	path[?query] LF cookie-header LF body
 *
 * path_canonical canonicalises the path and route_match finds its route;
 * form_parse_urlencoded reads the query and the body, form_parse_cookies
 * the cookie header; then every field is held against the route's
 * declarations (route_declares, route_allows_repeat), as req_parse does.
 * Checks what each promises: canonical paths, decoded NUL-free UTF-8
 * fields within their caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tether.h"
#include "web.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_REQ_MAX	65536
#define FUZZ_FIELDS	200	/* http.fields_max's default */

static void
check_path(const char *path)
{
	size_t	 len = strlen(path);

	if (path[0] != '/')
		abort();
	if (len > 1 && path[len - 1] == '/')
		abort();
	if (strstr(path, "//") != NULL || strstr(path, "/./") != NULL ||
	    strstr(path, "/../") != NULL)
		abort();
	if ((len >= 2 && strcmp(path + len - 2, "/.") == 0) ||
	    (len >= 3 && strcmp(path + len - 3, "/..") == 0))
		abort();
}

static void
check_fields(const struct fields *f, size_t max)
{
	size_t	 i;

	if (f->n > max || f->n > f->cap)
		abort();
	for (i = 0; i < f->n; i++) {
		if (f->v[i].name == NULL || f->v[i].value == NULL)
			abort();
		if (strlen(f->v[i].name) > FORM_NAME_MAX)
			abort();
		if (strlen(f->v[i].value) != f->v[i].len)
			abort();
		if (!utf8_valid(f->v[i].name, strlen(f->v[i].name)) ||
		    !utf8_valid(f->v[i].value, f->v[i].len))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct fields	 in, cookies;
	enum form_err	 fe;
	char		*buf, *path, *query, *cookie, *body, *nl;
	size_t		 bodylen, i, count;

	if (size > FUZZ_REQ_MAX)
		return 0;
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	path = buf;
	cookie = body = buf + size;
	if ((nl = memchr(path, '\n', size)) != NULL) {
		*nl = '\0';
		cookie = nl + 1;
		if ((nl = memchr(cookie, '\n', (size_t)(buf + size - cookie))) != NULL) {
			*nl = '\0';
			body = nl + 1;
		}
	}
	bodylen = (size_t)(buf + size - body);
	if ((query = strchr(path, '?')) != NULL)
		*query++ = '\0';

	memset(&r, 0, sizeof(r));
	memset(&in, 0, sizeof(in));
	memset(&cookies, 0, sizeof(cookies));
	/* A NUL in the path, cookie or query ends it, as in the environment. */
	if ((r.path = path_canonical(path)) != NULL) {
		check_path(r.path);
		r.method = METHOD_POST;
		if (route_match(&r) == 0 && r.route == NULL)
			abort();
	}
	fe = FORM_OK;
	if (query != NULL)
		fe = form_parse_urlencoded(&in, query, strlen(query), FUZZ_FIELDS);
	if (fe == FORM_OK)
		fe = form_parse_urlencoded(&in, body, bodylen, FUZZ_FIELDS);
	if (form_strerror(fe) == NULL)
		abort();
	check_fields(&in, FUZZ_FIELDS);
	if (fe == FORM_OK && r.route != NULL)
		for (i = 0; i < in.n; i++) {
			if (!route_declares(r.route, in.v[i].name))
				break;
			if ((fields_get(&in, in.v[i].name, &count) == NULL) !=
			    (count != 1) || count == 0)
				abort();
			if (count > 1)
				(void)route_allows_repeat(r.route, in.v[i].name);
		}
	fe = form_parse_cookies(&cookies, cookie, FUZZ_FIELDS);
	if (form_strerror(fe) == NULL)
		abort();
	check_fields(&cookies, FUZZ_FIELDS);

	fields_free(&in);
	fields_free(&cookies);
	free(r.path);
	free(r.arg_key);
	free(buf);
	return 0;
}
