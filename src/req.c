/*
 * req.c — one request's input, read once and bounded: method, canonical
 * path, cookies, and the query string (GET) or form body (POST, never a
 * query). It knows nothing of routes or sessions: route.c matches the path,
 * checks the fields against what the route declares and owns the session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <sodium.h>
#include <ClearSilver.h>

#include "tether.h"
#include "web.h"

#define REQ_COOKIES_MAX	50

void
req_init(struct req *r, struct app *app, FCGX_Request *fr)
{
	unsigned char	 rid[8];

	memset(r, 0, sizeof(*r));
	r->app = app;
	r->fr = fr;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	randombytes_buf(rid, sizeof(rid));
	sodium_bin2hex(r->id, sizeof(r->id), rid, sizeof(rid));
	r->status = 200;
	r->method_name = "-";
	r->content_type = "text/html; charset=utf-8";
	buf_init(&r->headers);
	buf_init(&r->out);
	r->hdf = render_hdf_new();
	r->actor.app = app;
	r->actor.request_id = r->id;
	r->actor.email = "";
	r->actor.client_addr = "";
}

void
req_fill_layout(struct req *r)
{
	char	 id[24];

	if (r->layout_filled)
		return;
	r->layout_filled = 1;
	if (r->layout_user && r->sess != NULL) {
		snprintf(id, sizeof(id), "%lld", (long long)r->sess->user_id);
		render_set(r->hdf, "User.Id", id);
		render_set(r->hdf, "User.Email", r->sess->email);
		render_set(r->hdf, "User.Name", r->sess->name);
		render_set(r->hdf, "User.IsAdmin", r->sess->is_admin ? "1" : "0");
		render_set(r->hdf, "User.IsManager", r->sess->is_manager ? "1" : "0");
	}
	if (r->layout_csrf != NULL)
		render_set(r->hdf, "CSRF.Token", r->layout_csrf);
	if (r->layout_section != NULL)
		render_set(r->hdf, "Page.Section", r->layout_section);
	if (r->once[0] != '\0')
		render_set(r->hdf, "Once.Token", r->once);
}

void
req_free(struct req *r)
{
	free(r->path);
	free(r->arg_key);
	free(r->csp_form_action);
	fields_free(&r->in);
	fields_free(&r->cookies);
	hdf_destroy((HDF **)&r->hdf);
	buf_free(&r->headers);
	if (r->wipe_out && r->out.data != NULL)
		sodium_memzero(r->out.data, r->out.len);
	buf_free(&r->out);
	render_splices_free(&r->splices);
	memset(r, 0, sizeof(*r));
}

const char *
req_env(const struct req *r, const char *name)
{
	return r->fr != NULL ? FCGX_GetParam(name, r->fr->envp) : getenv(name);
}

const char *
req_param(const struct req *r, const char *name)
{
	return fields_get(&r->in, name, NULL);
}

/*
 * A text field of the form: "" when the request left it out, so that a
 * handler never meets NULL where a browser always sends the field (an
 * empty text input, a textarea). For fields whose absence means something
 * else (a checkbox, a choice), use req_param and decide.
 */
const char *
req_text(const struct req *r, const char *name)
{
	const char	*v = fields_get(&r->in, name, NULL);

	return v != NULL ? v : "";
}

const char *
req_cookie(const struct req *r, const char *name)
{
	return fields_get(&r->cookies, name, NULL);
}

static enum http_method
req_method(const char *m)
{
	if (m == NULL)
		return METHOD_OTHER;
	if (strcmp(m, "GET") == 0)
		return METHOD_GET;
	if (strcmp(m, "POST") == 0)
		return METHOD_POST;
	if (strcmp(m, "HEAD") == 0)
		return METHOD_HEAD;
	return METHOD_OTHER;
}

/* The raw path: REQUEST_URI up to '?', as the client sent it. */
static char *
req_raw_path(const struct req *r)
{
	const char	*uri = req_env(r, "REQUEST_URI");
	const char	*q;

	if (uri == NULL || *uri == '\0')
		uri = req_env(r, "DOCUMENT_URI");
	if (uri == NULL || *uri == '\0')
		return xstrdup("/");
	q = strchr(uri, '?');
	return q != NULL ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
}

/* 1 for an application/x-www-form-urlencoded content type (parameters allowed). */
static int
req_is_form(const char *ct)
{
	static const char	 form[] = "application/x-www-form-urlencoded";
	size_t			 n = sizeof(form) - 1;

	return ct != NULL && strncasecmp(ct, form, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
req_read_raw(struct req *r, struct buf *out)
{
	const char	*cl = req_env(r, "CONTENT_LENGTH");
	char		*end;
	char		*tmp;
	unsigned long long n;
	int		 got;

	if (cl == NULL || *cl == '\0')
		return 0;
	n = strtoull(cl, &end, 10);
	if (*end != '\0' || cl[0] == '-')
		return 400;
	if (n > r->app->cfg.body_max)
		return 413;
	if (n == 0)
		return 0;
	tmp = xmalloc(n);
	got = r->fr != NULL ? FCGX_GetStr(tmp, (int)n, r->fr->in) : 0;
	if (got < 0 || (unsigned long long)got != n) {
		free(tmp);
		return 400;
	}
	buf_append(out, tmp, n);
	free(tmp);
	return 0;
}

static int
req_read_body(struct req *r)
{
	const char	*cl = req_env(r, "CONTENT_LENGTH");
	char		*end, *body;
	unsigned long long n;
	int		 got;
	enum form_err	 fe;

	if (cl == NULL || *cl == '\0')
		return 0;
	n = strtoull(cl, &end, 10);
	if (*end != '\0' || cl[0] == '-') {
		r->log_note = "bad content-length";
		return 400;
	}
	if (n == 0)
		return 0;
	if (n > r->app->cfg.body_max) {
		r->log_note = "body too large";
		return 413;
	}
	if (!req_is_form(req_env(r, "CONTENT_TYPE"))) {
		r->log_note = "content type";
		return 415;
	}
	body = xmalloc(n + 1);
	got = r->fr != NULL ? FCGX_GetStr(body, (int)n, r->fr->in) : 0;
	if (got < 0 || (unsigned long long)got != n) {
		free(body);
		r->log_note = "short body";
		return 400;
	}
	fe = form_parse_urlencoded(&r->in, body, n, r->app->cfg.fields_max);
	sodium_memzero(body, n);	/* it may hold a password */
	free(body);
	if (fe != FORM_OK) {
		r->log_note = form_strerror(fe);
		return 400;
	}
	return 0;
}

int
req_parse(struct req *r)
{
	const char	*cookie, *https;
	char		*raw;

	r->method_name = req_env(r, "REQUEST_METHOD");
	if (r->method_name == NULL)
		r->method_name = "-";
	r->method = req_method(r->method_name);
	r->client_addr = req_env(r, "REMOTE_ADDR");
	r->actor.client_addr = r->client_addr != NULL ? r->client_addr : "";
	r->user_agent = req_env(r, "HTTP_USER_AGENT");
	https = req_env(r, "HTTPS");
	r->https = https != NULL && strcasecmp(https, "on") == 0;

	/* Cookies from other applications on this host must not break ours. */
	if ((cookie = req_env(r, "HTTP_COOKIE")) != NULL)
		(void)form_parse_cookies(&r->cookies, cookie, REQ_COOKIES_MAX);

	raw = req_raw_path(r);
	r->path = path_canonical(raw);
	free(raw);
	if (r->path == NULL) {
		r->log_note = "bad path";
		return 400;
	}
	if (strncmp(r->path, "/api/", 5) == 0)
		return REQ_API;
	return 0;
}

int
req_read_fields(struct req *r)
{
	const char	*qs = req_env(r, "QUERY_STRING");
	enum form_err	 fe;

	/* A POST's fields come from its body only: a token or a confirmation in
	 * the URL would end up in logs, history and Referer headers, and no form
	 * of ours posts to a URL with a query. */
	if (r->method == METHOD_POST && qs != NULL && *qs != '\0') {
		r->log_note = "query on POST";
		return 400;
	}
	if (qs != NULL && *qs != '\0') {
		fe = form_parse_urlencoded(&r->in, qs, strlen(qs), r->app->cfg.fields_max);
		if (fe != FORM_OK) {
			r->log_note = form_strerror(fe);
			return 400;
		}
	}
	return r->method == METHOD_POST ? req_read_body(r) : 0;
}
