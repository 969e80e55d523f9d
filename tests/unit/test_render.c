/*
 * test_render.c — the real templates through the real renderer: values are
 * HTML-escaped by default, and a parse tree reused across requests never
 * shows one request's data in another's page.
 */
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "web.h"
#include "t.h"

static char *
render_with(struct render_cache *rc, const char *tmpl, HDF *hdf,
    const struct render_splices *sp)
{
	struct buf	 out;
	char		 err[512];

	buf_init(&out);
	if (render_template(rc, tmpl, hdf, sp, &out, err, sizeof(err)) == -1) {
		printf("# render %s: %s\n", tmpl, err);
		buf_free(&out);
		return NULL;
	}
	return out.data != NULL ? out.data : xstrdup("");
}

/* A render_writer for the tests: its argument, counted. */
static void
writer_test(struct buf *out, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	buf_puts(out, "<tr id=\"written\"></tr>");
}

static char *
render(struct render_cache *rc, const char *tmpl, HDF *hdf)
{
	return render_with(rc, tmpl, hdf, NULL);
}

/*
 * A fixture (tests/unit/NAME, beside templates/: TETHER_TEMPLATES) holding
 * index.cs's old markup between @@START@@ and @@END@@, rendered with h,
 * must equal `want`, what the C code wrote.
 */
static void
fixture_equal(struct render_cache *rc, const char *dir, const char *name, HDF *h,
    const char *want, const char *what)
{
	struct buf	 path;
	char		*html, *from, *to;

	buf_init(&path);
	buf_printf(&path, "%s/../tests/unit/%s", dir, name);
	html = render(rc, path.data, h);
	from = html != NULL ? strstr(html, "@@START@@") : NULL;
	to = from != NULL ? strstr(from, "@@END@@") : NULL;
	T_OK(to != NULL, name);
	if (to != NULL) {
		*to = '\0';
		T_STR(want, from + strlen("@@START@@"), what);
	}
	free(html);
	buf_free(&path);
}

/*
 * The filters' options written in C (render_option_html) are the markup the
 * template's each-loop wrote (tests/unit/index-options.cs), byte for byte:
 * the selected one, names that need escaping, a carriage return.
 */
static void
options_equal_template(struct render_cache *rc, const char *dir)
{
	static const char *const teams[][2] = {
		{ "1", "Payroll" }, { "22", "Ops & <Co>" }, { "333", "\"quoted\" 'team'" },
		{ "4", "line\rbreak" }, { "55", "" },
	};
	const size_t	 n = sizeof(teams) / sizeof(teams[0]);
	HDF		*h = render_hdf_new();
	struct buf	 c, plain, sel;
	size_t		 i;

	buf_init(&c);
	buf_init(&plain);
	hdf_set_value(h, "Filter.Team", "22");
	for (i = 0; i < n; i++) {
		HDF	*o = render_node(h, "Options.Teams.%zu", i);

		render_set(o, "Id", teams[i][0]);
		render_set(o, "Name", teams[i][1]);
		render_option_html(&c, teams[i][0], teams[i][1], strcmp(teams[i][0], "22") == 0);
		render_option_html(&plain, teams[i][0], teams[i][1], 0);
	}
	/* Kept options marked afterwards: the same markup. */
	buf_init(&sel);
	render_options_selected(&sel, plain.data, "22");
	T_STR(sel.data, c.data, "render_options_selected marks the one option, as written selected");
	buf_free(&sel);
	buf_init(&sel);
	render_options_selected(&sel, plain.data, "2");
	T_STR(sel.data, plain.data, "a value no option has (a prefix of one) marks none");
	buf_free(&sel);
	buf_init(&sel);
	render_options_selected(&sel, plain.data, NULL);
	T_STR(sel.data, plain.data, "no value marks none");
	buf_free(&sel);
	buf_free(&plain);
	fixture_equal(rc, dir, "index-options.cs", h, c.data,
	    "render_option_html writes the template's options byte for byte");
	buf_free(&c);
	hdf_destroy(&h);
}

/* rowcache_health() against the markup index.cs wrote (index-health.cs):
 * all clear, each count alone, all three, thousands. */
static void
health_equal_template(struct render_cache *rc, const char *dir)
{
	static const long long	 cases[][3] = { { 0, 0, 0 }, { 1, 0, 0 }, { 0, 2, 0 },
				    { 0, 0, 3 }, { 1234, 56789, 1000000 }, { 0, 7, 12 } };
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		HDF		*h = render_hdf_new();
		struct buf	 c;
		char		 name[96];

		render_set_int(h, "Health.Failing", cases[i][0]);
		render_set_int(h, "Health.NeedsReconnect", cases[i][1]);
		render_set_int(h, "Health.Expiring", cases[i][2]);
		render_set_int(h, "Health.HorizonDays", 14);
		buf_init(&c);
		rowcache_health(&c, cases[i], 14);
		snprintf(name, sizeof(name), "rowcache_health writes the template's summary"
		    " (%lld, %lld, %lld)", cases[i][0], cases[i][1], cases[i][2]);
		fixture_equal(rc, dir, "index-health.cs", h, c.data, name);
		buf_free(&c);
		hdf_destroy(&h);
	}
}

/*
 * rowcache_html() against the row loop index.cs had before rows were
 * written in C (tests/unit/index-rows.cs, a copy of it): byte for byte the
 * same markup for every status, result, never tested, no team, 0, 1 and
 * 1,234 flows, and names that need escaping.
 */
static void
rows_equal_template(struct render_cache *rc, const char *dir)
{
	static const struct rowcache_row rows[] = {
		{ "1", "Jira <prod> & \"q\" 'a'", "Jira", "API token", "ok", "Connected",
		    "2026-12-05 03:04", "ok", "Team <A>", "0" },
		{ "22", "Failing one", "<b>Sales</b>", "OAuth 2.0", "failing", "Failing",
		    "2026-01-02 13:59", "failed", "Ops & Co", "1" },
		{ "333", "Needs", "ServiceNow", "Basic", "needs_reconnect", "Needs reconnect",
		    "2025-11-30 00:00", "error", "", "1234" },
		{ "4444", "Never tested", "GitHub", "OAuth 2.0", "not_tested",
		    "Not tested yet", "", "", "Team", "2" },
		{ "5", "Not connected", "Google", "OAuth 2.0 (code)", "not_connected",
		    "Not connected yet", "", "", "0", "1000000" },
		{ "6", "No test\rhere", "Postgres", "Password", "not_testable", "Not testable",
		    "2026-06-07 08:09", "unsupported", "'quoted' \"team\"", "999" },
		{ "7", "Tested, no result", "SMTP", "None", "ok", "Connected",
		    "2026-06-07 08:09", "", "T", "1234567890" },
	};
	const size_t	 nrows = sizeof(rows) / sizeof(rows[0]);
	HDF		*h = render_hdf_new();
	struct buf	 c;
	size_t		 i;

	buf_init(&c);
	for (i = 0; i < nrows; i++) {
		HDF	*n = render_node(h, "Connections.%zu", i);

		render_set(n, "Id", rows[i].id);
		render_set(n, "Name", rows[i].name);
		render_set(n, "ConnectorTitle", rows[i].connector_title);
		render_set(n, "AuthProtocol", rows[i].protocol_label);
		render_set(n, "Status", rows[i].status);
		render_set(n, "StatusLabel", rows[i].status_label);
		render_set(n, "LastTestedAt", rows[i].tested);
		render_set(n, "LastTestResult", rows[i].result);
		render_set(n, "OwnerTeam", rows[i].team);
		render_set(n, "FlowCount", rows[i].flows);
		rowcache_html(&c, &rows[i]);
	}
	fixture_equal(rc, dir, "index-rows.cs", h, c.data,
	    "rowcache_html writes the template's rows byte for byte");
	T_OK(strstr(c.data, "1,234 flows") != NULL && strstr(c.data, ">1 flow<") != NULL &&
	    strstr(c.data, "1,234,567,890 flows") != NULL &&
	    strstr(c.data, "<time datetime=\"2026-12-05T03:04Z\">2026-12-05 03:04</time>")
	    != NULL, "counts and times as macros.cs count() and timestamp()");
	buf_free(&c);
	hdf_destroy(&h);
}

int
main(void)
{
	const char		*env = getenv("TETHER_TEMPLATES");
	const char		*dir = env != NULL ? env : "templates";
	struct render_cache	*rc = render_cache_new(dir);
	HDF			*a = render_hdf_new(), *b = render_hdf_new();
	struct buf		 row;
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
	/* The list's rows are markup rowcache.c writes (a worker keeps them);
	 * the template splices them in as they are. */
	buf_init(&row);
	buf_puts(&row, "<tr><th><a href=\"/connections/7\">");
	render_html(&row, "Jira <img src=x onerror=alert(2)> & \"q\" 'a'");
	buf_puts(&row, "</a></th><td>");
	render_html(&row, "<b>Jira</b>");
	buf_puts(&row, "</td></tr>");
	{
		struct render_splices	 sp;
		const char		*mark;

		memset(&sp, 0, sizeof(sp));
		render_set(b, "Rows.Html", "<tr id=\"as-a-value\"></tr>");
		html = render(rc, "index.cs", b);
		T_OK(html != NULL && strstr(html, "<tr id=\"as-a-value\">") == NULL &&
		    strstr(html, "&lt;tr id=") != NULL,
		    "markup set as a value, not a splice, is escaped");
		free(html);
		render_splice(b, "Rows.Html", &sp, &row);
		T_OK(row.data == NULL && row.len == 0 && sp.n == 1, "a splice takes the buffer");
		mark = hdf_get_value(b, "Rows.Html", "");
		T_OK(strncmp(mark, "splice-", 7) == 0 && strlen(mark) == 7 + 32 + 1,
		    "a splice's value is its mark");
		html = render_with(rc, "index.cs", b, &sp);
		T_OK(html != NULL && strstr(html, mark) == NULL &&
		    strstr(html, "<tr><th><a href=\"/connections/7\">") != NULL,
		    "the mark is replaced by the splice's markup");
		free(html);
		/* Someone's value that looks like a mark is only text. */
		render_set(b, "Filter.Q", "splice-00000000000000000000000000000000" "0");
		html = render_with(rc, "index.cs", b, &sp);
		T_OK(html != NULL && strstr(html,
		    "value=\"splice-000000000000000000000000000000000\"") != NULL,
		    "a value shaped like a mark is printed as it is");
		free(html);
		render_set(b, "Filter.Q", mark);
		html = render_with(rc, "index.cs", b, NULL);
		T_OK(html != NULL && strstr(html, "<tr><th><a href") == NULL,
		    "without the page's splices a mark is only text");
		free(html);
		render_set(b, "Filter.Q", "");
		{
			static const char kept[] = "<option value=\"9\">Kept team</option>";

			render_splice_kept(b, "Options.TeamsHtml", &sp, kept);
			T_OK(sp.n == 2 && sp.data[1] == kept, "a kept splice is not copied");
		}
		html = render_with(rc, "index.cs", b, &sp);
		T_OK(html != NULL && strstr(html, "<option value=\"9\">Kept team</option>") != NULL,
		    "a kept splice goes in where its mark is");
		{
			struct render_splices	 ws;
			int			 calls = 0;
			char			*w;

			memset(&ws, 0, sizeof(ws));
			render_splice_writer(b, "Rows.Html", &ws, writer_test, &calls);
			w = render_with(rc, "index.cs", b, &ws);
			T_OK(w != NULL && calls == 1 && strstr(w, "<tbody><tr id=\"written\"></tr>\n</tbody>")
			    != NULL, "a writer splice writes where its mark is, once");
			free(w);
			render_splices_free(&ws);
		}
		render_splices_free(&sp);
		T_OK(sp.n == 0, "splices are freed");
	}
	T_OK(html != NULL, "index.cs renders");
	T_OK(html != NULL && strstr(html, "<img src=x") == NULL &&
	    strstr(html, "Jira &lt;img src=x onerror=alert(2)&gt; &amp; &quot;q&quot;"
	    " &#39;a&#39;") != NULL && strstr(html, "&amp;lt;") == NULL,
	    "a connection name is escaped in the list, once");
	T_OK(html != NULL && strstr(html, "<a href=\"/connections/7\">") != NULL,
	    "rows link by id");
	T_OK(html != NULL && strstr(html, "<b>Jira</b>") == NULL,
	    "team and connector names are escaped");
	buf_free(&row);
	free(html);

	rows_equal_template(rc, dir);
	health_equal_template(rc, dir);
	options_equal_template(rc, dir);

	/* The worker's global HDF: read where the request's HDF has no such
	 * name, never where it has one. */
	{
		HDF	*c = render_hdf_new();

		render_set(render_global(rc), "Options.Statuses.0.Key", "ok");
		render_set(render_global(rc), "Options.Statuses.0.Label", "Global <label>");
		hdf_set_value(c, "Page.Title", "Integrations");
		hdf_set_value(c, "User.Id", "1");
		hdf_set_value(c, "Pager.Total", "1");
		hdf_set_value(c, "Rows.Html", "");
		html = render(rc, "index.cs", c);
		T_OK(html != NULL && strstr(html, "<option value=\"ok\">Global &lt;label&gt;</option>")
		    != NULL, "a template reads the global HDF where the request has no value");
		free(html);
		hdf_set_value(c, "Options.Statuses.0.Key", "failing");
		hdf_set_value(c, "Options.Statuses.0.Label", "Request's");
		html = render(rc, "index.cs", c);
		T_OK(html != NULL && strstr(html, "Request&#39;s") != NULL &&
		    strstr(html, "Global") == NULL, "the request's own value wins");
		free(html);
		hdf_destroy(&c);
	}

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
