/*
 * refresh.c — proactive OAuth refresh (job kind "refresh") and the expiry
 * sweep (kind "expiry").
 * (Placeholders until they land: looked at again in an hour.)
 */
#include "tether.h"

long
job_refresh(const struct actor *a, const struct job *j)
{
	(void)a, (void)j;
	return 3600;
}

long
job_expiry(const struct actor *a, const struct job *j)
{
	(void)a, (void)j;
	return 3600;
}
