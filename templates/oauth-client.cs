<?cs ####  oauth-client.cs: one OAuth client (/oauth-clients/ID): what it holds
      (the secret only as "stored, changed on"), the connections using
      it, and for those who may manage it (OauthClient.Manage != "0") the
      edit form, sharing and delete. Reads OauthClient.Id|Name|Team|
      ConnectorTitle|ProtocolLabel|UpdatedAt|SecretChangedAt|Manage|
      ClientId|AuthMethod|TokenUrl|AuthorizeUrl|Scopes (the form's values),
      Stored* (as stored), TokenUrlVaries|AuthorizeUrlVaries, Draft|BackUrl
      (came from a connection form's pencil: Save returns there),
      Connections.N.Id|Name|ConnectorTitle, Shares.N.TeamId|Team|
      Permission, ShareTeams.N.Id|Name, OcForm.Error, OcForm.Errors.*
      (HACKING.md). Forms POST csrf and action=save (client_id,
      client_secret: empty keeps it, auth_method, token_url, authorize_url,
      scopes, draft), delete, share (team, permission) or unshare (team).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "oauth-clients" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = OauthClient.Name ?><?cs /if ?><?cs
set:Tmp.InUse = subcount(OauthClient.Connections) > 0 ?><?cs
set:Tmp.Manage = OauthClient.Manage && OauthClient.Manage != "0" ?><?cs
def:page_content() ?><?cs
call:breadcrumbs("/oauth-clients", "OAuth clients", OauthClient.Name) ?>
<div class="page-header">
<div class="page-heading">
<p class="eyebrow">OAuth client</p>
<h1 class="conn-name"><?cs var:OauthClient.Name ?></h1>
<ul class="conn-facts">
<li><?cs var:OauthClient.ConnectorTitle ?> · <?cs var:OauthClient.ProtocolLabel ?></li>
<li>Owner team <strong><?cs var:OauthClient.Team ?></strong></li>
<li><?cs if:Tmp.InUse ?>Used by <?cs var:subcount(OauthClient.Connections) ?> connection<?cs if:subcount(OauthClient.Connections) != 1 ?>s<?cs /if ?><?cs else ?>Not used<?cs /if ?></li>
</ul>
</div>
</div><?cs

if:OauthClient.Draft ?>
<div class="alert alert-info" role="status"><?cs call:alert_icon("info") ?><div class="alert-body"><p>Your connection form is kept. Save to go back to it with this client selected, or <a href="<?cs var:OauthClient.BackUrl ?>">go back without saving</a>.</p></div></div><?cs
/if ?><?cs

if:OcForm.Error ?>
<div class="alert alert-error error-summary" role="alert"><?cs call:alert_icon("error") ?><div class="alert-body">
<p class="alert-title"><?cs var:OcForm.Error ?></p>
<ul class="error-summary-list"><?cs
  if:OcForm.Errors.ClientId ?><li><a href="#f-client_id">Client ID: <?cs var:OcForm.Errors.ClientId ?></a></li><?cs /if ?><?cs
  if:OcForm.Errors.ClientSecret ?><li><a href="#f-client_secret">Client secret: <?cs var:OcForm.Errors.ClientSecret ?></a></li><?cs /if ?><?cs
  if:OcForm.Errors.AuthMethod ?><li><a href="#f-auth_method">Authentication method: <?cs var:OcForm.Errors.AuthMethod ?></a></li><?cs /if ?><?cs
  if:OcForm.Errors.TokenUrl ?><li><a href="#f-token_url">Token URL: <?cs var:OcForm.Errors.TokenUrl ?></a></li><?cs /if ?><?cs
  if:OcForm.Errors.AuthorizeUrl ?><li><a href="#f-authorize_url">Authorize URL: <?cs var:OcForm.Errors.AuthorizeUrl ?></a></li><?cs /if ?><?cs
  if:OcForm.Errors.Scopes ?><li><a href="#f-scopes">Allowed scopes: <?cs var:OcForm.Errors.Scopes ?></a></li><?cs /if ?>
</ul>
</div></div><?cs
/if ?>

<div class="detail-grid nc-grid">
<section class="panel detail-settings" aria-labelledby="oc-edit-title">
<h2 id="oc-edit-title" class="panel-title">Settings</h2>
<dl class="details">
<dt>Client ID</dt>
<dd><code><?cs var:OauthClient.StoredClientId ?></code></dd>
<dt>Client secret</dt>
<dd><?cs if:OauthClient.SecretChangedAt ?><?cs call:lock_icon() ?>Stored, last changed on <?cs var:OauthClient.SecretChangedAt ?><?cs else ?>Not stored<?cs /if ?></dd>
<dt>Authentication method</dt>
<dd><?cs var:OauthClient.StoredAuthMethod ?></dd><?cs
if:OauthClient.StoredTokenUrl ?>
<dt>Token URL</dt>
<dd class="url-cell"><span class="url-text"><?cs var:OauthClient.StoredTokenUrl ?></span></dd><?cs
/if ?><?cs
if:OauthClient.StoredAuthorizeUrl ?>
<dt>Authorize URL</dt>
<dd class="url-cell"><span class="url-text"><?cs var:OauthClient.StoredAuthorizeUrl ?></span></dd><?cs
/if ?>
<dt>Allowed scopes</dt>
<dd><?cs if:OauthClient.StoredScopes ?><code><?cs var:OauthClient.StoredScopes ?></code><?cs else ?><span class="muted">Any</span><?cs /if ?></dd>
<dt>Last changed</dt>
<dd class="tabular"><?cs call:or_dash(OauthClient.UpdatedAt) ?></dd>
</dl><?cs
if:Tmp.Manage ?>
<h3 id="oc-form-title" class="panel-title panel-title-sub">Edit</h3>
<form class="form" method="post" action="/oauth-clients/<?cs var:OauthClient.Id ?>" aria-labelledby="oc-form-title"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="save"><?cs
  if:OauthClient.Draft ?>
<input type="hidden" name="draft" value="<?cs var:OauthClient.Draft ?>"><?cs /if ?>
<p class="form-note">The name, team and connector can't be changed; create a new client instead.</p><?cs
  call:input_field("client_id", "Client ID", "text", OauthClient.ClientId, "off", "", OcForm.Errors.ClientId, 1) ?>
<div class="field<?cs if:OcForm.Errors.ClientSecret ?> has-error<?cs /if ?>"><?cs
  call:field_label("client_secret", "New client secret", 0) ?>
<p class="field-help" id="f-client_secret-help">Leave empty to keep the stored secret. A new one is used by every connection from its next token call.</p><?cs
  call:error_message("client_secret", OcForm.Errors.ClientSecret) ?>
<input class="input input-secret" id="f-client_secret" name="client_secret" type="password" autocomplete="new-password" maxlength="4096" spellcheck="false" placeholder="Unchanged"<?cs
  call:field_aria("client_secret", 1, OcForm.Errors.ClientSecret, "") ?>>
</div>
<div class="field<?cs if:OcForm.Errors.AuthMethod ?> has-error<?cs /if ?>"><?cs
  call:field_label("auth_method", "Authentication method", 1) ?><?cs
  call:error_message("auth_method", OcForm.Errors.AuthMethod) ?>
<select class="select" id="f-auth_method" name="auth_method"<?cs call:field_aria("auth_method", "", OcForm.Errors.AuthMethod, "") ?>>
<option value="client_secret_basic"<?cs if:OauthClient.AuthMethod != "client_secret_post" ?> selected<?cs /if ?>>client_secret_basic (HTTP Basic)</option>
<option value="client_secret_post"<?cs if:OauthClient.AuthMethod == "client_secret_post" ?> selected<?cs /if ?>>client_secret_post (in the body)</option>
</select>
</div><?cs
  if:OauthClient.TokenUrlVaries || OauthClient.TokenUrl ?><?cs
    call:input_field("token_url", "Token URL", "url", OauthClient.TokenUrl, "off", "Empty: each connection's own. Changing it takes the secret again.", OcForm.Errors.TokenUrl, 0) ?><?cs
  /if ?><?cs
  if:OauthClient.AuthorizeUrlVaries || OauthClient.AuthorizeUrl ?><?cs
    call:input_field("authorize_url", "Authorize URL", "url", OauthClient.AuthorizeUrl, "off", "Empty: each connection's own.", OcForm.Errors.AuthorizeUrl, 0) ?><?cs
  /if ?><?cs
  call:input_field("scopes", "Allowed scopes", "text", OauthClient.Scopes, "off", "Space-separated; empty allows any.", OcForm.Errors.Scopes, 0) ?>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Save<?cs if:OauthClient.Draft ?> and go back to the connection<?cs /if ?></button>
<a class="btn btn-secondary" href="<?cs if:OauthClient.BackUrl ?><?cs var:OauthClient.BackUrl ?><?cs else ?>/oauth-clients<?cs /if ?>">Cancel</a>
</div>
</form><?cs
else ?>
<p class="detail-note muted">Your team may use this client; only managers of its owner team (or of a team it is shared with for manage) can change it.</p><?cs
  if:OauthClient.BackUrl ?>
<p><a class="btn btn-secondary" href="<?cs var:OauthClient.BackUrl ?>">Back to the connection</a></p><?cs
  /if ?><?cs
/if ?>
</section>

<section class="panel detail-status" aria-labelledby="uses-title">
<h2 id="uses-title" class="panel-title">Connections using it</h2><?cs
if:Tmp.InUse ?>
<ul class="link-list"><?cs
  each:c = OauthClient.Connections ?>
<li><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a><?cs if:c.ConnectorTitle ?><span class="link-list-meta"><?cs var:c.ConnectorTitle ?></span><?cs /if ?></li><?cs
  /each ?>
</ul><?cs
else ?>
<p class="muted">No connection uses it yet. Pick it when you create a <?cs var:OauthClient.ConnectorTitle ?> connection with <?cs var:OauthClient.ProtocolLabel ?>.</p><?cs
/if ?>
</section><?cs

if:Tmp.Manage ?>
<section class="panel detail-sharing" aria-labelledby="share-title">
<h2 id="share-title" class="panel-title">Sharing</h2>
<p class="muted">Managers of <?cs var:OauthClient.Team ?> can use and edit it. Share it with other teams for use (pick it in their connections) or manage (also edit it).</p><?cs
  if:subcount(OauthClient.Shares) > 0 ?>
<ul class="link-list"><?cs
    each:s = OauthClient.Shares ?>
<li><?cs var:s.Team ?><span class="link-list-meta"><?cs if:s.Permission == "manage" ?>Use and manage<?cs else ?>Use<?cs /if ?></span>
<form class="inline-form" method="post" action="/oauth-clients/<?cs var:OauthClient.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="unshare"><input type="hidden" name="team" value="<?cs var:s.TeamId ?>">
<button class="btn btn-secondary btn-small" type="submit">Stop sharing<span class="visually-hidden"> with <?cs var:s.Team ?></span></button>
</form></li><?cs
    /each ?>
</ul><?cs
  /if ?><?cs
  if:subcount(OauthClient.ShareTeams) > 0 ?>
<form class="form" method="post" action="/oauth-clients/<?cs var:OauthClient.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="share"><?cs
  call:select_open("share-team", "team", "Team", "", "", "Choose a team…") ?><?cs
    each:t = OauthClient.ShareTeams ?>
<option value="<?cs var:t.Id ?>"><?cs var:t.Name ?></option><?cs
    /each ?>
</select>
</div>
<div class="field"><?cs call:field_label("permission", "Permission", 1) ?>
<select class="select" id="f-permission" name="permission">
<option value="use">Use</option>
<option value="manage">Use and manage</option>
</select>
</div>
<div class="form-actions"><button class="btn btn-secondary" type="submit">Share</button></div>
</form><?cs
  else ?>
<p class="muted">There is no other team to share it with.</p><?cs
  /if ?>
</section>

<section class="panel detail-owner danger-panel" aria-labelledby="delete-title">
<h2 id="delete-title" class="panel-title">Delete</h2><?cs
  if:Tmp.InUse ?>
<p>It can't be deleted while connections use it (see Connections using it): <?cs
    each:c = OauthClient.Connections ?><?cs if:name(c) != "0" ?>, <?cs /if ?><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a><?cs /each ?>.</p><?cs
  else ?>
<p>Deleting is permanent and destroys the stored secret.</p>
<form method="post" action="/oauth-clients/<?cs var:OauthClient.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="delete">
<button class="btn btn-danger" type="submit">Delete OAuth client</button>
</form><?cs
  /if ?>
</section><?cs
/if ?>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
