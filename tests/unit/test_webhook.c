/*
 * test_webhook.c — unit tests for webhook.c's pure parts: the Standard
 * Webhooks signature (the specification's own example), the secret's
 * shape, and the retry schedule.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "t.h"
#include "tether.h"

static void
test_sign(void)
{
	char		 sig[80];
	const char	*body = "{\"test\": 2432232314}";

	/* standard-webhooks/spec: this secret, id, timestamp and payload. */
	T_OK(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body), sig,
	    sizeof(sig)) == 0, "the specification's example signs");
	T_STR(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
	    "the specification's example signature");
	T_OK(webhook_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, body, strlen(body),
	    sig, sizeof(sig)) == -1, "a secret without whsec_ is refused");
	T_OK(webhook_sign("whsec_%%%", "m", 1, body, strlen(body), sig, sizeof(sig)) == -1,
	    "a secret that is not base64 is refused");
	T_OK(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, body,
	    strlen(body), sig, 20) == -1, "no room: refused, not cut");
}

static void
test_secret(void)
{
	char		 a[WEBHOOK_SECRET_SIZE], b[WEBHOOK_SECRET_SIZE];
	unsigned char	 raw[64];
	size_t		 len;

	webhook_secret_new(a);
	webhook_secret_new(b);
	T_OK(strncmp(a, "whsec_", 6) == 0 && strlen(a) == 50, "whsec_ and 44 base64 characters");
	T_OK(sodium_base642bin(raw, sizeof(raw), a + 6, strlen(a + 6), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && len == 32, "32 random bytes");
	T_OK(strcmp(a, b) != 0, "two secrets differ");
}

static void
test_retry(void)
{
	long	 total = 0;
	int	 n;

	T_OK(webhook_retry_delay(1) == 5, "5 s after the first failure");
	T_OK(webhook_retry_delay(2) == 20, "then 20 s");
	T_OK(webhook_retry_delay(3) == 80, "then 80 s");
	T_OK(webhook_retry_delay(30) == 6 * 3600, "never more than 6 h apart");
	for (n = 1; total <= 24 * 3600; n++)
		total += webhook_retry_delay(n);
	T_OK(n >= 8 && n <= 12, "about ten tries in the day a delivery is given");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_sign();
	test_secret();
	test_retry();
	return (t_done());
}
