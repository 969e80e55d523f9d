/*
 * vault.c — secrets at rest: the master key file, the data keys it wraps,
 * the check value that proves the master key at start-up, and the
 * XChaCha20-Poly1305 sealing of each connection secret, bound by its
 * additional data to its connection, field and key version.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tether.h"

#define VAULT_ABYTES	crypto_aead_xchacha20poly1305_ietf_ABYTES

/* nonce || XChaCha20-Poly1305(master, data key) */
#define VAULT_WRAPPED_BYTES \
	(VAULT_NONCE_BYTES + VAULT_KEY_BYTES + VAULT_ABYTES)

_Static_assert(VAULT_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    "VAULT_KEY_BYTES is not the AEAD key size");
_Static_assert(VAULT_NONCE_BYTES ==
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    "VAULT_NONCE_BYTES is not the AEAD nonce size");

/* What the check value seals, and the additional data it is sealed with. */
static const char	 vault_check_label[] = "tether vault check value v1";
static const char	 vault_check_ad[] = "tether-check";
/* Prefix of a data key's additional data; the decimal version follows. */
static const char	 vault_dek_ad_prefix[] = "tether-dek-v";
/* Prefix of a secret's additional data, its terminating NUL included. */
static const char	 vault_secret_ad_prefix[] = "tether-secret";

#define VAULT_CHECK_BYTES \
	(VAULT_NONCE_BYTES + (sizeof vault_check_label - 1) + VAULT_ABYTES)

static void	 vault_log(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static void	 vault_seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static const struct vault_key *vault_key_find(const struct vault *, int);
static int	 vault_key_usable(const struct vault *, int);
static struct vault_key *vault_keys_grow(const struct vault *);
static void	 vault_keys_commit(struct vault *, struct vault_key *);
static size_t	 vault_dek_ad(int, char *, size_t);
static unsigned char *vault_secret_ad(int64_t, int, const char *, size_t *);
static void	 vault_put_be(unsigned char *, uint64_t, size_t);

/* Errors without an err buffer to carry them are logged here, once. */
static void
vault_log(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("tether: vault: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
vault_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
vault_open(struct vault *v, const char *key_file, char *err, size_t errlen)
{
	struct stat	 st;
	unsigned char	*master = NULL;
	unsigned char	 extra;
	size_t		 off;
	ssize_t		 n;
	int		 fd = -1;

	memset(v, 0, sizeof *v);
	if (sodium_init() < 0) {
		vault_seterr(err, errlen, "libsodium failed to initialise");
		return -1;
	}

	/* O_NONBLOCK: a FIFO put in the key's place must not hang us. */
	fd = open(key_file, O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC);
	if (fd == -1) {
		vault_seterr(err, errlen, "master key file %s: %s", key_file,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		vault_seterr(err, errlen, "master key file %s: %s", key_file,
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		vault_seterr(err, errlen, "master key file %s: not a regular "
		    "file", key_file);
		goto fail;
	}
	if ((st.st_mode & (S_IRWXG|S_IRWXO)) != 0) {
		vault_seterr(err, errlen, "master key file %s: mode %04o gives "
		    "group or others access; it must be 0600 or stricter",
		    key_file, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_size != VAULT_KEY_BYTES) {
		vault_seterr(err, errlen, "master key file %s: %jd bytes, "
		    "it must be exactly %d", key_file, (intmax_t)st.st_size,
		    VAULT_KEY_BYTES);
		goto fail;
	}

	/* sodium_malloc guards the pages and mlocks them where it can. */
	if ((master = sodium_malloc(VAULT_KEY_BYTES)) == NULL) {
		vault_seterr(err, errlen, "master key file %s: out of memory",
		    key_file);
		goto fail;
	}
	for (off = 0; off < VAULT_KEY_BYTES; off += (size_t)n) {
		n = read(fd, master + off, VAULT_KEY_BYTES - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			vault_seterr(err, errlen, "master key file %s: %s",
			    key_file, n == 0 ? "shorter than expected" :
			    strerror(errno));
			goto fail;
		}
	}
	while ((n = read(fd, &extra, 1)) == -1 && errno == EINTR)
		continue;
	sodium_memzero(&extra, sizeof extra);
	if (n != 0) {
		vault_seterr(err, errlen, "master key file %s: %s", key_file,
		    n > 0 ? "grew while being read" : strerror(errno));
		goto fail;
	}
	if (sodium_is_zero(master, VAULT_KEY_BYTES)) {
		vault_seterr(err, errlen, "master key file %s: all zero bytes, "
		    "not a generated key", key_file);
		goto fail;
	}
	close(fd);

	sodium_mprotect_readonly(master);
	v->master = master;
	return 0;

fail:
	if (master != NULL)
		sodium_free(master);	/* wipes it */
	if (fd != -1)
		close(fd);
	return -1;
}

void
vault_close(struct vault *v)
{
	if (v == NULL)
		return;
	/* sodium_free wipes before it unmaps, read-only pages included. */
	if (v->master != NULL)
		sodium_free(v->master);
	if (v->keys != NULL)
		sodium_free(v->keys);
	memset(v, 0, sizeof *v);
}

int
vault_key_file_create(const char *path, char *err, size_t errlen)
{
	unsigned char	 key[VAULT_KEY_BYTES];
	char		*dir = NULL, *slash;
	size_t		 off;
	ssize_t		 n;
	int		 fd = -1, dfd, created = 0;

	if (sodium_init() < 0) {
		vault_seterr(err, errlen, "libsodium failed to initialise");
		return -1;
	}

	fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_NOCTTY|O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (errno == EEXIST)
			vault_seterr(err, errlen, "master key file %s: already "
			    "exists, refusing to overwrite it", path);
		else
			vault_seterr(err, errlen, "master key file %s: %s",
			    path, strerror(errno));
		return -1;
	}
	created = 1;
	/* The umask may have taken bits away; say exactly what we mean. */
	if (fchmod(fd, 0600) == -1) {
		vault_seterr(err, errlen, "master key file %s: %s", path,
		    strerror(errno));
		goto fail;
	}

	randombytes_buf(key, sizeof key);
	for (off = 0; off < sizeof key; off += (size_t)n) {
		n = write(fd, key + off, sizeof key - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			vault_seterr(err, errlen, "master key file %s: %s",
			    path, n == 0 ? "short write" : strerror(errno));
			goto fail;
		}
	}
	sodium_memzero(key, sizeof key);
	if (fsync(fd) == -1) {
		vault_seterr(err, errlen, "master key file %s: fsync: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		vault_seterr(err, errlen, "master key file %s: close: %s", path,
		    strerror(errno));
		goto fail;
	}
	fd = -1;

	/* Make the new name durable too; best effort, not every fs can. */
	if ((dir = strdup(path)) != NULL) {
		if ((slash = strrchr(dir, '/')) == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		dfd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
		if (dfd != -1) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	return 0;

fail:
	sodium_memzero(key, sizeof key);
	if (fd != -1)
		close(fd);
	if (created)
		unlink(path);
	return -1;
}

static const struct vault_key *
vault_key_find(const struct vault *v, int version)
{
	size_t	 i;

	for (i = 0; i < v->nkeys; i++) {
		if (v->keys[i].version == version)
			return &v->keys[i];
	}
	return NULL;
}

/* 0 when a data key of this version may be added to the vault. */
static int
vault_key_usable(const struct vault *v, int version)
{
	if (v->master == NULL) {
		vault_log("data key v%d: the vault is not open", version);
		return -1;
	}
	if (version <= 0) {
		vault_log("data key v%d: versions start at 1", version);
		return -1;
	}
	if (vault_key_find(v, version) != NULL) {
		vault_log("data key v%d: already loaded", version);
		return -1;
	}
	return 0;
}

/*
 * A guarded copy of the key array with one more slot at the end, for the
 * caller to fill; the vault is unchanged until vault_keys_commit.
 */
static struct vault_key *
vault_keys_grow(const struct vault *v)
{
	struct vault_key	*keys;

	keys = sodium_allocarray(v->nkeys + 1, sizeof *keys);
	if (keys == NULL) {
		vault_log("out of memory for data keys");
		return NULL;
	}
	if (v->nkeys != 0)
		memcpy(keys, v->keys, v->nkeys * sizeof *keys);
	return keys;
}

/* Install the grown array; the newest version becomes the active one. */
static void
vault_keys_commit(struct vault *v, struct vault_key *keys)
{
	int	 version = keys[v->nkeys].version;

	sodium_mprotect_readonly(keys);
	if (v->keys != NULL)
		sodium_free(v->keys);
	v->keys = keys;
	v->nkeys++;
	if (version > v->active)
		v->active = version;
}

/* "tether-dek-v<decimal version>"; returns its length. */
static size_t
vault_dek_ad(int version, char *ad, size_t adsize)
{
	int	 n;

	n = snprintf(ad, adsize, "%s%d", vault_dek_ad_prefix, version);
	return n < 0 ? 0 : (size_t)n;
}

int
vault_key_generate(struct vault *v, int version, unsigned char **wrapped,
    size_t *wrappedlen)
{
	struct vault_key	*keys;
	unsigned char		*out;
	unsigned long long	 clen;
	char			 ad[sizeof vault_dek_ad_prefix + 16];
	size_t			 adlen;

	*wrapped = NULL;
	*wrappedlen = 0;
	if (vault_key_usable(v, version) != 0)
		return -1;
	if ((out = malloc(VAULT_WRAPPED_BYTES)) == NULL) {
		vault_log("data key v%d: out of memory", version);
		return -1;
	}
	if ((keys = vault_keys_grow(v)) == NULL) {
		free(out);
		return -1;
	}
	keys[v->nkeys].version = version;
	randombytes_buf(keys[v->nkeys].key, VAULT_KEY_BYTES);

	adlen = vault_dek_ad(version, ad, sizeof ad);
	randombytes_buf(out, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_NONCE_BYTES,
	    &clen, keys[v->nkeys].key, VAULT_KEY_BYTES,
	    (const unsigned char *)ad, adlen, NULL, out, v->master);

	vault_keys_commit(v, keys);
	*wrapped = out;
	*wrappedlen = VAULT_NONCE_BYTES + (size_t)clen;
	return 0;
}

int
vault_key_add_wrapped(struct vault *v, int version,
    const unsigned char *wrapped, size_t wrappedlen)
{
	struct vault_key	*keys;
	unsigned long long	 klen;
	char			 ad[sizeof vault_dek_ad_prefix + 16];
	size_t			 adlen;

	if (vault_key_usable(v, version) != 0)
		return -1;
	if (wrapped == NULL || wrappedlen != VAULT_WRAPPED_BYTES) {
		vault_log("data key v%d: wrapped form is %zu bytes, want %d",
		    version, wrapped == NULL ? 0 : wrappedlen,
		    (int)VAULT_WRAPPED_BYTES);
		return -1;
	}
	if ((keys = vault_keys_grow(v)) == NULL)
		return -1;
	keys[v->nkeys].version = version;

	adlen = vault_dek_ad(version, ad, sizeof ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(keys[v->nkeys].key,
	    &klen, NULL, wrapped + VAULT_NONCE_BYTES,
	    wrappedlen - VAULT_NONCE_BYTES, (const unsigned char *)ad, adlen,
	    wrapped, v->master) != 0 || klen != VAULT_KEY_BYTES) {
		vault_log("data key v%d does not unwrap: wrong master key, "
		    "or the stored key is damaged", version);
		sodium_free(keys);	/* wipes */
		return -1;
	}
	vault_keys_commit(v, keys);
	return 0;
}

int
vault_has_key(const struct vault *v, int version)
{
	return vault_key_find(v, version) != NULL;
}

int
vault_key_rewrap(const struct vault *from, int version, const struct vault *to,
    unsigned char **wrapped, size_t *wrappedlen)
{
	const struct vault_key	*k = vault_key_find(from, version);
	unsigned char		*out;
	unsigned long long	 clen;
	char			 ad[sizeof vault_dek_ad_prefix + 16];
	size_t			 adlen;

	*wrapped = NULL;
	*wrappedlen = 0;
	if (k == NULL || to->master == NULL) {
		vault_log("data key v%d: cannot rewrap (not loaded)", version);
		return -1;
	}
	if ((out = malloc(VAULT_WRAPPED_BYTES)) == NULL)
		return -1;
	adlen = vault_dek_ad(version, ad, sizeof ad);
	randombytes_buf(out, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_NONCE_BYTES, &clen,
	    k->key, VAULT_KEY_BYTES, (const unsigned char *)ad, adlen, NULL, out,
	    to->master);
	*wrapped = out;
	*wrappedlen = VAULT_NONCE_BYTES + (size_t)clen;
	return 0;
}

int
vault_check_make(const struct vault *v, unsigned char **blob, size_t *bloblen)
{
	unsigned char		*out;
	unsigned long long	 clen;

	*blob = NULL;
	*bloblen = 0;
	if (v->master == NULL) {
		vault_log("check value: the vault is not open");
		return -1;
	}
	if ((out = malloc(VAULT_CHECK_BYTES)) == NULL) {
		vault_log("check value: out of memory");
		return -1;
	}
	randombytes_buf(out, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_NONCE_BYTES,
	    &clen, (const unsigned char *)vault_check_label,
	    sizeof vault_check_label - 1,
	    (const unsigned char *)vault_check_ad, sizeof vault_check_ad - 1,
	    NULL, out, v->master);
	*blob = out;
	*bloblen = VAULT_NONCE_BYTES + (size_t)clen;
	return 0;
}

int
vault_check_verify(const struct vault *v, const unsigned char *blob,
    size_t bloblen)
{
	unsigned char		 label[sizeof vault_check_label - 1];
	unsigned long long	 llen;
	int			 rc = -1;

	if (v->master == NULL) {
		vault_log("check value: the vault is not open");
		return -1;
	}
	if (blob == NULL || bloblen != VAULT_CHECK_BYTES) {
		vault_log("check value is %zu bytes, want %d",
		    blob == NULL ? 0 : bloblen, (int)VAULT_CHECK_BYTES);
		return -1;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(label, &llen, NULL,
	    blob + VAULT_NONCE_BYTES, bloblen - VAULT_NONCE_BYTES,
	    (const unsigned char *)vault_check_ad, sizeof vault_check_ad - 1,
	    blob, v->master) == 0 && llen == sizeof label &&
	    memcmp(label, vault_check_label, sizeof label) == 0)
		rc = 0;
	else
		vault_log("check value does not open: wrong master key");
	sodium_memzero(label, sizeof label);
	return rc;
}

static void
vault_put_be(unsigned char *p, uint64_t x, size_t n)
{
	while (n-- > 0) {
		p[n] = x & 0xff;
		x >>= 8;
	}
}

/*
 * The additional data of a secret:
 *
 *	"tether-secret" NUL			14 bytes
 *	connection id, two's complement BE	 8 bytes
 *	key version, BE				 4 bytes
 *	field name, without its NUL		 the rest
 *
 * Everything before the name has a fixed length, so no two (connection,
 * version, field) triples encode alike. Returns a malloc'd buffer.
 */
static unsigned char *
vault_secret_ad(int64_t connection_id, int version, const char *field,
    size_t *adlen)
{
	unsigned char	*ad;
	size_t		 fieldlen, len;

	fieldlen = strlen(field);
	if (fieldlen > SIZE_MAX - sizeof vault_secret_ad_prefix - 12)
		return NULL;
	len = sizeof vault_secret_ad_prefix + 8 + 4 + fieldlen;
	if ((ad = malloc(len)) == NULL)
		return NULL;
	memcpy(ad, vault_secret_ad_prefix, sizeof vault_secret_ad_prefix);
	vault_put_be(ad + sizeof vault_secret_ad_prefix,
	    (uint64_t)connection_id, 8);
	vault_put_be(ad + sizeof vault_secret_ad_prefix + 8,
	    (uint32_t)version, 4);
	memcpy(ad + sizeof vault_secret_ad_prefix + 12, field, fieldlen);
	*adlen = len;
	return ad;
}

int
vault_seal(const struct vault *v, int64_t connection_id, const char *field,
    const char *plain, size_t plainlen, int *key_version,
    unsigned char nonce[VAULT_NONCE_BYTES], unsigned char **ct, size_t *ctlen)
{
	const struct vault_key	*k;
	unsigned char		*ad, *out;
	unsigned long long	 clen;
	size_t			 adlen;

	*ct = NULL;
	*ctlen = 0;
	if (field == NULL || *field == '\0') {
		vault_log("connection %" PRId64 ": seal without a field name",
		    connection_id);
		return -1;
	}
	if ((k = vault_key_find(v, v->active)) == NULL) {
		vault_log("connection %" PRId64 " field %s: no active data key "
		    "(v%d)", connection_id, field, v->active);
		return -1;
	}
	if ((plain == NULL && plainlen != 0) ||
	    plainlen > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    plainlen > SIZE_MAX - VAULT_ABYTES) {
		vault_log("connection %" PRId64 " field %s: bad plaintext "
		    "length %zu", connection_id, field, plainlen);
		return -1;
	}
	if ((ad = vault_secret_ad(connection_id, k->version, field,
	    &adlen)) == NULL) {
		vault_log("connection %" PRId64 " field %s: out of memory",
		    connection_id, field);
		return -1;
	}
	if ((out = malloc(plainlen + VAULT_ABYTES)) == NULL) {
		vault_log("connection %" PRId64 " field %s: out of memory",
		    connection_id, field);
		free(ad);
		return -1;
	}
	randombytes_buf(nonce, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out, &clen,
	    (const unsigned char *)plain, plainlen, ad, adlen, NULL, nonce,
	    k->key);
	free(ad);

	*key_version = k->version;
	*ct = out;
	*ctlen = (size_t)clen;
	return 0;
}

int
vault_unseal(const struct vault *v, int64_t connection_id, const char *field,
    int key_version, const unsigned char nonce[VAULT_NONCE_BYTES],
    const unsigned char *ct, size_t ctlen, char **plain, size_t *plainlen)
{
	const struct vault_key	*k;
	unsigned char		*ad, *out;
	unsigned long long	 mlen;
	size_t			 adlen, outsize;

	*plain = NULL;
	*plainlen = 0;
	if (field == NULL || *field == '\0') {
		vault_log("connection %" PRId64 ": unseal without a field name",
		    connection_id);
		return -1;
	}
	if ((k = vault_key_find(v, key_version)) == NULL) {
		vault_log("connection %" PRId64 " field %s: no data key v%d",
		    connection_id, field, key_version);
		return -1;
	}
	if (ct == NULL || nonce == NULL || ctlen < VAULT_ABYTES) {
		vault_log("connection %" PRId64 " field %s: ciphertext of %zu "
		    "bytes is too short", connection_id, field,
		    ct == NULL ? 0 : ctlen);
		return -1;
	}
	if ((ad = vault_secret_ad(connection_id, key_version, field,
	    &adlen)) == NULL) {
		vault_log("connection %" PRId64 " field %s: out of memory",
		    connection_id, field);
		return -1;
	}
	outsize = ctlen - VAULT_ABYTES + 1;
	if ((out = malloc(outsize)) == NULL) {
		vault_log("connection %" PRId64 " field %s: out of memory",
		    connection_id, field);
		free(ad);
		return -1;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, ct,
	    ctlen, ad, adlen, nonce, k->key) != 0) {
		vault_log("connection %" PRId64 " field %s (key v%d): does not "
		    "open; altered, or copied from another row", connection_id,
		    field, key_version);
		sodium_memzero(out, outsize);
		free(out);
		free(ad);
		return -1;
	}
	free(ad);
	out[mlen] = '\0';
	*plain = (char *)out;
	*plainlen = (size_t)mlen;
	return 0;
}
