/* api.c — placeholder until the JSON API lands: every API path is 404. */
#include "tether.h"

void
api_dispatch(struct req *r)
{
	http_error(r, 404, NULL);
}
