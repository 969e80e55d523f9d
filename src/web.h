/*
 * web.h — the HTTP side of Tether: the request (req.c), the router and its
 * checks (route.c), the response (http.c), sessions and CSRF (session.c),
 * the access log, the connection form and the connection pages' view, and
 * the pages. Only the files of that side include it; domain code
 * (tether.h) never sees a struct req (docs/ARCHITECTURE.md).
 */
#ifndef TETHER_WEB_H
#define TETHER_WEB_H

/* --------------------------------------------------------------- req.c */

enum http_method {
	METHOD_GET	= 1 << 0,
	METHOD_POST	= 1 << 1,
	METHOD_HEAD	= 1 << 2,
	METHOD_OTHER	= 1 << 3,
};

/* The signed-in user of a request. */
struct session {
	int64_t		 id;
	int64_t		 user_id;
	char		*email;
	char		*name;
	int		 is_admin;
	int		 is_manager;	/* manages some team (User.IsManager) */
	char		*csrf;
	int64_t		 list_version;	/* sql/032: moves with every change the user's list shows */
	int64_t		 teams_version;	/* sql/032: moves with every change to the teams table */
	int64_t		*team_ids;	/* the teams they are a member of, by id */
	size_t		 nteams;
};

struct route;

/* Request state: on the stack of the accept loop, freed every iteration. */
struct req {
	struct app		*app;
	struct FCGX_Request	*fr;
	char			 id[17];	/* request id, hex */
	struct timespec		 started;
	enum http_method	 method;
	const char		*method_name;
	char			*path;		/* canonical */
	const struct route	*route;
	int64_t			 arg_id;	/* {id} in the path, 0 if none */
	char			*arg_key;	/* {key} in the path */
	struct fields		 in;		/* GET: query; POST: body only */
	struct fields		 cookies;
	const char		*client_addr;
	const char		*user_agent;
	int			 https;
	struct session		*sess;
	struct prefetch		*pre;		/* the page's reads, already run (session.c) */
	unsigned		 api_scopes;	/* the API token's (APITOKEN_* bits) */
	int64_t			 api_token_id;	/* and its id (audit) */
	int			 wipe_out;	/* out held secrets: wiped when freed */
	char			 pre_csrf[64];	/* the sign-in form's token (session.c) */
	struct actor		 actor;		/* who acts: the session's user, or nobody */
	struct _hdf		*hdf;
	/* What every page's layout shows (User.*, CSRF.Token, Page.Section,
	 * Once.Token): decided by route.c, set in the HDF only when a page is
	 * written (req_fill_layout), so that a kept page builds no HDF. */
	int			 layout_filled;		/* req_fill_layout ran */
	int			 layout_user;		/* User.* from the session */
	const char		*layout_csrf;		/* or NULL */
	const char		*layout_section;	/* or NULL */
	char			 once[48];	/* this request's one-time token, or "" */
	/* the response */
	int			 status;
	const char		*content_type;
	struct buf		 headers;	/* extra header lines, "\r\n"-terminated */
	struct buf		 out;		/* the body, sent after headers */
	struct render_splices	 splices;	/* markup the page's template splices in
						 * (never secrets: not wiped) */
	const char		*kept;		/* or a kept page (listcache.c), not */
	size_t			 kept_len;	/* ours to free, sent instead of out */
	size_t			 hole_at, hole_len;	/* where out holds the markup a kept */
	int			 hole;			/* copy may take anew (listcache.c) */
	int			 signed_in_page;	/* Cache-Control: no-store */
	const char		*log_note;	/* short reason for the access log */
	int			 undelivered;	/* the web server was gone when we answered */
	char			*csp_form_action;	/* an extra form-action origin, or NULL */
	/* Work to do once the answer is sent and the request is finished (a
	 * Test run in the background): after(app, after_arg), which frees it. */
	void			(*after)(struct app *, void *);
	void			*after_arg;
};

/* req_parse's answer for /api/ paths: api.c reads and answers those itself. */
#define REQ_API		(-2)

void		 req_init(struct req *, struct app *, struct FCGX_Request *);
/* Read the raw body (at most cfg.body_max bytes): 0, or 400/413 as for forms. */
int		 req_read_raw(struct req *, struct buf *out);
/* Read method, canonical path and cookies: 0, REQ_API, or an HTTP status. */
int		 req_parse(struct req *);
/* Read the query (GET, HEAD) or the form body (POST; a POST with a query is
 * refused), bounded: 0, or an HTTP status to answer with. */
int		 req_read_fields(struct req *);
void		 req_free(struct req *);
/* Set what route.c decided the layout shows in r->hdf (once; a no-op after). */
void		 req_fill_layout(struct req *);
const char	*req_param(const struct req *, const char *name);
/* The field's value, or "" when it is absent (never NULL). */
const char	*req_text(const struct req *, const char *name);
const char	*req_cookie(const struct req *, const char *name);
const char	*req_env(const struct req *, const char *name);

/* -------------------------------------------------------------- route.c */

typedef int	(*page_fn)(struct req *);

/*
 * A page's reads sent with the session check, in its round trip: queued
 * for the user this worker last saw with the request's session cookie
 * (session.c), before the check says who it is. They are used only when
 * the check finds that same user, with the same admin flag; else they are
 * dropped and the page reads as usual. Reads only: nothing they do shows
 * or changes anything by itself.
 */
#define PREFETCH_MAX	12
struct prefetch {
	struct db_batch	 b;
	int		 at[PREFETCH_MAX];	/* the page's own indexes into b */
};
typedef void	(*prefetch_fn)(struct req *, const struct actor *who, struct prefetch *);

enum route_flags {
	ROUTE_SESSION	= 1 << 0,	/* signed-in users only */
	ROUTE_ADMIN	= 1 << 1,	/* global admins only */
	ROUTE_FORM_ANY	= 1 << 2,	/* also accepts connector fields "f.*" */
	ROUTE_PRE_CSRF	= 1 << 3,	/* CSRF from the pre-session cookie (sign-in) */
	ROUTE_NO_REFERRER = 1 << 4,	/* every answer: Referrer-Policy: no-referrer */
	ROUTE_ADMIN_403	= 1 << 5,	/* with ROUTE_ADMIN: others get 403, not 404 */
};

struct route {
	const char		*pattern;	/* "/connections/{id}/edit" */
	unsigned		 methods;	/* enum http_method bits */
	unsigned		 flags;
	const char		*section;	/* Page.Section */
	page_fn			 get;
	page_fn			 post;
	const char *const	*params;	/* declared fields, NULL-terminated */
	const char *const	*multi;		/* of those, the ones that may repeat */
	prefetch_fn		 prefetch;	/* GET's reads with the session check, or NULL */
};

/* Find the route of a canonical path: 0 found, 404 or 405. */
int		 route_match(struct req *);
/* 1 when the canonical path matches the pattern; {id} (a positive decimal)
 * into *id, {key} (a catalog-style key) into *key (malloc'd; key NULL: no
 * {key} matches). The page router and the API's use this one matcher. */
int		 route_path_match(const char *pattern, const char *path, int64_t *id,
		    char **key);
void		 route_dispatch(struct req *);
/* 1 when `name` is declared for the request's route. */
int		 route_declares(const struct route *, const char *name);
int		 route_allows_repeat(const struct route *, const char *name);

/* --------------------------------------------------------------- http.c */

/* Render `tmpl` with r->hdf into the response body; a template error is a 500. */
int		 http_page(struct req *, int status, const char *tmpl);
/* A 503 carries Retry-After: this many seconds. */
#define HTTP_RETRY_AFTER	"5"
void		 http_error(struct req *, int status, const char *message);
void		 http_redirect(struct req *, const char *location);
void		 http_header(struct req *, const char *name, const char *value);
void		 http_set_cookie(struct req *, const char *name, const char *value,
		    int max_age);
void		 http_flash(struct req *, const char *kind, const char *message);
/* A message for the next page the browser shows (a signed, short-lived cookie). */
void		 http_flash_next(struct req *, const char *kind, const char *message);
/* Take a flash cookie set by the previous response, if it is genuine. */
void		 http_flash_take(struct req *);
/* Write status line, headers and body to the client. */
void		 http_send(struct req *);
const char	*http_status_text(int);

/* ------------------------------------------------------------ session.c */

const char	*session_cookie_name(const struct app *);
/* Look up the request's session cookie; sets r->sess when valid. */
int		 session_load(struct req *);
int		 session_create(struct req *, int64_t user_id);
int		 session_destroy(struct req *);
void		 session_free(struct session *);
/* The CSRF token forms carry: the session's, or the pre-session cookie's. */
const char	*session_csrf_token(struct req *);
/* 1 when the POST's csrf field matches. */
int		 session_csrf_ok(struct req *);
/* 1 when the user manages at least one team (or is an admin), -1 on failure. */
int		 session_is_manager(struct req *);
/* r->actor becomes r->sess's user (or nobody, when r->sess is NULL). */
void		 session_actor(struct req *);
/* Free r->sess (the dispatchers do, when they are done); r->actor keeps the
 * user's id for the access log. */
void		 session_end(struct req *);
/* Drop the page's reads sent with the session check (r->pre). */
void		 session_prefetch_free(struct req *);

/* ---------------------------------------------------------- accesslog.c */

void		 accesslog_write(const struct req *);

/* ------------------------------------------------------------ connform.c */

/*
 * The generic connection form: one connector's fields for one protocol,
 * rendered from its definition and validated against it.
 */
#define CONNFORM_SECRETS_MAX	SECRET_FIELDS_MAX

struct json_t;

struct connform {
	struct _hdf	*proto;		/* the protocol's definition node */
	const char	*api_type;
	int		 editing;
	struct json_t	*old;		/* settings before the edit (NULL when new) */
	struct json_t	*stored;	/* secret field -> changed-at, of stored secrets */
	/* results of connform_validate */
	struct json_t	*settings;	/* the new non-secret settings */
	struct json_t	*errors;	/* field key -> message */
	char		*secret_field[CONNFORM_SECRETS_MAX];
	char		*secret_value[CONNFORM_SECRETS_MAX];	/* wiped by connform_free */
	int		 nsecrets;
	struct buf	 changed;	/* comma-separated names of changed fields */
	int		 nchanged;
	int		 rebind;	/* an authentication-bound field changed */
	/* secrets' expiry dates: stored, and what the form changes ("" clears) */
	struct json_t	*expiry;	/* secret field -> "YYYY-MM-DD" */
	char		*expiry_field[CONNFORM_SECRETS_MAX];
	char		*expiry_value[CONNFORM_SECRETS_MAX];
	int		 nexpiry;
	/* New only: the form comes back for another protocol or API type;
	 * what was typed is kept, fields not posted show their defaults. */
	int		 switched;
	/* Edit: the connection mode (uplink id, 0: Direct) as stored and as
	 * posted; a change is a destination change (connform_set_uplink). */
	int64_t		 uplink_old;
	int64_t		 uplink_new;
};

void		 connform_init(struct connform *, struct _hdf *proto, const char *api_type,
		    int editing, const char *old_settings_json, const char *stored_json);
/* Read f.* fields: 0 valid, >0 the number of field errors, -1 a crafted form (400). */
int		 connform_validate(struct req *, struct connform *, int per_user);
/* Fill Form.Fields.* from the posted values (after validate) or the old settings. */
void		 connform_fill(struct req *, struct connform *, int from_post);
/* Every f.* of the request is a field of this protocol and API type. */
int		 connform_declares_all(struct req *, struct connform *);
void		 connform_free(struct connform *);
/* Label of field `key` in the protocol, or the key itself. */
const char	*connform_label(struct connform *, const char *key);
/* The value a field shows before anything is typed (scopes: the protocol's
 * default scopes for the API type). */
const char	*connform_default(struct connform *, struct _hdf *field);
/* The stored secrets' expiry dates (secret_conn_expiry_json) for the form
 * to show and to compare with. Before connform_validate. */
void		 connform_set_expiry(struct connform *, const char *expiry_json);
/* Store the expiry dates the form changed (after the secrets); 0 or -1. */
int		 connform_save_expiry(const struct connform *, const struct actor *,
		    int64_t id);
/* Connection mode, for connectors with uplink = 1: Form.UplinkAllowed and
 * Form.Uplinks.N.Id|Name|Selected (chosen: the selected uplink's id, NULL
 * or "" for Direct). */
void		 connform_fill_uplinks(struct req *, const char *chosen);
/* The connection mode posted (`uplink`): the chosen uplink's id (request
 * memory), NULL for Direct; NULL with Form.Errors.Uplink set and *errors
 * counted when it is no uplink or the connector (def) is always direct. */
const char	*connform_check_uplink(struct req *, struct _hdf *def, int *errors);
/* Edit: the connection mode as stored and as posted (0: Direct). A change
 * is a destination change: connform_validate then asks for every stored
 * secret again, as for an auth_bound field. Before connform_validate. */
void		 connform_set_uplink(struct connform *, int64_t old_id, int64_t new_id);

/* connform-client.c: the OAuth client picker of the connection form. */
int		 connform_client_applies(struct _hdf *proto);
/* Form.OAuthClient.* (after connform_fill): the usable clients, the source. */
int		 connform_client_fill(struct req *, struct connform *, const char *connector,
		    const char *protocol, const char *current);
/* The client connection `conn_id` uses, as a decimal into out: 1, 0 none, -1. */
int		 connform_client_current(const struct actor *, int64_t conn_id, char *out,
		    size_t len);
/* Edit: the connection's client changes (a change of its destination:
 * tokens issued through the old client go). */
void		 connform_client_changed(struct connform *);
/* After connform_validate: the chosen client's id (the request's) with the
 * client ID and secret fields taken out of what is saved; NULL for typed
 * ones; a missing or foreign choice counts in *errors. */
const char	*connform_client_check(struct req *, struct connform *, const char *connector,
		    const char *protocol, int *errors);
/* "+" or the pencil: keep the form's non-secret values as a draft and go
 * to the client's page (303), coming back to `back`. 0, -1. */
int		 connform_client_leave(struct req *, struct connform *, const char *back);
/* A ?draft='s values into the request (those it does not carry): 1, 0. */
int		 connform_client_restore(struct req *);
/* Where a draft goes back to (malloc'd), NULL when it is not the actor's. */
char		*connform_client_return(const struct actor *, const char *token);

/* ----------------------------------------------------------- connsave.c */
/* What creating, editing, deleting and sharing check and write, for the
 * pages and the JSON API alike (one validator). Checks read r->in and put
 * messages at Form.Errors.* and cf->errors; writes take an actor. */

#define CONNSAVE_UNDECLARED	 (-2)	/* a check met an undeclared f.* field */
#define CONNSAVE_NOTHING	 1	/* share: no such team/share; transfer refused */
#define CONNSAVE_FORBIDDEN	 2	/* share: not a manager of the owner team */
#define CONNSAVE_OWNER_TEAM	 3	/* share: the owner team itself */
#define CONNSAVE_BAD_PERMISSION	 4	/* share: not use | manage */
#define CONNSAVE_BAD_ACTION	 5

/* A new connection's connector, protocol and API type (connector,
 * protocol, api_type of r->in) and the teams the user may create in. */
struct connsave_new {
	const char		*connector;
	const char		*protocol;
	const char		*api_type;
	struct _hdf		*def;
	struct _hdf		*proto;
	struct pg_result	*teams;		/* team_managed() */
};
/* What a new connection is saved with besides its fields (r->in's). */
struct connsave_pick {
	const char	*name, *description, *team, *ctx;
	const char	*credential, *uplink, *client;	/* ids, or NULL */
};
/* What an edit writes besides the connector's fields. */
struct connsave_values {
	const char	*version;
	const char	*name;
	const char	*description;
	const char	*check_interval;
	const char	*client;	/* the saved OAuth client's id, or NULL */
};
/* Connector, protocol and API type; strict: -1 when one is unknown, else
 * the first of each. 0 resolved, -1 unknown connector. */
int		 connsave_resolve(struct req *, struct connsave_new *, int strict);
/* The named credentials the user may reference (their managed teams'). */
struct pg_result *connsave_credentials(struct req *);
/* Every check of Create (nc->teams set, cf initialised): the number of
 * errors, CONNSAVE_UNDECLARED; *p filled from r->in. */
int		 connsave_check_new(struct req *, struct connsave_new *, struct connform *,
		    struct connsave_pick *p);
/* Every f.* of r->in is a field of some protocol of the connector: 1; 0
 * when one is of none (a crafted form). */
int		 connsave_foreign_fields(struct req *, struct connsave_new *);
/* Insert it, its secrets, version 1 and the audit entry in one transaction:
 * the id, 0 when the name is taken in the team, -1 on failure. */
long long	 connsave_create(const struct actor *, const struct connsave_new *,
		    struct connform *, const struct connsave_pick *);
/* An OAuth code connection of the system account, no named credential:
 * nothing to test before the consent (Connect). */
int		 connsave_awaits_consent(const struct connsave_new *, const char *ctx,
		    const char *credential);
/* The scheduled check posted (NULL: not one offered), or c's when absent. */
const char	*connsave_check_interval(struct req *, const struct conn *);
/* Edit's name, description and check interval; its connection mode. Each
 * counts changes in cf and returns its errors. */
int		 connsave_check_basics(struct req *, struct conn *, struct connform *);
int		 connsave_check_uplink(struct req *, const struct conn *, struct connform *);
/* Every check of Edit (cf initialised with c's settings): the number of
 * errors, CONNSAVE_UNDECLARED, -1 on failure; *client the OAuth client. */
int		 connsave_check_edit(struct req *, struct conn *, struct connform *,
		    const char **client);
/* An edit's values from r->in (name, description, check_interval). */
void		 connsave_values_read(struct req *, const struct conn *, const char *version,
		    const char *client, struct connsave_values *);
/* Test before save: the changed connection tried with the typed secrets
 * over the stored ones: 1 failed (why: the sentence), 0 passed or cannot be
 * tried without side effects, -1 on failure. */
int		 connsave_try(const struct actor *, const struct conn *, struct connform *,
		    struct probe_outcome *, char *why, size_t whylen);
/* What an edit is tried for before it is saved: typed secrets, a new
 * destination or other settings. */
int		 connsave_needs_try(const struct connform *);
/* Save an edit in one transaction: 0, 1 stale (version moved on), -1. */
int		 connsave_edit(const struct actor *, struct conn *, struct connform *,
		    const struct connsave_values *);
/* Delete unless flows use it (revoking its OAuth tokens first), audited
 * either way: 0 deleted, 1 in use, CONNSAVE_FORBIDDEN (not a manager of
 * the owner team), -1 on failure. */
int		 connsave_delete(const struct actor *, const struct conn *);
/* action share (perm use|manage) | revoke | transfer, team tid: 0 done,
 * CONNSAVE_* refusals, -1 on failure. Audited as the sharing page does. */
int		 connsave_share(const struct actor *, const struct conn *, const char *action,
		    long long tid, const char *perm);
/* The sentence for a refusal of connsave_share. */
const char	*connsave_share_why(int rc, const char *action);

/* ----------------------------------------------------------- connpage.c */

/* Fill Conn.*, Can.* and the connection's page title. */
void		 connpage_fill(struct req *, const struct conn *, const char *tab);
/* Load {id} for a page: 0 with *out set, or the response is already made
 * (404 when missing or invisible, 403, 503) and 1 is returned. */
int		 connpage_load(struct req *, enum perm need, struct conn **out);
/* The flows using connection id, sorted by `sort` (?sort=): queued, then
 * their rows as prefix.N and the sort links (connpage_fill_flows: both). */
int		 connpage_flows_queue(struct db_batch *, int64_t id, const char *sort);
void		 connpage_flows_fill(struct req *, const char *prefix, const char *sort,
		    struct pg_result *res);
/* The connection from a batch that ran with conn_get_queue's read at `at`. */
int		 connpage_take(struct req *, enum perm need, struct conn **out,
		    struct db_batch *b, int at);
/* The flows using a connection into `prefix`.N.Id|Name|Version|Status|Owner|
 * ProgressStatus, sorted by an allow-listed key; -1 on failure. */
int		 connpage_fill_flows(struct req *, int64_t id, const char *prefix,
		    const char *sort);
/* After a change: test connection `id` (`trigger`), then go to it with the
 * message "<done> Test: <result>" (to the Integrations list when it was
 * deleted meanwhile). 0. */
/* A new version of the connection in the caller's transaction (Edit, Revert):
 * the new version number, 0 when stale (nothing written), -1. */
int		 connpage_save_version(struct req *, const struct conn *, const char *expect,
		    const char *name, const char *description, const char *settings,
		    const char *check_interval, const char *fields);
int		 connpage_save_version_as(const struct actor *, const struct conn *,
		    const char *expect, const char *name, const char *description,
		    const char *settings, const char *check_interval, const char *fields);
int		 connpage_test_and_show(struct req *r, int64_t id, const char *trigger,
		    const char *done);
/* An OAuth code connection that was never authorised: not tested since it
 * was created (Connect tests it), no named credential, not per-user. */
int		 connpage_never_connected(struct req *, const struct conn *);
/* A connection mode in words: "Direct" (uplink ""), "Uplinked via NAME". */
void		 connpage_mode(char *buf, size_t len, const char *uplink);
/* The actor's consent would be the first (Connect, not Reconnect): the
 * connection never connected, or for a per-user one the actor's own. */
int		 connpage_first_connect(struct req *, const struct conn *);

/* -------------------------------------------------- page-connection-reconnect.c */

int		 page_connection_reconnect_post(struct req *);
/* "Connect a different account": admins only, audited (issue 13 §6). */
int		 page_connection_connect_other_post(struct req *);
/* After Create of an OAuth code connection: flash `message` and go straight
 * to the provider's consent (Connect). */
int		 page_connection_connect_new(struct req *, int64_t id, const char *message);

/* ------------------------------------------------- page-oauth-callback.c */

int		 page_oauth_callback(struct req *);

/* -------------------------------------------------------------- pages */

int		 page_login(struct req *);
int		 page_login_post(struct req *);
int		 page_logout_post(struct req *);
int		 page_index(struct req *);
int		 page_connectors(struct req *);
int		 page_connector(struct req *);
int		 page_connection_new(struct req *);
int		 page_connection_create(struct req *);
int		 page_connection(struct req *);
int		 page_connection_related(struct req *);
/* Their read of the connection, sent with the session check (struct prefetch). */
void		 page_connection_prefetch(struct req *, const struct actor *, struct prefetch *);
int		 page_connection_history(struct req *);
int		 page_connection_edit(struct req *);
int		 page_connection_edit_post(struct req *);
int		 page_connection_delete(struct req *);
int		 page_connection_delete_post(struct req *);
/* page-connection-testing.c */
int		 page_connection_testing(struct req *);
/* page-connection-revert.c */
int		 page_connection_revert(struct req *);
int		 page_connection_revert_post(struct req *);
int		 page_flow(struct req *);
int		 page_connection_test_post(struct req *);
/* page-connection-test.c: after the answer, fn(actor, token, arg) as the
 * user who asked (fn frees arg); and a test of connection `id` run so on
 * token `token` (taken), answered at once with its Testing… page and the
 * flash `done` (NULL: none), the outcome "<done> Test: <result>". 0, -1. */
void		 page_connection_run_after(struct req *, const char *token,
		    void (*fn)(const struct actor *, const char *, void *), void *arg);
int		 page_connection_test_later(struct req *, int64_t id, const char *token,
		    const char *trigger, const char *done);
/* Test connection `id` now: the kind of its outcome ("success", "error",
 * "gone") and the message "<done> Test: <result>" (done NULL: the result). */
const char	*page_connection_test_outcome(const struct actor *, int64_t id,
		    const char *trigger, const char *done, char *message, size_t len);
int		 page_connection_sharing(struct req *);
int		 page_connection_sharing_post(struct req *);
int		 page_audit(struct req *);
int		 page_teams(struct req *);
int		 page_teams_post(struct req *);
int		 page_team(struct req *);
int		 page_team_post(struct req *);
int		 page_users(struct req *);
int		 page_users_post(struct req *);
int		 page_connection_credentials(struct req *);
int		 page_connection_credentials_post(struct req *);
/* "Disconnect my account": the user's own tokens revoked and destroyed. */
int		 page_connection_disconnect_post(struct req *);
int		 page_named_credentials(struct req *);
int		 page_named_credentials_post(struct req *);
int		 page_named_credential(struct req *);
int		 page_named_credential_post(struct req *);
int		 page_api_tokens(struct req *);
int		 page_api_tokens_post(struct req *);
int		 page_api_token_post(struct req *);
/* page-oauth-clients.c, page-oauth-client.c: reusable OAuth clients. */
int		 page_oauth_clients(struct req *);
int		 page_oauth_clients_post(struct req *);
int		 page_oauth_client(struct req *);
int		 page_oauth_client_post(struct req *);
/* The client form's checks (creating: name, team, kind too): errors into
 * OcForm.Errors.*, their count. */
int		 oauthclient_form_check(struct req *, struct _hdf *proto, int creating);
/* 303 back to the connection form `back` of draft `draft`, client `id` picked. */
void		 oauthclient_form_return(struct req *, const char *draft, const char *back,
		    long long id);
int		 page_webhooks(struct req *);
int		 page_webhooks_post(struct req *);
int		 page_webhook(struct req *);
int		 page_webhook_post(struct req *);
/* page-connection-replace.c */
int		 page_connection_replace(struct req *);
int		 page_connection_replace_post(struct req *);
int		 page_uplinks(struct req *);
int		 page_uplinks_post(struct req *);
int		 page_uplink(struct req *);
int		 page_uplink_post(struct req *);
/* Egress.Addresses (none: unset) for the outbound addresses block: the
 * uplink's own when uplink_id > 0 (Egress.Uplink its name), else
 * outbound.egress_addresses. */
void		 uplinks_egress_fill(struct req *, int64_t uplink_id, const char *uplink_name);

/* ---------------------------------------------------------------- api.c */

/* The JSON API (/api/v1/...): token auth, its own routes, JSON in and out. */
void		 api_dispatch(struct req *);

/* ----------------------------------------------------------- listcache.c */

/* 1 when r->out now holds the kept page of this session's `view`: kept
 * under the session's list version (print NULL), or under this print. */
int		 list_cache_serve(struct req *, const char *view, const char *print,
		    size_t print_len);
/* The same, the copy's hole (r->hole_at/len when it was kept) taking `hole`. */
int		 list_cache_serve_hole(struct req *, const char *view, const char *print,
		    size_t print_len, const char *hole, size_t hole_len);
/* Keep r->out, rendered from rows read at list version `version`, or from
 * the values `print` holds (listmirror.c). */
void		 list_cache_keep(struct req *, const char *view, int64_t version,
		    const char *print, size_t print_len);
/* The user's health summary (failing, needs reconnect, expiring) kept by
 * the worker for this scope version and day (time / 86400, taken before
 * it was read): 1 and out, else 0. */
int		 list_cache_health(struct req *, long long day, char out[3][24]);
void		 list_cache_health_keep(struct req *, long long day, char v[3][24]);
/* A member's team filter options kept for this scope version, or NULL. */
const char	*list_cache_teams(struct req *);
void		 list_cache_teams_keep(struct req *, const char *html);

/* ------------------------------------------------------------ rowcache.c */

/* One row of the Integrations list, as shown (labels already looked up). */
struct rowcache_row {
	const char	*id, *name, *connector_title, *protocol_label, *status,
			*status_label, *tested, *result, *team, *flows;
};
/* The health summary's counts (failing, needs reconnect, expiring within
 * horizon_days), byte for byte what index.cs wrote (tests/unit/index-health.cs). */
void		 rowcache_health(struct buf *, const long long health[3], int horizon_days);
/* Append the row's markup, byte for byte what index.cs's row loop wrote. */
void		 rowcache_html(struct buf *, const struct rowcache_row *);
/* The markup kept for connection `id` when it was rendered from exactly
 * `key` (keylen bytes: the row's values), else NULL; *len its length. */
const char	*rowcache_get(struct rowcache *, int64_t id, const char *key,
		    size_t keylen, size_t *len);
void		 rowcache_put(struct rowcache *, int64_t id, const char *key,
		    size_t keylen, const char *html, size_t len);

#endif /* TETHER_WEB_H */
