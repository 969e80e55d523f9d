/*
 * connector.c — questions about one connector's definition: its protocols,
 * their kind, API types, allowed execution contexts and which fields apply.
 * Definitions are data (connectors/<key>.hdf), checked by cdef.c.
 */
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"

HDF *
connector_protocol(const struct catalog *cat, const char *connector, const char *protocol)
{
	HDF	*def = catalog_get(cat, connector);

	return cdef_child(cdef_child(def, "Protocols"), protocol);
}

const char *
connector_protocol_kind(const struct catalog *cat, const char *connector,
    const char *protocol)
{
	HDF	*p = connector_protocol(cat, connector, protocol);

	return p != NULL ? hdf_get_value(p, "kind", "") : "";
}

const char *
connector_api_type_label(const struct catalog *cat, const char *connector,
    const char *api_type)
{
	HDF	*t = cdef_child(cdef_child(catalog_get(cat, connector),
		    "ApiTypes"), api_type);

	return t != NULL ? hdf_get_value(t, "label", api_type) : api_type;
}

int
connector_allows_context(const struct catalog *cat, const char *connector,
    const char *context)
{
	HDF	*def = catalog_get(cat, connector);

	return def != NULL && str_word_in(hdf_get_value(def, "contexts", "system"),
	    context);
}

int
connector_field_applies(HDF *field, const char *api_type)
{
	const char	*types = hdf_get_value(field, "api_types", NULL);

	return types == NULL || *types == '\0' || str_word_in(types, api_type);
}
