/*
 * test_render.c — the real templates through the real renderer: values are
 * HTML-escaped by default, and a parse tree reused across requests never
 * shows one request's data in another's page.
 */
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "t.h"

static char *
render(struct render_cache *rc, const char *tmpl, HDF *hdf)
{
	struct buf	 out;
	char		 err[512];

	buf_init(&out);
	if (render_template(rc, tmpl, hdf, &out, err, sizeof(err)) == -1) {
		printf("# render %s: %s\n", tmpl, err);
		buf_free(&out);
		return NULL;
	}
	return out.data != NULL ? out.data : xstrdup("");
}

int
main(void)
{
	const char		*dir = getenv("TETHER_TEMPLATES");
	struct render_cache	*rc = render_cache_new(dir != NULL ? dir : "templates");
	HDF			*a = render_hdf_new(), *b = render_hdf_new(), *n;
	char			*html;

	hdf_set_value(a, "Page.Title", "Sign in");
	hdf_set_value(a, "Login.Email", "<script>alert(1)</script>");
	hdf_set_value(a, "Login.Error", "\"quoted\" & <b>bold</b>");
	hdf_set_value(a, "CSRF.Token", "tok'en\"");
	html = render(rc, "login.cs", a);
	T_OK(html != NULL, "login.cs renders");
	T_OK(html != NULL && strstr(html, "<script>alert(1)") == NULL,
	    "a <script> value is not output raw");
	T_OK(html != NULL && strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	    "a <script> value is HTML-escaped");
	T_OK(html != NULL && strstr(html, "<b>bold</b>") == NULL &&
	    strstr(html, "&amp;") != NULL, "an error message is escaped");
	T_OK(html != NULL && strstr(html, "tok'en\"") == NULL &&
	    strstr(html, "name=\"csrf\" value=\"tok&#39;en&quot;\"") != NULL,
	    "attribute values are escaped");
	free(html);

	/* The same cached parse tree, another request's data. */
	hdf_set_value(b, "Page.Title", "Sign in");
	hdf_set_value(b, "Login.Email", "second@example.com");
	html = render(rc, "login.cs", b);
	T_OK(html != NULL && strstr(html, "second@example.com") != NULL,
	    "a reused template shows the new request's data");
	T_OK(html != NULL && strstr(html, "alert(1)") == NULL,
	    "a reused template shows nothing of the previous request");
	free(html);

	hdf_set_value(b, "User.Id", "1");
	hdf_set_value(b, "User.Email", "admin@example.com");
	hdf_set_value(b, "Page.Section", "integrations");
	hdf_set_value(b, "Pager.Total", "1");
	n = render_node(b, "Connections.0");
	render_set(n, "Id", "7");
	render_set(n, "Name", "Jira <img src=x onerror=alert(2)>");
	render_set(n, "Status", "ok");
	render_set(n, "StatusLabel", "Connected");
	render_set(n, "OwnerTeam", "<img src=y onerror=alert(3)>");
	render_set(n, "ConnectorTitle", "<b>Jira</b>");
	html = render(rc, "index.cs", b);
	T_OK(html != NULL, "index.cs renders");
	T_OK(html != NULL && strstr(html, "<img src=x") == NULL &&
	    strstr(html, "&lt;img src=x onerror=alert(2)&gt;") != NULL,
	    "a connection name is escaped in the list");
	T_OK(html != NULL && strstr(html, "/connections/7") != NULL, "rows link by id");
	T_OK(html != NULL && strstr(html, "<img src=y") == NULL &&
	    strstr(html, "<b>Jira</b>") == NULL, "team and connector names are escaped");
	free(html);

	hdf_set_value(a, "Error.Status", "404");
	hdf_set_value(a, "Error.Title", "Page not found <i>x</i>");
	hdf_set_value(a, "Error.Message", "<script>bad()</script>");
	html = render(rc, "error.cs", a);
	T_OK(html != NULL && strstr(html, "Page not found") != NULL, "error.cs renders");
	T_OK(html != NULL && strstr(html, "<i>x</i>") == NULL &&
	    strstr(html, "<script>bad()") == NULL, "error title and message are escaped");
	free(html);

	T_OK(render(rc, "no-such-template.cs", a) == NULL,
	    "a missing template is an error, not a page");

	hdf_destroy(&a);
	hdf_destroy(&b);
	render_cache_free(rc);
	return t_done();
}
