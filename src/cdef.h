/*
 * cdef.h — internal to the connector-definition checker: what the helpers,
 * line map, errors and value checks (cdef-util.c) give the checks of a
 * definition (cdef-check.c) and the entry points (cdef.c: scan, defaults,
 * read). Include after tether.h and ClearSilver.h.
 */
#ifndef TETHER_CDEF_H
#define TETHER_CDEF_H

#define CDEF_TITLE_MAX		80
#define CDEF_CATEGORY_MAX	40
#define CDEF_DESC_MAX		200
#define CDEF_LENGTH_MAX		65536	/* largest "max" of a text field */
/* connform.c keeps the same bounds: SECRET_MAX, SCOPES_MAX, CONNFORM_SECRETS_MAX. */
#define CDEF_SECRET_MAX		4096	/* largest "max" of a secret */
#define CDEF_SCOPES_MAX		1000	/* largest "max" of scopes */
#define CDEF_SCOPES_WORDS	50
#define CDEF_FIELDS_MAX		64	/* fields of a protocol */
#define CDEF_SECRETS_MAX	16	/* secret fields of a protocol */
#define CDEF_HEADERS_MAX	4	/* Test.headers: fixed extra headers */
#define CDEF_BODY_MAX		2048	/* Test.body: a fixed POST body */

/* Where a node of the file is declared. */
struct cdef_line {
	char	*path;		/* "Protocols.cloud.Fields.url" */
	int	 line;
	int	 assigned;	/* "name = value" or "name << EOM" seen */
	int	 opened;	/* "name {" seen */
};

/* What each protocol kind may do. */
struct cdef_kind {
	const char	*name;
	const char	*auths;		/* Test.auth values, the default first */
	int		 oauth;		/* 1: OAuth required, 2: with authorize */
};

/* Field types; `text` is 1 for the ones whose min/max are lengths. */
struct cdef_type {
	const char	*name;
	int		 text;
	long long	 max;		/* default max length */
	long long	 limit;		/* largest max */
};
extern const struct cdef_type cdef_types[10];

/* A check of one word of a list (cdef_words). */
typedef int (*cdef_word_fn)(struct cdef *, const char *path, const char *key,
    const char *word, void *arg);
/* A check of one ApiTypes.<type> override of node (cdef_overrides). */
typedef int (*cdef_override_fn)(struct cdef *, HDF *proto, HDF *node,
    HDF *override, const char *path);

/* ---------------------------------------------------- cdef-util.c: helpers */

/* 1 when s is one of the NULL-terminated list. */
int		 cdef_in(const char *s, const char *const *list);
/* The next space-separated word of *sp; 0 at the end. */
int		 cdef_word(const char **sp, char *w, size_t wlen);
/* The first word of list. */
void		 cdef_first(const char *list, char *w, size_t wlen);
/* A decimal integer within 10^12 either side in *out; -1 when s is not one. */
int		 cdef_int(const char *s, long long *out);
/* One word of letters, digits, "-", "_" and ".": a header, parameter or prefix. */
int		 cdef_token_ok(const char *s);
/* "parent.a" or "parent.a.b": the path of a node in messages. */
void		 cdef_path(char *dst, size_t len, const char *parent,
		    const char *a, const char *b);
/* The value of a direct child; NULL when absent, a block or empty. */
const char	*cdef_str(HDF *node, const char *name);
/* 1 when the value of a direct child is "1". */
int		 cdef_on(HDF *node, const char *name);
/* The index of a field type in cdef_types; -1 when unknown. */
int		 cdef_type_index(const char *type);
/* What a protocol kind may do; NULL when unknown. */
const struct cdef_kind *cdef_kind(const char *name);
/* 1 when a protocol has something to protect: an OAuth grant or a secret. */
int		 cdef_keeps_secret(HDF *proto);

/* ------------------------------------------ cdef-util.c: line map, errors */

/* The line map's entry for path's first len bytes, added at line if new. */
struct cdef_line *cdef_line_add(struct cdef *cd, const char *path, size_t len,
		    int line);
/* "file:line: path: message" (path may be NULL) in cd->err; returns -1. */
int		 cdef_error_at(struct cdef *, int, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

/* ---------------------------------------------- cdef-util.c: value checks */

/* Refuse keys the format does not know (a typo would be ignored). */
int		 cdef_keys(struct cdef *cd, HDF *node, const char *path,
		    const char *const *known);
/* node's `key`, when present, is 0 or 1. */
int		 cdef_flag(struct cdef *cd, HDF *node, const char *path,
		    const char *key);
/* node's `key` is one of allowed; absent is fine unless required. */
int		 cdef_one_of(struct cdef *cd, HDF *node, const char *path,
		    const char *key, const char *const *allowed, int required);
/* The name of a protocol, field, option or API type: [a-z][a-z0-9_]*. */
int		 cdef_name(struct cdef *cd, const char *path, const char *key,
		    const char *what, const char *name);
/* Every child of a block of names has a good name and only known keys. */
int		 cdef_names(struct cdef *cd, HDF *block, const char *path,
		    const char *what, const char *const *keys);
/* Each space-separated word of node's `key`, checked; absent is fine, empty not. */
int		 cdef_words(struct cdef *cd, HDF *node, const char *path,
		    const char *key, cdef_word_fn check, void *arg);
/* An API type the definition declares in ApiTypes (a cdef_word_fn). */
int		 cdef_api_type(struct cdef *cd, const char *path,
		    const char *key, const char *name, void *arg);
/* A URL scheme a url field accepts (a cdef_word_fn). */
int		 cdef_scheme(struct cdef *cd, const char *path, const char *key,
		    const char *w, void *arg);
/* An HTTP status a test expects (a cdef_word_fn). */
int		 cdef_status(struct cdef *cd, const char *path, const char *key,
		    const char *w, void *arg);
/* An execution context, once; `seen` holds the ones before (a cdef_word_fn). */
int		 cdef_context(struct cdef *cd, const char *path,
		    const char *key, const char *w, void *seen);
/* Default scopes: RFC 6749 scope tokens, as the form accepts them. */
int		 cdef_scopes(struct cdef *cd, HDF *node, const char *path);
/* node's ApiTypes block: overrides for declared API types, each checked. */
int		 cdef_overrides(struct cdef *cd, HDF *proto, HDF *node,
		    const char *path, cdef_override_fn check);

/* ------------------------------------------------------------ cdef-check.c */

/* Every check of one definition; the popular limit is the loader's. */
int		 cdef_check(struct cdef *cd);

#endif
