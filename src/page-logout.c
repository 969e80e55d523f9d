/*
 * page-logout.c — sign out: ends the session on the server, not just the
 * cookie. Inputs: POST csrf. Statuses: 303 to /login, 403, 503.
 */
#include "tether.h"
#include "web.h"

int
page_logout_post(struct req *r)
{
	audit_add(&r->actor, "user", r->sess->user_id, r->sess->email, "sign_out", "success", NULL);
	if (session_destroy(r) == -1)
		return -1;
	http_flash_next(r, "info", "You have been signed out.");
	http_redirect(r, "/login");
	return 0;
}
