/*
 * utf8.c — whether bytes are valid UTF-8: what every text Tether reads from a
 * request must be before anything else looks at it.
 */
#include <stddef.h>

#include "tether.h"

/* Unicode table 3-7: well-formed UTF-8 byte sequences. */
int
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	unsigned char		 c, lo, hi;
	size_t			 n, k;

	while (p < end) {
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* over U+10FFFF */
		} else
			return 0;
		if ((size_t)(end - p) <= n)
			return 0;
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (k = 2; k <= n; k++) {
			if (p[k] < 0x80 || p[k] > 0xbf)
				return 0;
		}
		p += n + 1;
	}
	return 1;
}
