/*
 * tether.h — the one internal header of Tether. Grouped by the file that
 * defines each part, tmux-style; a module's names start with its file name.
 */
#ifndef TETHER_H
#define TETHER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

/* ---------------------------------------------------------------- util.c */

/* Allocation failure is fatal, here and nowhere else. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 xasprintf(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* A growable byte buffer; always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void		 buf_init(struct buf *);
void		 buf_append(struct buf *, const void *, size_t);
void		 buf_puts(struct buf *, const char *);
void		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 buf_free(struct buf *);

/* Percent-encode for a query-string component (RFC 3986 unreserved kept). */
void		 buf_url_encode(struct buf *, const char *);

/* 1 when equal, in time independent of where they differ. */
int		 str_equal_ct(const char *, const char *);

/* ---------------------------------------------------------------- form.c */

/*
 * Parsing of untrusted request input, pure (no FastCGI, no database):
 * the request module feeds it the query string, the body and the cookie
 * header, and it is unit-tested on its own.
 */

struct field {
	char	*name;
	char	*value;		/* decoded; NUL-free, valid UTF-8 */
	size_t	 len;		/* strlen(value) */
};

struct fields {
	struct field	*v;
	size_t		 n;
	size_t		 cap;
};

enum form_err {
	FORM_OK = 0,
	FORM_BAD_ENCODING,	/* malformed %XX */
	FORM_BAD_UTF8,		/* invalid UTF-8 after decoding */
	FORM_NUL,		/* %00 in a name or value */
	FORM_TOO_MANY,		/* more than the field cap */
	FORM_TOO_LONG,		/* a name over FORM_NAME_MAX */
};
#define FORM_NAME_MAX	64

/*
 * Decode application/x-www-form-urlencoded `data` of `len` bytes (not
 * NUL-terminated) and append its pairs to `out`, refusing to grow it past
 * `max_fields` pairs in all. '+' is a space; empty pairs ("a=1&&b=2") are
 * skipped; a pair without '=' has an empty value.
 */
enum form_err	 form_parse_urlencoded(struct fields *out, const char *data,
		    size_t len, size_t max_fields);
const char	*form_strerror(enum form_err);

/* Parse a Cookie header; same decoding rules, no '+' rule, separator ';'. */
enum form_err	 form_parse_cookies(struct fields *out, const char *header,
		    size_t max_fields);

void		 fields_free(struct fields *);
/* Value of the only pair named `name`; NULL if absent. `*count` gets how many there are. */
const char	*fields_get(const struct fields *, const char *name, size_t *count);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int		 utf8_valid(const char *s, size_t len);

/*
 * Canonical form of a request path, used for routing and permission checks
 * alike: percent-decoded once (an encoded '/' or NUL refuses), repeated
 * slashes collapsed, no trailing slash except for "/", and any "." or ".."
 * segment refused. Returns a new string or NULL when refused.
 */
char		*path_canonical(const char *raw);

/* ---------------------------------------------------------------- valid.c */

/* Field validators. Each returns NULL when valid, or a sentence for the user. */
const char	*valid_text(const char *, size_t minlen, size_t maxlen);
const char	*valid_name(const char *, size_t maxlen);	/* 1..max, no control chars */
const char	*valid_email(const char *);
const char	*valid_int(const char *, long long min, long long max, long long *out);
/* https://host[:port][/path], no user-info, no fragment; `allow_http` also permits http. */
const char	*valid_url(const char *, int allow_http);
const char	*valid_hostname(const char *);

/* ---------------------------------------------------------------- vault.c */

/*
 * Secrets at rest. A 32-byte master key (from a file, never the database)
 * wraps random data keys; data keys seal each secret with
 * XChaCha20-Poly1305, the additional data binding it to its connection,
 * field and key version.
 */
#define VAULT_KEY_BYTES		32
#define VAULT_NONCE_BYTES	24

struct vault_key {
	int		 version;
	unsigned char	 key[VAULT_KEY_BYTES];	/* in sodium_malloc'd memory */
};

struct vault {
	unsigned char		*master;	/* sodium_malloc'd, VAULT_KEY_BYTES */
	struct vault_key	*keys;		/* sodium_malloc'd array */
	size_t			 nkeys;
	int			 active;	/* version new secrets use */
};

/* Read the master key file; refuses a mode looser than 0600 or a wrong size. */
int		 vault_open(struct vault *, const char *key_file, char *err, size_t errlen);
void		 vault_close(struct vault *);
int		 vault_key_file_create(const char *path, char *err, size_t errlen);

/* Check value: proves at start-up that the master key is the right one. */
int		 vault_check_make(const struct vault *, unsigned char **blob, size_t *bloblen);
int		 vault_check_verify(const struct vault *, const unsigned char *blob, size_t bloblen);

/* Data keys, wrapped by the master key (the wrapped form is what the database stores). */
int		 vault_key_generate(struct vault *, int version,
		    unsigned char **wrapped, size_t *wrappedlen);
int		 vault_key_add_wrapped(struct vault *, int version,
		    const unsigned char *wrapped, size_t wrappedlen);

/* Seal/open one secret. Ciphertext and plaintext are malloc'd; the caller
 * wipes plaintext with sodium_memzero before free. */
int		 vault_seal(const struct vault *, int64_t connection_id, const char *field,
		    const char *plain, size_t plainlen, int *key_version,
		    unsigned char nonce[VAULT_NONCE_BYTES], unsigned char **ct, size_t *ctlen);
int		 vault_unseal(const struct vault *, int64_t connection_id, const char *field,
		    int key_version, const unsigned char nonce[VAULT_NONCE_BYTES],
		    const unsigned char *ct, size_t ctlen, char **plain, size_t *plainlen);

/* ------------------------------------------------------------ netpolicy.c */

/*
 * The SSRF guard's address classifier. Outbound calls check the address
 * actually connected to (libcurl's opensocket callback) against it.
 */
enum netclass {
	NET_PUBLIC = 0,
	NET_LOOPBACK,
	NET_PRIVATE,		/* 10/8, 172.16/12, 192.168/16, fc00::/7 */
	NET_LINK_LOCAL,		/* 169.254/16, fe80::/10 */
	NET_CGNAT,		/* 100.64/10 */
	NET_MULTICAST,
	NET_UNSPECIFIED,
	NET_METADATA,		/* 169.254.169.254, fd00:ec2::254 */
	NET_RESERVED,		/* 0/8, 240/4, broadcast, documentation ranges, ... */
};

struct netrange {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	int		 prefix;
};

struct netpolicy {
	struct netrange	*allow;
	size_t		 nallow;
};

/* Classify a sockaddr; v4-mapped, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) IPv6 forms are
 * classified by the IPv4 address they embed. */
enum netclass	 netpolicy_classify(const struct sockaddr *);
const char	*netpolicy_class_name(enum netclass);
/* Parse "127.0.0.0/8, ::1/128"; -1 with a message on a bad entry. */
int		 netpolicy_parse(struct netpolicy *, const char *list, char *err, size_t errlen);
void		 netpolicy_free(struct netpolicy *);
/* 1 when the address may be connected to: public, or inside an allowed range. */
int		 netpolicy_permits(const struct netpolicy *, const struct sockaddr *);

#endif /* TETHER_H */
