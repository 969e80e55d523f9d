/*
 * netpolicy.c — the SSRF guard: classifies the address an outbound call is
 * about to connect to (loopback, private, metadata, ...) and decides, with
 * the configured allowlist of CIDR ranges, whether it may.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tether.h"

#define NETPOLICY_SEPARATORS	", \t\r\n"

static uint32_t		 netpolicy_be32(const unsigned char *);
static int		 netpolicy_addr(const struct sockaddr *,
			    unsigned char *);
static enum netclass	 netpolicy_classify4(uint32_t);
static enum netclass	 netpolicy_classify6(const unsigned char *);
static int		 netpolicy_embedded4(const unsigned char *,
			    unsigned char *);
static int		 netpolicy_parse_range(struct netrange *, const char *,
			    size_t, char *, size_t);
static int		 netrange_contains(const struct netrange *, int,
			    const unsigned char *);

static uint32_t
netpolicy_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Copy the address of an AF_INET (4 bytes) or AF_INET6 (16 bytes) sockaddr
 * into addr; returns the family, or -1 for anything else. memcpy, because
 * a caller's sockaddr need not be aligned for sockaddr_in6.
 */
static int
netpolicy_addr(const struct sockaddr *sa, unsigned char *addr)
{
	sa_family_t	 family;

	if (sa == NULL)
		return -1;
	memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family),
	    sizeof family);
	switch (family) {
	case AF_INET:
		memcpy(addr, (const char *)sa +
		    offsetof(struct sockaddr_in, sin_addr), 4);
		return AF_INET;
	case AF_INET6:
		memcpy(addr, (const char *)sa +
		    offsetof(struct sockaddr_in6, sin6_addr), 16);
		return AF_INET6;
	}
	return -1;
}

/* a is in host order. */
static enum netclass
netpolicy_classify4(uint32_t a)
{
	if ((a >> 24) == 0)				/* 0/8 */
		return a == 0 ? NET_UNSPECIFIED : NET_RESERVED;
	if ((a >> 24) == 127)				/* 127/8 */
		return NET_LOOPBACK;
	if ((a >> 24) == 10 ||				/* 10/8 */
	    (a & 0xfff00000) == 0xac100000 ||		/* 172.16/12 */
	    (a & 0xffff0000) == 0xc0a80000)		/* 192.168/16 */
		return NET_PRIVATE;
	if ((a & 0xffc00000) == 0x64400000)		/* 100.64/10 */
		return NET_CGNAT;
	if (a == 0xa9fea9fe)				/* 169.254.169.254 */
		return NET_METADATA;
	if ((a & 0xffff0000) == 0xa9fe0000)		/* 169.254/16 */
		return NET_LINK_LOCAL;
	if ((a & 0xf0000000) == 0xe0000000)		/* 224/4 */
		return NET_MULTICAST;
	if ((a & 0xf0000000) == 0xf0000000)		/* 240/4, broadcast */
		return NET_RESERVED;
	if ((a & 0xffffff00) == 0xc0000000 ||		/* 192.0.0/24 */
	    (a & 0xffffff00) == 0xc0000200 ||		/* 192.0.2/24 */
	    (a & 0xfffe0000) == 0xc6120000 ||		/* 198.18/15 */
	    (a & 0xffffff00) == 0xc6336400 ||		/* 198.51.100/24 */
	    (a & 0xffffff00) == 0xcb007100)		/* 203.0.113/24 */
		return NET_RESERVED;
	return NET_PUBLIC;
}

/*
 * The IPv4 address an IPv6 address carries: v4-mapped ::ffff:0:0/96,
 * v4-compatible ::/96 (but not :: or ::1), NAT64 64:ff9b::/96 and 6to4
 * 2002::/16. Returns 1 and fills a4 (network order) when there is one.
 */
static int
netpolicy_embedded4(const unsigned char *a6, unsigned char *a4)
{
	static const unsigned char	 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	static const unsigned char	 nat64[12] = {
		0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0
	};
	static const unsigned char	 zero[12];

	if (memcmp(a6, mapped, 12) == 0 || memcmp(a6, nat64, 12) == 0) {
		memcpy(a4, a6 + 12, 4);
		return 1;
	}
	if (memcmp(a6, zero, 12) == 0) {
		if (netpolicy_be32(a6 + 12) <= 1)	/* :: and ::1 */
			return 0;
		memcpy(a4, a6 + 12, 4);
		return 1;
	}
	if (a6[0] == 0x20 && a6[1] == 0x02) {
		memcpy(a4, a6 + 2, 4);
		return 1;
	}
	return 0;
}

static enum netclass
netpolicy_classify6(const unsigned char *a)
{
	static const unsigned char	 zero[16];
	/* fd00:ec2::254 */
	static const unsigned char	 metadata[16] = {
		0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0x02, 0x54
	};
	unsigned char			 a4[4];

	if (memcmp(a, zero, 15) == 0) {
		if (a[15] == 0)
			return NET_UNSPECIFIED;
		if (a[15] == 1)
			return NET_LOOPBACK;
	}
	if (netpolicy_embedded4(a, a4))
		return netpolicy_classify4(netpolicy_be32(a4));
	if (memcmp(a, metadata, 16) == 0)
		return NET_METADATA;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return NET_LINK_LOCAL;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)	/* fec0::/10 site-local */
		return NET_PRIVATE;
	if ((a[0] & 0xfe) == 0xfc)			/* fc00::/7 */
		return NET_PRIVATE;
	if (a[0] == 0xff)				/* ff00::/8 */
		return NET_MULTICAST;
	if (a[0] == 0x20 && a[1] == 0x01 &&		/* 2001:db8::/32 */
	    a[2] == 0x0d && a[3] == 0xb8)
		return NET_RESERVED;
	if (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0)	/* 100::/64 */
		return NET_RESERVED;
	if (a[0] == 0x00 && a[1] == 0x64 &&		/* 64:ff9b:1::/48, */
	    a[2] == 0xff && a[3] == 0x9b &&		/* local-use NAT64 */
	    a[4] == 0x00 && a[5] == 0x01)
		return NET_RESERVED;
	return NET_PUBLIC;
}

enum netclass
netpolicy_classify(const struct sockaddr *sa)
{
	unsigned char	 addr[16];

	switch (netpolicy_addr(sa, addr)) {
	case AF_INET:
		return netpolicy_classify4(netpolicy_be32(addr));
	case AF_INET6:
		return netpolicy_classify6(addr);
	}
	return NET_RESERVED;	/* not an address we know how to judge */
}

const char *
netpolicy_class_name(enum netclass c)
{
	switch (c) {
	case NET_PUBLIC:
		return "public";
	case NET_LOOPBACK:
		return "loopback";
	case NET_PRIVATE:
		return "private";
	case NET_LINK_LOCAL:
		return "link-local";
	case NET_CGNAT:
		return "carrier-grade NAT";
	case NET_MULTICAST:
		return "multicast";
	case NET_UNSPECIFIED:
		return "unspecified";
	case NET_METADATA:
		return "cloud metadata";
	case NET_RESERVED:
		return "reserved";
	}
	return "unknown";
}

/*
 * One allowlist entry, s[0..len): an IPv4 or IPv6 address in its standard
 * form (no "127.1" or octal), optionally "/prefix"; without one it is a
 * single host. Host bits beyond the prefix are cleared. A range inside
 * ::ffff:0:0/96 is stored as the IPv4 range it stands for.
 */
static int
netpolicy_parse_range(struct netrange *r, const char *s, size_t len, char *err,
    size_t errlen)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *p;
	int		 max, prefix, i;

	memset(r, 0, sizeof *r);
	if (len >= sizeof buf) {
		snprintf(err, errlen, "allowlist entry \"%.*s...\": too long",
		    (int)(sizeof buf - 1), s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';

	if (inet_pton(AF_INET, buf, r->addr) == 1) {
		r->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "allowlist entry \"%.*s\": not an IPv4 "
		    "or IPv6 address", (int)len, s);
		return -1;
	}

	prefix = max;
	if (slash != NULL) {
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3 || strspn(p, "0123456789") !=
		    strlen(p) || (prefix = atoi(p)) > max) {
			snprintf(err, errlen, "allowlist entry \"%.*s\": the "
			    "prefix length must be 0 to %d", (int)len, s, max);
			return -1;
		}
	}
	r->prefix = prefix;

	/* Clear the host bits. */
	for (i = 0; i < 16; i++) {
		if (prefix >= 8)
			prefix -= 8;
		else {
			r->addr[i] &= (unsigned char)(0xff00 >> prefix);
			prefix = 0;
		}
	}

	if (r->family == AF_INET6 && r->prefix >= 96) {
		static const unsigned char	 mapped[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
		};

		if (memcmp(r->addr, mapped, 12) == 0) {
			memmove(r->addr, r->addr + 12, 4);
			memset(r->addr + 4, 0, 12);
			r->family = AF_INET;
			r->prefix -= 96;
		}
	}
	return 0;
}

int
netpolicy_parse(struct netpolicy *np, const char *list, char *err,
    size_t errlen)
{
	struct netrange	*allow;
	const char	*p;
	size_t		 len;
	char		 dummy[1];

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	memset(np, 0, sizeof *np);
	if (list == NULL)
		return 0;

	for (p = list;; p += len) {
		p += strspn(p, NETPOLICY_SEPARATORS);
		if (*p == '\0')
			break;
		len = strcspn(p, NETPOLICY_SEPARATORS);
		if (np->nallow >= SIZE_MAX / sizeof *allow - 1)
			goto nomem;
		allow = realloc(np->allow, (np->nallow + 1) * sizeof *allow);
		if (allow == NULL)
			goto nomem;
		np->allow = allow;
		if (netpolicy_parse_range(&np->allow[np->nallow], p, len, err,
		    errlen) != 0)
			goto fail;
		np->nallow++;
	}
	return 0;

nomem:
	snprintf(err, errlen, "allowlist: out of memory");
fail:
	netpolicy_free(np);
	return -1;
}

void
netpolicy_free(struct netpolicy *np)
{
	if (np == NULL)
		return;
	free(np->allow);
	np->allow = NULL;
	np->nallow = 0;
}

static int
netrange_contains(const struct netrange *r, int family,
    const unsigned char *addr)
{
	int	 full, rest;

	if (r->family != family)
		return 0;
	full = r->prefix / 8;
	rest = r->prefix % 8;
	if (memcmp(r->addr, addr, full) != 0)
		return 0;
	if (rest != 0 &&
	    ((r->addr[full] ^ addr[full]) & (0xff00 >> rest) & 0xff) != 0)
		return 0;
	return 1;
}

int
netpolicy_permits(const struct netpolicy *np, const struct sockaddr *sa)
{
	unsigned char	 addr[16], a4[4];
	int		 family, embedded = 0;
	size_t		 i;

	if (netpolicy_classify(sa) == NET_PUBLIC)
		return 1;
	if (np == NULL || (family = netpolicy_addr(sa, addr)) == -1)
		return 0;
	if (family == AF_INET6)
		embedded = netpolicy_embedded4(addr, a4);
	for (i = 0; i < np->nallow; i++) {
		if (netrange_contains(&np->allow[i], family, addr))
			return 1;
		if (embedded && netrange_contains(&np->allow[i], AF_INET, a4))
			return 1;
	}
	return 0;
}
