/*
 * test_jwt.c — unit tests for jwt.c: an RS256 assertion whose signature
 * libcrypto verifies with the public key (EVP_DigestVerify), header and
 * claims as given; a PEM without line breaks works; an EC key, a public
 * key and garbage are refused with out unchanged. jwt_header_x5t: the
 * certificate's SHA-1 and SHA-256 thumbprints of its DER, base64url.
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "t.h"
#include "tether.h"

static char *
pem_of(EVP_PKEY *k, int private)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*p, *s;
	long	 n;

	if (private)
		PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(b, k);
	n = BIO_get_mem_data(b, &p);
	s = xstrndup(p, (size_t)n);
	BIO_free(b);
	return s;
}

static size_t
unb64(const char *s, size_t len, unsigned char *bin, size_t max)
{
	size_t	 n = 0;

	if (sodium_base642bin(bin, max, s, len, NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return 0;
	return n;
}

/* A self-signed certificate of key k, as PEM; its DER in der/derlen. */
static char *
cert_of(EVP_PKEY *k, unsigned char **der, int *derlen)
{
	X509	*x = X509_new();
	BIO	*b = BIO_new(BIO_s_mem());
	char	*p, *s;
	long	 n;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"tether", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_sign(x, k, EVP_sha256());
	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &p);
	s = xstrndup(p, (size_t)n);
	*der = NULL;
	*derlen = i2d_X509(x, der);
	BIO_free(b);
	X509_free(x);
	return s;
}

static void
test_x5t(EVP_PKEY *rsa, const char *priv)
{
	unsigned char	*der, d[32];
	int		 derlen;
	char		*cert = cert_of(rsa, &der, &derlen);
	char		 want1[64], want256[64], hdr[256];
	struct buf	 h, t;

	EVP_Digest(der, (size_t)derlen, d, NULL, EVP_sha1(), NULL);
	sodium_bin2base64(want1, sizeof(want1), d, 20, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	EVP_Digest(der, (size_t)derlen, d, NULL, EVP_sha256(), NULL);
	sodium_bin2base64(want256, sizeof(want256), d, 32,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"%s\","
	    "\"x5t#S256\":\"%s\"}", want1, want256);
	buf_init(&h);
	T_INT(jwt_header_x5t(cert, &h), 0, "x5t: a certificate");
	T_STR(h.data, hdr, "x5t: SHA-1 and SHA-256 of the DER, base64url");
	buf_init(&t);
	T_INT(jwt_sign(priv, h.data, "{}", &t), 0, "x5t: signed with that header");
	T_OK(strncmp(t.data, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsIng1dCI6", 44) == 0,
	    "x5t: the header leads the assertion");
	buf_free(&t);
	h.len = 0;
	T_INT(jwt_header_x5t(priv, &h), -1, "x5t: a key is not a certificate");
	T_INT(jwt_header_x5t("garbage", &h), -1, "x5t: not PEM");
	buf_free(&h);
	OPENSSL_free(der);
	free(cert);
}

int
main(void)
{
	EVP_PKEY	*rsa = EVP_RSA_gen(2048), *ec = EVP_EC_gen("P-256");
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	char		*priv = pem_of(rsa, 1), *pub = pem_of(rsa, 0), *ecpriv = pem_of(ec, 1);
	char		*flat, *p, *q, *dot1, *dot2;
	unsigned char	 bin[1024];
	size_t		 n;
	struct buf	 t;
	const char	*claims = "{\"iss\":\"svc@project.iam.gserviceaccount.com\",\"aud\":\"x\"}";

	if (sodium_init() < 0)
		return 1;
	buf_init(&t);
	T_INT(jwt_rs256(priv, "0a1b2c", claims, &t), 0, "RS256 with an RSA key");
	dot1 = strchr(t.data, '.');
	dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	T_OK(dot1 != NULL && dot2 != NULL && strchr(dot2 + 1, '.') == NULL, "three parts");
	n = unb64(t.data, (size_t)(dot1 - t.data), bin, sizeof(bin) - 1);
	bin[n] = '\0';
	T_STR((char *)bin, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"0a1b2c\"}", "the header");
	n = unb64(dot1 + 1, (size_t)(dot2 - dot1 - 1), bin, sizeof(bin) - 1);
	bin[n] = '\0';
	T_STR((char *)bin, claims, "the claims as given");
	n = unb64(dot2 + 1, strlen(dot2 + 1), bin, sizeof(bin));
	{
		BIO		*b = BIO_new_mem_buf(pub, -1);
		EVP_PKEY	*pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);

		T_OK(n == 256 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
		    EVP_DigestVerify(md, bin, n, (unsigned char *)t.data,
		    (size_t)(dot2 - t.data)) == 1, "libcrypto verifies the signature");
		EVP_PKEY_free(pk);
		BIO_free(b);
	}
	buf_free(&t);

	flat = xstrdup(priv);
	for (p = q = flat; *p != '\0'; p++)
		if (*p != '\n')
			*q++ = *p;
	*q = '\0';
	buf_init(&t);
	T_INT(jwt_rs256(flat, "not hex!", claims, &t), 0, "a key without line breaks");
	n = unb64(t.data, strcspn(t.data, "."), bin, sizeof(bin) - 1);
	bin[n] = '\0';
	T_STR((char *)bin, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "a kid that is not hex is left out");
	buf_free(&t);

	buf_init(&t);
	buf_puts(&t, "keep");
	T_INT(jwt_rs256(ecpriv, NULL, claims, &t), -1, "an EC key: refused");
	T_INT(jwt_rs256(pub, NULL, claims, &t), -1, "a public key: refused");
	T_INT(jwt_rs256("garbage", NULL, claims, &t), -1, "not PEM: refused");
	T_STR(t.data, "keep", "out unchanged after a refusal");
	buf_free(&t);

	test_x5t(rsa, priv);
	free(priv);
	free(pub);
	free(ecpriv);
	free(flat);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	return (t_done());
}
