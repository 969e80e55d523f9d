/*
 * auth.c — passwords (argon2id through libsodium), random tokens and their
 * hashes, and the delay schedule for repeated failed sign-ins.
 */
#include <string.h>

#include <sodium.h>

#include "tether.h"

/* Interactive limits: ~64 MiB and a fraction of a second on these machines. */
#define AUTH_OPSLIMIT	crypto_pwhash_OPSLIMIT_INTERACTIVE
#define AUTH_MEMLIMIT	crypto_pwhash_MEMLIMIT_INTERACTIVE

int
auth_hash_password(const char *password, char out[128])
{
	return crypto_pwhash_str(out, password, strlen(password), AUTH_OPSLIMIT,
	    AUTH_MEMLIMIT);
}

int
auth_verify_password(const char *hash, const char *password, int *rehash)
{
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return -1;
	if (rehash != NULL)
		*rehash = crypto_pwhash_str_needs_rehash(hash, AUTH_OPSLIMIT,
		    AUTH_MEMLIMIT) != 0;
	return 0;
}

int
auth_dummy_hash(char out[128])
{
	char	 random[33];

	auth_random_token(random, sizeof(random), 16);
	return auth_hash_password(random, out);
}

void
auth_random_token(char *out, size_t outlen, size_t bytes)
{
	unsigned char	 raw[64];

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	randombytes_buf(raw, bytes);
	sodium_bin2base64(out, outlen, raw, bytes,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

int
auth_token_shape_ok(const char *t)
{
	size_t	 i;

	if (t == NULL || strlen(t) != AUTH_TOKEN_CHARS)
		return 0;
	for (i = 0; i < AUTH_TOKEN_CHARS; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
			return 0;
	return 1;
}

void
auth_token_hash_hex(const char *token, char out[68])
{
	unsigned char	 digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 65, digest, sizeof(digest));
}

int
auth_login_delay(int failures, int since_last, int free_failures, int max_delay)
{
	long	 delay;
	int	 over;

	if (failures < free_failures)
		return 0;
	/* Doubles with each failure past the free ones: 1 s, 2 s, 4 s, ... */
	over = failures - free_failures;
	delay = over >= 20 ? max_delay : 1L << over;
	if (delay > max_delay)
		delay = max_delay;
	return since_last >= delay ? 0 : (int)(delay - since_last);
}
