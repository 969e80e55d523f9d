/*
 * http.c — the response: pages rendered into memory first, then status,
 * headers (security headers on every response, error pages included) and
 * body in one go, so a template error is a clean 500, never half a page.
 */
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <sodium.h>
#include <ClearSilver.h>

#include "tether.h"
#include "web.h"

#define FLASH_MAX	300

/* Behind HTTPS every cookie is __Host-: no sibling host can set or shadow it. */
static const char *
http_flash_cookie_name(const struct app *app)
{
	return app->cfg.secure_cookies ? "__Host-tether_flash" : "tether_flash";
}

static const char csp_base[] =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

void
http_header(struct req *r, const char *name, const char *value)
{
	/* Header values never come from request data unchecked: refuse CR/LF. */
	if (strpbrk(value, "\r\n") != NULL)
		return;
	buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

void
http_set_cookie(struct req *r, const char *name, const char *value, int max_age)
{
	char	 line[512];

	char	 age[32] = "";

	/* max_age < 0: a browser-session cookie. */
	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%d", max_age);
	snprintf(line, sizeof(line), "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    name, value, r->app->cfg.secure_cookies ? "; Secure" : "", age);
	http_header(r, "Set-Cookie", line);
}

/* No body yet: nothing rendered, no kept page (listcache.c) to send. */
static void
http_body_clear(struct req *r)
{
	r->out.len = 0;
	r->kept = NULL;
}

static void
http_common_hdf(struct req *r)
{
	req_fill_layout(r);
	render_set(r->hdf, "Page.RequestId", r->id);
}

int
http_page(struct req *r, int status, const char *tmpl)
{
	char	 err[512];

	http_common_hdf(r);
	http_body_clear(r);
	if (render_template(r->app->templates, tmpl, r->hdf, &r->splices, &r->out, err,
	    sizeof(err)) == -1) {
		log_error(r->id, "template %s: %s", tmpl, err);
		http_error(r, 500, NULL);
		return -1;
	}
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	return 0;
}

static const char *
http_error_title(int status)
{
	switch (status) {
	case 400: return "That request could not be understood";
	case 403: return "You cannot do that";
	case 404: return "Page not found";
	case 405: return "Method not allowed";
	case 409: return "This changed in the meantime";
	case 413: return "That request is too large";
	case 415: return "Unsupported content type";
	case 429: return "Too many requests";
	case 503: return "Temporarily unavailable";
	default: return "Something went wrong";
	}
}

static const char *
http_error_message(int status)
{
	switch (status) {
	case 400: return "The request was malformed or carried fields this page does not accept.";
	case 403: return "The form has expired or you lack permission. Reload the page and try again.";
	case 404: return "There is nothing here, or you may not see it.";
	case 405: return "This address does not accept that method.";
	case 409: return "Someone changed it since you opened the page. Reload the page and try again.";
	case 413: return "The submitted form is larger than this server accepts.";
	case 415: return "Forms must be sent as application/x-www-form-urlencoded.";
	case 429: return "Please wait a moment and try again.";
	case 503: return "The database is not reachable right now. Try again shortly.";
	default: return "An unexpected error occurred. The request id below helps the administrators find out why.";
	}
}

void
http_error(struct req *r, int status, const char *message)
{
	char	 st[8], err[512];
	HDF	*old;

	req_fill_layout(r);	/* what the page would have shown, to keep from */
	old = r->hdf;
	/* A fresh HDF: nothing half-filled by the page leaks into the error;
	 * only the header's user and sign-out token (User.*, CSRF.Token) stay,
	 * so that an error page keeps the navigation bar and user menu. */
	r->hdf = render_hdf_new();
	if (old != NULL) {
		if (hdf_get_obj(old, "User.Id") != NULL)
			hdf_copy(r->hdf, "User", hdf_get_obj(old, "User"));
		if (hdf_get_value(old, "CSRF.Token", NULL) != NULL)
			render_set(r->hdf, "CSRF.Token", hdf_get_value(old, "CSRF.Token", ""));
		hdf_destroy(&old);
	}
	snprintf(st, sizeof(st), "%d", status);
	render_set(r->hdf, "Error.Status", st);
	render_set(r->hdf, "Error.Title", http_error_title(status));
	render_set(r->hdf, "Error.Message",
	    message != NULL ? message : http_error_message(status));
	render_set(r->hdf, "Page.Title", http_error_title(status));
	http_common_hdf(r);
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	http_body_clear(r);
	if (render_template(r->app->templates, "error.cs", r->hdf, NULL, &r->out, err,
	    sizeof(err)) == -1) {
		log_error(r->id, "template error.cs: %s", err);
		r->out.len = 0;
		buf_printf(&r->out, "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">"
		    "<title>Error %d</title><h1>Error %d</h1><p>Request id %s</p></html>\n",
		    status, status, r->id);
	}
	/* Unavailable is temporary: say when to come back (unless the page
	 * already did, as the sign-in throttle does). */
	if (status == 503 && strstr(r->headers.data, "Retry-After:") == NULL)
		http_header(r, "Retry-After", HTTP_RETRY_AFTER);
	if (status == 405) {
		const char	*allow = "GET, HEAD";

		if (r->route != NULL && (r->route->methods & METHOD_POST))
			allow = (r->route->methods & METHOD_GET) ? "GET, HEAD, POST" : "POST";
		http_header(r, "Allow", allow);
	}
}

void
http_redirect(struct req *r, const char *location)
{
	/* Only local paths: an open redirect would be a phishing tool. */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	r->status = r->method == METHOD_POST ? 303 : 302;
	http_header(r, "Location", location);
	http_body_clear(r);
}

void
http_flash(struct req *r, const char *kind, const char *message)
{
	render_set(r->hdf, "Flash.Kind", kind);
	render_set(r->hdf, "Flash.Message", message);
}

/* Cookie value: base64url(kind "\n" message) "." base64url(mac). */
void
http_flash_next(struct req *r, const char *kind, const char *message)
{
	char		 plain[FLASH_MAX + 16], b64[sizeof(plain) * 2], mac64[64];
	char		 value[sizeof(b64) + sizeof(mac64) + 2];
	unsigned char	 mac[crypto_auth_BYTES];
	int		 n;

	n = snprintf(plain, sizeof(plain), "%s\n%.*s", kind, FLASH_MAX, message);
	if (n < 0 || (size_t)n >= sizeof(plain))
		return;
	sodium_bin2base64(b64, sizeof(b64), (unsigned char *)plain, (size_t)n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_auth(mac, (unsigned char *)b64, strlen(b64), r->app->flash_key);
	sodium_bin2base64(mac64, sizeof(mac64), mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(value, sizeof(value), "%s.%s", b64, mac64);
	http_set_cookie(r, http_flash_cookie_name(r->app), value, 60);
}

void
http_flash_take(struct req *r)
{
	const char	*c = req_cookie(r, http_flash_cookie_name(r->app));
	const char	*dot;
	unsigned char	 mac[crypto_auth_BYTES], plain[FLASH_MAX + 16];
	size_t		 maclen, plainlen;
	char		*nl, kind[16];

	if (c == NULL)
		return;
	http_set_cookie(r, http_flash_cookie_name(r->app), "", 0);
	if ((dot = strchr(c, '.')) == NULL || (size_t)(dot - c) > sizeof(plain) * 2)
		return;
	if (sodium_base642bin(mac, sizeof(mac), dot + 1, strlen(dot + 1), NULL, &maclen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || maclen != sizeof(mac) ||
	    crypto_auth_verify(mac, (const unsigned char *)c, (size_t)(dot - c),
	    r->app->flash_key) != 0)
		return;
	if (sodium_base642bin(plain, sizeof(plain) - 1, c, (size_t)(dot - c), NULL,
	    &plainlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return;
	plain[plainlen] = '\0';
	if ((nl = strchr((char *)plain, '\n')) == NULL || nl - (char *)plain >= (long)sizeof(kind))
		return;
	snprintf(kind, sizeof(kind), "%.*s", (int)(nl - (char *)plain), (char *)plain);
	if (strcmp(kind, "success") != 0 && strcmp(kind, "error") != 0 &&
	    strcmp(kind, "info") != 0)
		return;
	if (!utf8_valid(nl + 1, strlen(nl + 1)))
		return;
	http_flash(r, kind, nl + 1);
}

/* 1 when the web server has closed its end of the connection. */
static int
http_peer_gone(int fd)
{
	struct pollfd	 pfd;

	pfd.fd = fd;
	pfd.events = POLLRDHUP;
	pfd.revents = 0;
	return fd >= 0 && poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/*
 * The answer as FastCGI stdout records. libfcgi writes one record a
 * buffer of 8 KB, so a 24 KB page was three writes (and three reads for
 * nginx). Here all but the last few KB go in records of our own, in one
 * writev a record of up to 64 KB, before libfcgi has buffered anything of
 * this request; the rest goes through libfcgi, whose closing flush
 * (FCGX_Finish_r) carries it with the end-of-stream and end-request
 * records: two writes for any page.
 */
#define FCGI_TAIL		7680		/* fits libfcgi's buffer */
#define FCGI_RECORD_MAX		65528		/* a record's content, 8-aligned */

/* Writes the n parts of iov whole: 0, or -1. */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = writev(fd, iov, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* The first `len` bytes of the two parts, as records on fr's connection. */
static int
fcgi_write_records(FCGX_Request *fr, const char *const part[2], const size_t plen[2],
    size_t len)
{
	size_t		 at = 0, k, take, off, i;
	unsigned char	 head[8];
	struct iovec	 iov[3];
	int		 n;

	while (at < len) {
		k = len - at < FCGI_RECORD_MAX ? len - at : FCGI_RECORD_MAX;
		/* version 1, FCGI_STDOUT (6), the request id, the content
		 * length, no padding. */
		head[0] = 1;
		head[1] = 6;
		head[2] = (unsigned char)(fr->requestId >> 8);
		head[3] = (unsigned char)fr->requestId;
		head[4] = (unsigned char)(k >> 8);
		head[5] = (unsigned char)k;
		head[6] = head[7] = 0;
		iov[0].iov_base = head;
		iov[0].iov_len = sizeof(head);
		n = 1;
		for (i = 0, off = 0, take = k; i < 2 && take > 0; off += plen[i], i++) {
			size_t	 from, m;

			if (at + (k - take) >= off + plen[i])
				continue;
			from = at + (k - take) - off;
			m = plen[i] - from < take ? plen[i] - from : take;
			iov[n].iov_base = (void *)(part[i] + from);
			iov[n++].iov_len = m;
			take -= m;
		}
		if (writev_all(fr->ipcFd, iov, n) == -1)
			return -1;
		at += k;
	}
	return 0;
}

/* head then body on fr's stdout: 0, or -1. */
static int
fcgi_put(FCGX_Request *fr, const char *head, size_t hlen, const char *body, size_t blen)
{
	const char	*part[2] = { head, body };
	size_t		 plen[2] = { hlen, blen }, own;

	if (hlen + blen > FCGI_TAIL) {
		own = hlen + blen - FCGI_TAIL;
		if (fcgi_write_records(fr, part, plen, own) == -1)
			return -1;
		/* What is left: the body's tail (and the head's, when the
		 * body is shorter than the tail). */
		if (own < hlen) {
			head += own;
			hlen -= own;
		} else {
			body += own - hlen;
			blen -= own - hlen;
			hlen = 0;
		}
	}
	if (hlen > 0 && FCGX_PutStr(head, (int)hlen, fr->out) < 0)
		return -1;
	if (blen > 0 && FCGX_PutStr(body, (int)blen, fr->out) < 0)
		return -1;
	return 0;
}

void
http_send(struct req *r)
{
	struct buf	 h;
	char		 num[32];
	const char	*body = r->kept != NULL ? r->kept : r->out.data;
	size_t		 body_len = r->kept != NULL ? r->kept_len : r->out.len;

	buf_init(&h);
	/* Mostly fixed text: appended, not formatted (printf was a seventh
	 * of a kept page's instructions). */
	buf_reserve(&h, 1024);
	snprintf(num, sizeof(num), "%d ", r->status);
	BUF_LIT(&h, "Status: ");
	buf_puts(&h, num);
	buf_puts(&h, http_status_text(r->status));
	BUF_LIT(&h, "\r\n");
	if (r->status != 302 && r->status != 303 && r->status != 204) {
		snprintf(num, sizeof(num), "%zu", body_len);
		BUF_LIT(&h, "Content-Type: ");
		buf_puts(&h, r->content_type);
		BUF_LIT(&h, "\r\nContent-Length: ");
		buf_puts(&h, num);
		BUF_LIT(&h, "\r\n");
	} else
		BUF_LIT(&h, "Content-Length: 0\r\n");
	BUF_LIT(&h, "Content-Security-Policy: ");
	buf_append(&h, csp_base, sizeof(csp_base) - 1);
	BUF_LIT(&h, "; form-action 'self'");
	if (r->csp_form_action != NULL) {
		BUF_LIT(&h, " ");
		buf_puts(&h, r->csp_form_action);
	}
	BUF_LIT(&h, "\r\nReferrer-Policy: ");
	buf_puts(&h, r->route != NULL && (r->route->flags & ROUTE_NO_REFERRER) ?
	    "no-referrer" : "same-origin");
	BUF_LIT(&h, "\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Cross-Origin-Opener-Policy: same-origin\r\n"
	    "Cross-Origin-Resource-Policy: same-origin\r\n"
	    "Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
	    "Cache-Control: no-store\r\n");
	if (r->https)
		BUF_LIT(&h, "Strict-Transport-Security: max-age=31536000\r\n");
	BUF_LIT(&h, "X-Request-Id: ");
	buf_puts(&h, r->id);
	BUF_LIT(&h, "\r\n");
	if (r->headers.len > 0)
		buf_append(&h, r->headers.data, r->headers.len);
	buf_puts(&h, "\r\n");
	if (r->fr != NULL) {
		int	 failed;

		/* nginx closes the connection when it gives up on us (its read
		 * timeout, a client gone): what we write then reaches nobody. */
		if (r->method == METHOD_HEAD || r->status == 302 || r->status == 303)
			body_len = 0;
		failed = http_peer_gone(r->fr->ipcFd) ||
		    fcgi_put(r->fr, h.data, h.len, body, body_len) == -1;
		r->undelivered = failed || FCGX_GetError(r->fr->out) != 0;
	}
	buf_free(&h);
}
