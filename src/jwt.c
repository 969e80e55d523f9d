/*
 * jwt.c — JWT bearer assertions (RFC 7523) signed RS256 with OpenSSL's
 * libcrypto (issue 16 §1: Google service-account keys, Salesforce's JWT
 * bearer flow, Microsoft's certificate credentials): the header and claims
 * base64url-encoded, signed with the PEM private key (RSA only),
 * "header.claims.signature"; and the header that names a certificate by its
 * thumbprints (x5t, x5t#S256). No hand-written cryptography.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
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
jwt_sign(const char *pem_key, const char *header, const char *claims, struct buf *out)
{
	struct buf	 pem;
	EVP_PKEY	*key = NULL;
	EVP_MD_CTX	*md = NULL;
	BIO		*bio = NULL;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0, start = out->len;
	int		 rc = -1;

	buf_init(&pem);
	if (pem_normalize(pem_key, &pem) == -1 ||
	    (bio = BIO_new_mem_buf(pem.data, (int)pem.len)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_base_id(key) != EVP_PKEY_RSA)
		goto out;
	jwt_b64url(out, (const unsigned char *)header, strlen(header));
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
	return rc;
}

int
jwt_rs256(const char *pem_key, const char *kid, const char *claims, struct buf *out)
{
	struct buf	 header;
	int		 rc;

	buf_init(&header);
	if (kid != NULL && strspn(kid, "0123456789abcdefABCDEF") == strlen(kid) && *kid != '\0')
		buf_printf(&header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
	else
		buf_puts(&header, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	rc = jwt_sign(pem_key, header.data, claims, out);
	buf_free(&header);
	return rc;
}

/* The header of an assertion made with the key of the certificate `cert_pem`
 * (its first): x5t, the SHA-1 of its DER, and x5t#S256, the SHA-256. */
int
jwt_header_x5t(const char *cert_pem, struct buf *header)
{
	struct buf	 pem;
	BIO		*bio = NULL;
	X509		*x = NULL;
	unsigned char	 d1[EVP_MAX_MD_SIZE], d256[EVP_MAX_MD_SIZE];
	unsigned int	 n1 = 0, n256 = 0;
	int		 rc = -1;

	buf_init(&pem);
	if (pem_normalize(cert_pem, &pem) == -1 ||
	    (bio = BIO_new_mem_buf(pem.data, (int)pem.len)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL ||
	    X509_digest(x, EVP_sha1(), d1, &n1) != 1 ||
	    X509_digest(x, EVP_sha256(), d256, &n256) != 1)
		goto out;
	buf_puts(header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"");
	jwt_b64url(header, d1, n1);
	buf_puts(header, "\",\"x5t#S256\":\"");
	jwt_b64url(header, d256, n256);
	buf_puts(header, "\"}");
	rc = 0;
out:
	X509_free(x);
	BIO_free(bio);
	buf_free(&pem);
	return rc;
}
