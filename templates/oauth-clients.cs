<?cs ####  oauth-clients.cs: the OAuth clients a user may use (/oauth-clients)
      and the form that creates one. Reads OauthClients.N.Id|Name|
      ConnectorTitle|ProtocolLabel|ClientId|Team|Connections,
      OcForm.Teams.N.Id|Name, OcForm.Kinds.N.Key|Label|Selected|TokenUrl,
      OcForm.Draft|Back (came from a connection form's "+": Create returns
      there with the new client picked), OcForm.Name|Team|ClientId|
      AuthMethod|TokenUrl|AuthorizeUrl|Scopes (sent back), OcForm.Error and
      OcForm.Errors.Name|Team|Kind|ClientId|ClientSecret|AuthMethod|
      TokenUrl|AuthorizeUrl|Scopes (HACKING.md). The form POSTs csrf, name,
      team, kind, client_id, client_secret (never echoed), auth_method,
      token_url, authorize_url, scopes, draft.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "oauth-clients" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "OAuth clients" ?><?cs /if ?><?cs

def:oc_summary_item(field, label, message)
?><?cs if:message ?>
<li><a href="#f-<?cs var:field ?>"><?cs var:label ?>: <?cs var:message ?></a></li><?cs
/if ?><?cs /def ?><?cs

def:page_content() ?>
<div class="page-header">
<div class="page-heading">
<h1>OAuth clients</h1>
<p class="page-lede">An OAuth 2.0 client registered once at a provider and used by many connections. Change its secret here and every connection that uses it takes the new one from its next token call.</p>
</div>
<div class="page-actions">
<a class="btn btn-primary" href="#create-title"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 3v10M3 8h10" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>New OAuth client</a>
</div>
</div><?cs

if:OcForm.Error ?>
<div class="alert alert-error error-summary" role="alert"><?cs call:alert_icon("error") ?><div class="alert-body">
<p class="alert-title"><?cs var:OcForm.Error ?></p>
<ul class="error-summary-list"><?cs
  call:oc_summary_item("name", "Name", OcForm.Errors.Name) ?><?cs
  call:oc_summary_item("team", "Owner team", OcForm.Errors.Team) ?><?cs
  call:oc_summary_item("kind", "Connector", OcForm.Errors.Kind) ?><?cs
  call:oc_summary_item("client_id", "Client ID", OcForm.Errors.ClientId) ?><?cs
  call:oc_summary_item("client_secret", "Client secret", OcForm.Errors.ClientSecret) ?><?cs
  call:oc_summary_item("auth_method", "Authentication method", OcForm.Errors.AuthMethod) ?><?cs
  call:oc_summary_item("token_url", "Token URL", OcForm.Errors.TokenUrl) ?><?cs
  call:oc_summary_item("authorize_url", "Authorize URL", OcForm.Errors.AuthorizeUrl) ?><?cs
  call:oc_summary_item("scopes", "Allowed scopes", OcForm.Errors.Scopes) ?>
</ul>
</div></div><?cs
/if ?><?cs

if:OcForm.Draft ?>
<div class="alert alert-info" role="status"><?cs call:alert_icon("info") ?><div class="alert-body"><p>Your connection form is kept. Create the client below and you go back to it with the new client selected, or <a href="<?cs var:OcForm.Back ?>?draft=<?cs var:url_escape(OcForm.Draft) ?>">go back without creating one</a>.</p></div></div><?cs
/if ?>

<section class="nc-list" aria-labelledby="list-title"><?cs
call:section_head("list-title", "OAuth clients you may use", 0, subcount(OauthClients), "client") ?><?cs
if:subcount(OauthClients) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table nc-table">
<caption class="visually-hidden">OAuth clients you may use, by name</caption>
<thead>
<tr><th scope="col">Name</th><th scope="col">Connector</th><th scope="col">Client ID</th><th scope="col">Owner team</th><th scope="col" class="num">Used by</th></tr>
</thead>
<tbody><?cs
  each:c = OauthClients ?>
<tr>
<th scope="row"><a href="/oauth-clients/<?cs var:c.Id ?>"><?cs var:c.Name ?></a></th>
<td data-label="Connector"><?cs var:c.ConnectorTitle ?><span class="link-list-meta"> · <?cs var:c.ProtocolLabel ?></span></td>
<td data-label="Client ID" class="url-cell"><span class="url-text"><?cs var:c.ClientId ?></span></td>
<td data-label="Owner team"><?cs call:or_dash(c.Team) ?></td>
<td data-label="Used by" class="num"><?cs if:#c.Connections > 0 ?><?cs var:c.Connections ?> connection<?cs if:#c.Connections != 1 ?>s<?cs /if ?><?cs else ?><span class="muted">None</span><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="17" cy="24" r="8" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M25 24h16M35 24v6M41 24v5" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/></svg>
<h3>No OAuth clients yet</h3>
<p>Create one below, then pick it in any OAuth connection of its connector.</p>
</div><?cs
/if ?>
</section>

<section class="nc-new" aria-labelledby="create-title">
<div class="section-head">
<h2 id="create-title" tabindex="-1">Create an OAuth client</h2>
</div><?cs
if:subcount(OcForm.Teams) > 0 ?>
<form class="form panel" method="post" action="/oauth-clients" aria-labelledby="create-title"><?cs call:csrf_input() ?><?cs
  if:OcForm.Draft ?>
<input type="hidden" name="draft" value="<?cs var:OcForm.Draft ?>"><?cs /if ?>
<div class="nc-form-grid"><?cs
  call:input_field("name", "Name", "text", OcForm.Name, "off", "For example “Celonis production app”.", OcForm.Errors.Name, 1) ?><?cs
  call:select_open("team", "team", "Owner team", "Its managers can edit and share it.", OcForm.Errors.Team, "Choose a team…") ?><?cs
  each:t = OcForm.Teams ?>
<option value="<?cs var:t.Id ?>"<?cs if:subcount(OcForm.Teams) == 1 || t.Id == OcForm.Team ?> selected<?cs /if ?>><?cs var:t.Name ?></option><?cs
  /each ?>
</select>
</div>
</div><?cs
  call:select_open("kind", "kind", "Connector and protocol", "Connections of this connector and protocol can use it.", OcForm.Errors.Kind, "Choose…") ?><?cs
  each:k = OcForm.Kinds ?>
<option value="<?cs var:k.Key ?>"<?cs if:k.Selected ?> selected<?cs /if ?>><?cs var:k.Label ?></option><?cs
  /each ?>
</select>
</div>
<div class="nc-form-grid"><?cs
  call:input_field("client_id", "Client ID", "text", OcForm.ClientId, "off", "", OcForm.Errors.ClientId, 1) ?><?cs
  call:input_field("client_secret", "Client secret", "password", "", "new-password", "Stored encrypted; never shown again, not even to you.", OcForm.Errors.ClientSecret, 1) ?>
</div>
<div class="field<?cs if:OcForm.Errors.AuthMethod ?> has-error<?cs /if ?>"><?cs
  call:field_label("auth_method", "Authentication method", 1) ?><?cs
  call:field_help("auth_method", "How the client proves itself at the token endpoint: HTTP Basic (client_secret_basic) or in the request body (client_secret_post).") ?><?cs
  call:error_message("auth_method", OcForm.Errors.AuthMethod) ?>
<select class="select" id="f-auth_method" name="auth_method"<?cs call:field_aria("auth_method", 1, OcForm.Errors.AuthMethod, "") ?>>
<option value="client_secret_basic"<?cs if:OcForm.AuthMethod != "client_secret_post" ?> selected<?cs /if ?>>client_secret_basic (HTTP Basic)</option>
<option value="client_secret_post"<?cs if:OcForm.AuthMethod == "client_secret_post" ?> selected<?cs /if ?>>client_secret_post (in the body)</option>
</select>
</div>
<div class="nc-form-grid"><?cs
  call:input_field("token_url", "Token URL", "url", OcForm.TokenUrl, "off", "Only for connectors whose token URL is a field (generic HTTP); empty: the connection's own.", OcForm.Errors.TokenUrl, 0) ?><?cs
  call:input_field("authorize_url", "Authorize URL", "url", OcForm.AuthorizeUrl, "off", "As the token URL, for the authorization code flow.", OcForm.Errors.AuthorizeUrl, 0) ?>
</div><?cs
  call:input_field("scopes", "Allowed scopes", "text", OcForm.Scopes, "off", "Space-separated. Connections using the client may ask for these only; empty allows any.", OcForm.Errors.Scopes, 0) ?>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Create<?cs if:OcForm.Draft ?> and go back to the connection<?cs /if ?></button><?cs
  if:OcForm.Draft ?>
<a class="btn btn-secondary" href="<?cs var:OcForm.Back ?>?draft=<?cs var:url_escape(OcForm.Draft) ?>">Back to the connection</a><?cs
  /if ?>
</div>
</form><?cs
else ?>
<p class="muted">Only managers of a team can create OAuth clients for it, and you manage no team.</p><?cs
/if ?>
</section><?cs
/def ?><?cs include:"layout.cs" ?>
