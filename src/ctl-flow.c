/* ctl-flow.c — placeholder until the flow and token commands land. */
#include <stdio.h>

#include "tether.h"

int
ctl_flow(struct db *db, int argc, char **argv)
{
	(void)db, (void)argc, (void)argv;
	fprintf(stderr, "tetherctl: flow commands are not available yet\n");
	return 2;
}

int
ctl_token(struct db *db, int argc, char **argv)
{
	(void)db, (void)argc, (void)argv;
	fprintf(stderr, "tetherctl: token commands are not available yet\n");
	return 2;
}
