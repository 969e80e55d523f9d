/*
 * pem.c — client certificates and keys as PEM text (issue 16 §1, mutual
 * TLS). A browser's password field drops line breaks, so what is stored may
 * be "-----BEGIN X-----MIIB…-----END X-----" on one line: pem_normalize
 * writes each block back as PEM (64-character lines) for libcurl, which
 * takes it from memory (never a file). pem_cert_not_after reads the first
 * certificate's notAfter with OpenSSL's libcrypto for the expiry reminders.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tether.h"

#define PEM_LABEL_MAX	40

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789+/=";

/* One block at *pp: "-----BEGIN L-----", base64 (any whitespace), "-----END L-----". */
static int
pem_block(const char **pp, struct buf *out)
{
	const char	*p = *pp, *end, *q;
	char		 label[PEM_LABEL_MAX + 1], endline[PEM_LABEL_MAX + 16];
	size_t		 n, col = 0;

	if (strncmp(p, "-----BEGIN ", 11) != 0)
		return -1;
	p += 11;
	if ((q = strstr(p, "-----")) == NULL || (n = (size_t)(q - p)) == 0 ||
	    n > PEM_LABEL_MAX || strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ ") < n)
		return -1;
	memcpy(label, p, n);
	label[n] = '\0';
	p = q + 5;
	snprintf(endline, sizeof(endline), "-----END %s-----", label);
	if ((end = strstr(p, endline)) == NULL)
		return -1;
	buf_printf(out, "-----BEGIN %s-----\n", label);
	for (; p < end; p++) {
		if (strchr(" \t\r\n", *p) != NULL)
			continue;
		if (*p == '\0' || strchr(b64, *p) == NULL)
			return -1;	/* headers (encrypted keys) are not taken */
		buf_append(out, p, 1);
		if (++col == 64) {
			buf_puts(out, "\n");
			col = 0;
		}
	}
	if (col > 0)
		buf_puts(out, "\n");
	buf_printf(out, "%s\n", endline);
	*pp = end + strlen(endline);
	return 0;
}

int
pem_normalize(const char *in, struct buf *out)
{
	const char	*p = in;
	int		 blocks = 0;

	if (in == NULL)
		return -1;
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		if (pem_block(&p, out) == -1)
			return -1;
		blocks++;
	}
	return blocks > 0 ? 0 : -1;
}

int
pem_cert_not_after(const char *pem, char *date, size_t len)
{
	struct buf	 b;
	struct tm	 tm;
	BIO		*bio;
	X509		*x = NULL;
	int		 rc = -1;

	buf_init(&b);
	if (pem_normalize(pem, &b) == -1 ||
	    (bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL) {
		buf_free(&b);
		return -1;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL &&
	    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1 &&
	    strftime(date, len, "%Y-%m-%d", &tm) > 0)
		rc = 0;
	X509_free(x);
	BIO_free(bio);
	buf_free(&b);
	return rc;
}
