/*
 * mail.c — e-mail notifications through the configured SMTP relay.
 * (Placeholder until the notifications land: nothing to send.)
 */
#include "tether.h"

int
mail_send_due(const struct actor *a, int max)
{
	(void)a, (void)max;
	return 0;
}
