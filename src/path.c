/*
 * path.c — the canonical form of a request path, the one routing and
 * permission checks both see.
 */
#include <stdlib.h>
#include <string.h>

#include "tether.h"

/*
 * Canonical request path: one percent-decoding ("%2F" and "%00" refused),
 * valid UTF-8, empty segments dropped, "." and ".." refused, no trailing
 * slash except for "/" itself. Backslashes and control characters, raw or
 * encoded, are refused too: no route has one, and browsers read "/\host"
 * as "//host", which would make a path checked here an open redirect.
 */
char *
path_canonical(const char *raw)
{
	char		*d, *out, *seg, *next;
	size_t		 i, j, n, seglen;
	int		 hi, lo;

	if (raw == NULL || raw[0] != '/')
		return NULL;
	n = strlen(raw);
	d = xmalloc(n + 1);
	for (i = j = 0; i < n; i++) {
		if (raw[i] == '%') {
			if (n - i < 3 ||
			    (hi = form_hexval((unsigned char)raw[i + 1])) == -1 ||
			    (lo = form_hexval((unsigned char)raw[i + 2])) == -1)
				goto fail;
			d[j] = (char)(hi << 4 | lo);
			if (d[j] == '\0' || d[j] == '/')
				goto fail;
			i += 2;
		} else
			d[j] = raw[i];
		j++;
	}
	d[j] = '\0';
	if (!utf8_valid(d, j))
		goto fail;
	for (i = 0; i < j; i++) {
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f || d[i] == '\\')
			goto fail;
	}

	out = xmalloc(j + 2);
	i = 0;
	for (seg = d; seg != NULL; seg = next) {
		if ((next = strchr(seg, '/')) != NULL)
			*next++ = '\0';
		if ((seglen = strlen(seg)) == 0)
			continue;
		if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
			free(out);
			goto fail;
		}
		out[i++] = '/';
		memcpy(out + i, seg, seglen);
		i += seglen;
	}
	if (i == 0)
		out[i++] = '/';
	out[i] = '\0';
	free(d);
	return out;

fail:
	free(d);
	return NULL;
}
