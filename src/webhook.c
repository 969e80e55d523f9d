/*
 * webhook.c — Standard Webhooks deliveries of the events outbox.
 * (Placeholder until the notifications land: nothing to deliver.)
 */
#include "tether.h"

int
webhook_deliver_due(const struct actor *a, int max)
{
	(void)a, (void)max;
	return 0;
}
