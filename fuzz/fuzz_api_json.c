/*
 * fuzz_api_json.c — libFuzzer harness over the API's JSON bodies: the
 * input is a request body; api_json_parse reads it, then api_flows_parse
 * (POST and PUT /api/v1/flows), api_connections_trigger_parse (POST
 * /api/v1/connections/{id}/test) and api_connections_replace_parse (POST
 * /api/v1/connections/{id}/replace) check the object. A refusal names its
 * error code; an accepted flow holds only what the API promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tether.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_fault(const struct api_fault *f)
{
	if (f->code == NULL || f->message[0] == '\0')
		abort();
	if (strlen(f->field) >= sizeof(f->field) || (!f->has_field && f->field[0] != '\0'))
		abort();
}

static void
check_flow(const struct flow_in *f)
{
	const char	*why;
	size_t		 i, k;

	if (f->name == NULL || *f->name == '\0' || strlen(f->name) > 200 * 4)
		abort();
	if (f->version < 1 || f->version > FLOW_VERSION_MAX)
		abort();
	if (f->status == NULL || (strcmp(f->status, "active") != 0 &&
	    strcmp(f->status, "inactive") != 0 && strcmp(f->status, "draft") != 0))
		abort();
	if (f->owner == NULL || f->description == NULL || f->progress == NULL)
		abort();
	if (f->nconns > FLOW_CONNS_MAX)
		abort();
	for (i = 0; i < f->nconns; i++) {
		if (f->conns[i] < 1)
			abort();
		for (k = 0; k < i; k++)
			if (f->conns[k] == f->conns[i])
				abort();
	}
	if (f->keep_conns || flow_check(f, &why) != FLOW__FIELDS)
		abort();	/* what the API accepts, flow.c accepts */
}

/* POST /api/v1/connections/{id}/replace: an accepted body names a
 * replacement and at most REPLACE_FLOWS_MAX distinct positive flow ids. */
static void
check_replace(json_t *j)
{
	static struct replace_pick	 picks[REPLACE_FLOWS_MAX];
	struct replace_in		 in;
	struct api_fault		 fault;
	size_t				 i, k;

	memset(&in, 0, sizeof(in));
	if (api_connections_replace_parse(j, &in, picks, &fault) != 0) {
		check_fault(&fault);
		return;
	}
	if (in.to < 1 || in.npicks > REPLACE_FLOWS_MAX || (in.picks == NULL && in.npicks != 0))
		abort();
	for (i = 0; i < in.npicks; i++) {
		if (in.picks[i].flow < 1 || in.picks[i].stamp[0] != '\0')
			abort();
		for (k = 0; k < i; k++)
			if (in.picks[k].flow == in.picks[i].flow)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_fault	 fault;
	struct flow_in		 f;
	json_t			*j = (json_t *)1;
	const char		*trigger;

	if (size > 65536)
		return 0;
	if (api_json_parse((const char *)data, size, &j, &fault) != 0) {
		if (j != NULL || strcmp(fault.code, "invalid_json") != 0)
			abort();
		check_fault(&fault);
		return 0;
	}
	if (j == NULL || !json_is_object(j))
		abort();
	if (api_flows_parse(j, &f, &fault) == 0)
		check_flow(&f);
	else
		check_fault(&fault);
	if (api_connections_trigger_parse(j, &trigger, &fault) == 0) {
		if (strcmp(trigger, "api") != 0 && strcmp(trigger, "flow_open") != 0 &&
		    strcmp(trigger, "schedule") != 0)
			abort();
	} else
		check_fault(&fault);
	check_replace(j);
	json_decref(j);
	return 0;
}
