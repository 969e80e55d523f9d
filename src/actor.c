/*
 * actor.c — the actors that are not a signed-in user: tetherctl and
 * background work act as the system. (Pages and the API get theirs from the
 * session: session_actor in session.c.)
 */
#include <string.h>

#include "tether.h"

void
actor_system(struct actor *a, struct app *app, const char *label, const char *request_id)
{
	memset(a, 0, sizeof(*a));
	a->app = app;
	a->user_id = 0;
	a->is_admin = 1;
	a->email = label;
	a->client_addr = "local";
	a->request_id = request_id;
}
