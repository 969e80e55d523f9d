/*
 * t.h — the unit tests' harness: each check prints a TAP line
 * ("ok N - name" or "not ok N - name" with the place and the values that
 * differed as a comment), and t_done() prints the plan and returns the
 * exit status (nonzero when anything failed).
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int	t_count;
static int	t_failed;

static inline int
t_ok(int ok, const char *name, const char *file, int line)
{
	t_count++;
	printf("%sok %d - %s\n", ok ? "" : "not ", t_count, name);
	if (!ok) {
		t_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return (ok);
}

static inline int
t_str(const char *got, const char *want, const char *name, const char *file,
    int line)
{
	int	 ok;

	if (got == NULL || want == NULL)
		ok = got == want;
	else
		ok = strcmp(got, want) == 0;
	if (!t_ok(ok, name, file, line)) {
		printf("#   got:  %s%s%s\n", got ? "\"" : "", got ? got : "NULL",
		    got ? "\"" : "");
		printf("#   want: %s%s%s\n", want ? "\"" : "",
		    want ? want : "NULL", want ? "\"" : "");
	}
	return (ok);
}

static inline int
t_int(long long got, long long want, const char *name, const char *file,
    int line)
{
	int	 ok = got == want;

	if (!t_ok(ok, name, file, line))
		printf("#   got: %lld, want: %lld\n", got, want);
	return (ok);
}

static inline int
t_has(const char *s, const char *sub, const char *name, const char *file,
    int line)
{
	int	 ok = s != NULL && strstr(s, sub) != NULL;

	if (!t_ok(ok, name, file, line)) {
		printf("#   got:  \"%s\"\n", s != NULL ? s : "(null)");
		printf("#   want: \"...%s...\"\n", sub);
	}
	return (ok);
}

static inline int
t_done(void)
{
	printf("1..%d\n", t_count);
	if (t_failed != 0)
		printf("# %d of %d failed\n", t_failed, t_count);
	return (t_failed != 0);
}

/* Pass when cond is true. */
#define T_OK(cond, name)	t_ok((cond) != 0, (name), __FILE__, __LINE__)
/* Pass when the strings are equal; NULL equals only NULL. */
#define T_STR(got, want, name)	t_str((got), (want), (name), __FILE__, __LINE__)
/* Pass when the integers are equal. */
#define T_INT(got, want, name)	t_int((long long)(got), (long long)(want), \
				    (name), __FILE__, __LINE__)
/* Pass when the string s contains sub; shows both when not. */
#define T_HAS(s, sub, name)	t_has((s), (sub), (name), __FILE__, __LINE__)

#endif /* T_H */
