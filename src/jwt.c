/*
 * jwt.c — JWT bearer assertions (RFC 7523) signed RS256 with OpenSSL's
 * libcrypto (issue 16 §1: Google service-account keys and the like): the
 * header and claims base64url-encoded, signed with the PEM private key
 * (RSA only), "header.claims.signature". No hand-written cryptography.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "tether.h"

static void
jwt_b64url(struct buf *out, const unsigned char *bin, size_t len)
{
	size_t	 n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	*s = xmalloc(n);

	sodium_bin2base64(s, n, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_puts(out, s);
	free(s);
}

int
jwt_rs256(const char *pem_key, const char *kid, const char *claims, struct buf *out)
{
	struct buf	 pem, header;
	EVP_PKEY	*key = NULL;
	EVP_MD_CTX	*md = NULL;
	BIO		*bio = NULL;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0, start = out->len;
	int		 rc = -1;

	buf_init(&pem);
	buf_init(&header);
	if (pem_normalize(pem_key, &pem) == -1 ||
	    (bio = BIO_new_mem_buf(pem.data, (int)pem.len)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_base_id(key) != EVP_PKEY_RSA)
		goto out;
	if (kid != NULL && strspn(kid, "0123456789abcdefABCDEF") == strlen(kid) && *kid != '\0')
		buf_printf(&header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
	else
		buf_puts(&header, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	jwt_b64url(out, (const unsigned char *)header.data, header.len);
	buf_puts(out, ".");
	jwt_b64url(out, (const unsigned char *)claims, strlen(claims));
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out->data + start,
	    out->len - start) != 1)
		goto out;
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out->data + start,
	    out->len - start) != 1)
		goto out;
	buf_puts(out, ".");
	jwt_b64url(out, sig, siglen);
	rc = 0;
out:
	if (rc == -1) {
		out->len = start;
		out->data[start] = '\0';
	}
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	sodium_memzero(pem.data, pem.len);
	buf_free(&pem);
	buf_free(&header);
	return rc;
}
