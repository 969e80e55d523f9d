/*
 * test_vault.c — unit tests of vault.c: the master key file's checks, data
 * key wrapping, the check value, sealing and what must fail to open.
 * Prints TAP.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "t.h"
#include "tether.h"

static char	 dir[256];

static void
path_in(char *out, size_t outlen, const char *name)
{
	snprintf(out, outlen, "%s/%s", dir, name);
}

/* Write a file of `len` bytes from `data` with `mode`; 0 on success. */
static int
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int	 fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY|O_CREAT|O_EXCL, 0600)) == -1)
		return (-1);
	if (write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) == -1) {
		close(fd);
		return (-1);
	}
	return (close(fd));
}

static int
read_file(const char *path, unsigned char *data, size_t len)
{
	int	 fd;
	ssize_t	 r;

	if ((fd = open(path, O_RDONLY)) == -1)
		return (-1);
	r = read(fd, data, len);
	close(fd);
	return (r == (ssize_t)len ? 0 : -1);
}

/* vault_open must fail on path, leave nothing allocated and explain itself. */
static void
open_refused(const char *path, const char *want_in_err, const char *name)
{
	struct vault	 v;
	char		 err[256] = "";
	int		 rc;

	rc = vault_open(&v, path, err, sizeof err);
	T_OK(rc == -1 && v.master == NULL && v.keys == NULL && v.nkeys == 0 &&
	    strstr(err, want_in_err) != NULL, name);
	if (rc == 0)
		vault_close(&v);
}

static void
test_key_file(const char *keypath)
{
	unsigned char	 key[VAULT_KEY_BYTES], again[VAULT_KEY_BYTES];
	unsigned char	 buf[VAULT_KEY_BYTES + 1];
	struct stat	 st;
	struct vault	 v;
	char		 err[256], p[PATH_MAX];
	mode_t		 old;
	int		 rc;

	/* A umask that would strip the owner's write bit must not matter. */
	old = umask(0277);
	rc = vault_key_file_create(keypath, err, sizeof err);
	umask(old);
	T_OK(rc == 0, "key file: create");
	T_OK(stat(keypath, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 07777) == 0600, "key file: created with mode 0600");
	T_OK(st.st_size == VAULT_KEY_BYTES, "key file: created with 32 bytes");
	T_OK(read_file(keypath, key, sizeof key) == 0 &&
	    !sodium_is_zero(key, sizeof key), "key file: content is not zeros");

	err[0] = '\0';
	T_OK(vault_key_file_create(keypath, err, sizeof err) == -1 &&
	    strstr(err, "already exists") != NULL,
	    "key file: create refuses to overwrite");
	T_OK(read_file(keypath, again, sizeof again) == 0 &&
	    memcmp(key, again, sizeof key) == 0,
	    "key file: refused create left the key intact");

	path_in(p, sizeof p, "other.key");
	T_OK(vault_key_file_create(p, err, sizeof err) == 0 &&
	    read_file(p, again, sizeof again) == 0 &&
	    memcmp(key, again, sizeof key) != 0,
	    "key file: two created keys differ");
	unlink(p);

	path_in(p, sizeof p, "no-such-dir/x.key");
	T_OK(vault_key_file_create(p, err, sizeof err) == -1,
	    "key file: create in a missing directory fails");

	/* Modes. */
	T_OK(vault_open(&v, keypath, err, sizeof err) == 0 && v.master != NULL &&
	    memcmp(v.master, key, sizeof key) == 0 && v.nkeys == 0 &&
	    v.active == 0, "open: mode 0600 accepted, key read");
	vault_close(&v);
	T_OK(v.master == NULL && v.keys == NULL && v.nkeys == 0,
	    "close: vault emptied");

	chmod(keypath, 0400);
	T_OK(vault_open(&v, keypath, err, sizeof err) == 0, "open: mode 0400 accepted");
	vault_close(&v);

	chmod(keypath, 0644);
	open_refused(keypath, "mode 0644", "open: mode 0644 refused");
	chmod(keypath, 0640);
	open_refused(keypath, "mode 0640", "open: mode 0640 refused");
	chmod(keypath, 0604);
	open_refused(keypath, "mode 0604", "open: mode 0604 refused");
	chmod(keypath, 0610);
	open_refused(keypath, "mode 0610", "open: mode 0610 refused");
	chmod(keypath, 0600);

	/* The message must never carry the key. */
	chmod(keypath, 0644);
	memset(err, 0, sizeof err);
	rc = vault_open(&v, keypath, err, sizeof err);
	T_OK(rc == -1 && memmem(err, sizeof err, key, 4) == NULL,
	    "open: refusal message does not contain key bytes");
	chmod(keypath, 0600);

	/* Sizes and kinds. */
	memcpy(buf, key, sizeof key);
	buf[VAULT_KEY_BYTES] = 0x55;
	path_in(p, sizeof p, "short.key");
	write_file(p, buf, VAULT_KEY_BYTES - 1, 0600);
	open_refused(p, "31 bytes", "open: 31-byte file refused");
	unlink(p);
	path_in(p, sizeof p, "long.key");
	write_file(p, buf, VAULT_KEY_BYTES + 1, 0600);
	open_refused(p, "33 bytes", "open: 33-byte file refused");
	unlink(p);
	path_in(p, sizeof p, "empty.key");
	write_file(p, buf, 0, 0600);
	open_refused(p, "0 bytes", "open: empty file refused");
	unlink(p);
	path_in(p, sizeof p, "zero.key");
	memset(buf, 0, sizeof buf);
	write_file(p, buf, VAULT_KEY_BYTES, 0600);
	open_refused(p, "all zero", "open: all-zero key refused");
	unlink(p);

	path_in(p, sizeof p, "dir.key");
	mkdir(p, 0700);
	open_refused(p, "not a regular file", "open: directory refused");
	rmdir(p);
	path_in(p, sizeof p, "fifo.key");
	mkfifo(p, 0600);
	open_refused(p, "not a regular file", "open: FIFO refused, no hang");
	unlink(p);
	path_in(p, sizeof p, "missing.key");
	open_refused(p, "No such file", "open: missing file refused");

	/* A symlink to a good key is followed; the target is what is judged. */
	path_in(p, sizeof p, "link.key");
	T_OK(symlink(keypath, p) == 0 && vault_open(&v, p, err, sizeof err) == 0,
	    "open: symlink to a 0600 key accepted");
	vault_close(&v);
	unlink(p);

	sodium_memzero(key, sizeof key);
}

static void
test_check(const char *keypath, const char *otherpath)
{
	struct vault	 v, w;
	unsigned char	*blob, *blob2;
	size_t		 len, len2;
	char		 err[256];

	vault_open(&v, keypath, err, sizeof err);
	vault_open(&w, otherpath, err, sizeof err);

	T_OK(vault_check_make(&v, &blob, &len) == 0 && blob != NULL &&
	    len == VAULT_NONCE_BYTES + 27 + 16, "check: made, nonce+label+tag");
	T_OK(vault_check_verify(&v, blob, len) == 0, "check: verifies");
	T_OK(vault_check_make(&v, &blob2, &len2) == 0 && len2 == len &&
	    memcmp(blob, blob2, len) != 0, "check: fresh nonce each time");
	T_OK(vault_check_verify(&w, blob, len) == -1,
	    "check: wrong master key fails");
	T_OK(vault_check_verify(&v, blob, len - 1) == -1,
	    "check: truncated blob fails");
	blob[0] ^= 1;
	T_OK(vault_check_verify(&v, blob, len) == -1, "check: altered nonce fails");
	blob[0] ^= 1;
	blob[len - 1] ^= 0x80;
	T_OK(vault_check_verify(&v, blob, len) == -1, "check: altered tag fails");
	blob[len - 1] ^= 0x80;
	T_OK(vault_check_verify(&v, blob, len) == 0, "check: restored verifies");

	/* Authentic under the master key, but not the check label. */
	randombytes_buf(blob2, VAULT_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(blob2 + VAULT_NONCE_BYTES,
	    NULL, (const unsigned char *)"tether vault check value v2", 27,
	    (const unsigned char *)"tether-check", 12, NULL, blob2, v.master);
	T_OK(vault_check_verify(&v, blob2, len) == -1,
	    "check: another label under the right key fails");
	crypto_aead_xchacha20poly1305_ietf_encrypt(blob2 + VAULT_NONCE_BYTES,
	    NULL, (const unsigned char *)"tether vault check value v1", 27,
	    (const unsigned char *)"tether-check", 12, NULL, blob2, v.master);
	T_OK(vault_check_verify(&v, blob2, len) == 0,
	    "check: label sealed by hand with AD \"tether-check\" verifies");

	free(blob);
	free(blob2);
	vault_close(&v);
	vault_close(&w);
}

/* Decrypt by hand with the documented AD layout, pinning the stored format. */
static int
open_by_hand(const unsigned char *key, int64_t id, int version,
    const char *field, const unsigned char *nonce, const unsigned char *ct,
    size_t ctlen, unsigned char *out)
{
	unsigned char		 ad[256];
	unsigned long long	 mlen;
	uint64_t		 u = (uint64_t)id;
	size_t			 i, flen = strlen(field);

	memcpy(ad, "tether-secret", 14);	/* with its NUL */
	for (i = 0; i < 8; i++)
		ad[14 + i] = (unsigned char)(u >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		ad[22 + i] = (unsigned char)((uint32_t)version >> (24 - 8 * i));
	memcpy(ad + 26, field, flen);
	return (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL,
	    ct, ctlen, ad, 26 + flen, nonce, key));
}

static void
test_keys_and_secrets(const char *keypath, const char *otherpath)
{
	static const char	 secret[] = "s3cret-api-token";
	const size_t		 slen = sizeof secret - 1;
	struct vault		 v, w, x;
	unsigned char		*wrapped1, *wrapped2, *ct, *ct2, *ct3;
	unsigned char		 nonce[VAULT_NONCE_BYTES], nonce2[VAULT_NONCE_BYTES];
	unsigned char		 nonce3[VAULT_NONCE_BYTES], bad[128], dek[32];
	unsigned char		 out[64];
	unsigned long long	 klen;
	size_t			 wlen1, wlen2, ctlen, ctlen2, ctlen3, plen;
	char			*plain, err[256];
	int			 ver, ver2, ver3;

	vault_open(&v, keypath, err, sizeof err);

	/* No data key yet: nothing can be sealed. */
	ct = (unsigned char *)"x";
	T_OK(vault_seal(&v, 1, "password", secret, slen, &ver, nonce, &ct,
	    &ctlen) == -1 && ct == NULL, "seal: refused without a data key");

	T_OK(vault_key_generate(&v, 0, &wrapped1, &wlen1) == -1 &&
	    wrapped1 == NULL && v.nkeys == 0, "dek: version 0 refused");
	T_OK(vault_key_generate(&v, 1, &wrapped1, &wlen1) == 0 &&
	    wlen1 == 24 + 32 + 16 && v.nkeys == 1 && v.active == 1,
	    "dek: v1 generated, 72 bytes wrapped, active");
	T_OK(vault_key_generate(&v, 1, &wrapped2, &wlen2) == -1 && v.nkeys == 1,
	    "dek: duplicate version refused");

	/* The wrapped form: nonce || AEAD(master, dek, AD "tether-dek-v1"). */
	T_OK(crypto_aead_xchacha20poly1305_ietf_decrypt(dek, &klen, NULL,
	    wrapped1 + 24, wlen1 - 24, (const unsigned char *)"tether-dek-v1",
	    13, wrapped1, v.master) == 0 && klen == 32 &&
	    memcmp(dek, v.keys[0].key, 32) == 0,
	    "dek: wrapped with AD \"tether-dek-v1\" under the master key");
	sodium_memzero(dek, sizeof dek);

	/* Round trip. */
	T_OK(vault_seal(&v, 42, "password", secret, slen, &ver, nonce, &ct,
	    &ctlen) == 0 && ver == 1 && ctlen == slen + 16 &&
	    memmem(ct, ctlen, "s3cret", 6) == NULL, "seal: v1, tag added, "
	    "plaintext not visible");
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == 0 && plen == slen && memcmp(plain, secret, slen) == 0 &&
	    plain[plen] == '\0', "unseal: round trip, NUL-terminated");
	free(plain);
	T_OK(open_by_hand(v.keys[0].key, 42, 1, "password", nonce, ct, ctlen,
	    out) == 0 && memcmp(out, secret, slen) == 0,
	    "seal: AD is \"tether-secret\\0\" || id BE64 || version BE32 || field");
	T_OK(open_by_hand(v.keys[0].key, 42, 1, "passwor", nonce, ct, ctlen,
	    out) != 0, "seal: by-hand open with another field fails (control)");

	T_OK(vault_seal(&v, 42, "password", secret, slen, &ver2, nonce2, &ct2,
	    &ctlen2) == 0 && memcmp(nonce, nonce2, sizeof nonce) != 0 &&
	    memcmp(ct, ct2, ctlen) != 0, "seal: same secret twice, fresh nonce");
	free(ct2);

	/* Tampering. */
	ct[0] ^= 1;
	plain = (char *)"x";
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1 && plain == NULL && plen == 0,
	    "unseal: altered first ciphertext byte fails, nothing returned");
	ct[0] ^= 1;
	ct[ctlen - 1] ^= 0x40;
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1 && plain == NULL, "unseal: altered tag fails");
	ct[ctlen - 1] ^= 0x40;
	nonce[23] ^= 1;
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1 && plain == NULL, "unseal: altered nonce fails");
	nonce[23] ^= 1;
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, ctlen - 1, &plain,
	    &plen) == -1, "unseal: truncated ciphertext fails");
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, 15, &plain,
	    &plen) == -1, "unseal: shorter than a tag fails");
	memcpy(bad, ct, ctlen);
	bad[ctlen] = 0;
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, bad, ctlen + 1, &plain,
	    &plen) == -1, "unseal: extended ciphertext fails");

	/* Moved to another row. */
	T_OK(vault_unseal(&v, 43, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1 && plain == NULL, "unseal: other connection id fails");
	T_OK(vault_unseal(&v, 42 + ((int64_t)1 << 32), "password", 1, nonce, ct,
	    ctlen, &plain, &plen) == -1, "unseal: id differing in high bits fails");
	T_OK(vault_unseal(&v, -42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: negated id fails");
	T_OK(vault_unseal(&v, 42, "password2", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: other field (longer) fails");
	T_OK(vault_unseal(&v, 42, "passwor", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: other field (prefix) fails");
	T_OK(vault_unseal(&v, 42, "Password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: other field (case) fails");
	T_OK(vault_unseal(&v, 42, "", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: empty field refused");

	/* Versions. */
	T_OK(vault_unseal(&v, 42, "password", 9, nonce, ct, ctlen, &plain,
	    &plen) == -1 && plain == NULL, "unseal: unknown version 9 fails");
	T_OK(vault_unseal(&v, 42, "password", 0, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: version 0 fails");

	/* Rotation: v2 becomes active; v1 ciphertexts still open with v1. */
	T_OK(vault_key_generate(&v, 2, &wrapped2, &wlen2) == 0 && v.nkeys == 2 &&
	    v.active == 2, "rotate: v2 generated and active");
	T_OK(vault_unseal(&v, 42, "password", 2, nonce, ct, ctlen, &plain,
	    &plen) == -1 && plain == NULL,
	    "unseal: v1 ciphertext claimed as v2 fails");
	T_OK(vault_unseal(&v, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == 0 && plen == slen && memcmp(plain, secret, slen) == 0,
	    "rotate: old v1 ciphertext still opens");
	T_OK(vault_seal(&v, 42, "password", plain, plen, &ver2, nonce2, &ct2,
	    &ctlen2) == 0 && ver2 == 2, "rotate: re-seal uses v2");
	sodium_memzero(plain, plen);
	free(plain);
	T_OK(vault_unseal(&v, 42, "password", 2, nonce2, ct2, ctlen2, &plain,
	    &plen) == 0 && plen == slen && memcmp(plain, secret, slen) == 0,
	    "rotate: re-sealed v2 round trip");
	free(plain);
	T_OK(vault_unseal(&v, 42, "password", 1, nonce2, ct2, ctlen2, &plain,
	    &plen) == -1, "rotate: v2 ciphertext claimed as v1 fails");
	T_OK(vault_seal(&v, 7, "client_secret", "abc", 3, &ver3, nonce3, &ct3,
	    &ctlen3) == 0 && ver3 == 2, "rotate: new secrets use v2");
	free(ct3);

	/* Same master, new process: the wrapped keys load and open old rows. */
	vault_open(&w, keypath, err, sizeof err);
	T_OK(vault_key_add_wrapped(&w, 2, wrapped1, wlen1) == -1 && w.nkeys == 0,
	    "add_wrapped: v1 key presented as v2 fails (AD binds version)");
	T_OK(vault_key_add_wrapped(&w, 1, wrapped1, wlen1) == 0 &&
	    w.nkeys == 1 && w.active == 1, "add_wrapped: v1 loads");
	T_OK(vault_key_add_wrapped(&w, 1, wrapped1, wlen1) == -1 && w.nkeys == 1,
	    "add_wrapped: duplicate v1 refused");
	T_OK(vault_key_add_wrapped(&w, 2, wrapped2, wlen2 - 1) == -1,
	    "add_wrapped: wrong length refused");
	memcpy(bad, wrapped2, wlen2);
	bad[30] ^= 4;
	T_OK(vault_key_add_wrapped(&w, 2, bad, wlen2) == -1 && w.nkeys == 1,
	    "add_wrapped: altered wrapped key fails");
	T_OK(vault_key_add_wrapped(&w, 2, wrapped2, wlen2) == 0 &&
	    w.nkeys == 2 && w.active == 2, "add_wrapped: v2 loads, active");
	T_OK(vault_unseal(&w, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == 0 && plen == slen && memcmp(plain, secret, slen) == 0,
	    "add_wrapped: v1 row opens in the other vault");
	free(plain);
	T_OK(vault_unseal(&w, 42, "password", 2, nonce2, ct2, ctlen2, &plain,
	    &plen) == 0 && plen == slen, "add_wrapped: v2 row opens too");
	free(plain);

	/* An explicitly chosen active version is honoured. */
	w.active = 1;
	T_OK(vault_seal(&w, 5, "token", "t", 1, &ver3, nonce3, &ct3, &ctlen3) ==
	    0 && ver3 == 1, "seal: uses v->active when set to 1");
	free(ct3);
	w.active = 3;
	T_OK(vault_seal(&w, 5, "token", "t", 1, &ver3, nonce3, &ct3, &ctlen3) ==
	    -1 && ct3 == NULL, "seal: active version not loaded is refused");
	vault_close(&w);

	/* A different master key cannot unwrap. */
	vault_open(&x, otherpath, err, sizeof err);
	T_OK(vault_key_add_wrapped(&x, 1, wrapped1, wlen1) == -1 && x.nkeys == 0 &&
	    x.keys == NULL, "add_wrapped: wrong master key fails");
	T_OK(vault_unseal(&x, 42, "password", 1, nonce, ct, ctlen, &plain,
	    &plen) == -1, "unseal: vault with wrong master has no key");
	vault_close(&x);

	/* Odd plaintexts. */
	free(ct);
	T_OK(vault_seal(&v, 9, "empty", "", 0, &ver, nonce, &ct, &ctlen) == 0 &&
	    ctlen == 16 && vault_unseal(&v, 9, "empty", ver, nonce, ct, ctlen,
	    &plain, &plen) == 0 && plen == 0 && plain != NULL &&
	    plain[0] == '\0', "seal: empty secret round trip");
	free(plain);
	free(ct);
	T_OK(vault_seal(&v, 9, "bin", "a\0b", 3, &ver, nonce, &ct, &ctlen) == 0 &&
	    vault_unseal(&v, 9, "bin", ver, nonce, ct, ctlen, &plain,
	    &plen) == 0 && plen == 3 && memcmp(plain, "a\0b", 4) == 0,
	    "seal: embedded NUL round trip");
	free(plain);
	free(ct);
	T_OK(vault_seal(&v, INT64_MIN, "f", "x", 1, &ver, nonce, &ct, &ctlen) ==
	    0 && vault_unseal(&v, INT64_MIN, "f", ver, nonce, ct, ctlen,
	    &plain, &plen) == 0 && plen == 1 && plain[0] == 'x',
	    "seal: INT64_MIN id round trip");
	free(plain);
	T_OK(vault_unseal(&v, INT64_MAX, "f", ver, nonce, ct, ctlen, &plain,
	    &plen) == -1 && vault_unseal(&v, 0, "f", ver, nonce, ct, ctlen,
	    &plain, &plen) == -1, "seal: INT64_MIN row fails as INT64_MAX or 0");
	free(ct);
	T_OK(vault_seal(&v, 9, "", "x", 1, &ver, nonce, &ct, &ctlen) == -1 &&
	    ct == NULL, "seal: empty field refused");

	free(ct2);
	free(wrapped1);
	free(wrapped2);
	vault_close(&v);
}

int
main(void)
{
	char	 keypath[PATH_MAX], otherpath[PATH_MAX];
	char	 err[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(dir, sizeof dir, "%s/tether-vault-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	path_in(keypath, sizeof keypath, "master.key");
	path_in(otherpath, sizeof otherpath, "wrong.key");

	test_key_file(keypath);
	if (vault_key_file_create(otherpath, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return (1);
	}
	test_check(keypath, otherpath);
	test_keys_and_secrets(keypath, otherpath);

	unlink(keypath);
	unlink(otherpath);
	rmdir(dir);
	return (t_done());
}
