/*
 * test_answer.c — unit tests for answer.c: "Connected as" read from a
 * test's answer (STS's XML, a JSON API's member), and what is not read.
 */

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

static const char sts[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <GetCallerIdentityResult>\n"
    "    <Arn>arn:aws:iam::123456789012:user/alice</Arn>\n"
    "    <UserId>AIDAEXAMPLE</UserId>\n"
    "    <Account>123456789012</Account>\n"
    "  </GetCallerIdentityResult>\n"
    "</GetCallerIdentityResponse>\n";

static void
check(const char *body, const char *name, const char *want, const char *what)
{
	char	*got = answer_value(body, strlen(body), name);

	if (want == NULL)
		T_OK(got == NULL, what);
	else
		T_STR(got, want, what);
	free(got);
}

int
main(void)
{
	check(sts, "Arn", "arn:aws:iam::123456789012:user/alice", "STS: the Arn");
	check(sts, "Account", "123456789012", "STS: the account");
	check(sts, "Acc", NULL, "a prefix of an element is not it");
	check(sts, "GetCallerIdentityResult", NULL, "an element with elements is not a value");
	check("<a><Arn>x&amp;y</Arn></a>", "Arn", "x&y", "XML entities");
	check("<a><Arn>x&foo;y</Arn></a>", "Arn", NULL, "an unknown entity: not read");
	check("<a><Arn>x</Other></a>", "Arn", NULL, "a mismatched close: not read");
	check("<a><Arn>line\nbreak</Arn></a>", "Arn", NULL, "a control character: not read");
	check("<a><Arn/></a>", "Arn", NULL, "an empty element");
	check("<a><Arn>x", "Arn", NULL, "cut short");
	check("{\"user\":{\"login\":\"octocat\",\"id\":1}}", "login", "octocat", "JSON: nested member");
	check("{\"id\":42}", "id", "42", "JSON: a number");
	check("[{\"a\":1},{\"email\":\"x@example.com\"}]", "email", "x@example.com", "JSON: in an array");
	check("{\"email\":true}", "email", NULL, "JSON: not a string");
	check("{\"email\":\"", "email", NULL, "JSON: broken");
	check("plain text Arn", "Arn", NULL, "neither JSON nor XML");
	check(sts, "Ar>n", NULL, "a name with markup is refused");
	{
		char	 big[400];

		memset(big, 'a', sizeof(big));
		memcpy(big, "<Arn>", 5);
		strcpy(big + 300, "</Arn>");
		check(big, "Arn", NULL, "longer than ANSWER_VALUE_MAX");
	}
	/* expect_true: a top-level JSON true, nothing else. */
	{
		static const char ok[] = "{\"ok\":true,\"user\":\"bot\"}";
		static const char no[] = "{\"ok\":false,\"error\":\"invalid_auth\"}";
		static const char str[] = "{\"ok\":\"true\"}";
		static const char deep[] = "{\"x\":{\"ok\":true}}";

		T_INT(answer_true(ok, strlen(ok), "ok"), 1, "true: ok true");
		T_INT(answer_true(no, strlen(no), "ok"), 0, "true: ok false");
		T_INT(answer_true(str, strlen(str), "ok"), 0, "true: the string \"true\" is not true");
		T_INT(answer_true(deep, strlen(deep), "ok"), 0, "true: nested is not the answer's");
		T_INT(answer_true("<ok>true</ok>", 13, "ok"), 0, "true: not JSON");
		T_INT(answer_true(NULL, 0, "ok"), 0, "true: no answer");
	}
	return (t_done());
}
