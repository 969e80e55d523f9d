/*
 * test_flow.c — unit tests for flow.c's checks, which the API and tetherctl
 * share: each field's edges, the order fields are checked in, and the
 * sentences tetherctl prints.
 */

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

/* A string of n copies of c; the caller frees it. */
static char *
rep(int c, size_t n)
{
	char	*s;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A good flow to spoil one field at a time. */
static void
good(struct flow_in *f)
{
	memset(f, 0, sizeof(*f));
	f->name = "Invoice sync";
	f->version = 1;
	f->status = "draft";
	f->owner = f->description = f->progress = "";
}

static void
test_fields(void)
{
	struct flow_in	 f;
	const char	*why;
	char		*s;

	good(&f);
	T_INT(flow_check(&f, &why), FLOW__FIELDS, "a good flow passes");
	T_STR(why, NULL, "with no reason");

	f.name = "";
	T_INT(flow_check(&f, &why), FLOW_NAME, "an empty name is refused");
	T_STR(why, "Enter a value.", "name: the sentence");
	f.name = s = rep('n', 200);
	T_INT(flow_check(&f, &why), FLOW__FIELDS, "a name of 200 characters passes");
	free(s);
	f.name = s = rep('n', 201);
	T_INT(flow_check(&f, &why), FLOW_NAME, "a name of 201 characters is refused");
	T_STR(why, "Use at most 200 characters.", "name: the limit's sentence");
	free(s);

	good(&f);
	f.version = FLOW_VERSION_MAX;
	T_INT(flow_check(&f, &why), FLOW__FIELDS, "the highest version passes");
	f.version = FLOW_VERSION_MAX + 1;
	T_INT(flow_check(&f, &why), FLOW_VERSION, "a version above the limit is refused");
	T_STR(why, "Use a whole number from 1 to 1000000.", "version: the sentence");
	f.version = -1;
	T_INT(flow_check(&f, &why), FLOW_VERSION, "a version below 1 is refused");

	good(&f);
	f.status = "paused";
	T_INT(flow_check(&f, &why), FLOW_STATUS, "an unknown status is refused");
	T_STR(why, "Use active, inactive or draft.", "status: the sentence");
	T_OK(flow_status_ok("active") && flow_status_ok("inactive") && flow_status_ok("draft"),
	    "the three statuses");
	T_OK(!flow_status_ok("Active") && !flow_status_ok(""), "nothing else");

	good(&f);
	f.owner = s = rep('o', 201);
	T_INT(flow_check(&f, &why), FLOW_OWNER, "an owner of 201 characters is refused");
	free(s);
	f.owner = "  ";
	T_INT(flow_check(&f, &why), FLOW_OWNER, "an owner of spaces is refused");
	f.owner = "";
	f.description = s = rep('d', 2001);
	T_INT(flow_check(&f, &why), FLOW_DESCRIPTION, "a description of 2001 is refused");
	free(s);
	f.description = "two\nlines";
	T_INT(flow_check(&f, &why), FLOW__FIELDS, "a description may have lines");
	f.progress = "a\nb";
	T_INT(flow_check(&f, &why), FLOW_PROGRESS, "a progress status is one line");
	f.progress = s = rep('p', 101);
	T_INT(flow_check(&f, &why), FLOW_PROGRESS, "a progress of 101 is refused");
	free(s);
}

static void
test_order_and_connections(void)
{
	struct flow_in	 f;
	const char	*why;
	size_t		 i;

	good(&f);
	f.name = "";
	f.version = 0;
	f.status = "x";
	T_INT(flow_check(&f, &why), FLOW_NAME, "the name is checked first");
	f.name = "n";
	T_INT(flow_check(&f, &why), FLOW_VERSION, "then the version");

	good(&f);
	f.conns[0] = 3, f.conns[1] = 1, f.nconns = 2;
	T_INT(flow_check(&f, &why), FLOW__FIELDS, "distinct connection ids pass");
	f.conns[1] = 3;
	T_INT(flow_check(&f, &why), FLOW_CONNECTIONS, "a repeated id is refused");
	f.conns[0] = 0, f.nconns = 1;
	T_INT(flow_check(&f, &why), FLOW_CONNECTIONS, "an id below 1 is refused");
	for (i = 0; i < FLOW_CONNS_MAX; i++)
		f.conns[i] = (long long)i + 1;
	f.nconns = FLOW_CONNS_MAX;
	T_INT(flow_check(&f, &why), FLOW__FIELDS, "FLOW_CONNS_MAX connections pass");
	f.nconns = FLOW_CONNS_MAX + 1;
	T_INT(flow_check(&f, &why), FLOW_CONNECTIONS, "one more is refused");
}

static void
test_ids(void)
{
	struct buf	 b;
	long long	 ids[] = { 5, 12, 7 };

	buf_init(&b);
	flow_ids(&b, ids, 3, 0);
	T_STR(b.data, "{5,12,7}", "a bigint[] parameter");
	b.len = 0;
	flow_ids(&b, ids, 3, 1);
	T_STR(b.data, "[5,12,7]", "a JSON array");
	b.len = 0;
	flow_ids(&b, ids, 0, 1);
	T_STR(b.data, "[]", "none");
	buf_free(&b);
	T_STR(flow_fields[FLOW_PROGRESS], "progress_status", "the fields' column names");
}

int
main(void)
{
	test_fields();
	test_order_and_connections();
	test_ids();
	return t_done();
}
