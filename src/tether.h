/*
 * tether.h — the one internal header of Tether. Grouped by the file that
 * defines each part, tmux-style; a module's names start with its file name.
 */
#ifndef TETHER_H
#define TETHER_H

#include <sys/types.h>
#include <signal.h>
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
/* Make room for n more bytes and the terminating NUL. */
void		 buf_reserve(struct buf *, size_t n);
void		 buf_append(struct buf *, const void *, size_t);
void		 buf_puts(struct buf *, const char *);
/* A string literal, its length known when compiled. */
#define BUF_LIT(b, lit)	buf_append((b), "" lit, sizeof(lit) - 1)
void		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 buf_free(struct buf *);

/* Escape LIKE's wildcards (% _ \\) in `s` into out[outlen], truncating safely. */
void		 like_escape(const char *s, char *out, size_t outlen);
/* Append the numbers of a PostgreSQL bigint[] as text ("{12,34}") to *v. */
void		 pg_int_array(const char *text, int64_t **v, size_t *n);

/* Percent-encode for a query-string component (RFC 3986 unreserved kept). */
void		 buf_url_encode(struct buf *, const char *);

/* 1 when equal, in time independent of where they differ. */
int		 str_equal_ct(const char *, const char *);
/* 1 when `word` is one of the space-separated words of `list`. */
int		 str_word_in(const char *list, const char *word);
/* The next of them: 1 (w set, *sp past it), or 0 at the end (issue 16). */
int		 str_word_next(const char **sp, char *w, size_t wlen);

/*
 * No core dumps and no ptrace by other processes of the same account: a
 * crash must not write decrypted secrets to disk. Called first thing by
 * tether-fcgi and tetherctl; workers inherit it across fork.
 */
void		 process_harden(void);
/* Set once SIGTERM or SIGINT arrives after process_signals(), which installs
 * the handler without SA_RESTART (a blocking accept, poll or waitpid
 * returns) and ignores SIGPIPE. Shared by tether-fcgi and tether-worker. */
extern volatile sig_atomic_t process_stopping;
void		 process_signals(void);
/* Write this process's pid to `path` (nothing when empty); a failure is
 * said on stderr, prefixed with `prog`, and is not fatal. */
void		 process_pidfile(const char *prog, const char *path);

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

/* The value of a hex digit, or -1. */
int		 form_hexval(int c);

/* ---------------------------------------------------------------- utf8.c */

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int		 utf8_valid(const char *s, size_t len);

/* ---------------------------------------------------------------- path.c */

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
/* url_parse() with the form's limit of 2048 characters; `allow_http` also permits http. */
const char	*valid_url(const char *, int allow_http);
const char	*valid_hostname(const char *);
/* "YYYY-MM-DD", a real day from 2000-01-01 to 2099-12-31. */
const char	*valid_date(const char *);

/* ----------------------------------------------------------------- url.c */

/*
 * The one URL parser: libcurl's URL API. A URL is parsed once, its parts
 * are checked, and the same handle is given to the transfer (CURLOPT_CURLU).
 */
#define URL_MAX		8192	/* a URL Tether fetches; forms allow 2048 */
#define URL_HTTP	0x01	/* http:// as well as https:// */

/* 1 when s[0..len) is a DNS name (labels of letters, digits and '-', the
 * last not numeric, no trailing dot), or a dotted quad without leading zeros
 * (url_ipv4). */
int		 url_dns_name(const char *, size_t);
int		 url_ipv4(const char *, size_t);

enum url_error {
	URL_OK = 0,
	URL_EMPTY,
	URL_LONG,
	URL_SPACE,		/* space, tab, CR, LF */
	URL_CHARS,		/* other control characters, non-ASCII */
	URL_SCHEME,		/* not https:// */
	URL_SCHEME_HTTP,	/* neither https:// nor http:// (with URL_HTTP) */
	URL_FRAGMENT,
	URL_USERINFO,
	URL_PORT,		/* not 1..65535 */
	URL_BAD,		/* the host, or a text libcurl reads otherwise */
};

struct Curl_URL;
struct url {
	struct Curl_URL	*h;		/* a CURLU: what the transfer fetches */
	char		 scheme[8];	/* "https", "http" (url_build: any) */
	char		*host;		/* where curl connects: a DNS name, a dotted
					 * quad or a bracketed IPv6 address */
	int		 port;		/* given, or the scheme's */
};

/* Parse and check `s`; on an error nothing is kept (u->h is NULL). */
enum url_error	 url_parse(struct url *, const char *s, int flags);
/* A URL of parts already checked (SMTP): host a DNS name or dotted quad,
 * port 1..65535, path "/"; nothing is parsed from text. */
enum url_error	 url_build(struct url *, const char *scheme, const char *host, int port);
void		 url_free(struct url *);	/* idempotent */
/* The handle's URL as curl writes it (for CURLOPT_PROXY, a string option). */
char		*url_string(const struct url *);
/* A sentence for the user. */
const char	*url_strerror(enum url_error);

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

int		 vault_has_key(const struct vault *, int version);
/* Wrap data key `version` of `from` under the master key of `to` (master key rotation). */
int		 vault_key_rewrap(const struct vault *from, int version, const struct vault *to,
		    unsigned char **wrapped, size_t *wrappedlen);

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


/* --------------------------------------------------------------- config.c */

/* Process-wide settings, read once from the HDF configuration file. */
struct config {
	char		*path;
	char		*conninfo;
	char		*owner_conninfo;
	int		 db_connect_timeout;	/* seconds */
	int		 db_statement_timeout_ms;
	char		*socket_path;
	int		 socket_mode;		/* 0600 or 0660 */
	char		*socket_group;		/* group given the socket; "": the process's */
	int		 workers;
	char		*pidfile;
	char		*templates_dir;
	char		*connectors_dir;
	char		*sql_dir;
	char		*master_key_file;
	char		*base_url;
	int		 secure_cookies;
	size_t		 body_max;
	size_t		 fields_max;
	int		 session_idle_min;
	int		 session_absolute_min;
	int		 login_free_failures;
	int		 login_max_delay_s;
	int		 outbound_connect_timeout_ms;
	int		 outbound_timeout_ms;
	char		*outbound_allow;
	char		*outbound_ca_bundle;
	char		*outbound_proxy;
	char		*outbound_egress;	/* outbound.egress_addresses: "" when unset */
	int		 list_cache_pages;	/* Integrations pages a worker keeps; 0: none */
	int		 list_cache_rows;	/* list.cache_rows: rendered rows a worker keeps */
	int		 list_mirror;		/* list.mirror: 1, pages from a copy of the rows */
	int		 secret_versions_kept;	/* connections.secret_versions_kept: revertable secrets */
	/* Health (issue 11): scheduled checks, expiry, notifications. */
	int		 check_interval_min;	/* health.check_interval_minutes */
	int		 expiry_horizon_days;	/* health.expiry_horizon_days */
	int		 notify_after_failures;	/* health.notify_after_failures */
	int		 refresh_ahead_s;	/* health.refresh_ahead_seconds */
	int		 revoke_timeout_ms;	/* oauth.revoke_timeout_ms: RFC 7009 calls */
	/* tether-worker */
	int		 worker_processes;	/* worker.processes */
	int		 worker_lease_s;	/* worker.lease_seconds */
	int		 worker_batch;		/* worker.batch */
	int		 worker_poll_ms;	/* worker.poll_ms */
	char		*worker_pidfile;	/* worker.pidfile */
	/* E-mail notifications through an SMTP relay (libcurl, TLS required). */
	char		*mail_smtp_url;		/* mail.smtp_url; "": no e-mail */
	char		*mail_from;		/* mail.from */
	char		*mail_username;		/* mail.username */
	char		*mail_password_file;	/* mail.password_file */
	char		*mail_ca_bundle;	/* mail.ca_bundle */
	int		 mail_notify_admins;	/* mail.notify_admins */
};

int		 config_load(struct config *, const char *path, char *err, size_t errlen);
void		 config_free(struct config *);

/* ------------------------------------------------------------------- db.c */

/*
 * One libpq connection a process, with timeouts, prepared statements made
 * once a connection, and a reconnect when the connection broke.
 */
struct pg_conn;

/* Room for every statement name the code uses (about 80 literal names, the
 * list's filter and sort combinations and the related flows' sorts): a name
 * past it would be parsed again at every use. */
#define DB_NAMED_MAX	320

struct db {
	struct pg_conn	*conn;		/* PGconn */
	const char	*conninfo;
	int		 connect_timeout;
	int		 statement_timeout_ms;
	uint64_t	 prepared;	/* bit n: statement n is prepared on conn */
	char		 named[DB_NAMED_MAX][40];	/* lazily prepared statements on conn */
	char		*named_sql[DB_NAMED_MAX];	/* and their texts (copies) */
	int		 nnamed;
	int		 named_clash_said;	/* a name reused for another text, said */
	int		 in_tx;
	char		 sqlstate[6];	/* of the last failure since db_forget_failure */
	int		 stalled;	/* the last statement got no answer in time */
	int		 next_wait_ms;	/* db_expect_wait's, for the next statement */
};

/* Statements the app prepares; db.c holds their SQL. */
enum db_stmt {
	STMT_SESSION_GET,
	STMT_SESSION_TOUCH,
	STMT_SESSION_CREATE,
	STMT_SESSION_DELETE,
	STMT_USER_BY_EMAIL,
	STMT_USER_REHASH,
	STMT_LOGIN_FAILURES,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_FAILURE_CLEAR,
	STMT_AUDIT_ADD,
	STMT_TEAMS_VISIBLE,
	STMT__MAX
};

void		 db_init(struct db *, const char *conninfo, int connect_timeout,
		    int statement_timeout_ms);
int		 db_connect(struct db *);	/* 0 when usable (reconnecting if needed) */
void		 db_close(struct db *);
/* Run a prepared statement; NULL on failure (logged). The caller PQclear()s. */
struct pg_result *db_exec(struct db *, enum db_stmt, int nparams, const char *const *params);
/* Run a statement prepared lazily under `name` (dynamic list queries). */
struct pg_result *db_exec_named(struct db *, const char *name, const char *sql,
		    int nparams, const char *const *params);
/* Run plain SQL with parameters (tetherctl, rare paths). */
struct pg_result *db_exec_params(struct db *, const char *sql, int nparams,
		    const char *const *params);
/*
 * A batch: independent reads sent together and answered in one round trip
 * (libpq's pipeline mode), where one at a time a page paid a wait for the
 * server per statement. Statements are prepared lazily by name as with
 * db_exec_named; parameters are copied when added.
 */
#define DB_BATCH_MAX	16
struct db_batch {
	int	 n;
	int	 overflow;	/* a statement did not fit: the run fails */
	struct db_batch_item {
		char		*name;		/* copies */
		char		*sql;
		int		 stmt;		/* an enum db_stmt, or -1: named */
		int		 nparams;
		char		**params;
		int		 prepare;	/* send its Parse first */
		int		 plain;		/* run unprepared (a name clash, a full table) */
		struct pg_result *res;
	}	 item[DB_BATCH_MAX];
};
void		 db_batch_init(struct db_batch *);
/* Queue a statement; its index, or -1 when the batch is full (a bug: the
 * run then fails, so that no page reads a result that is not there). */
int		 db_batch_add(struct db_batch *, const char *name, const char *sql,
		    int nparams, const char *const *params);
/* Queue one of the app's prepared statements (db_exec's). */
/* Every value of the results still in b (not taken), with their shapes and
 * NULLs, appended to out: equal prints, equal results (a page's inputs). */
void		 db_batch_print(const struct db_batch *, struct buf *out);
int		 db_batch_add_stmt(struct db_batch *, enum db_stmt, int nparams,
		    const char *const *params);
/* Run them all: 0 when every one succeeded, else -1 (the first failure
 * logged, as db_exec's). */
int		 db_batch_run(struct db *, struct db_batch *);
/* Statement i's result (the caller PQclear()s it), NULL unless run. */
struct pg_result *db_batch_take(struct db_batch *, int i);
void		 db_batch_free(struct db_batch *);
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
/* The number in column "n" of a one-row count query (ad hoc), or -1. */
int		 db_count(struct db *, const char *sql, int nparams, const char *const *params);
/* Column value by name; "" when NULL or missing. */
const char	*db_get(struct pg_result *, int row, const char *column);
int		 db_isnull(struct pg_result *, int row, const char *column);
/* For loops over many rows: a column's number once (-1 if absent), then
 * its values by number ("" for NULL or out of range). */
int		 db_col(struct pg_result *, const char *column);
const char	*db_value(struct pg_result *, int row, int col);
int		 db_rows(struct pg_result *);
/* 1 when the last failure was this SQLSTATE (e.g. "23503", a foreign key). */
int		 db_failed_with(const struct db *, const char *sqlstate);
/* 1 when there is no usable connection (the server is down or restarting). */
int		 db_is_down(const struct db *);
/* 1 when the last failure means "try again later" (down, stalled, timed
 * out, out of connections, a lock not granted): answer 503, not 500. */
int		 db_unavailable(const struct db *);
/* The next statement may wait up to ms on the server (a statement_timeout
 * raised for it with SET LOCAL): the client waits as long, plus the grace. */
void		 db_expect_wait(struct db *, int ms);
/* A new unit of work (a request): the failures above start afresh. */
void		 db_forget_failure(struct db *);
void		 db_clear(struct pg_result *);

/* ---------------------------------------------------- cdef.c, cdef-util.c */

/* One connector definition, connectors/<key>.hdf, checked against the format
 * connectors/README.md describes. */
#define CDEF_NAME_MAX	40	/* a protocol, field, option or API type name */
#define TEST_HEADER_MAX	250	/* a Test.headers word, "Name:value" (loader and tester) */
struct cdef_line;
struct _neo_err;
struct cdef {
	const char		*file;		/* names the file in messages */
	struct _hdf		*def;		/* the checked tree, defaults in */
	struct cdef_line	*lines;		/* where each node is declared */
	size_t			 nlines;
	char			*err;		/* where messages go */
	size_t			 errlen;
};

/* Check the len bytes of text (NUL-terminated, no NUL inside) before and
 * after HDF parses them from memory, and write the format's defaults into
 * cd->def. -1 with "file:line: node: message" in err. cdef_free after
 * either. */
int		 cdef_read(struct cdef *, const char *file, const char *text,
		    size_t len, char *err, size_t errlen);
void		 cdef_free(struct cdef *);
/* That message for path.key of what cdef_read read (the line of the node,
 * else of the nearest one above it); returns -1. */
int		 cdef_error(struct cdef *, const char *path, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* HDF's message (nerr is freed) as "file:line: message" when it names a
 * line of text cdef_read parsed, else "file: message"; file may be NULL. */
void		 cdef_neoerr(struct _neo_err *nerr, const char *file, char *err,
		    size_t errlen);
/* A direct child of `node` by name (compared, never a dotted HDF path);
 * node may be NULL. */
struct _hdf	*cdef_child(struct _hdf *node, const char *name);
/* The value of a direct child; NULL when absent or a block. */
const char	*cdef_val(struct _hdf *node, const char *name);

/* -------------------------------------------------------------- catalog.c */

/* The connector catalog, loaded from connectors/<key>.hdf at start-up;
 * connectors/README.md describes the format and the defaults filled in. */
struct catalog_entry;
struct catalog {
	struct _hdf	*hdf;		/* HDF: Connectors.<key>.* */
	char		**keys;		/* sorted by title */
	size_t		 nkeys;
	struct catalog_entry *by_key;	/* the nodes, sorted by key: a list
					 * page looks up each row's connector */
};

/* Load and check every definition; -1 with "file:line: node: message". */
int		 catalog_load(struct catalog *, const char *dir, char *err, size_t errlen);
void		 catalog_free(struct catalog *);
/* The connector's node (HDF *), or NULL when there is no such connector.
 * Names from requests are compared, never used as HDF paths. */
void		*catalog_get(const struct catalog *, const char *key);
const char	*catalog_title(const struct catalog *, const char *key);
const char	*catalog_protocol_label(const struct catalog *, const char *key,
		    const char *protocol);
/* `key` of a Test or OAuth node, or of its ApiTypes.<api_type> override when
 * that has one (api_type may be NULL or ""); NULL when absent. */
const char	*catalog_value(const void *node, const char *key, const char *api_type);
/* Expand a URL template: "{f}" is field f's value percent-encoded, "{+f}"
 * keeps URL characters (and drops a trailing "/" before a "/"). -1 with a
 * message when a field has no value. */
typedef const char *(*catalog_value_fn)(void *arg, const char *field);
int		 catalog_expand(const char *tmpl, catalog_value_fn, void *arg,
		    struct buf *out, char *err, size_t errlen);

/* ----------------------------------------------------------------- auth.c */

/* argon2id password hashes (libsodium crypto_pwhash_str). */
int		 auth_hash_password(const char *password, char out[128]);
/* 0 on match; sets *rehash when the stored hash uses other parameters. */
int		 auth_verify_password(const char *hash, const char *password, int *rehash);
/* A hash to verify against when the e-mail is unknown, made once a process,
 * so an unknown account costs exactly one verification, like a known one. */
int		 auth_dummy_hash(char out[128]);
/* Random token as base64url (no padding) of `bytes` bytes; out has room for 2*bytes. */
void		 auth_random_token(char *out, size_t outlen, size_t bytes);
/* SHA-256 of a token, as the bytea hex literal "\\x…" (65+2 chars + NUL). */
void		 auth_token_hash_hex(const char *token, char out[68]);
/* Session, CSRF and API tokens: 32 random bytes, base64url without padding. */
#define AUTH_TOKEN_CHARS	43
/* 1 when t has a token's shape (checked before any lookup). */
int		 auth_token_shape_ok(const char *t);
/* Seconds a (account, client) pair must still wait after `failures` recent failures
 * whose last one was `since_last` seconds ago; 0 when it may try now. */
int		 auth_login_delay(int failures, int since_last, int free_failures, int max_delay);

/* -------------------------------------------------------------- migrate.c */

int		 migrate_run(struct db *, const char *sql_dir, int verbose);

/* ------------------------------------------------------------------ app */

struct FCGX_Request;
struct _parse;

/* Process state: one of these a worker, alive for the worker's life. */
struct app {
	struct config	 cfg;
	struct db	 db;
	struct vault	 vault;
	struct catalog	 catalog;
	struct netpolicy netpolicy;
	struct render_cache *templates;
	unsigned char	 flash_key[32];	/* signs flash cookies; derived from the master key */
	unsigned char	 pre_key[32];	/* signs sign-in form tokens; derived likewise */
	char		 dummy_hash[128];	/* verified for unknown e-mails: same cost */
	char		*all_teams_html;	/* admins' team filter options, */
	int64_t		 all_teams_version;	/* as of this teams version */
	char		*connector_options_html;	/* the connector filter's */
	struct list_cache *list_cache;	/* rendered Integrations pages (listcache.c) */
	struct rowcache	*rowcache;	/* rendered rows of that list (rowcache.c) */
	struct list_mirror *mirror;	/* the list's rows (listmirror.c); NULL: off */
	/* Whom each session cookie (its hash) belonged to when last checked:
	 * a page's reads go with the next check for that user (session.c). */
	struct session_seen {
		char		 hash[68];	/* "": free */
		int64_t		 user_id;
		int		 is_admin;
	}		 sessions_seen[256];
	unsigned long	 served;
};

/* -------------------------------------------------------------- actor.c */

/*
 * Who acts, from where, in which request: all that domain code (connections,
 * secrets, tests, OAuth, audit, flows) knows of its caller. Pages and the API
 * act as the signed-in user (session.c fills req.actor); tetherctl and a
 * background worker as the system. See docs/ARCHITECTURE.md.
 */
struct actor {
	struct app	*app;
	int64_t		 user_id;	/* 0: nobody signed in, or the system */
	int		 is_admin;
	const char	*email;		/* the audit trail's name for them; "" for nobody */
	const char	*client_addr;	/* "" when not over HTTP */
	const char	*request_id;	/* in log lines and audit entries */
};

/* The system (tetherctl, a worker): an admin with no user id, named `label`
 * in the audit trail, from "local". */
void		 actor_system(struct actor *, struct app *, const char *label,
		    const char *request_id);

/* apitoken.c: API tokens, their scopes, expiry and client range */
#define APITOKEN_BYTES		32
#define APITOKEN_CHARS		(APITOKEN_BYTES * 2)
#define APITOKEN_NAME_MAX	120
#define APITOKEN_DAYS_MAX	3650
/* Scope i is bit i of a mask; the names in this order, NULL-terminated. */
extern const char *const apitoken_scope_names[];
#define APITOKEN_CONNECTIONS_READ	(1u << 0)
#define APITOKEN_CONNECTIONS_WRITE	(1u << 1)
#define APITOKEN_CONNECTIONS_USE	(1u << 2)
#define APITOKEN_FLOWS_WRITE		(1u << 3)
#define APITOKEN_TESTS_RUN		(1u << 4)
/* What a token had before scopes, and has when none are chosen. */
#define APITOKEN_SCOPES_DEFAULT	\
	(APITOKEN_CONNECTIONS_READ | APITOKEN_FLOWS_WRITE | APITOKEN_TESTS_RUN)
struct apitoken_spec {
	const char	*name;
	unsigned	 scopes;	/* a mask of APITOKEN_* */
	int		 expires_days;	/* 0: does not expire */
	const char	*client_range;	/* NULL or "": any address */
};
/* "a,b" into a mask: NULL, or a message for the user. */
const char	*apitoken_scopes_parse(const char *list, unsigned *mask);
unsigned	 apitoken_scopes_from_pg(const char *text_array);
void		 apitoken_scopes_text(unsigned mask, const char *sep, struct buf *);
/* An IPv4/IPv6 address or CIDR range: NULL, or a message. */
const char	*apitoken_range_valid(const char *);
/* 0 made (token, shown once, and id set); 1 refused (invalid spec, no such
 * enabled user, or not the actor's to make: their own, or a service
 * account's for administrators); -1 failure. */
int		 apitoken_create(const struct actor *, int64_t user_id,
		    const struct apitoken_spec *, char token[APITOKEN_CHARS + 1], int64_t *id);
/* 0 revoked; 1 no such token of the actor's; 2 already revoked; -1 failure. */
int		 apitoken_revoke(const struct actor *, int64_t id);
/* A service account named `name` (administrators): 0 made, 1 refused, -1. */
int		 apitoken_service_account_add(const struct actor *, const char *name,
		    int64_t *id);

/* once.c: one-time form tokens (a double click runs one action) */
#define ONCE_BYTES	16
void		 once_new(char *out, size_t outlen);
int		 once_shape_ok(const char *);
int		 once_take(const struct actor *, const char *);
/* Runs in the background on a taken token (Test, Create, Save): start one
 * (action "test", "create" or "save"; inputs NULL or URL-encoded
 * non-secret fields),
 * keep its outcome, find the connection of a user's token (0: none). */
int		 once_start(const struct actor *, const char *, int64_t id,
		    const char *action, const char *inputs);
int		 once_finish(const struct actor *, const char *, const char *kind,
		    const char *message);
int64_t		 once_connection(const struct actor *, const char *);

/* app.c */
/* Everything a process needs before serving: config, vault (checked
 * against the database), catalog, network policy. -1 with a message. */
int		 app_open(struct app *, const char *conf, int need_vault, char *err,
		    size_t errlen);
void		 app_close(struct app *);
/* Fork a child of a master (tether-fcgi, tether-worker) that runs body, then
 * app_close and _exit with body's result; it dies with its master. The
 * child's pid, or -1 (said on stderr with prog). */
pid_t		 app_spawn(struct app *, const char *prog,
		    int (*body)(struct app *, void *), void *arg);
/* Hex for bytea parameters (decode($1, 'hex')) and columns (encode(x, 'hex')). */
char		*app_hex(const unsigned char *, size_t);
unsigned char	*app_unhex(const char *, size_t *len);

/* listcache.c: rendered Integrations pages, served again while current. */
struct list_cache;
struct list_cache *list_cache_new(int nslots);	/* NULL when nslots is 0 */
void		 list_cache_free(struct list_cache *);
/* listmirror.c: a worker's copy of what the list shows of every connection,
 * brought up to a list version by the rows changed since (sql/034). */
struct list_mirror;
#define MIRROR_PAGE	50
struct mirror_row {
	int64_t		 id;
	int64_t		 tested_us;	/* INT64_MIN: never tested */
	int64_t		 owner;		/* owner_team_id */
	int64_t		 rv;		/* the list version it was read at */
	int32_t		 expires;	/* earliest expiry, days since 1970; INT32_MAX: none */
	size_t		 nshares;
	int64_t		*shares;	/* teams it is shared with */
	const char	*name, *key, *connector, *protocol, *status, *tested, *result, *flows;
};
/* A view: the filters as connlist's, decided by the caller. */
struct mirror_view {
	int		 sort;		/* connlist_sorts' index */
	const char	*q;		/* lowered (list_mirror_lower), or NULL */
	const char	*connector, *status;	/* NULL: any */
	int		 expiring;
	int64_t		 team;		/* 0: any */
	const int64_t	*teams;		/* the viewer's teams; NULL: an admin */
	size_t		 nteams;
	int		 horizon;	/* health.expiry_horizon_days */
	long long	 page;
	int64_t		 after, before;	/* a cursor row's id, or 0 */
};
struct mirror_page {
	long long		 total;
	long long		 health[3];	/* failing, needs reconnect, expiring */
	int			 cursor_found;
	int			 n;
	struct mirror_row	*rows[MIRROR_PAGE];
};
struct list_mirror *list_mirror_new(void);
void		 list_mirror_free(struct list_mirror *);
/* Up to at least list version `version` and teams version `teams_version`
 * (a session lookup's): 0, or -1 when the database failed. */
int		 list_mirror_sync(struct list_mirror *, struct db *, int64_t version,
		    int64_t teams_version);
int64_t		 list_mirror_version(const struct list_mirror *);
int64_t		 list_mirror_teams_version(const struct list_mirror *);
const struct mirror_row *list_mirror_get(const struct list_mirror *, int64_t id);
const char	*list_mirror_team_name(const struct list_mirror *, int64_t id);
/* The i-th team in the team filter's order: 1, or 0 past the last. */
int		 list_mirror_team_at(const struct list_mirror *, size_t i, int64_t *id,
		    const char **name);
/* s lowered as PostgreSQL's lower() in a C.UTF-8 database: 0, or -1. */
int		 list_mirror_lower(const struct list_mirror *, const char *s, char *out,
		    size_t size);
void		 list_mirror_page(struct list_mirror *, const struct mirror_view *,
		    struct mirror_page *);
/* rowcache.c: the list's rows a worker keeps, by id and the values shown. */
struct rowcache;
struct rowcache	*rowcache_new(int nslots);	/* NULL when nslots is 0 */
void		 rowcache_free(struct rowcache *);

/* connlist.c: the connections an actor may see, filtered, searched and
 * sorted (the Integrations tab and GET /api/v1/connections). */
#define CONNLIST_NSTATUSES	6
#define CONNLIST_NSORTS		4
#define CONNLIST_CURSOR_MAX	2048
enum {
	CONNLIST_Q		= 1 << 0,
	CONNLIST_CONNECTOR	= 1 << 1,
	CONNLIST_STATUS		= 1 << 2,
	CONNLIST_TEAM		= 1 << 3,
	CONNLIST_VISIBLE	= 1 << 4,	/* not an admin: their teams' and shared */
	CONNLIST_EXPIRING	= 1 << 5,	/* status=expiring: within the horizon */
	CONNLIST_UNUSED		= 1 << 6,	/* unused=N: no credential read in N days */
	CONNLIST_AFTER		= 1 << 7,	/* after a cursor's row */
	CONNLIST_AFTER_NULL	= 1 << 8,	/* ... whose last_tested_at is NULL */
};
struct connlist_choice {
	const char	*key;
	const char	*label;
};
extern const struct connlist_choice connlist_statuses[CONNLIST_NSTATUSES];
extern const struct connlist_choice connlist_sorts[CONNLIST_NSORTS];
/* The filters of one view; strings point into the caller's input. The
 * prepared statement of a view is named by mask and sort. */
struct connlist {
	const char	*q, *connector, *status, *team, *unused;
	int		 sort;		/* index in connlist_sorts */
	unsigned	 mask;		/* CONNLIST_* */
	char		 like[220];	/* q with LIKE wildcards escaped */
	char		 horizon[16];	/* health.expiry_horizon_days */
	char		 uid[24];
	char		 after_id[24], after_key[1024];
};
/* No filter, sorted by name, visible to `who`. */
void		 connlist_init(struct connlist *, const struct actor *who);
/* Set filter `key` (q, connector, status, team, unused, sort) to v ("" or
 * NULL: unset): NULL, or a sentence saying why v was not taken. */
const char	*connlist_set(struct connlist *, const struct catalog *, const char *key,
		    const char *v);
/* " WHERE …" for c (connections) into sql, its parameters into params (at
 * most 10): their number. */
int		 connlist_where(const struct connlist *, struct buf *sql, const char **params);
/* " FROM … c WHERE …": the rows the view shows as c, from the actor's
 * teams and shares in parts the planner can read in order (prefer it to
 * "FROM connections c" + connlist_where for ORDER BY … LIMIT and counts);
 * parameters as connlist_where. */
int		 connlist_from(const struct connlist *, struct buf *sql, const char **params);
/* As connlist_from, for a caller that reads at most `take` rows of the view
 * in connlist_order (its LIMIT plus OFFSET, or a cursor's limit): a
 * member's teams and shares are each read in that order up to take (one
 * more parameter; a decimal string the caller keeps). With `cursor` (a
 * row id), only the rows after it (before: before it, read backwards, in
 * the keyset's order), as connlist_keyset_where. */
int		 connlist_from_top(const struct connlist *, struct buf *sql,
		    const char **params, const char *take, const char *cursor, int before);
/* "SELECT … AS n": the view's exact total from the trigger-kept counts
 * (sql/031) when it filters by status and team only; -1 (nothing
 * written) when it must be counted over rows. */
int		 connlist_count_kept(const struct connlist *, struct buf *sql,
		    const char **params);
/* "SELECT failing, reconnect, expiring": the health summary of what the
 * actor may see, whatever the filters; parameters (2) as connlist_where. */
int		 connlist_health(const struct connlist *, struct buf *sql, const char **params);
/* The ORDER BY of the view's sort (c.*). */
const char	*connlist_order(const struct connlist *);
/* Keyset pages: the sort's key as a row value of c (the listed row) and of
 * k (the cursor row), the sort's order and its reverse (both over c). */
struct connlist_keyset {
	const char	*row, *cursor, *forward, *backward;
	int		 descending;	/* 1: the next page's keys are smaller */
};
const struct connlist_keyset *connlist_keyset(const struct connlist *);
/* Append " AND" the rows after (before: before) the visible row `id` in the
 * sort's order; params from params[n] on (two at most): the new count. */
int		 connlist_keyset_where(const struct connlist *, struct buf *sql,
		    const char **params, int n, const char *id, int before);
/* Append the cursor after the row with `id` and sort key `sortkey`
 * (lower(name), or last_tested_at as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" in UTC;
 * NULL when the column is NULL), signed with `key` (32 bytes). */
void		 connlist_cursor(const struct connlist *, const unsigned char *key,
		    const char *id, const char *sortkey, struct buf *out);
/* Take a cursor for the view (after its filters and sort are set): NULL,
 * or why it is refused (not signed by key for these filters, another sort). */
const char	*connlist_cursor_read(struct connlist *, const unsigned char *key,
		    const char *cursor);

/* ctl-vault.c */
int		 ctl_rotate_key(struct app *, int argc, char **argv);
int		 ctl_rotate_master_key(struct app *, int argc, char **argv);
/* ctl-test.c */
int		 ctl_test(struct app *, int argc, char **argv);
/* tetherctl connection list|show|test|export (ctl-connection.c) */
int		 ctl_connection(struct app *, int argc, char **argv);
/* ctl-demo.c: demo seed TEAM... (placeholder secrets for deploy/demo.sql) */
int		 ctl_demo(struct app *, int argc, char **argv);

/* ------------------------------------------------------------- render.c */

/* Templates parsed once a worker and reused for every request. */
struct render_cache;
struct render_cache *render_cache_new(const char *templates_dir);
void		 render_cache_free(struct render_cache *);
/* Markup written in C (a list's rows, a select's hundreds of options)
 * goes into the page as it is written out, not through HDF, where
 * ClearSilver would copy it when it is set and again when `escape: "none"`
 * prints it: render_splice sets `name` to a mark and takes the buffer
 * (html is left as buf_free leaves it: buf_init it to use it again), and
 * render_template writes the buffer where the template prints the mark (a
 * plain <?cs var:name ?>). */
#define RENDER_MAX_SPLICES	4
typedef void	 render_writer(struct buf *out, void *arg);
struct render_splices {
	struct buf	 b[RENDER_MAX_SPLICES];		/* owned */
	const char	*data[RENDER_MAX_SPLICES];	/* b's, or borrowed */
	size_t		 len[RENDER_MAX_SPLICES];
	render_writer	*fn[RENDER_MAX_SPLICES];	/* or written by fn(out, arg) */
	void		*arg[RENDER_MAX_SPLICES];
	int		 n;
};
void		 render_splice(struct _hdf *node, const char *name,
		    struct render_splices *, struct buf *html);
/* The same for markup that outlives the render (a worker's kept options):
 * not copied. */
void		 render_splice_kept(struct _hdf *node, const char *name,
		    struct render_splices *, const char *html);
/* The same for markup written straight into the page when the mark is
 * printed (a list's rows: not built beside the page, then copied): fn and
 * arg must last until the render is over. */
void		 render_splice_writer(struct _hdf *node, const char *name,
		    struct render_splices *, render_writer *fn, void *arg);
void		 render_splices_free(struct render_splices *);
/* Render `tmpl` with `hdf` (and splices, or NULL) into `out`; -1 on any
 * template error (logged). */
int		 render_template(struct render_cache *, const char *tmpl,
		    struct _hdf *hdf, const struct render_splices *, struct buf *out,
		    char *err, size_t errlen);
/* The worker's global HDF (the cache owns it; created empty when first
 * asked): values the same for every request, set once, which templates read
 * where the request's HDF has no such name. Only page-index.c sets names
 * there (Options.Connectors|Statuses|Sorts, Popular); no other page may
 * use them. */
struct _hdf	*render_global(struct render_cache *);
/* A fresh request HDF (values only; the caller hdf_destroy()s it). */
struct _hdf	*render_hdf_new(void);
/* The node named by a printf format (created if missing): rows of a table. */
struct _hdf	*render_node(struct _hdf *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Set child `name` of `node` to `value`; names are ours, values anyone's. */
void		 render_set(struct _hdf *node, const char *name, const char *value);
void		 render_set_int(struct _hdf *node, const char *name, long long value);
/* Append `s` escaped for HTML text and attribute values exactly as
 * ClearSilver's html escape mode: for markup built in C (rowcache.c). */
void		 render_html(struct buf *, const char *s);
/* "\n<option value=\"V\"[ selected]>LABEL</option>", both escaped as
 * render_html: an option of a template's each-loop, written in C where a
 * select has hundreds (the list's team filter). */
void		 render_option_html(struct buf *, const char *value, const char *label,
		    int selected);
/* html (render_option_html's options, none selected) with the option of
 * `value` selected, appended to out; as it is when no option has it. */
void		 render_options_selected(struct buf *out, const char *html, const char *value);
/* Row `row` of res into node: map is { "HdfName", "column", …, NULL }. */
void		 render_row(struct _hdf *node, struct pg_result *res, int row,
		    const char *const *map);
/* Each row of res as `prefix`.N, mapped as render_row's. */
void		 render_rows(struct _hdf *root, const char *prefix, struct pg_result *res,
		    const char *const *map);

/* --------------------------------------------------------------- team.c */

/* The teams the actor may create connections and named credentials in (the
 * ones they manage; all for admins): id, name, by name. NULL on failure. */
struct pg_result *team_managed(const struct actor *);

/* --------------------------------------------------------------- jobs.c */

/* A claimed job (sql/010_jobs.sql): kind check, refresh or expiry. */
struct job {
	int64_t		 id;
	char		 kind[16];
	int64_t		 connection_id;	/* 0: none (the expiry sweep) */
	int64_t		 user_id;	/* 0: the shared credentials */
	int		 attempts;	/* this claim included */
	int		 forced;	/* run now, whatever it would wait for (--all) */
};

/*
 * A job handler runs one claimed job and says when it is due again:
 * seconds from now (> 0), JOB_DELETE when the job has no more reason to be
 * (its connection gone, no token left to refresh), JOB_FAILED when it could
 * not run (the database gone) or failed for a reason that may pass (a token
 * endpoint answering 503): it is taken again after its lease, with the
 * backoff of its attempts.
 */
#define JOB_DELETE	0
#define JOB_FAILED	(-1)
typedef long (*job_handler)(const struct actor *, const struct job *);

/* Claim at most `max` due jobs for `worker_id` (unique per process) into
 * out[]; how many, -1 on a database failure. */
int		 jobs_claim(const struct actor *, const char *worker_id, int max,
		    struct job *out);
/* Run a claimed job by its kind's handler; what the handler returns. */
long		 jobs_run(const struct actor *, const struct job *);
/* Record a handler's answer (next run in seconds, JOB_DELETE, JOB_FAILED). */
int		 jobs_finish(const struct actor *, const char *worker_id, const struct job *,
		    long next);
/* Before running a claimed job: renew its lease; 1 when it is still ours,
 * 0 when another worker took it after the lease ran out, -1 on failure. */
int		 jobs_start(const struct actor *, const char *worker_id, const struct job *);
/* Give back a job claimed but not run (the worker stops). */
int		 jobs_release(const struct actor *, const char *worker_id, const struct job *);
/* Make every connection's scheduled check due now (--once --all). */
int		 jobs_all_checks_due(const struct actor *);

/* health.c: the scheduled check of one connection (kind "check"). */
long		 job_check(const struct actor *, const struct job *);
/* refresh.c: refresh one connection's OAuth tokens before they expire
 * (kind "refresh"), and the sweep that announces expiring secrets (kind
 * "expiry"). */
long		 job_refresh(const struct actor *, const struct job *);
long		 job_expiry(const struct actor *, const struct job *);

/* webhook.c, mail.c: deliver what the events outbox holds for webhooks and
 * e-mail, at most `max` deliveries claimed by this call; the number done,
 * -1 on a database failure. Called by tether-worker's loop. */
int		 webhook_deliver_due(const struct actor *, int max);
int		 mail_send_due(const struct actor *, int max);

/* -------------------------------------------------------------- event.c */

/* Event types (the webhook event names). */
#define EVENT_FAILING		"connection.failing"
#define EVENT_NEEDS_RECONNECT	"connection.needs_reconnect"
#define EVENT_RECOVERED		"connection.recovered"
#define EVENT_EXPIRING		"connection.expiring"
#define EVENT_REFRESH_FAILED	"connection.refresh_failed"
#define EVENT_CREATED		"connection.created"
#define EVENT_UPDATED		"connection.updated"
#define EVENT_DELETED		"connection.deleted"

/* Record that `type` happened to connection `conn_id`, in the caller's
 * transaction (call before a delete: the payload is read from the row).
 * The payload: {"connection": {id, name, connector, protocol, api_type,
 * execution_context, status, owner_team: {id, name}}, "actor": email}
 * merged with `extra_json` (an object; NULL for none). Never a secret. */
int		 event_connection(const struct actor *, const char *type, int64_t conn_id,
		    const char *extra_json);

/* ------------------------------------------------------------ webhook.c */

/* Webhook endpoints (sql/011_notify.sql) and their Standard Webhooks
 * deliveries; webhook_deliver_due is declared with the worker's jobs. */
#define WEBHOOK_SECRET_SIZE	64	/* "whsec_" + base64 of 32 bytes + NUL */
#define WEBHOOK_EVENTS_MAX	8
/* Every event type an endpoint may subscribe to, NULL-terminated. */
extern const char *const webhook_events[];
int		 webhook_event_known(const char *type);
/* A new signing secret, "whsec_" + base64 of 32 random bytes. */
void		 webhook_secret_new(char out[WEBHOOK_SECRET_SIZE]);
/* "v1,<base64 HMAC-SHA256 of msg_id.ts.body>" keyed by the base64-decoded
 * part of `secret` ("whsec_…"), into out; -1 when the secret is malformed. */
int		 webhook_sign(const char *secret, const char *msg_id, long long ts,
		    const char *body, size_t bodylen, char *out, size_t outlen);
/* Seconds before the next try after `attempts` failed ones: 5 s ×4 each
 * time, at most 6 h; a delivery gives up a day after its event. */
long		 webhook_retry_delay(int attempts);
/* Seconds a claim of `max` deliveries (or e-mails) is leased for:
 * worker.lease_seconds plus the longest the transfers may take. */
long		 webhook_lease(const struct app *, int max);
/* NULL when `url` may be an endpoint (https, the form's checks, and one
 * an address it resolves to allowed by the outbound policy), else a sentence. */
const char	*webhook_url_check(const struct app *, const char *url);
/* Create an endpoint (events: none means all; team_id 0: every team's
 * connections), audited: 0 with *id and the secret, shown once; -1. */
int		 webhook_create(const struct actor *, const char *url,
		    const char *const *events, size_t nevents, int64_t team_id,
		    int64_t *id, char secret[WEBHOOK_SECRET_SIZE]);
/* Audited; 0 done, 1 no such endpoint, -1 on a database failure. */
int		 webhook_remove(const struct actor *, int64_t id);
int		 webhook_set_enabled(const struct actor *, int64_t id, int enabled);

/* ------------------------------------------------------------- uplink.c */

/*
 * Uplinks (sql/001_schema.sql, 020_uplinks.sql): named HTTP proxies into
 * customers' networks, each with its allowlist (what its proxy may be), the
 * addresses its traffic leaves from (egress) and an optional probe
 * (host:port) its Test tunnels to. Used by tetherctl uplink and /uplinks;
 * every change audited (object type "uplink").
 */
struct probe_outcome;
#define UPLINK_NAME_MAX		120
#define UPLINK_LIST_MAX		2000	/* allow, egress */
#define UPLINK_IN_USE		2	/* remove: connections use it */
#define UPLINK_TAKEN		3	/* create, update: the name is another's */
struct uplink_in {
	const char	*name;
	const char	*proxy_url;
	const char	*allow;
	const char	*egress;
	const char	*probe;		/* "" or host:port */
};
/* Why each field was refused (NULL: fine); messages for people. */
struct uplink_errors {
	const char	*name, *proxy_url, *allow, *egress, *probe;
	char		 allow_buf[200], egress_buf[200];
};
/* The number of fields refused (0: all fine), each with its message. */
int		 uplink_check(const struct uplink_in *, struct uplink_errors *);
/* NULL when `list` is empty or comma-separated IPv4/IPv6 addresses or CIDR
 * ranges; else a sentence in err (outbound.egress_addresses, an uplink's). */
const char	*uplink_egress_check(const char *list, char *err, size_t errlen);
/* 0 done; UPLINK_TAKEN; update and remove: 1 when there is no such uplink;
 * remove: UPLINK_IN_USE (nothing removed); -1 failure. Checked input only. */
int		 uplink_create(const struct actor *, const struct uplink_in *, int64_t *id);
int		 uplink_update(const struct actor *, int64_t id, const struct uplink_in *);
int		 uplink_remove(const struct actor *, int64_t id);
/* The id of uplink `name`, 0 when none, -1 on failure. */
int64_t		 uplink_id(struct app *, const char *name);
/* Uplink `id`'s egress addresses in *out (the caller frees); 1 when none. */
int		 uplink_egress(struct app *, int64_t id, char **out);
/* Test uplink `id` (probe_tunnel to its probe, or a CONNECT handshake only),
 * audited; *reached when it passed, a sentence in msg. 0 tested (o->result), 1 no such uplink, -1. */
int		 uplink_test(const struct actor *, int64_t id, struct probe_outcome *,
		    int *reached, char *msg, size_t msglen);

/* -------------------------------------------------------------- audit.c */

/* Where a change's audit entry goes: after the statement, or first (for a
 * change that moves the object to another team: the entry belongs to the
 * old one). */
enum audit_when {
	AUDIT_AFTER,
	AUDIT_FIRST,
};
/* Run one changing statement and its audit entry in one transaction:
 * 0 done, 1 when the statement changed no row (nothing kept), -1 failure. */
int		 audit_change(const struct actor *, enum audit_when, const char *stmt,
		    const char *sql, int n, const char *const *params,
		    const char *object_type, int64_t object_id, const char *label,
		    const char *action, const char *details_json);
/* Add an audit_log row; details_json may be NULL. */
int		 audit_add(const struct actor *, const char *object_type, int64_t object_id,
		    const char *object_label, const char *action, const char *outcome,
		    const char *details_json);

/* ----------------------------------------------------------------- log.c */

/* An error line naming the request (or run) it belongs to. */
void		 log_error(const char *request_id, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------- connector.c */

/* Reading one connector's definition (an HDF node from the catalog). */
struct _hdf	*connector_protocol(const struct catalog *, const char *connector,
		    const char *protocol);
const char	*connector_protocol_kind(const struct catalog *, const char *connector,
		    const char *protocol);
const char	*connector_api_type_label(const struct catalog *, const char *connector,
		    const char *api_type);
/* 1 when the definition allows this execution context ("system" / "per_user"). */
int		 connector_allows_context(const struct catalog *, const char *connector,
		    const char *context);
/* 1 when a field applies to the API type (no api_types list: all of them). */
int		 connector_field_applies(struct _hdf *field, const char *api_type);

/* --------------------------------------------------------------- conn.c */

/* What a user may do with a connection; each level includes the ones below. */
enum perm {
	PERM_NONE = 0,		/* answers exactly like a missing connection: 404 */
	PERM_VIEW,		/* viewer of the owner team */
	PERM_USE,		/* member, or a team it is shared with for use: may test */
	PERM_MANAGE,		/* manager, or shared for manage: edit, reconnect, share, delete */
};

struct conn {
	int64_t		 id;
	int64_t		 owner_team_id;
	char		*owner_team;
	char		*name;
	char		*description;
	char		*connector;
	char		*protocol;
	char		*api_type;
	char		*context;
	char		*status;
	char		*last_tested_at;
	char		*last_test_result;
	char		*last_test_message;
	char		*created_at;
	char		*created_by;
	char		*updated_at;
	char		*updated_by;
	char		*settings;	/* jsonb text */
	char		*granted_scopes;
	int64_t		 uplink_id;	/* 0: direct */
	int64_t		 oauth_client_id;	/* a saved OAuth client (sql/023); 0: none */
	struct oauth_identity {
		char	*account;	/* NULL: not known */
		char	*tenant;	/* NULL: not known */
	}		 identity;	/* whose tokens: the actor's own if per-user (sql/021) */
	char		*uplink;	/* its name */
	int64_t		 named_credential_id;	/* 0: none */
	char		*named_credential;	/* its name */
	int		 token_expiring;	/* OAuth access token (the actor's own for per-user) expired or about to */
	int		 version;
	int		 flow_count;
	enum perm	 perm;
	int		 owner_manager;	/* admin, or manager of the owner team: shares,
					 * transfers and deletes (a 'manage' share does not) */
	/* health: the failure run, the earliest expiry, the scheduled check */
	char		*failing_since;	/* "YYYY-MM-DD HH:MI" UTC, "" when not failing */
	int		 consecutive_failures;
	char		*check_interval;	/* default | off | 15m | 1h | 1d */
	char		*expires_on;	/* earliest secret or refresh token expiry, "";
					 * per-user: the actor's own included */
	int		 expires_in;	/* days from today to expires_on (< 0: expired) */
	/* per-user connections: the actor's own state (NULL for system ones) */
	int		 own_stored;	/* the actor stored credentials of their own */
	char		*own_status;	/* ok | failing | needs_reconnect | not_testable |
					 * not_connected */
	char		*own_tested_at;
	char		*own_result;
	char		*own_message;
	char		*own_failing_since;
	int		 own_failures;
};

/* Load connection `id` as the actor may see it; NULL when it does not exist
 * or they may not see it (*dberr set on a database failure). */
struct conn	*conn_get(const struct actor *, int64_t id, int *dberr);
/* conn_get in a batch with other reads (one round trip): queue it, run the
 * batch (db_batch_run: -1 is a database error), then take the connection. */
int		 conn_get_queue(const struct actor *, int64_t id, struct db_batch *);
struct conn	*conn_get_take(struct db_batch *, int at, int64_t id, int *dberr);
/* A kept tab's check (conn.c's conn_probe_sql), taken from a run batch: a
 * conn with only the level, flags, connector, protocol, API type, context,
 * settings, uplink and OAuth client set; NULL when the actor may not see it
 * or the read failed. */
int		 conn_probe_queue(const struct actor *, int64_t id, struct db_batch *);
struct conn	*conn_probe_take(struct db_batch *, int at, int64_t id);
void		 conn_free(struct conn *);
/* Set the connection mode (0: Direct) in the caller's transaction; 0 or -1. */
int		 conn_set_uplink(const struct actor *, int64_t id, int64_t uplink_id);
/* Status key -> label ("ok" -> "Connected"; also "not_connected"). */
const char	*conn_status_label(const char *status);
/* The status the actor sees: their own state of a per-user connection,
 * the connection's otherwise. */
const char	*conn_status_seen(const struct conn *);

/* ------------------------------------------------------------- secret.c */

/* A connection's shared secrets' expiry dates: {"field": "YYYY-MM-DD"}
 * (caller frees; NULL on a database failure). */
char		*secret_conn_expiry_json(struct app *, int64_t id);
/* The same two reads (stored, then expiry) on a batch: the index of the
 * first; secret_conn_json_take() gives each one's JSON ("{}" if absent). */
int		 secret_conn_json_queue(struct db_batch *, int64_t id);
char		*secret_conn_json_take(struct db_batch *, int i);
/* A user's own secret of a per-user connection: its expiry, as below. */
int		 secret_user_set_expiry(const struct actor *, int64_t id, int64_t owner,
		    const char *field, const char *date);
/* The actor's own secrets' expiry dates: {"field": "YYYY-MM-DD"}. */
char		*secret_user_expiry_json(const struct actor *, int64_t id);
/* Set (date "YYYY-MM-DD") or clear (NULL) a stored shared secret's expiry;
 * 0, 1 when no such secret is stored, -1 on failure. The connection's
 * secrets_expire_on follows by trigger (sql/009_health.sql). */
int		 secret_conn_set_expiry(const struct actor *, int64_t id, const char *field,
		    const char *date);

/* A protocol has at most this many secret fields. */
#define SECRET_FIELDS_MAX	16

/* Wipe, then free, a decrypted secret (NULL is fine). */
void		 secret_free(char *);
/* Load data key `version` from the database into the vault; 0 or -1. */
int		 secret_vault_load_key(struct app *, int version);
/* Make sure the newest data key (made by a rotation after this worker
 * started) is loaded and active before sealing. */
void		 secret_vault_current(struct app *);
/* The name a secret's ciphertext is bound to: the field, or for a user's own
 * secret of a per-user connection (`owner` > 0) "u<owner>:<field>". */
void		 secret_ad_field(int64_t owner, const char *field, char *out, size_t outlen);
/* A connection's secret field: `owner` 0 for the shared secrets, else that
 * user's own. Seal and upsert one: 0 or -1. */
int		 secret_conn_put(const struct actor *, int64_t id, int64_t owner,
		    const char *field, const char *value);
/* Decrypt one into *out (secret_free it). 0, 1 when not stored, -1 when it
 * does not decrypt or on a database failure. */
int		 secret_conn_get(const struct actor *, int64_t id, int64_t owner,
		    const char *field, char **out);
/* {"field": "changed at", …} of the shared stored secrets, malloc'd; NULL on
 * failure. */
char		*secret_conn_stored_json(struct app *, int64_t id);
/* Seal `value` for `vault_id` and `ad` with the newest data key: its version,
 * nonce and ciphertext in hex (malloc'd) for the database. 0 or -1. */
int		 secret_seal_hex(struct app *, int64_t vault_id, const char *ad,
		    const char *value, int *version, char **nonce_hex, char **ct_hex);
/* Unseal row `row` of res (columns key_version, nonce, ct in hex) into *out
 * (secret_free it): 0, or -1 when it does not decrypt. */
int		 secret_unseal_row(struct app *, struct pg_result *res, int row,
		    int64_t vault_id, const char *ad, char **out);
/* A named credential's secret: seal and upsert, or decrypt (as above). */
/* A table of sealed secrets keyed by (id, field), sealed for -id and the
 * field: named credentials, OAuth clients. put_sql takes $1 id, $2 field,
 * $3 key version, $4 nonce and $5 ciphertext in hex; get_sql $1 id, $2
 * field, and gives key_version, nonce, ct (hex). */
struct secret_place {
	const char	*what;		/* in log lines */
	const char	*put_name, *put_sql;
	const char	*get_name, *get_sql;
};
int		 secret_place_put(const struct actor *, const struct secret_place *,
		    int64_t id, const char *field, const char *value);
/* 0, 1 when none is stored, -1. */
int		 secret_place_get(const struct actor *, const struct secret_place *,
		    int64_t id, const char *field, char **out);
int		 secret_nc_put(const struct actor *, int64_t id, const char *field,
		    const char *value);
int		 secret_nc_get(const struct actor *, int64_t id, const char *field, char **out);
/* A named credential's secret's expiry: set ("YYYY-MM-DD") or clear (NULL),
 * as secret_conn_set_expiry. Connections using it follow by trigger (sql/013). */
int		 secret_nc_set_expiry(const struct actor *, int64_t id, const char *field,
		    const char *date);

/* --------------------------------------------------------- oauthclient.c */

/* Reusable OAuth 2.0 clients (sql/023). The vault's field for the secret. */
#define OAUTHCLIENT_SECRET_FIELD	"oauth_client.client_secret"
/* What a connection's token calls take from its client, read at each call. */
struct oauthclient {
	int64_t		 id;
	char		*client_id;
	char		*secret;	/* NULL unless asked for; wiped when freed */
	int		 post;		/* client_secret_post, else client_secret_basic */
	char		*token_url;	/* "": the connector's */
	char		*authorize_url;	/* "": the connector's */
};
/* A client as a form gives it (values checked by the page). */
struct oauthclient_in {
	const char	*team, *name, *connector, *protocol, *client_id, *secret;
	const char	*auth_method, *token_url, *authorize_url, *scopes;
};
/* 1 (and *oc filled) when connection `conn_id` uses a client, 0 when not,
 * -1 on failure; oauthclient_free() after 1. */
int		 oauthclient_for_conn(const struct actor *, int64_t conn_id, int with_secret,
		    struct oauthclient *);
void		 oauthclient_free(struct oauthclient *);
/* 1 when the actor may use (manage 0) or manage (1) client `id`, 0, -1. */
int		 oauthclient_may(const struct actor *, int64_t id, int manage);
/* The clients the actor may use (of one connector and protocol, or all when
 * connector is NULL): id, name, connector, protocol, client_id, auth_method,
 * team, uses, manage ("1" when the actor may edit it). */
struct pg_result *oauthclient_list(const struct actor *, const char *connector,
		    const char *protocol);
/* One client the actor may use (0 rows otherwise), as listed plus token_url,
 * authorize_url, scopes, owner_team_id, at, secret_at. */
struct pg_result *oauthclient_get(const struct actor *, int64_t id);
struct pg_result *oauthclient_uses(const struct actor *, int64_t id);	/* id, name, connector */
struct pg_result *oauthclient_shares(const struct actor *, int64_t id);	/* team_id, name, permission */
int		 oauthclient_secret_put(const struct actor *, int64_t id, const char *value);
/* The new id, 0 when the name is taken in the team (or the team is not the
 * actor's), -1 on failure. Audited, in one transaction. */
long long	 oauthclient_create(const struct actor *, const struct oauthclient_in *);
/* An empty in->secret keeps the stored one. 0, -1. */
int		 oauthclient_update(const struct actor *, int64_t id, const struct oauthclient_in *);
/* 0 deleted, 1 refused (connections use it), -1. */
int		 oauthclient_delete(const struct actor *, int64_t id, const char *name);
/* Share with `team` for `permission` ("use", "manage"), or stop (NULL). */
int		 oauthclient_share(const struct actor *, int64_t id, const char *name,
		    const char *team, const char *permission);
/* A connection form's non-secret values kept while its user is at a client
 * (urlencoded); the token (ONCE_BYTES, base64url) into token. 0, -1. */
int		 oauthclient_draft_put(const struct actor *, const char *form, char *token,
		    size_t len);
/* The actor's own draft (malloc'd), NULL when none. */
char		*oauthclient_draft_get(const struct actor *, const char *token);

/* -------------------------------------------------------------- answer.c */

#define ANSWER_VALUE_MAX	255
/* The first JSON member or XML element `name` of a test's answer, as a
 * printable string the caller frees; NULL when there is none. */
char		*answer_value(const char *body, size_t len, const char *name);
/* 1 when a JSON answer's top-level member `name` is true (expect_true). */
int		 answer_true(const char *body, size_t len, const char *name);

/* ----------------------------------------------------------------- pem.c */

/* PEM blocks of `in` (line breaks lost in a password field or not) as PEM
 * with 64-character lines, appended to out: 0, or -1 when not PEM. */
int		 pem_normalize(const char *in, struct buf *out);
/* The first certificate's notAfter as YYYY-MM-DD (UTC): 0, or -1. */
int		 pem_cert_not_after(const char *pem, char *date, size_t len);

/* ----------------------------------------------------------------- jwt.c */

/* Append to out "header.claims.signature": `claims` (a JSON object) signed
 * RS256 with the PEM RSA private key, `kid` (hex, or NULL) in the header.
 * 0, or -1 (out unchanged) when the key is not an RSA private key. */
int		 jwt_rs256(const char *pem_key, const char *kid, const char *claims,
		    struct buf *out);
/* The same with the header JSON given (jwt_header_x5t's, or the caller's). */
int		 jwt_sign(const char *pem_key, const char *header, const char *claims,
		    struct buf *out);
/* Append the RS256 header naming certificate `cert_pem` by its thumbprints
 * (x5t SHA-1, x5t#S256 SHA-256 of its DER, base64url): 0, or -1. */
int		 jwt_header_x5t(const char *cert_pem, struct buf *header);

/* --------------------------------------------------------------- probe.c */

/*
 * Outbound calls for connection tests and OAuth: libcurl with connect and
 * total timeouts, TLS verification always on, no redirects followed, a
 * capped response, proxies only from Tether's configuration, and every
 * address checked against the network policy at connect time.
 */
enum probe_result {
	PROBE_OK = 0,
	PROBE_BAD_CREDENTIALS,	/* 401, 403 */
	PROBE_NOT_FOUND,	/* 404 */
	PROBE_UNEXPECTED_STATUS,
	PROBE_TIMEOUT,
	PROBE_DNS,
	PROBE_TLS,
	PROBE_POLICY,		/* refused by the outbound network policy */
	PROBE_REDIRECT,
	PROBE_RATE_LIMITED,	/* 429 */
	PROBE_UNREACHABLE,	/* connection refused or reset */
	PROBE_PROTOCOL,		/* the peer spoke something unexpected */
	PROBE_NO_TLS,		/* SMTP without STARTTLS: refused before authenticating */
	PROBE_CREDENTIALS_MISSING,	/* a secret is not stored or cannot be decrypted */
	PROBE_NEEDS_RECONNECT,	/* OAuth: no token, or the grant was revoked */
	PROBE_UNSUPPORTED,	/* this connection cannot be tested here */
	PROBE_BUSY,		/* another test holds the OAuth refresh lock: try again */
	PROBE_NOT_CONNECTED,	/* per-user: this user has no credentials of their own */
	PROBE_NO_DATABASE,	/* PostgreSQL: no database of that name (issue 16 §1) */
};

#define PROBE_BODY_MAX	65536

struct probe_http {
	const char	*method;	/* GET, HEAD, POST */
	const char	*url;
	const char	*user;		/* basic auth, with password */
	const char	*password;
	const char	*header;	/* one extra header line "Name: value", or NULL */
	const char *const *headers;	/* more of them, NULL-terminated (webhooks), or NULL */
	const char	*body;		/* POST body, or NULL */
	const char	*content_type;
	const char	*proxy;		/* an uplink; NULL: direct */
	const struct netpolicy *policy;	/* an uplink's own allowlist; NULL: the app's */
	const char	*expect;	/* statuses that pass, "200 204"; NULL: 2xx */
	int		 allow_http;
	int		 timeout_ms;	/* shorter than outbound.timeout_ms; 0: that */
	/* issue 16 §1: sign with AWS Signature Version 4 ("aws:amz:REGION:
	 * SERVICE"), user the access key ID and password the secret key. */
	const char	*aws_sigv4;
	/* Mutual TLS: PEM certificate (chain) and private key, from memory. */
	const char	*client_cert, *client_key;
};

struct probe_outcome {
	enum probe_result result;
	long		 http_status;
	long		 latency_ms;
	struct buf	 body;		/* capped at PROBE_BODY_MAX; never shown to users */
};

void		 probe_outcome_init(struct probe_outcome *);
void		 probe_outcome_free(struct probe_outcome *);
int		 probe_http(const struct app *, const struct probe_http *, struct probe_outcome *);
int		 probe_smtp(const struct app *, const char *host, int port, const char *tls,
		    const char *user, const char *password, struct probe_outcome *);
/* Send `msg` (CRLF lines, headers first) through the relay `smtp_url`
 * (smtp://HOST[:PORT], STARTTLS required, or smtps://), with TLS verified
 * (mail.ca_bundle, else outbound.ca_bundle) and the outbound timeouts; the
 * relay is the operator's, so the network policy does not apply to it.
 * o->http_status is the last SMTP reply code. rcpts: NULL-terminated. */
int		 probe_smtp_send(const struct app *, const char *smtp_url, const char *user,
		    const char *password, const char *from, const char *const *rcpts,
		    const char *msg, struct probe_outcome *);
const char	*probe_result_key(enum probe_result);
/* A sentence for people; http_status fills "unexpected status N". */
void		 probe_result_sentence(enum probe_result, long http_status, char *out,
		    size_t outlen);
/* A PostgreSQL server's test (probe-pg.c, issue 16 §1). */
struct probe_pg {
	const char	*host, *database, *user, *password;
	const char	*sslmode;	/* verify_full verify_ca require disable */
	int		 port;
};
/* Resolve host, check the address against the outbound policy, connect to
 * that address (hostaddr=, host= for TLS), SELECT 1; classified in o. */
int		 probe_postgres(const struct app *, const struct probe_pg *,
		    struct probe_outcome *);
/* An uplink's Test: reach `proxy` (allowed by `policy`) and ask it for a
 * tunnel to host:port (CONNECT only). o->http_status: its answer, 0 none. */
int		 probe_tunnel(const struct app *, const char *proxy,
		    const struct netpolicy *policy, const char *host, int port,
		    struct probe_outcome *);

/* -------------------------------------------------------------- tester.c */

/* Test a connection for real, record it (connection_tests, the connection's
 * status and last test, the using flows' progress status) in one
 * transaction, and audit it. `trigger`: create, edit, manual (the Test
 * button), flow_open, api, reconnect, cli (tetherctl), schedule
 * (tether-worker), refresh. The status it gives: ok, failing,
 * needs_reconnect, or not_testable (PROBE_UNSUPPORTED: neutral); a change is
 * recorded in connection_status_changes and may emit a status event. 0 when tested and recorded; TESTER_BUSY when not
 * tested because another test is refreshing its OAuth token (o->result
 * PROBE_BUSY, nothing recorded: try again); TESTER_GONE when the connection
 * was deleted meanwhile (nothing recorded); -1 on failure. */
#define TESTER_BUSY		1
#define TESTER_GONE		2
#define TESTER_GONE_MESSAGE	"This connection was deleted while it was being tested."
/* A per-user connection is tested with the actor's own secrets, any other
 * with the shared ones. */
int		 tester_run(const struct actor *, const struct conn *, const char *trigger,
		    struct probe_outcome *, char *message, size_t messagelen);
/* Load connection `id` as the actor sees it and test it; *ok when it passed.
 * TESTER_GONE when it is no longer there (or went while it was tested). */
int		 tester_run_id(const struct actor *, int64_t id, const char *trigger,
		    char *message, size_t messagelen, int *ok);
/* Record an outcome found without running a test (the worker's refresh
 * answered invalid_grant) as a test with `trigger`, for `owner`'s state:
 * the same status change, history and event as a test. 0, TESTER_GONE, -1. */
int		 tester_record_outcome(const struct actor *, int64_t owner,
		    const struct conn *, const char *trigger, const struct probe_outcome *);
/* Test a candidate (new settings in c, typed secrets over the stored ones;
 * rebind: the typed ones only) without recording or storing anything: Edit's
 * test before save. PROBE_UNSUPPORTED for per-user, OAuth and named
 * credential connections. 0 tested (o->result), -1 on failure. */
int		 tester_try(const struct actor *, const struct conn *, char *const *field,
		    char *const *value, int n, int rebind, struct probe_outcome *);
/* 1 when the actor ran too many tests in the last minute. */
int		 tester_rate_limited(const struct actor *);
struct json_t;
/*
 * What a flow needs to call the system the way the connection's test does,
 * as JSON (`owner` > 0: that user's own secrets of a per-user connection):
 * "type" (basic, bearer, api_key with "in"/"name"/"prefix", oauth2, smtp,
 * none), "base_url" where the connector has one, and the values. OAuth: an
 * access token, refreshed first when it is about to expire (*oauth set);
 * never a refresh token or a client secret. 0 with *out (free it with
 * credentials_json_free, which wipes it); a probe_result > 0 saying why
 * there is nothing to give (PROBE_CREDENTIALS_MISSING, PROBE_NOT_CONNECTED,
 * PROBE_NEEDS_RECONNECT, PROBE_UNSUPPORTED, a refresh's failure); -1.
 */
int		 tester_credentials(const struct actor *, const struct conn *, int64_t owner,
		    struct json_t **out, int *oauth);
void		 credentials_json_free(struct json_t *);

/* credentials.c: a connection's credentials for one flow of the engine */
struct credential_ask {
	int64_t		 flow_id;	/* the flow the use is for */
	int64_t		 as_user;	/* per-user: the user it acts as; else 0 */
	int		 bypass;	/* hand them out though the last test failed */
	int64_t		 token_id;	/* the API token asking (audit), or 0 */
};
enum credential_answer {
	CRED_OK = 0,
	CRED_NOT_FOUND,		/* missing or not visible: 404 */
	CRED_FORBIDDEN,		/* visible, but the role may not use it */
	CRED_FLOW,		/* the flow does not use this connection */
	CRED_USER,		/* per-user: no user, or one who may not use it */
	CRED_NOT_READY,		/* its last test did not pass */
	CRED_NONE,		/* nothing to hand out (not connected, no token…) */
	CRED_BUSY,		/* another refresh holds the token's lock: ask again */
};
/* The credentials (*out, credentials_json_free it) or a refusal with a
 * sentence in why; every ask but CRED_NOT_FOUND is recorded and audited. -1
 * on failure. */
int		 credential_issue(const struct actor *, int64_t id,
		    const struct credential_ask *, struct json_t **out, char *why,
		    size_t whylen);

/* --------------------------------------------------------------- oauth.c */

/*
 * OAuth 2.0: authorization code with PKCE (S256) for Connect/Reconnect, the
 * client credentials grant, and refresh. Token endpoint answers are parsed
 * with jansson; tokens are stored as secrets (access_token, refresh_token),
 * their expiry and granted scopes on the connection.
 */
struct json_t;
/* Call the token endpoint with `grant` and the extra form pairs in `extra`
 * (already encoded, "&code=…"); store what it returns as `owner`'s tokens
 * (0: the connection's shared ones, else that user's own). token_url NULL:
 * the definition's. Sets o->result (needs_reconnect on invalid_grant). */
int		 oauth_token_call(const struct actor *, const struct conn *, int64_t owner,
		    struct _hdf *proto, struct json_t *settings, const char *client_secret,
		    const char *grant, const char *extra, const char *token_url,
		    struct probe_outcome *o);
/* The refresh lock of a connection's tokens (`owner`'s own for per-user
 * ones): opens a transaction and waits, bounded, for the advisory lock.
 * 0 held, 1 another holder did not let go in time, -1 on a database error
 * (no transaction left open on 1 or -1). oauth_unlock commits (commit) or
 * rolls back and releases it; 0 or -1. */
int		 oauth_lock(const struct actor *, int64_t conn_id, int64_t owner);
int		 oauth_unlock(const struct actor *, int commit);
/* Why a refresh is asked for (oauth_refresh): the access token expires
 * within OAUTH_EXPIRING_S (a test about to use it), the API refused it (a
 * 401: refreshed whatever its expiry), or tether-worker's refresh job (due
 * within health.refresh_ahead_seconds, or a day old for OAuth.refresh_daily). */
enum oauth_why {
	OAUTH_EXPIRING,
	OAUTH_REJECTED,
	OAUTH_DUE,
};
#define OAUTH_EXPIRING_S	60
/* The one refresh path for tests, pages and tether-worker: under the
 * refresh lock, decided again once held (not when the stored access token
 * is no longer `used`, NULL: not compared, or no longer due). Sets
 * o->result and *refreshed (the provider was asked and answered); 0, or -1
 * on a database error. The answer is stored in the lock's transaction and
 * reschedules `owner`'s refresh job. */
int		 oauth_refresh(const struct actor *, const struct conn *, int64_t owner,
		    const char *used, enum oauth_why, struct probe_outcome *o, int *refreshed);
/* Seconds until `owner`'s tokens are next due for a refresh; 0 when there
 * is nothing to refresh (no refresh token, no expiry and not daily), -1 on a
 * database error. */
long		 oauth_refresh_next_s(const struct actor *, const struct conn *, int64_t owner);
/* The redirect URI registered with providers: http.base_url + /oauth/callback. */
void		 oauth_redirect_uri(const struct app *, struct buf *out);
/* The same as a string of its own (caller frees): for the pages that show it. */
char		*oauth_redirect_uri_dup(const struct app *);
/* The provider's authorization URL for a Connect/Reconnect (PKCE S256 with
 * `challenge`, `state`); 0 or -1 when the definition or settings lack one. */
int		 oauth_authorize_url(const struct actor *, const struct conn *,
		    struct _hdf *proto, struct json_t *settings, const char *state,
		    const char *challenge, struct buf *out);
/* base64url(sha256(verifier)): the S256 code challenge. */
void		 oauth_challenge(const char *verifier, char *out, size_t outlen);
/* The definition's token URL, expanded with the settings: 0 or -1. */
int		 oauth_token_url(const struct actor *, const struct conn *, struct _hdf *proto,
		    struct json_t *settings, struct buf *out);
/* The origin (scheme://host[:port]) a Reconnect sends the browser to, for
 * the page's form-action; NULL when not an OAuth connection. malloc'd. */
char		*oauth_authorize_origin(const struct actor *, const struct conn *);
/* Issue 13 §5 §6: the definition's other endpoints (OAuth.revocation_url,
 * identity_url, …) by key, expanded with the settings: 0, 1 when the
 * connector declares none, -1 when a field is missing. oauth_endpoint_call
 * makes p (p->url one of them) through the outbound policy, http:// only
 * where the endpoints' base field allows it. */
int		 oauth_endpoint(const struct actor *, const struct conn *, struct _hdf *proto,
		    struct json_t *settings, const char *key, struct buf *out);
int		 oauth_endpoint_call(const struct actor *, const struct conn *,
		    struct _hdf *proto, struct probe_http *, struct probe_outcome *);
/* The client's authentication at the provider's endpoints (client_secret_post
 * when `post`, else basic): post adds client_id and client_secret to the form
 * `body`, basic sets p's user and password (pointing at the strings given). */
void		 oauth_client_auth(int post, const char *client_id,
		    const char *client_secret, struct buf *body, struct probe_http *p);

/* ----------------------------------------------------- oauth-assertion.c */

/*
 * A JWT assertion instead of a client secret (RFC 7523; issue 16 §1), as
 * OAuth.assertion declares: jwt_bearer (the assertion is the grant:
 * Salesforce) or client_assertion (client credentials authenticated by it:
 * Microsoft, header x5t from the certificate). Appends to `extra` the body
 * parameters ("&assertion=…" or "&client_assertion_type=…&client_assertion=…")
 * and sets *grant; the private key goes into the signer and nowhere else.
 * 1 when the protocol declares no assertion, 0 done, -1 when a value is
 * missing or the key (or certificate) does not sign.
 */
int		 oauth_assertion(const struct actor *, const struct conn *,
		    struct _hdf *proto, struct json_t *settings, const char *key_pem,
		    const char *cert_pem, const char **grant, struct buf *extra);
/* 1 when `owner`'s stored token (0: shared) has no known expiry, so a flow
 * gets a new one (an assertion costs no user); 0 known; -1 database error. */
int		 oauth_assertion_unbounded(const struct actor *, int64_t conn_id,
		    int64_t owner);

/* ------------------------------------------------------ oauth-identity.c */

/* Who a connection's tokens belong to (issue 13 §6), read as the connector
 * declares (OAuth.identity_from: token, id_token or call): an account label
 * for people and a tenant key a reconnect must match. Neither is secret. */
void		 oauth_identity_free(struct oauth_identity *);
/* 1 when the connector declares how to read the identity. */
int		 oauth_identity_declared(struct _hdf *proto);
/* Read it from a token endpoint answer (JSON `token_body`), making the
 * identity call with its access token where declared: 0 read (a declared
 * tenant key found), 1 declared but not readable, -1 not declared. */
int		 oauth_identity_read(const struct actor *, const struct conn *,
		    struct _hdf *proto, const char *token_body, size_t len,
		    struct oauth_identity *);
/* The stored identity of `owner`'s tokens (0: the connection's): 0 or -1. */
int		 oauth_identity_get(const struct actor *, int64_t conn_id, int64_t owner,
		    struct oauth_identity *);
int		 oauth_identity_store(const struct actor *, int64_t conn_id, int64_t owner,
		    const struct oauth_identity *);
/* The scopes the connection asks for that `granted` (space-separated, as
 * the provider said) lacks, into out ("" when none or granted is empty). */
void		 oauth_scopes_missing(const struct conn *, struct _hdf *proto,
		    const char *granted, struct buf *out);

/* ---------------------------------------------------------------- revoke.c */

/* Revocation at the provider (RFC 7009, issue 13 §5), best effort with
 * oauth.revoke_timeout_ms: what happened to one owner's tokens. */
enum revoke_result {
	REVOKE_NOTHING,		/* no token stored */
	REVOKE_DONE,		/* the provider answered 200 */
	REVOKE_UNSUPPORTED,	/* the connector declares no revocation endpoint */
	REVOKE_FAILED,		/* cls says why: a probe result key or http_NNN */
};
const char	*revoke_result_key(enum revoke_result);
/* Revoke `owner`'s stored refresh token (else access token) of c. The
 * stored tokens are not touched (the caller destroys them). 0, or -1 on a
 * database or vault error (then nothing was sent). */
int		 revoke_owner(const struct actor *, const struct conn *, int64_t owner,
		    enum revoke_result *, char *cls, size_t clslen);
/* Revoke one token value given (a token just issued and not kept). */
enum revoke_result revoke_token(const struct actor *, const struct conn *,
		    const char *token, const char *hint, char *cls, size_t clslen);
/* Every owner's tokens of c (the shared ones and each user's own), for a
 * delete: the audit details {"revoke":"revoked"|…,"revoke_class":…,
 * "revoked":N,"failed":N} into *json (malloc'd). 0 or -1. */
int		 revoke_connection(const struct actor *, const struct conn *, char **json);
/* An edit that drops the tokens (a new destination: cf->rebind): each
 * owner's refresh token (else access token) and the client it was issued
 * to, read in the edit's transaction before anything changes... */
struct revoke_held {
	struct json_t	*settings;	/* the connection's, before the edit */
	char		*client_id;
	char		*client_secret;	/* wiped when freed */
	int		 post;
	size_t		 n;
	char		**token;	/* wiped when freed */
	int		*refresh;	/* 1 refresh_token, 0 access_token */
};
int		 revoke_hold(const struct actor *, const struct conn *, struct revoke_held *);
/* ...and sent to the OLD destination (c as it was) once the edit is
 * committed: the audit details as revoke_connection's, or NULL when nothing
 * was held. */
char		*revoke_held_send(const struct actor *, const struct conn *,
		    const struct revoke_held *);
void		 revoke_held_free(struct revoke_held *);

/* ---------------------------------------------------------------- flow.c */

/*
 * The flows registry, for any actor (the API's token user; tetherctl as the
 * system): what a flow may hold, what the actor sees of it, and its changes,
 * each one transaction with its audit row (a refusal audited as denied).
 */
#define FLOW_CONNS_MAX		100
#define FLOW_VERSION_MAX	1000000

/* A flow's fields, in the order they are checked and audited. */
enum flow_field {
	FLOW_NAME,
	FLOW_VERSION,
	FLOW_STATUS,
	FLOW_OWNER,
	FLOW_DESCRIPTION,
	FLOW_PROGRESS,
	FLOW_CONNECTIONS,
	FLOW__FIELDS
};
/* Their names as columns and API keys: "name", ..., "progress_status", "connections". */
extern const char *const flow_fields[FLOW__FIELDS];

/*
 * A flow as a caller describes it; strings point into the caller's input.
 * flow_replace keeps what the flow has for a NULL string, version 0 and
 * keep_conns.
 */
struct flow_in {
	const char	*name;
	long long	 version;	/* 0: not given */
	const char	*status;
	const char	*owner;
	const char	*description;
	const char	*progress;
	long long	 conns[FLOW_CONNS_MAX];
	size_t		 nconns;
	int		 keep_conns;	/* replace: the connections stay as they are */
};

/* The columns of flows f that flow_load gives: id, name, version, status,
 * owner, description, progress_status, created_at, updated_at (ISO 8601, UTC). */
#define FLOW_COLUMNS							\
	"f.id, f.name, f.version, f.status, f.owner, f.description,"	\
	" f.progress_status, to_char(f.created_at AT TIME ZONE 'UTC',"	\
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, to_char(f.updated_at"	\
	" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS updated_at"

/* Why `s` is no good as text field k (name, owner, description, progress); NULL. */
const char	*flow_text_check(enum flow_field k, const char *s);
/* 1 for "active", "inactive" and "draft". */
int		 flow_status_ok(const char *);
/* The first field of a complete flow that is no good, with *why (the
 * sentence tetherctl prints); FLOW__FIELDS when all are good. */
enum flow_field	 flow_check(const struct flow_in *, const char **why);
/* "{1,2,3}" for a bigint[] parameter, or "[1,2,3]" for JSON (`json`). */
void		 flow_ids(struct buf *, const long long *ids, size_t n, int json);

/*
 * Flow `id` as the actor sees it (`lock`: FOR UPDATE), and its connections
 * (columns id, perm: the actor's level) ordered by id: 0 with both; 1 when
 * the flow is missing or not seen (admins see all; others a flow that uses
 * a connection they see, or none); -1 on a database failure.
 */
int		 flow_load(const struct actor *, int64_t id, int lock,
		    struct pg_result **flow, struct pg_result **conns);

/* What a change came to: FLOW_DONE, a refusal, or -1 (database; rolled back). */
enum flow_rc {
	FLOW_DONE = 0,
	FLOW_INVALID,		/* result.field is no good: result.why */
	FLOW_NOT_FOUND,		/* the flow is missing or not seen */
	FLOW_FORBIDDEN,		/* the actor may not use all of the flow's connections */
	FLOW_CONN_NOT_FOUND,	/* result.conn is missing or not seen */
	FLOW_CONN_FORBIDDEN,	/* the actor may not use result.conn */
	FLOW_CONN_GONE,		/* a listed connection was deleted meanwhile */
};
struct flow_result {
	int64_t		 id;		/* the flow (created: its new id) */
	long long	 conn;		/* the refused connection */
	enum flow_field	 field;		/* FLOW_INVALID: which, */
	const char	*why;		/* and why */
};
/* Each: one transaction with its audit row; the actor needs PERM_USE on each
 * listed connection, and to change a flow on each it uses now. */
int		 flow_create(const struct actor *, const struct flow_in *,
		    struct flow_result *);
int		 flow_replace(const struct actor *, int64_t id, const struct flow_in *,
		    struct flow_result *);
int		 flow_delete(const struct actor *, int64_t id, struct flow_result *);

/* ------------------------------------------------------------- replace.c */

/*
 * Replace a connection across its flows (issue 13 §4): the page
 * (page-connection-replace.c) and the API (api-connections.c) call
 * replace_run, which checks, previews (a dry run) or swaps, and words every
 * refusal. Compatible: the same connector, authentication protocol, API type
 * and execution context. The actor needs PERM_MANAGE on the connection,
 * PERM_USE on the replacement, and to be able to change each chosen flow.
 */
#define REPLACE_FLOWS_MAX	500

/* The actor's level on connection c ($2 user, $3 admin), as conn_get has it. */
#define FLOW_PERM							\
	"CASE WHEN $3::boolean THEN 3 ELSE GREATEST("			\
	" COALESCE((SELECT CASE m.role WHEN 'manager' THEN 3"		\
	"  WHEN 'member' THEN 2 ELSE 1 END FROM team_members m"		\
	"  WHERE m.team_id = c.owner_team_id AND m.user_id = $2), 0),"	\
	" COALESCE((SELECT max(LEAST(CASE sh.permission WHEN 'manage'"	\
	"  THEN 3 ELSE 2 END, CASE m.role WHEN 'manager' THEN 3"	\
	"  WHEN 'member' THEN 2 ELSE 1 END)) FROM connection_shares sh"	\
	"  JOIN team_members m ON m.team_id = sh.team_id"		\
	"  WHERE sh.connection_id = c.id AND m.user_id = $2), 0)) END"

/* A chosen flow, with the stamp the preview showed ("": not compared). */
struct replace_pick {
	int64_t		 flow;
	char		 stamp[24];
};

struct replace_in {
	int64_t			 from;		/* the connection the flows use */
	int64_t			 to;		/* the replacement */
	const struct replace_pick *picks;	/* NULL: every flow using `from` */
	size_t			 npicks;
	int			 dry_run;	/* preview only: nothing changes */
};

enum replace_rc {
	REPLACE_DONE = 0,
	REPLACE_NOT_FOUND,		/* `from` missing or not seen (404) */
	REPLACE_FORBIDDEN,		/* the actor may not edit `from` (403) */
	REPLACE_TO_NOT_FOUND,		/* the replacement missing or not seen */
	REPLACE_TO_FORBIDDEN,		/* seen, but the actor may not use it */
	REPLACE_SAME,			/* the replacement is `from` itself */
	REPLACE_INCOMPATIBLE,		/* another connector, protocol, API type, context */
	REPLACE_NO_FLOWS,		/* no flow uses `from`, or none was chosen */
	REPLACE_FLOW_NOT_USING,		/* a chosen flow does not use `from` */
	REPLACE_FLOW_FORBIDDEN,		/* the actor may not change a chosen flow */
	REPLACE_CONFLICT,		/* a chosen flow changed since the preview */
};

struct replace_result {
	/* Every flow using `from` (at most REPLACE_FLOWS_MAX), by name: id, name,
	 * version, status, owner, updated_at (ISO 8601), stamp, may_change and
	 * chosen ("t"/"f"). NULL when refused before the flows were read. */
	struct pg_result	*flows;
	/* The replacement as the actor sees it (NULL when refused before). */
	struct conn		*to;
	int64_t			 flow;		/* the flow a refusal names */
	char			 why[400];	/* the refusal's sentence */
	int			 moved;		/* done: flows swapped */
	int			 remaining;	/* done: flows still using `from` */
};

/* Check, preview or swap: REPLACE_DONE or a refusal with out->why; -1 on a
 * database failure (rolled back). Free out with replace_result_free. */
int		 replace_run(const struct actor *, const struct replace_in *,
		    struct replace_result *out);
void		 replace_result_free(struct replace_result *);
/* The connections the actor may put in `from`'s place: id, name, team,
 * status, passed; by name. NULL on failure. */
struct pg_result *replace_candidates(const struct actor *, int64_t from);

/* ------------------------------------------------ api.c (bodies, no HTTP) */

/*
 * The request bodies' parse and checks, apart from HTTP (fuzz/fuzz_api_json.c
 * calls them): each returns 0, or 1 with the 400 to answer in *fault.
 */
struct api_fault {
	const char	*code;		/* "invalid_json", "invalid_field", ... */
	const char	*note;		/* for the access log, or NULL */
	int		 has_field;
	char		 field[72];	/* the key it names, when has_field */
	char		 message[512];
};

struct json_t;
/* `len` bytes of UTF-8 JSON holding one object: *out, which the caller decrefs. */
int		 api_json_parse(const char *data, size_t len, struct json_t **out,
		    struct api_fault *);
/* A flow object (body NULL: none sent); every key known; strings point into body. */
int		 api_flows_parse(struct json_t *body, struct flow_in *,
		    struct api_fault *);
/* A connection test's body (NULL: none): its trigger, "api" by default. */
int		 api_connections_trigger_parse(struct json_t *body, const char **trigger,
		    struct api_fault *);

/* A replace's body (api-connections.c): into *in, picks (REPLACE_FLOWS_MAX). */
int		 api_connections_replace_parse(struct json_t *body, struct replace_in *,
		    struct replace_pick *picks, struct api_fault *);

/* ---------------------------------------------------- ctl-flow.c, ctl-token.c */

/* tetherctl's flow and token commands; argv starts after "flow" / "token". */
int		 ctl_flow(struct db *, int argc, char **argv);
int		 ctl_token(struct app *, int argc, char **argv);
/* ---------------------------------------------------------- ctl-uplink.c */

/* tetherctl uplink add|list|remove|test */
int		 ctl_uplink(struct app *, int argc, char **argv);
/* ---------------------------------------------------------- ctl-webhook.c */

/* tetherctl webhook add|list|remove; 2: usage */
int		 ctl_webhook(struct app *, int argc, char **argv);

#endif /* TETHER_H */
