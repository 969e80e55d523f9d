/*
 * test_netpolicy.c — unit tests of netpolicy.c: address classes, the
 * embedded IPv4 of mapped/NAT64/6to4 forms, allowlist parsing and what it
 * permits, and the odd numeric host forms a URL may carry. Prints TAP.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

/* A numeric IPv4 or IPv6 address as a sockaddr; aborts on a typo. */
static struct sockaddr_storage
sa(const char *addr)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else {
		fprintf(stderr, "test bug: bad address %s\n", addr);
		abort();
	}
	return (ss);
}

static void
is_class(const char *addr, enum netclass want)
{
	struct sockaddr_storage	 ss = sa(addr);
	enum netclass		 got;
	char			 name[160];

	got = netpolicy_classify((struct sockaddr *)&ss);
	snprintf(name, sizeof name, "%s is %s (got %s)", addr,
	    netpolicy_class_name(want), netpolicy_class_name(got));
	T_OK(got == want, name);
}

static void
permits(const struct netpolicy *np, const char *policy, const char *addr,
    int want)
{
	struct sockaddr_storage	 ss = sa(addr);
	char			 name[200];

	snprintf(name, sizeof name, "allow \"%s\" %s %s", policy,
	    want ? "permits" : "refuses", addr);
	T_OK(netpolicy_permits(np, (struct sockaddr *)&ss) == want, name);
}

static void
parse_fails(const char *list, const char *want_in_err)
{
	struct netpolicy	 np;
	char			 err[256] = "", name[640];
	int			 rc;

	rc = netpolicy_parse(&np, list, err, sizeof err);
	snprintf(name, sizeof name, "parse \"%s\" fails naming \"%s\" (%s)",
	    list, want_in_err, err);
	T_OK(rc == -1 && np.allow == NULL && np.nallow == 0 &&
	    strstr(err, want_in_err) != NULL, name);
	netpolicy_free(&np);
}

static void
test_classes(void)
{
	static const char	*loopback[] = {
		"127.0.0.1", "127.1.2.3", "127.255.255.255", "::1",
		"::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::",
		"::127.0.0.1", NULL
	};
	static const char	*private[] = {
		"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
		"192.168.0.0", "192.168.1.1", "::ffff:10.0.0.1", "fc00::1",
		"fd12:3456::1", "fd00:ec2::253", "2002:a00:1::",
		"64:ff9b::c0a8:101", "fec0::1", NULL
	};
	static const char	*cgnat[] = {
		"100.64.0.1", "100.127.255.255", "100.100.100.200",
		"::ffff:100.64.0.1", NULL
	};
	static const char	*metadata[] = {
		"169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254",
		"64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", NULL
	};
	static const char	*link_local[] = {
		"169.254.1.1", "169.254.0.0", "169.254.169.253",
		"169.254.169.255", "169.254.255.255", "fe80::1",
		"febf:ffff::1", "::ffff:169.254.1.1", NULL
	};
	static const char	*multicast[] = {
		"224.0.0.1", "239.255.255.250", "ff02::1", "ff05::1:3",
		"::ffff:224.0.0.251", NULL
	};
	static const char	*unspecified[] = {
		"0.0.0.0", "::", "::ffff:0.0.0.0", NULL
	};
	static const char	*reserved[] = {
		"0.1.2.3", "0.255.255.255", "240.0.0.1", "255.255.255.254",
		"255.255.255.255", "192.0.0.1", "192.0.0.255", "192.0.2.1",
		"198.18.0.1", "198.19.255.255", "198.51.100.1", "203.0.113.7",
		"2001:db8::1", "2001:db8:ffff::1", "100::1", "100::ffff:1",
		"::ffff:192.0.2.1", "64:ff9b:1::1", "::0.0.0.2", NULL
	};
	static const char	*public[] = {
		"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255",
		"11.0.0.1", "126.255.255.255", "128.0.0.1", "100.63.255.255",
		"100.128.0.1", "169.253.255.255", "169.255.0.1",
		"192.167.255.255", "192.169.0.1", "192.0.1.1", "192.0.3.1",
		"198.17.255.255", "198.20.0.1", "198.51.101.1", "203.0.114.1",
		"223.255.255.255", "2606:4700::1111", "2001:4860:4860::8888",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::",
		"2001:db9::1", "100:0:0:1::1", "fe00::1", "::2:0:0:1", NULL
	};
	static const struct {
		const char	**list;
		enum netclass	  class;
	} t[] = {
		{ loopback, NET_LOOPBACK },
		{ private, NET_PRIVATE },
		{ cgnat, NET_CGNAT },
		{ metadata, NET_METADATA },
		{ link_local, NET_LINK_LOCAL },
		{ multicast, NET_MULTICAST },
		{ unspecified, NET_UNSPECIFIED },
		{ reserved, NET_RESERVED },
		{ public, NET_PUBLIC },
	};
	struct sockaddr_storage	 ss;
	size_t			 i, j;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (j = 0; t[i].list[j] != NULL; j++)
			is_class(t[i].list[j], t[i].class);
	}

	memset(&ss, 0, sizeof ss);
	ss.ss_family = AF_UNIX;
	T_OK(netpolicy_classify((struct sockaddr *)&ss) == NET_RESERVED &&
	    netpolicy_permits(NULL, (struct sockaddr *)&ss) == 0,
	    "AF_UNIX is reserved and refused");
	T_OK(netpolicy_classify(NULL) == NET_RESERVED &&
	    netpolicy_permits(NULL, NULL) == 0, "NULL is reserved and refused");

	T_OK(strcmp(netpolicy_class_name(NET_PUBLIC), "public") == 0 &&
	    strcmp(netpolicy_class_name(NET_LOOPBACK), "loopback") == 0 &&
	    strcmp(netpolicy_class_name(NET_METADATA), "cloud metadata") == 0 &&
	    strcmp(netpolicy_class_name(NET_LINK_LOCAL), "link-local") == 0 &&
	    strcmp(netpolicy_class_name((enum netclass)99), "unknown") == 0,
	    "class names");
}

static void
test_permits(void)
{
	static const char	*nothing_but_public[] = {
		"127.0.0.1", "::1", "::ffff:127.0.0.1", "10.0.0.1",
		"192.168.1.1", "169.254.169.254", "fd00:ec2::254",
		"64:ff9b::a9fe:a9fe", "0.0.0.0", "::", "100.64.0.1",
		"224.0.0.1", "255.255.255.255", "fe80::1", "2001:db8::1", NULL
	};
	struct netpolicy	 np;
	char			 err[256];
	size_t			 i;

	/* No allowlist: public only. */
	T_OK(netpolicy_parse(&np, "", err, sizeof err) == 0 && np.nallow == 0,
	    "parse \"\": empty policy");
	permits(&np, "", "8.8.8.8", 1);
	permits(&np, "", "2606:4700::1111", 1);
	permits(&np, "", "::ffff:8.8.8.8", 1);
	for (i = 0; nothing_but_public[i] != NULL; i++)
		permits(&np, "", nothing_but_public[i], 0);
	permits(NULL, "(none)", "127.0.0.1", 0);
	permits(NULL, "(none)", "1.1.1.1", 1);
	netpolicy_free(&np);
	T_OK(netpolicy_parse(&np, NULL, err, sizeof err) == 0 && np.nallow == 0,
	    "parse NULL: empty policy");
	T_OK(netpolicy_parse(&np, " ,, \t,", err, sizeof err) == 0 &&
	    np.nallow == 0, "parse separators only: empty policy");

	/* The test suite's allowlist. */
	T_OK(netpolicy_parse(&np, "127.0.0.0/8", err, sizeof err) == 0 &&
	    np.nallow == 1 && np.allow[0].family == AF_INET &&
	    np.allow[0].prefix == 8 && np.allow[0].addr[0] == 127,
	    "parse \"127.0.0.0/8\"");
	permits(&np, "127.0.0.0/8", "127.0.0.1", 1);
	permits(&np, "127.0.0.0/8", "127.255.255.254", 1);
	permits(&np, "127.0.0.0/8", "::ffff:127.0.0.1", 1);
	permits(&np, "127.0.0.0/8", "64:ff9b::7f00:1", 1);
	permits(&np, "127.0.0.0/8", "2002:7f00:1::", 1);
	permits(&np, "127.0.0.0/8", "8.8.8.8", 1);
	permits(&np, "127.0.0.0/8", "10.0.0.1", 0);
	permits(&np, "127.0.0.0/8", "169.254.169.254", 0);
	permits(&np, "127.0.0.0/8", "::ffff:169.254.169.254", 0);
	permits(&np, "127.0.0.0/8", "::1", 0);
	permits(&np, "127.0.0.0/8", "0.0.0.0", 0);
	permits(&np, "127.0.0.0/8", "::", 0);
	permits(&np, "127.0.0.0/8", "fd00:ec2::254", 0);
	netpolicy_free(&np);
	T_OK(np.allow == NULL && np.nallow == 0, "free empties the policy");

	/* Several entries, mixed separators, host bits, IPv6. */
	T_OK(netpolicy_parse(&np, "127.0.0.1/8, ::1/128 10.1.0.0/16,\t"
	    "192.168.7.7 fd00::/8", err, sizeof err) == 0 && np.nallow == 5 &&
	    np.allow[0].addr[3] == 0 && np.allow[3].prefix == 32,
	    "parse five entries; host bits cleared; no prefix is a host");
	permits(&np, "mixed", "127.9.9.9", 1);
	permits(&np, "mixed", "::1", 1);
	permits(&np, "mixed", "10.1.255.1", 1);
	permits(&np, "mixed", "10.2.0.1", 0);
	permits(&np, "mixed", "192.168.7.7", 1);
	permits(&np, "mixed", "192.168.7.8", 0);
	permits(&np, "mixed", "fd12::1", 1);
	permits(&np, "mixed", "fd00:ec2::254", 1);
	permits(&np, "mixed", "fc00::1", 0);
	permits(&np, "mixed", "fe80::1", 0);
	permits(&np, "mixed", "169.254.169.254", 0);
	netpolicy_free(&np);

	/* Metadata only when a range covers it. */
	T_OK(netpolicy_parse(&np, "169.254.169.254", err, sizeof err) == 0,
	    "parse \"169.254.169.254\"");
	permits(&np, "169.254.169.254", "169.254.169.254", 1);
	permits(&np, "169.254.169.254", "::ffff:169.254.169.254", 1);
	permits(&np, "169.254.169.254", "169.254.169.253", 0);
	netpolicy_free(&np);
	T_OK(netpolicy_parse(&np, "169.254.0.0/17", err, sizeof err) == 0,
	    "parse \"169.254.0.0/17\"");
	permits(&np, "169.254.0.0/17", "169.254.1.1", 1);
	permits(&np, "169.254.0.0/17", "169.254.169.254", 0);
	netpolicy_free(&np);

	/* Non-octet prefixes. */
	T_OK(netpolicy_parse(&np, "100.64.0.0/10, fe80::/10", err,
	    sizeof err) == 0, "parse \"100.64.0.0/10, fe80::/10\"");
	permits(&np, "100.64.0.0/10", "100.127.255.255", 1);
	permits(&np, "100.64.0.0/10", "100.64.0.0", 1);
	permits(&np, "fe80::/10", "febf::1", 1);
	permits(&np, "fe80::/10", "fec0::1", 0);
	netpolicy_free(&np);

	/* A v4-mapped range stands for the IPv4 range. */
	T_OK(netpolicy_parse(&np, "::ffff:192.168.0.0/112", err,
	    sizeof err) == 0 && np.nallow == 1 && np.allow[0].family ==
	    AF_INET && np.allow[0].prefix == 16,
	    "parse \"::ffff:192.168.0.0/112\" as 192.168.0.0/16");
	permits(&np, "::ffff:192.168.0.0/112", "192.168.5.5", 1);
	permits(&np, "::ffff:192.168.0.0/112", "::ffff:192.168.5.5", 1);
	permits(&np, "::ffff:192.168.0.0/112", "172.16.0.1", 0);
	permits(&np, "::ffff:192.168.0.0/112", "10.0.0.1", 0);
	netpolicy_free(&np);

	/* :: and ::1 are not v4-compatible forms of 0.0.0.0 and 0.0.0.1. */
	T_OK(netpolicy_parse(&np, "0.0.0.0/8", err, sizeof err) == 0,
	    "parse \"0.0.0.0/8\"");
	permits(&np, "0.0.0.0/8", "0.0.0.1", 1);
	permits(&np, "0.0.0.0/8", "::0.0.0.2", 1);
	permits(&np, "0.0.0.0/8", "::1", 0);
	permits(&np, "0.0.0.0/8", "::", 0);
	netpolicy_free(&np);

	/* Everything. */
	T_OK(netpolicy_parse(&np, "0.0.0.0/0 ::/0", err, sizeof err) == 0,
	    "parse \"0.0.0.0/0 ::/0\"");
	permits(&np, "0.0.0.0/0 ::/0", "169.254.169.254", 1);
	permits(&np, "0.0.0.0/0 ::/0", "fe80::1", 1);
	netpolicy_free(&np);
}

static void
test_parse_errors(void)
{
	parse_fails("300.1.1.1/8", "\"300.1.1.1/8\"");
	parse_fails("10.0.0.0/33", "\"10.0.0.0/33\"");
	parse_fails("abc", "\"abc\"");
	parse_fails("10.0.0.0/", "\"10.0.0.0/\"");
	parse_fails("10.0.0.0/-1", "\"10.0.0.0/-1\"");
	parse_fails("10.0.0.0/+8", "\"10.0.0.0/+8\"");
	parse_fails("10.0.0.0/8x", "\"10.0.0.0/8x\"");
	parse_fails("10.0.0.0/0008", "\"10.0.0.0/0008\"");
	parse_fails("::1/129", "\"::1/129\"");
	parse_fails("127.1", "\"127.1\"");
	parse_fails("0177.0.0.1", "\"0177.0.0.1\"");
	parse_fails("fe80::1%eth0", "\"fe80::1%eth0\"");
	parse_fails("127.0.0.0/8, bogus", "\"bogus\"");
	parse_fails("127.0.0.0/8,10.0.0.0/8;192.168.0.0/16",
	    "\"10.0.0.0/8;192.168.0.0/16\"");
	parse_fails("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/128",
	    "too long");
}

/*
 * Host spellings a URL may carry, resolved the way libcurl's resolver
 * does (plain getaddrinfo, which accepts inet_aton forms): each must come
 * out as the exact address and be refused without an allowlist.
 */
static void
test_numeric_hosts(void)
{
	static const struct {
		const char	*host;
		uint32_t	 addr;
		enum netclass	 class;
	} t[] = {
		{ "2130706433", 0x7f000001, NET_LOOPBACK },
		{ "0x7f.1", 0x7f000001, NET_LOOPBACK },
		{ "0177.0.0.1", 0x7f000001, NET_LOOPBACK },
		{ "127.1", 0x7f000001, NET_LOOPBACK },
		{ "0x7f000001", 0x7f000001, NET_LOOPBACK },
		{ "017700000001", 0x7f000001, NET_LOOPBACK },
		{ "127.0.1", 0x7f000001, NET_LOOPBACK },
		{ "0", 0x00000000, NET_UNSPECIFIED },
		{ "0xa.1", 0x0a000001, NET_PRIVATE },
		{ "169.254.43518", 0xa9fea9fe, NET_METADATA },
		{ "2852039166", 0xa9fea9fe, NET_METADATA },
	};
	struct addrinfo		 hints, *res;
	struct sockaddr_in	 sin;
	struct netpolicy	 np;
	char			 name[200], err[256];
	size_t			 i;
	int			 rc;

	netpolicy_parse(&np, "", err, sizeof err);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_STREAM;
		res = NULL;
		rc = getaddrinfo(t[i].host, "443", &hints, &res);
		snprintf(name, sizeof name, "host \"%s\" resolves to %u.%u.%u.%u",
		    t[i].host, t[i].addr >> 24, (t[i].addr >> 16) & 0xff,
		    (t[i].addr >> 8) & 0xff, t[i].addr & 0xff);
		memset(&sin, 0, sizeof sin);
		if (rc == 0 && res != NULL && res->ai_family == AF_INET)
			memcpy(&sin, res->ai_addr, sizeof sin);
		T_OK(rc == 0 && sin.sin_family == AF_INET &&
		    ntohl(sin.sin_addr.s_addr) == t[i].addr, name);
		snprintf(name, sizeof name, "host \"%s\" is %s and refused",
		    t[i].host, netpolicy_class_name(t[i].class));
		T_OK(rc == 0 &&
		    netpolicy_classify((struct sockaddr *)&sin) == t[i].class &&
		    netpolicy_permits(&np, (struct sockaddr *)&sin) == 0, name);
		if (res != NULL)
			freeaddrinfo(res);
	}
	netpolicy_free(&np);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_classes();
	test_permits();
	test_parse_errors();
	test_numeric_hosts();
	return (t_done());
}
