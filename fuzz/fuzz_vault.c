/*
 * fuzz_vault.c — libFuzzer harness over the vault's open path, with one
 * fixed master key and data key v1. Byte 0 of the input picks what the
 * rest is:
 *
 *	0  a sealed secret: key version (1 byte), nonce, field name up to a
 *	   NUL, ciphertext; vault_unseal must refuse it
 *	1  a wrapped data key; vault_key_add_wrapped must refuse it
 *	2  a check value; vault_check_verify must refuse it
 *	3  a plaintext: sealed, it opens to the same bytes; with one byte
 *	   of the ciphertext, nonce or binding changed, it never opens
 *	4  a master key file's bytes; vault_open takes exactly 32 non-zero
 *
 * Garbage never opens (that would be a forged Poly1305 tag), and nothing
 * crashes, leaks or reads out of bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sodium.h>

#include "tether.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct vault	 fv;
static char		 fuzz_dir[4096];
static char		 fuzz_key[4200];	/* the fixed master key */
static char		 fuzz_other[4200];	/* mode 4's file */

static void
fuzz_cleanup(void)
{
	vault_close(&fv);
	unlink(fuzz_key);
	unlink(fuzz_other);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp = getenv("TMPDIR");
	unsigned char	*wrapped;
	size_t		 wrappedlen;
	char		 err[512];

	(void)argc, (void)argv;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/tether-fuzz-vault-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fuzz_key, sizeof(fuzz_key), "%s/master.key", fuzz_dir);
	snprintf(fuzz_other, sizeof(fuzz_other), "%s/other.key", fuzz_dir);
	atexit(fuzz_cleanup);
	if (vault_key_file_create(fuzz_key, err, sizeof(err)) == -1 ||
	    vault_open(&fv, fuzz_key, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_vault: %s\n", err);
		exit(1);
	}
	if (vault_key_generate(&fv, 1, &wrapped, &wrappedlen) == -1) {
		fprintf(stderr, "fuzz_vault: no data key\n");
		exit(1);
	}
	free(wrapped);
	return 0;
}

static void
fuzz_unseal(const uint8_t *p, size_t n)
{
	unsigned char	 nonce[VAULT_NONCE_BYTES];
	const uint8_t	*nul;
	char		*field, *plain = (char *)1;
	size_t		 plainlen = 1, flen;
	int		 version;

	if (n < 1 + VAULT_NONCE_BYTES)
		return;
	version = p[0] % 4;		/* 1 mostly exists; 0, 2, 3 do not */
	memcpy(nonce, p + 1, VAULT_NONCE_BYTES);
	p += 1 + VAULT_NONCE_BYTES, n -= 1 + VAULT_NONCE_BYTES;
	nul = memchr(p, '\0', n);
	flen = nul != NULL ? (size_t)(nul - p) : 0;
	field = strndup((const char *)p, flen);
	if (nul != NULL)
		p += flen + 1, n -= flen + 1;
	if (vault_unseal(&fv, 42, field, version, nonce, p, n, &plain,
	    &plainlen) != -1 || plain != NULL || plainlen != 0)
		abort();
	free(field);
}

static void
fuzz_wrapped(const uint8_t *p, size_t n)
{
	if (vault_key_add_wrapped(&fv, 2, p, n) != -1 || vault_has_key(&fv, 2))
		abort();
}

static void
fuzz_check(const uint8_t *p, size_t n)
{
	if (vault_check_verify(&fv, p, n) != -1)
		abort();
}

static void
fuzz_roundtrip(const uint8_t *p, size_t n)
{
	unsigned char	 nonce[VAULT_NONCE_BYTES], *ct;
	char		*plain;
	size_t		 ctlen, plainlen, at;
	int		 version;

	if (vault_seal(&fv, 7, "password", (const char *)p, n, &version, nonce,
	    &ct, &ctlen) == -1)
		abort();
	if (vault_unseal(&fv, 7, "password", version, nonce, ct, ctlen, &plain,
	    &plainlen) == -1 || plainlen != n || memcmp(plain, p, n) != 0 ||
	    plain[n] != '\0')
		abort();
	sodium_memzero(plain, plainlen);
	free(plain);
	/* Bound elsewhere, or altered anywhere: never opens. */
	if (vault_unseal(&fv, 8, "password", version, nonce, ct, ctlen, &plain,
	    &plainlen) != -1 ||
	    vault_unseal(&fv, 7, "passwore", version, nonce, ct, ctlen, &plain,
	    &plainlen) != -1)
		abort();
	at = n > 0 ? p[0] : 0;
	if (at % 2 == 0)
		ct[at / 2 % ctlen] ^= 1 << (at % 8);
	else
		nonce[at / 2 % VAULT_NONCE_BYTES] ^= 1 << (at % 8);
	if (vault_unseal(&fv, 7, "password", version, nonce, ct, ctlen, &plain,
	    &plainlen) != -1)
		abort();
	free(ct);
}

static void
fuzz_open(const uint8_t *p, size_t n)
{
	struct vault	 v;
	FILE		*f;
	char		 err[512];
	int		 rc, want;

	if ((f = fopen(fuzz_other, "w")) == NULL)
		abort();
	if (n > 0 && fwrite(p, 1, n, f) != n)
		abort();
	if (fclose(f) != 0 || chmod(fuzz_other, 0600) != 0)
		abort();
	want = n == VAULT_KEY_BYTES && !sodium_is_zero(p, n) ? 0 : -1;
	err[0] = '\0';
	rc = vault_open(&v, fuzz_other, err, sizeof(err));
	if (rc != want || (rc == -1 && err[0] == '\0'))
		abort();
	if (rc == 0) {
		if (sodium_memcmp(v.master, p, VAULT_KEY_BYTES) != 0)
			abort();
		vault_close(&v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_unseal(data + 1, size - 1);
		break;
	case 1:
		fuzz_wrapped(data + 1, size - 1);
		break;
	case 2:
		fuzz_check(data + 1, size - 1);
		break;
	case 3:
		fuzz_roundtrip(data + 1, size - 1);
		break;
	default:
		fuzz_open(data + 1, size - 1);
		break;
	}
	return 0;
}
