/*
 * util.c — allocation that cannot fail, a growable byte buffer,
 * percent-encoding for query strings, constant-time string comparison and
 * the process's own hardening. Allocation failure is fatal here and nowhere
 * else.
 */

#include "config.h"

#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif
#ifdef HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tether.h"

static void	 util_fatal_oom(size_t) __attribute__((noreturn));

static void
util_fatal_oom(size_t size)
{
	fprintf(stderr, "tether: out of memory allocating %zu bytes\n", size);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		util_fatal_oom(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (size > SIZE_MAX / nmemb)
		util_fatal_oom(SIZE_MAX);
	if ((p = calloc(nmemb, size)) == NULL)
		util_fatal_oom(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = realloc(ptr, size)) == NULL)
		util_fatal_oom(size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copy at most n bytes of s, stopping early at a NUL. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	if (len == SIZE_MAX)
		util_fatal_oom(SIZE_MAX);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		util_fatal_oom(0);
	return n;
}

void
buf_init(struct buf *b)
{
	b->cap = 64;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
	b->len = 0;
}

/* Make room for n more bytes and the terminating NUL. */
void
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, cap;

	if (n > SIZE_MAX - 1 - b->len)
		util_fatal_oom(SIZE_MAX);
	need = b->len + n + 1;
	if (b->data != NULL && need <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xrealloc(b->data, cap);
	if (b->cap == 0)
		b->data[0] = '\0';
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	/* Room already there is the common case (a page is written in small
	 * pieces into a buffer sized for it). */
	if (b->data == NULL || n >= b->cap - b->len)
		buf_reserve(b, n);
	if (n != 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	buf_reserve(b, 0);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		util_fatal_oom(0);
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			util_fatal_oom(0);
	}
	b->len += (size_t)n;
}

/* Release the memory; the buffer may be used again after buf_init. */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static const unsigned char util_unreserved[256] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

void
buf_url_encode(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;
	char			*out;

	n = strlen(s);
	if (n > (SIZE_MAX - 1) / 3)
		util_fatal_oom(SIZE_MAX);
	buf_reserve(b, n * 3);
	out = b->data + b->len;
	for (; *p != '\0'; p++) {
		if (util_unreserved[*p])
			*out++ = (char)*p;
		else {
			*out++ = '%';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 0xf];
		}
	}
	b->len = (size_t)(out - b->data);
	b->data[b->len] = '\0';
}

/*
 * 1 when a and b are equal. For strings of the same length the time taken
 * does not depend on their contents; different lengths return 0 at once
 * (the length is not the secret). NULL is equal to nothing.
 */
int
str_equal_ct(const char *a, const char *b)
{
	const volatile unsigned char	*pa, *pb;
	volatile unsigned char		 diff = 0;
	size_t				 la, lb, i;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return 0;
	pa = (const volatile unsigned char *)a;
	pb = (const volatile unsigned char *)b;
	for (i = 0; i < la; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}

void
like_escape(const char *s, char *out, size_t outlen)
{
	size_t	 i, j;

	for (i = 0, j = 0; s[i] != '\0' && j + 3 < outlen; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			out[j++] = '\\';
		out[j++] = s[i];
	}
	if (outlen > 0)
		out[j] = '\0';
}

void
process_harden(void)
{
#if defined(HAVE_SETRLIMIT) && defined(HAVE_SYS_RESOURCE_H)
	struct rlimit	 none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) == -1)
		fprintf(stderr, "tether: setrlimit(RLIMIT_CORE, 0): %s\n", strerror(errno));
#endif
#if defined(HAVE_PRCTL) && defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_DUMPABLE)
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fprintf(stderr, "tether: prctl(PR_SET_DUMPABLE, 0): %s\n", strerror(errno));
#endif
}

volatile sig_atomic_t process_stopping;

static void
process_on_stop(int sig)
{
	(void)sig;
	process_stopping = 1;
}

void
process_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = process_on_stop;	/* no SA_RESTART: a wait must end */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
process_pidfile(const char *prog, const char *path)
{
	FILE	*f;

	if (path == NULL || *path == '\0')
		return;
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/* 1 when `word` is one of the space-separated words of `list`. */
int
str_word_in(const char *list, const char *word)
{
	size_t	 n = strlen(word);

	/* Words are separated as connector files write them: spaces and tabs. */
	while (*list != '\0') {
		size_t	 len;

		list += strspn(list, " \t");
		len = strcspn(list, " \t");
		if (len == n && len > 0 && strncmp(list, word, n) == 0)
			return 1;
		list += len;
	}
	return 0;
}

/* The next space-separated word of *sp into w (cut to wlen - 1 bytes),
 * *sp moved past it: 1, or 0 at the end. NULL *sp is the end. */
int
str_word_next(const char **sp, char *w, size_t wlen)
{
	size_t	 len;

	if (*sp == NULL || *(*sp += strspn(*sp, " \t")) == '\0')
		return 0;
	len = strcspn(*sp, " \t");
	snprintf(w, wlen, "%.*s", (int)len, *sp);
	*sp += len;
	return 1;
}

void
pg_int_array(const char *text, int64_t **v, size_t *n)
{
	char		*end;
	long long	 x;

	for (; *text != '\0'; text++) {
		if ((*text < '0' || *text > '9') && *text != '-')
			continue;
		x = strtoll(text, &end, 10);
		if (end == text)
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = x;
		text = end - 1;
	}
}
