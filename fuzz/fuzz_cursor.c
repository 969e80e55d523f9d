/*
 * fuzz_cursor.c — libFuzzer harness over the API list's keyset cursors
 * (connlist.c). Byte 0 picks the sort (low two bits) and whether a search
 * filter is set (bit 2); the rest is taken two ways: as a cursor from a
 * client, which connlist_cursor_read must refuse or turn into a bound of
 * digits and a NUL-free key of its sort's shape; and as the sort key of a
 * row, whose cursor must read back to the same id and key, and be refused
 * once any one of its characters is changed, or under another filter or
 * sort. Written against tether.h only, with a fixed key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tether.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CURSOR_MAX	(CONNLIST_CURSOR_MAX + 64)

static const unsigned char key[32] = "tether fuzz cursor key 32 bytes";

static void
view(struct connlist *cl, int sort, int search)
{
	memset(cl, 0, sizeof(*cl));
	cl->sort = sort;
	if (search) {
		cl->q = "crm";
		cl->mask |= CONNLIST_Q;
	}
}

/* What an accepted cursor leaves: an id of digits, a key of the sort's shape. */
static void
check_accepted(const struct connlist *cl)
{
	const char	*p;

	if (!(cl->mask & CONNLIST_AFTER) || cl->after_id[0] == '\0' || cl->after_id[0] == '0')
		abort();
	for (p = cl->after_id; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			abort();
	if (cl->mask & CONNLIST_AFTER_NULL) {
		if (cl->sort < 2 || cl->after_key[0] != '\0')
			abort();
	} else if (cl->after_key[0] == '\0' || (cl->sort >= 2 &&
	    strlen(cl->after_key) != 27))
		abort();
}

static void
round_trip(int sort, int search, const char *sortkey)
{
	struct connlist	 cl, back;
	struct buf	 c;
	size_t		 i;

	view(&cl, sort, search);
	buf_init(&c);
	connlist_cursor(&cl, key, "4711", sortkey, &c);
	view(&back, sort, search);
	if (connlist_cursor_read(&back, key, c.data) != NULL) {
		/* Refused: only a key the reader would never take. */
		if (sortkey == NULL ? sort >= 2 : (sort < 2 ?
		    valid_text(sortkey, 1, 200) == NULL && strlen(sortkey) < 1024 : 0))
			abort();
		buf_free(&c);
		return;
	}
	check_accepted(&back);
	if (strcmp(back.after_id, "4711") != 0 ||
	    strcmp(back.after_key, sortkey == NULL ? "" : sortkey) != 0)
		abort();
	/* Another view, or any character changed: refused. */
	view(&back, sort, !search);
	if (connlist_cursor_read(&back, key, c.data) == NULL)
		abort();
	view(&back, (sort + 1) % CONNLIST_NSORTS, search);
	if (connlist_cursor_read(&back, key, c.data) == NULL)
		abort();
	for (i = 0; i < c.len; i += 1 + c.len / 16) {
		char	 was = c.data[i];

		c.data[i] = was == 'A' ? 'B' : 'A';
		view(&back, sort, search);
		if (connlist_cursor_read(&back, key, c.data) == NULL)
			abort();
		c.data[i] = was;
	}
	buf_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct connlist	 cl;
	char		*s;
	int		 sort, search;

	if (size < 1 || size > FUZZ_CURSOR_MAX)
		return 0;
	sort = data[0] & 3;
	search = (data[0] >> 2) & 1;
	s = xmalloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	view(&cl, sort, search);
	if (connlist_cursor_read(&cl, key, s) == NULL)
		check_accepted(&cl);
	if (memchr(data + 1, '\0', size - 1) == NULL && size - 1 < 1024)
		round_trip(sort, search, s);
	round_trip(sort, search, NULL);
	free(s);
	return 0;
}
