/*
 * test_util.c — unit tests for util.c: allocation, struct buf,
 * buf_url_encode and str_equal_ct, and that allocation failure aborts
 * with one message.
 */

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"
#include "tether.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

#ifdef TEST_ASAN
/* Let malloc fail with NULL, as without ASan, so xmalloc's path runs. */
const char	*__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return ("allocator_may_return_null=1");
}
#endif

static void
test_alloc(void)
{
	char	*s;
	int	*v;
	int	 n;

	s = xstrdup("tether");
	T_STR(s, "tether", "xstrdup copies");
	free(s);

	s = xstrndup("tether", 3);
	T_STR(s, "tet", "xstrndup stops at n");
	free(s);

	s = xstrndup("ab", 10);
	T_STR(s, "ab", "xstrndup stops at the NUL");
	free(s);

	n = xasprintf(&s, "%s-%d", "id", 42);
	T_STR(s, "id-42", "xasprintf formats");
	T_INT(n, 5, "xasprintf returns the length");
	free(s);

	v = xcalloc(4, sizeof *v);
	T_OK(v[0] == 0 && v[3] == 0, "xcalloc zeroes");
	v = xrealloc(v, 8 * sizeof *v);
	v[7] = 7;
	T_INT(v[7], 7, "xrealloc grows");
	free(v);

	s = xmalloc(0);
	T_OK(s != NULL, "xmalloc(0) is not NULL");
	free(s);
}

/* Run xmalloc(SIZE_MAX) in a child: it must abort with one line on stderr. */
static void
test_alloc_failure(void)
{
	volatile size_t	 huge = SIZE_MAX;
	char		 msg[256], *p;
	int		 fd[2], status;
	ssize_t		 n;
	size_t		 got = 0;
	pid_t		 pid;

	fflush(stdout);
	if (pipe(fd) != 0 || (pid = fork()) == -1) {
		T_OK(0, "fork for allocation failure");
		return;
	}
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		xmalloc(huge);
		_exit(0);
	}
	close(fd[1]);
	while (got < sizeof msg - 1 &&
	    (n = read(fd[0], msg + got, sizeof msg - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	T_OK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "allocation failure aborts");
	T_OK(strstr(msg, "tether: out of memory") != NULL,
	    "allocation failure says so on stderr");
	p = strstr(msg, "tether: out of memory");
	T_OK(p != NULL && strstr(p + 1, "tether:") == NULL &&
	    strchr(p, '\n') == msg + got - 1,
	    "allocation failure writes one line");
}

static void
test_buf(void)
{
	struct buf	 b;
	char		 big[1000];

	buf_init(&b);
	T_STR(b.data, "", "buf_init is an empty string");
	T_INT(b.len, 0, "buf_init length 0");

	buf_append(&b, "abc", 2);
	buf_puts(&b, "xyz");
	T_STR(b.data, "abxyz", "buf_append and buf_puts");
	T_INT(b.len, 5, "buf length after appends");

	memset(b.data + b.len + 1, 'X', b.cap - b.len - 1);
	buf_append(&b, "\0q", 2);
	T_INT(b.len, 7, "buf_append takes NUL bytes");
	T_OK(memcmp(b.data, "abxyz\0q", 8) == 0, "buf stays NUL-terminated");

	b.len = 0;
	b.data[0] = '\0';
	buf_printf(&b, "%d-%s", 7, "x");
	T_STR(b.data, "7-x", "buf_printf formats");

	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "[%s]", big);
	T_INT(b.len, 3 + 2 + 999, "buf_printf grows past the capacity");
	T_OK(b.data[3] == '[' && b.data[4 + 998] == 'z' &&
	    b.data[b.len - 1] == ']' && b.data[b.len] == '\0',
	    "buf_printf content after growth");
	T_OK(b.cap > b.len, "buf capacity covers the terminator");
	buf_free(&b);
	T_OK(b.data == NULL && b.len == 0 && b.cap == 0, "buf_free clears");

	buf_puts(&b, "again");
	T_STR(b.data, "again", "buf usable after buf_free");
	buf_free(&b);
}

static void
test_url_encode(void)
{
	struct buf	 b;

	buf_init(&b);
	buf_url_encode(&b, "a b&c=d/\xc3\xa9");
	T_STR(b.data, "a%20b%26c%3Dd%2F%C3%A9", "buf_url_encode a b&c=d/e-acute");
	T_INT(b.len, strlen("a%20b%26c%3Dd%2F%C3%A9"), "buf_url_encode length");

	b.len = 0;
	buf_url_encode(&b, "AZaz09-._~");
	T_STR(b.data, "AZaz09-._~", "buf_url_encode keeps unreserved");

	b.len = 0;
	buf_url_encode(&b, "+%?#!*'()[]:@\x7f\x01");
	T_STR(b.data, "%2B%25%3F%23%21%2A%27%28%29%5B%5D%3A%40%7F%01",
	    "buf_url_encode encodes reserved and controls, uppercase hex");

	b.len = 0;
	buf_puts(&b, "q=");
	buf_url_encode(&b, "");
	buf_url_encode(&b, "x y");
	T_STR(b.data, "q=x%20y", "buf_url_encode appends");
	buf_free(&b);
}

static void
test_equal_ct(void)
{
	T_INT(str_equal_ct("secret", "secret"), 1, "str_equal_ct equal");
	T_INT(str_equal_ct("secret", "secreT"), 0, "str_equal_ct last differs");
	T_INT(str_equal_ct("secret", "Secret"), 0, "str_equal_ct first differs");
	T_INT(str_equal_ct("secret", "secret2"), 0, "str_equal_ct longer");
	T_INT(str_equal_ct("secret", "secre"), 0, "str_equal_ct prefix");
	T_INT(str_equal_ct("", ""), 1, "str_equal_ct both empty");
	T_INT(str_equal_ct("", "a"), 0, "str_equal_ct empty and not");
	T_INT(str_equal_ct(NULL, "a"), 0, "str_equal_ct NULL");
	T_INT(str_equal_ct(NULL, NULL), 0, "str_equal_ct NULL and NULL");
}

static void
test_pg_int_array(void)
{
	int64_t	*v = NULL;
	size_t	 n = 0;

	pg_int_array("{}", &v, &n);
	T_INT((long long)n, 0, "pg_int_array: {} is empty");
	pg_int_array("{12,3400000000000,-5}", &v, &n);
	T_INT((long long)n, 3, "pg_int_array: three numbers");
	T_INT(n == 3 && v[0] == 12 && v[1] == 3400000000000LL && v[2] == -5, 1,
	    "pg_int_array: their values, in order");
	pg_int_array("{7}", &v, &n);
	T_INT(n == 4 && v[3] == 7, 1, "pg_int_array appends");
	pg_int_array("", &v, &n);
	pg_int_array("{-}", &v, &n);
	T_INT((long long)n, 4, "pg_int_array: nothing from \"\" or a lone sign");
	free(v);
}

int
main(void)
{
	test_alloc();
	test_alloc_failure();
	test_buf();
	test_url_encode();
	test_equal_ct();
	test_pg_int_array();
	return (t_done());
}
