/*
 * test_uplink.c — unit tests for uplink.c's checks: every field of an
 * uplink refused with its own sentence, the edges of egress lists (as
 * outbound.egress_addresses reads them too) and of the probe's host:port.
 */

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

static struct uplink_in
good(void)
{
	struct uplink_in	 in = { "Plant Lyon", "http://10.20.0.5:3128", "10.20.0.0/24",
				    "203.0.113.7, 198.51.100.0/28", "jira.corp.example:443" };

	return in;
}

static void
test_fields(void)
{
	struct uplink_in	 in = good();
	struct uplink_errors	 e;

	T_INT(uplink_check(&in, &e), 0, "a good uplink");
	T_OK(e.name == NULL && e.proxy_url == NULL && e.allow == NULL && e.egress == NULL &&
	    e.probe == NULL, "no message");
	in.probe = "";
	in.allow = in.egress = "";
	T_INT(uplink_check(&in, &e), 0, "allow, egress and probe may be empty");

	in = good();
	in.name = "";
	in.proxy_url = "ftp://10.0.0.1";
	in.allow = "10.0.0.0/99";
	in.egress = "nope";
	in.probe = "jira.corp.example";
	T_INT(uplink_check(&in, &e), 5, "every field refused at once");
	T_HAS(e.name, "Enter a name", "name: empty");
	T_STR(e.proxy_url, "The address must start with https:// or http://.", "proxy: scheme");
	T_HAS(e.allow, "prefix length", "allow: prefix");
	T_HAS(e.egress, "\"nope\" is not an IPv4 or IPv6 address or range", "egress: word");
	T_HAS(e.probe, "host:port", "probe: no port");

	in = good();
	in.name = NULL;
	in.proxy_url = NULL;
	in.allow = NULL;
	in.egress = NULL;
	in.probe = NULL;
	T_INT(uplink_check(&in, &e), 4, "missing fields (probe is optional)");
	in = good();
	in.proxy_url = "http://u:p@10.0.0.1:3128";
	T_INT(uplink_check(&in, &e), 1, "proxy: no user name or password");
	in = good();
	in.probe = "jira.corp.example:0";
	T_INT(uplink_check(&in, &e), 1, "probe: port 0");
	T_STR(e.probe, "The port is a number from 1 to 65535.", "probe: port sentence");
	in.probe = "jira.corp.example:65536";
	T_INT(uplink_check(&in, &e), 1, "probe: port 65536");
	in.probe = "bad_host:443";
	T_INT(uplink_check(&in, &e), 1, "probe: not a host name");
	in.probe = "10.1.2.3:8443";
	T_INT(uplink_check(&in, &e), 0, "probe: an IPv4 address");
}

static void
test_egress(void)
{
	char	 err[200], *big;

	T_OK(uplink_egress_check("", err, sizeof(err)) == NULL, "empty");
	T_OK(uplink_egress_check("203.0.113.7", err, sizeof(err)) == NULL, "one address");
	T_OK(uplink_egress_check(" 203.0.113.7 ,198.51.100.0/28,, 2001:db8::/32 ", err,
	    sizeof(err)) == NULL, "spaces, empty entries, IPv6 range");
	T_OK(uplink_egress_check("203.0.113.7/33", err, sizeof(err)) != NULL, "prefix too long");
	T_OK(uplink_egress_check("example.com", err, sizeof(err)) != NULL, "a host name");
	T_HAS(err, "\"example.com\"", "names the entry");
	T_OK(uplink_egress_check("203.0.113.7; 198.51.100.1", err, sizeof(err)) != NULL,
	    "semicolons");
	big = malloc(UPLINK_LIST_MAX + 2);
	memset(big, '1', UPLINK_LIST_MAX + 1);
	big[UPLINK_LIST_MAX + 1] = '\0';
	T_OK(uplink_egress_check(big, err, sizeof(err)) != NULL, "over the bound");
	T_HAS(err, "at most 2000", "says the bound");
	free(big);
}

int
main(void)
{
	test_fields();
	test_egress();
	return (t_done());
}
