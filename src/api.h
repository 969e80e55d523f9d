/*
 * api.h — internal to the JSON API: what the core (api.c: routes, token
 * auth, query and body, JSON answers, paging) gives the resource files
 * (api-connections.c, api-flows.c), and their handlers for its route table.
 * Include after tether.h, jansson.h and libpq-fe.h.
 */
#ifndef TETHER_API_H
#define TETHER_API_H

#define API_JSON		"application/json; charset=utf-8"

/* A handler: 0 answered (any status), -1 database failure (503 or 500). */
typedef int	(*api_fn)(struct req *, json_t *);

/* ISO 8601 in UTC, NULL stays NULL. */
#define API_TS(col)							\
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Connections the user $N sees (not an admin): their teams' and shared. */
#define API_VISIBLE(col, uid)						\
	col " IN (SELECT o.id FROM connections o JOIN team_members m"	\
	" ON m.team_id = o.owner_team_id WHERE m.user_id = " uid	\
	" UNION ALL SELECT sh.connection_id FROM connection_shares sh"	\
	" JOIN team_members tm ON tm.team_id = sh.team_id"		\
	" WHERE tm.user_id = " uid ")"

/* The statements of one paged listing: all rows (admins) or the visible
 * ones ($1 the user; then limit and offset). */
struct api_paged {
	const char	*count_all, *page_all, *count_vis, *page_vis;
	const char	*names[4];	/* their prepared names, same order */
};

/* api.c */
/* Answer status with j (taken; NULL: 500). */
void		 api_reply(struct req *, int status, json_t *j);
/* {"error": code, "message": ..., "field": field}; field may be NULL. */
void		 api_error_field(struct req *, int status, const char *code,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));
#define api_error(r, status, code, ...)					\
	api_error_field(r, status, code, NULL, __VA_ARGS__)
/* Fill *f with a 400 naming `field` (may be NULL); returns 1. */
int		 api_fault(struct api_fault *, const char *code, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Answer the 400 a body parser described. */
void		 api_fault_reply(struct req *, const struct api_fault *);
/* A column as a JSON string (NULL: null) or integer. */
json_t		*api_text(PGresult *, int row, const char *col);
json_t		*api_int(PGresult *, int row, const char *col);
/* Set keys of j from columns of a row: map is { "key", "column", …, NULL };
 * a column written "#column" is an integer, any other text or null. */
void		 api_fields(json_t *j, PGresult *res, int row, const char *const *map);
/* Each row of res as JSON: [row(res, 0), ...]. */
json_t		*api_rows(PGresult *, json_t *(*row)(PGresult *, int));
/* At most outlen - 1 bytes of UTF-8 `s`, not cutting a character. */
void		 api_clip(const char *s, char *out, size_t outlen);
/* The query's page and per_page (defaults 1, 50): 0, or 1 (400 made). */
int		 api_paging(struct req *, long long *page, long long *per_page);
/* Answer GET page, per_page of listing q: {key: [row(rows, i), ...], page,
 * per_page, total}. 0 answered, -1 database failure. */
int		 api_list(struct req *, const struct api_paged *q, const char *key,
		    json_t *(*row)(PGresult *, int));

/* api-connections.c */
int		 api_connections_list(struct req *, json_t *);
int		 api_connections_get(struct req *, json_t *);
int		 api_connections_test(struct req *, json_t *);
int		 api_connections_replace(struct req *, json_t *);
int		 api_connections_credentials(struct req *, json_t *);
int		 api_connectors_get(struct req *, json_t *);
/* Connection {id} as the token's user sees it; NULL with *rc 0 (404
 * made) or -1. */
struct conn	*api_connections_load(struct req *, int *rc);
/* The flows using connection id, as GET lists them; NULL on failure. */
json_t		*api_connections_flows(struct req *, int64_t id);

/* api-connections-write.c (scope connections:write) */
int		 api_connections_create(struct req *, json_t *);
int		 api_connections_update(struct req *, json_t *);
int		 api_connections_delete(struct req *, json_t *);
int		 api_connections_share(struct req *, json_t *);
int		 api_connections_unshare(struct req *, json_t *);
int		 api_connections_transfer(struct req *, json_t *);
int		 api_connections_tests(struct req *, json_t *);
int		 api_connections_versions(struct req *, json_t *);

/* api-flows.c */
int		 api_flows_list(struct req *, json_t *);
int		 api_flows_get(struct req *, json_t *);
int		 api_flows_create(struct req *, json_t *);
int		 api_flows_replace(struct req *, json_t *);
int		 api_flows_delete(struct req *, json_t *);

/* The dispatcher's steps (api.c); each answers itself when it refuses. */
/* The token's user becomes r->sess and r->actor: 0, 1 (401 made), -1. */
int		 api_auth(struct req *);
/* The declared query parameters only, none repeated: 0, or 1 (400 made). */
int		 api_query(struct req *);
/* A JSON object body into *out: 0, or 1 (the 4xx made). */
int		 api_body(struct req *, json_t **out);
/* 503 with Retry-After: the database cannot be reached or answer now. */
void		 api_unavailable(struct req *);
/* Read what is left of the body, bounded, so nginx sees a clean end. */
void		 api_drain(struct req *);

#endif /* TETHER_API_H */
