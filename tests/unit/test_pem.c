/*
 * test_pem.c — unit tests for pem.c: PEM whose line breaks a password
 * field dropped is written back as PEM; what is not PEM is refused; a
 * certificate's notAfter (libcrypto) as a date.
 */

#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "tether.h"

/* openssl req -x509 … -days 1800: notAfter=Nov  9 01:41:56 2031 GMT */
static const char cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgDCCASegAwIBAgIUEuFHGFwLKCwPMxwZ9cT8jaVFIckwCgYIKoZIzj0EAwIw\n"
    "FjEUMBIGA1UEAwwLdGV0aGVyLXVuaXQwHhcNMjYxMjA1MDE0MTU2WhcNMzExMTA5\n"
    "MDE0MTU2WjAWMRQwEgYDVQQDDAt0ZXRoZXItdW5pdDBZMBMGByqGSM49AgEGCCqG\n"
    "SM49AwEHA0IABBYr4Goes/q0lz9hRbL0SfAFRrxtKlnntxodz3Ptw3sQFFMJsPRL\n"
    "z6YPCaZyCUAtQ4Ik6ZhAAQBPCO1dPW4EPtejUzBRMB0GA1UdDgQWBBQ0gM7HwR5B\n"
    "js3RxF0kWIUHOlEVtjAfBgNVHSMEGDAWgBQ0gM7HwR5Bjs3RxF0kWIUHOlEVtjAP\n"
    "BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIAZV/Qi660vghMbUJUl1\n"
    "IvcZXEou/88uF1qEe2zjokWkAiA/4y/WIyuBu/L0Dx4CNvs0F7cUm10ECT6kk1J0\n"
    "95muew==\n"
    "-----END CERTIFICATE-----\n"
    ;

int
main(void)
{
	struct buf	 b;
	char		 flat[sizeof(cert)], date[16], *p, *q;

	buf_init(&b);
	T_INT(pem_normalize(cert, &b), 0, "PEM as it is: taken");
	T_STR(b.data, cert, "PEM as it is: unchanged");
	buf_free(&b);

	/* As a password field sends it: no line breaks at all. */
	for (p = (char *)cert, q = flat; *p != '\0'; p++)
		if (*p != '\n')
			*q++ = *p;
	*q = '\0';
	buf_init(&b);
	T_INT(pem_normalize(flat, &b), 0, "one line: taken");
	T_STR(b.data, cert, "one line: written back as PEM");
	buf_free(&b);

	buf_init(&b);
	T_INT(pem_normalize("not a certificate", &b), -1, "not PEM: refused");
	T_INT(pem_normalize("-----BEGIN CERTIFICATE-----MIIB", &b), -1, "no END: refused");
	T_INT(pem_normalize("-----BEGIN CERTIFICATE-----MI!B-----END CERTIFICATE-----", &b), -1,
	    "not base64: refused");
	T_INT(pem_normalize("-----BEGIN RSA PRIVATE KEY-----Proc-Type: 4,ENCRYPTED"
	    "-----END RSA PRIVATE KEY-----", &b), -1, "an encrypted key's headers: refused");
	T_INT(pem_normalize("", &b), -1, "empty: refused");
	buf_free(&b);

	T_INT(pem_cert_not_after(cert, date, sizeof(date)), 0, "notAfter read");
	T_STR(date, "2031-11-09", "notAfter as a date");
	T_INT(pem_cert_not_after(flat, date, sizeof(date)), 0, "notAfter of the one-line form");
	T_INT(pem_cert_not_after("-----BEGIN CERTIFICATE-----AAAA-----END CERTIFICATE-----",
	    date, sizeof(date)), -1, "not a certificate: no date");
	return (t_done());
}
