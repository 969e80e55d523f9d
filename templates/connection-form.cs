<?cs ####  connection-form.cs: New connection (Form.Mode "new") and Edit
      ("edit"). Reads Form.* (HACKING.md) and, when editing, Conn.*.
      New: one POST form (csrf, connector, shown, protocol and api_type
      selects, change = "Update fields", name, description, team, context,
      f.*); Form.Notice after "Update fields". Edit: the POST form carries csrf,
      name, description, version, check_interval (Form.CheckInterval;
      not for per-user connections) and f.*; a secret field's
      f.KEY.expires_on date (Form.Fields.N.ExpiresInput|ExpiresOn|
      ExpiresError); connector, protocol and API
      type are shown disabled (not submitted). The connector's fields are
      grouped by Section (connection, authentication) and drawn by
      conn_field() in macros.cs; secrets are never echoed.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs if:Form.Mode == "edit" ?><?cs set:Page.Section = "integrations" ?><?cs
  else ?><?cs set:Page.Section = "connectors" ?><?cs /if ?><?cs /if ?><?cs
if:Form.Mode == "edit" && Conn.Name ?><?cs set:Page.Title = "Edit " + Conn.Name ?><?cs
elif:!Page.Title ?><?cs set:Page.Title = "New connection" ?><?cs /if ?><?cs

####  The fields shown in the error summary at the top, each a link to its
      control.
?><?cs def:summary_item(target, label, message)
?><?cs if:message ?>
<li><a href="#<?cs var:target ?>"><?cs var:label ?>: <?cs var:message ?></a></li><?cs /if ?><?cs
/def ?><?cs

def:page_content() ?>
<nav class="breadcrumbs" aria-label="Breadcrumb">
<ol><?cs
if:Form.Mode == "edit" ?><?cs call:conn_breadcrumb_steps() ?>
<li><span aria-current="page">Edit</span></li><?cs
else ?>
<li><a href="/connectors">Connectors</a></li>
<li><a href="/connectors/<?cs var:url_escape(Form.Connector) ?>"><?cs if:Form.ConnectorTitle ?><?cs var:Form.ConnectorTitle ?><?cs else ?><?cs var:Form.Connector ?><?cs /if ?></a></li>
<li><span aria-current="page">New connection</span></li><?cs
/if ?>
</ol>
</nav>
<div class="page-header">
<div class="page-heading conn-heading"><?cs
  call:connector_mark(Form.ConnectorTitle) ?>
<div class="conn-heading-text"><?cs
if:Form.Mode == "edit" ?>
<h1>Edit <?cs var:Conn.Name ?></h1>
<p class="page-lede">Changes take effect as soon as you save<?cs
  if:#Conn.FlowCount == 1 ?>, in the one flow that uses this connection<?cs
  elif:#Conn.FlowCount > 1 ?>, in all <?cs call:thousands(Conn.FlowCount) ?> flows that use this connection<?cs /if ?>. Tether tests the changes before it saves them; if the test fails, nothing is saved unless you choose Save anyway.</p><?cs
else ?>
<h1>New <?cs var:Form.ConnectorTitle ?> connection</h1>
<p class="page-lede">Choose how Tether signs in to <?cs if:Form.ConnectorTitle ?><?cs var:Form.ConnectorTitle ?><?cs else ?>the system<?cs /if ?>, fill in the details, then create the connection. Any flow can use it afterwards.</p><?cs
/if ?>
</div>
</div>
</div><?cs

####  messages: the stale form first (nothing saved), then the summary
?><?cs
if:Form.Stale.By || Form.Stale.At ?>
<div class="alert alert-warning" role="alert"><?cs call:alert_icon("warning") ?><div class="alert-body">
<p class="alert-title">Someone else saved this connection (<?cs if:Form.Stale.By ?><?cs var:Form.Stale.By ?><?cs else ?>another user<?cs /if ?><?cs if:Form.Stale.At ?>, <?cs call:timestamp(Form.Stale.At) ?><?cs /if ?>) after you opened it.</p>
<p>Nothing was saved; review and save again.</p>
</div></div><?cs
/if ?><?cs
if:Form.Notice ?>
<div class="alert alert-info" role="status"><?cs call:alert_icon("info") ?><div class="alert-body">
<p class="alert-title"><?cs var:Form.Notice ?></p>
</div></div><?cs
/if ?><?cs
if:Form.Error ?>
<div class="alert alert-error error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title"><?cs call:alert_icon("error") ?><div class="alert-body">
<p class="alert-title" id="error-summary-title"><?cs var:Form.Error ?></p><?cs
  set:Tmp.FieldErrors = Form.Errors.ApiType || Form.Errors.Name || Form.Errors.Description ||
    Form.Errors.Team || Form.Errors.Context || Form.Errors.NamedCredential ||
    Form.Errors.CheckInterval || Form.Errors.Uplink || Form.Errors.OAuthClient ?><?cs
  each:f = Form.Fields ?><?cs if:f.Error || f.ExpiresError ?><?cs set:Tmp.FieldErrors = 1 ?><?cs /if ?><?cs /each ?><?cs
  if:Tmp.FieldErrors ?>
<ul class="error-summary-list"><?cs
  call:summary_item("f-api_type", "API type", Form.Errors.ApiType) ?><?cs
  call:summary_item("f-name", "Name", Form.Errors.Name) ?><?cs
  call:summary_item("f-description", "Description", Form.Errors.Description) ?><?cs
  call:summary_item("f-check_interval", "Scheduled check", Form.Errors.CheckInterval) ?><?cs
  call:summary_item("f-team", "Owner team", Form.Errors.Team) ?><?cs
  call:summary_item("f-context-" + Form.Contexts.0.Key, "Runs as", Form.Errors.Context) ?><?cs
  each:f = Form.Fields ?><?cs if:f.Section != "authentication" ?><?cs
    call:summary_item("f-" + f.Input, f.Label, f.Error) ?><?cs /if ?><?cs /each ?><?cs
  call:summary_item("f-uplink", "Connection mode", Form.Errors.Uplink) ?><?cs
  call:summary_item("f-named_credential", "Named credential", Form.Errors.NamedCredential) ?><?cs
  call:summary_item("f-oauth_client", "OAuth client", Form.Errors.OAuthClient) ?><?cs
  each:f = Form.Fields ?><?cs if:f.Section == "authentication" ?><?cs
    call:summary_item("f-" + f.Input, f.Label, f.Error) ?><?cs
    call:summary_item("f-" + f.ExpiresInput, f.Label + " expires on", f.ExpiresError) ?><?cs /if ?><?cs /each ?>
</ul><?cs
  /if ?>
</div></div><?cs
/if ?>

<div class="form-layout">
<div class="form-main"><?cs

####  New: no form before this one; the choice is in it.
?>
<form class="panel form conn-form" method="post" action="<?cs var:Form.Action ?>"><?cs
call:csrf_input() ?><?cs call:once_input() ?><?cs
if:Form.Mode == "edit" ?>
<input type="hidden" name="version" value="<?cs var:Form.Version ?>"><?cs
else ?>
<input type="hidden" name="connector" value="<?cs var:Form.Connector ?>">
<input type="hidden" name="shown" value="<?cs var:Form.Shown ?>">
<button class="visually-hidden" type="submit" tabindex="-1" aria-hidden="true">Create</button><?cs
/if ?>
<p class="form-note"><span class="required" aria-hidden="true">*</span> Required field</p><?cs

####  New: protocol and API type, submitted with the fields. "Update
      fields" (or a choice that differs from the one the fields were drawn
      for, Form.Shown) shows the form again for the new choice, values kept.
?><?cs
if:Form.Mode != "edit" ?>
<fieldset class="form-section protocol-switch">
<legend class="form-section-title">How to connect</legend>
<div class="form-section-body">
<div class="switch-row">
<div class="field">
<label class="field-label" for="f-protocol">Authentication protocol</label>
<select class="select" id="f-protocol" name="protocol" aria-describedby="switch-help"><?cs
  each:p = Form.Protocols ?>
<option value="<?cs var:p.Key ?>"<?cs if:p.Selected ?> selected<?cs /if ?>><?cs var:p.Label ?></option><?cs
  /each ?>
</select>
</div><?cs
  if:subcount(Form.ApiTypes) > 0 ?>
<div class="field<?cs if:Form.Errors.ApiType ?> has-error<?cs /if ?>">
<label class="field-label" for="f-api_type">API type</label>
<select class="select" id="f-api_type" name="api_type" aria-describedby="<?cs
    if:Form.Errors.ApiType ?>f-api_type-error <?cs /if ?>switch-help"<?cs
    if:Form.Errors.ApiType ?> aria-invalid="true"<?cs /if ?>><?cs
    each:t = Form.ApiTypes ?>
<option value="<?cs var:t.Key ?>"<?cs if:t.Selected ?> selected<?cs /if ?>><?cs var:t.Label ?></option><?cs
    /each ?>
</select>
</div><?cs
  /if ?>
<div class="switch-action">
<button class="btn btn-secondary" type="submit" name="change" value="1" formnovalidate>Update fields</button>
</div>
</div><?cs
  if:subcount(Form.ApiTypes) > 0 ?><?cs call:error_message("api_type", Form.Errors.ApiType) ?><?cs /if ?>
<p class="field-help" id="switch-help">The fields below depend on these choices. After changing one, press Update fields: what you typed is kept (secrets excepted). Pressing Create with fields for another choice saves nothing.</p>
</div>
</fieldset><?cs
/if ?><?cs

####  Edit: what can't change, shown disabled (disabled inputs are not
      submitted).
?><?cs
if:Form.Mode == "edit" ?>
<div class="fixed-fields">
<div class="field is-disabled">
<label class="field-label" for="f-connector">Connector</label>
<input class="input" id="f-connector" type="text" value="<?cs if:Form.ConnectorTitle ?><?cs var:Form.ConnectorTitle ?><?cs else ?><?cs var:Form.Connector ?><?cs /if ?>" disabled aria-describedby="fixed-help">
</div>
<div class="field is-disabled">
<label class="field-label" for="f-protocol">Authentication protocol</label>
<input class="input" id="f-protocol" type="text" value="<?cs if:Form.ProtocolLabel ?><?cs var:Form.ProtocolLabel ?><?cs else ?><?cs var:Form.Protocol ?><?cs /if ?>" disabled aria-describedby="fixed-help">
</div><?cs
  if:Form.ApiType || Form.ApiTypeLabel || Form.Errors.ApiType ?>
<div class="field is-disabled<?cs if:Form.Errors.ApiType ?> has-error<?cs /if ?>">
<label class="field-label" for="f-api_type">API type</label><?cs
    call:error_message("api_type", Form.Errors.ApiType) ?>
<input class="input" id="f-api_type" type="text" value="<?cs if:Form.ApiTypeLabel ?><?cs var:Form.ApiTypeLabel ?><?cs else ?><?cs var:Form.ApiType ?><?cs /if ?>" disabled<?cs
    if:Form.Errors.ApiType ?> aria-describedby="f-api_type-error fixed-help" aria-invalid="true"<?cs else ?> aria-describedby="fixed-help"<?cs /if ?>>
</div><?cs
  /if ?>
<div class="field is-disabled">
<label class="field-label" for="f-team">Owner team</label>
<input class="input" id="f-team" type="text" value="<?cs if:Conn.OwnerTeam ?><?cs var:Conn.OwnerTeam ?><?cs else ?>—<?cs /if ?>" disabled aria-describedby="fixed-help">
</div>
<div class="field is-disabled field-wide">
<label class="field-label" for="f-context">Runs as</label>
<input class="input" id="f-context" type="text" value="<?cs if:Conn.ContextLabel ?><?cs var:Conn.ContextLabel ?><?cs else ?><?cs var:Conn.Context ?><?cs /if ?>" disabled aria-describedby="fixed-help">
</div>
<p class="field-help fixed-help" id="fixed-help">Set when the connection was created; these can't be changed here. To use another protocol or API type, create a new connection; to change the owner team, use Sharing.</p>
</div><?cs
/if ?>

<fieldset class="form-section">
<legend class="form-section-title">Connection</legend>
<div class="form-section-body">
<div class="field<?cs if:Form.Errors.Name ?> has-error<?cs /if ?>"><?cs
  call:field_label("name", "Name", 1) ?><?cs
  call:field_help("name", "Unique within the owner team, for example “Jira Cloud – Service Desk”. Up to 120 characters.") ?><?cs
  call:error_message("name", Form.Errors.Name) ?>
<input class="input" id="f-name" name="name" type="text" autocomplete="off" required<?cs
  if:Form.Name ?> value="<?cs var:Form.Name ?>"<?cs /if ?><?cs
  call:field_aria("name", 1, Form.Errors.Name, "") ?>>
</div>
<div class="field<?cs if:Form.Errors.Description ?> has-error<?cs /if ?>"><?cs
  call:field_label("description", "Description", 0) ?><?cs
  call:field_help("description", "What it is for and who to ask about it. Optional, up to 2000 characters.") ?><?cs
  call:error_message("description", Form.Errors.Description) ?>
<textarea class="textarea" id="f-description" name="description" rows="3"<?cs
  call:field_aria("description", 1, Form.Errors.Description, "") ?>><?cs var:Form.Description ?></textarea>
</div><?cs

if:Form.Mode == "edit" && Conn.Context != "per_user" ?>
<div class="field<?cs if:Form.Errors.CheckInterval ?> has-error<?cs /if ?>"><?cs
  call:field_label("check_interval", "Scheduled check", 0) ?><?cs
  call:field_help("check_interval", "How often Tether tests this connection by itself, so that a broken one shows (and notifies) before a flow fails.") ?><?cs
  call:error_message("check_interval", Form.Errors.CheckInterval) ?>
<select class="select" id="f-check_interval" name="check_interval"<?cs
  call:field_aria("check_interval", 1, Form.Errors.CheckInterval, "") ?>>
<option value="default"<?cs if:Form.CheckInterval == "default" ?> selected<?cs /if ?>><?cs call:check_interval("default", Health.CheckIntervalMinutes) ?></option>
<option value="15m"<?cs if:Form.CheckInterval == "15m" ?> selected<?cs /if ?>>Every 15 minutes</option>
<option value="1h"<?cs if:Form.CheckInterval == "1h" ?> selected<?cs /if ?>>Hourly</option>
<option value="1d"<?cs if:Form.CheckInterval == "1d" ?> selected<?cs /if ?>>Daily</option>
<option value="off"<?cs if:Form.CheckInterval == "off" ?> selected<?cs /if ?>>Off</option>
</select>
</div><?cs
/if ?><?cs

if:Form.Mode != "edit" ?><?cs
call:select_open("team", "team", "Owner team",
  "Managers of this team can edit, share and delete the connection.",
  Form.Errors.Team, "Choose a team…") ?><?cs
  each:t = Form.Teams ?>
<option value="<?cs var:t.Id ?>"<?cs if:t.Selected || subcount(Form.Teams) == 1 ?> selected<?cs /if ?>><?cs var:t.Name ?></option><?cs
  /each ?>
</select>
</div>
<fieldset class="field choice-group<?cs if:Form.Errors.Context ?> has-error<?cs /if ?>" aria-describedby="<?cs
  if:Form.Errors.Context ?>f-context-error <?cs /if ?>f-context-help">
<legend class="field-label">Runs as <span class="required" aria-hidden="true">*</span></legend><?cs
  call:field_help("context", "Whose account the flows use when they run with this connection.") ?><?cs
  call:error_message("context", Form.Errors.Context) ?>
<div class="choice-list"><?cs
  each:c = Form.Contexts ?>
<label class="choice" for="f-context-<?cs var:c.Key ?>"><input class="radio" type="radio" id="f-context-<?cs var:c.Key ?>" name="context" value="<?cs var:c.Key ?>" required<?cs
    if:c.Selected ?> checked<?cs /if ?><?cs if:Form.Errors.Context ?> aria-invalid="true"<?cs /if ?>><span class="choice-text"><span class="choice-label"><?cs var:c.Label ?></span><span class="choice-help"><?cs
    if:c.Key == "system" ?>Every flow signs in with the credentials entered here.<?cs
    elif:c.Key == "per_user" ?>Each person who runs a flow connects with their own credentials.<?cs /if ?></span></span></label><?cs
  /each ?>
</div>
</fieldset><?cs
/if ?><?cs

each:f = Form.Fields ?><?cs if:f.Section != "authentication" ?><?cs call:conn_field(f) ?><?cs /if ?><?cs /each ?><?cs

####  Connection mode: Direct, or Uplinked through a proxy into a private
      network (Form.UplinkAllowed, Form.Uplinks.N.Id|Name|Selected). A
      connection setting on New and Edit; on Edit a change is a new
      destination: the secrets are asked for again.
?><?cs
if:Form.UplinkAllowed || Form.Errors.Uplink ?>
<div class="field<?cs if:Form.Errors.Uplink ?> has-error<?cs /if ?>"><?cs
  call:field_label("uplink", "Connection mode", 0) ?><?cs
  set:Tmp.UplinkHelp = "Direct: Tether reaches the system itself. Uplinked: through an uplink into your private network (configured by administrators)." ?><?cs
  if:Form.Mode == "edit" ?><?cs
    set:Tmp.UplinkHelp = Tmp.UplinkHelp + " Changing it changes where the secrets go: enter them again below." ?><?cs
  /if ?><?cs
  call:field_help("uplink", Tmp.UplinkHelp) ?><?cs
  call:error_message("uplink", Form.Errors.Uplink) ?>
<select class="select" id="f-uplink" name="uplink"<?cs
  call:field_aria("uplink", 0, Form.Errors.Uplink, "") ?>>
<option value="">Direct</option><?cs
  each:u = Form.Uplinks ?>
<option value="<?cs var:u.Id ?>"<?cs if:u.Selected ?> selected<?cs /if ?>>Uplinked via <?cs var:u.Name ?></option><?cs
  /each ?>
</select>
</div><?cs
/if ?>
</div>
</fieldset>

<fieldset class="form-section">
<legend class="form-section-title">Authentication</legend>
<div class="form-section-body">
<p class="form-section-lede"><?cs
if:Form.Mode == "edit" ?>Secrets are never shown. Leave a secret empty to keep the stored value; if you change another authentication field, enter the secrets again.<?cs
else ?><?cs if:Form.ProtocolLabel ?><?cs var:Form.ProtocolLabel ?><?cs else ?><?cs var:Form.Protocol ?><?cs /if ?><?cs if:Form.ApiTypeLabel ?> · <?cs var:Form.ApiTypeLabel ?><?cs /if ?>. Secrets are encrypted when you save and never shown again.<?cs
/if ?></p><?cs
set:Tmp.AuthFields = 0 ?><?cs

####  Protocol of kind named_credential: which named credential to use.
?><?cs
if:subcount(Form.NamedCredentials) > 0 || Form.Errors.NamedCredential ?><?cs set:Tmp.AuthFields = 1 ?><?cs
call:select_open("named_credential", "named_credential", "Named credential",
  "Its URL and secret are kept under Named credentials; this connection uses them as they are.",
  Form.Errors.NamedCredential, "Choose a named credential…") ?><?cs
  each:n = Form.NamedCredentials ?>
<option value="<?cs var:n.Id ?>"<?cs if:n.Selected ?> selected<?cs /if ?>><?cs var:n.Name ?><?cs if:n.Team ?> (<?cs var:n.Team ?>)<?cs /if ?></option><?cs
  /each ?>
</select><?cs
  if:subcount(Form.NamedCredentials) == 0 ?>
<p class="field-help">None of your teams has a named credential yet. <a href="/named-credentials">Create one under Named credentials</a>, then come back.</p><?cs
  /if ?>
</div><?cs
/if ?><?cs

####  OAuth client (connform-client.c): a saved client, or the client ID
      and secret typed below. "+" and the pencil are buttons of this form:
      its values (never its secrets) are kept while the user is at the
      client's page, which comes back here with the client selected.
?><?cs
if:Form.OAuthClient.Applies ?><?cs set:Tmp.AuthFields = 1 ?>
<fieldset class="field choice-group oauth-client-pick<?cs if:Form.Errors.OAuthClient ?> has-error<?cs /if ?>"<?cs
  call:field_aria("oauth_client", 1, Form.Errors.OAuthClient, "") ?>>
<legend class="field-label">OAuth client</legend>
<p class="field-help" id="f-oauth_client-help">A client saved under OAuth clients is shared by connections: change its secret there and they all follow.</p><?cs
  call:error_message("oauth_client", Form.Errors.OAuthClient) ?>
<div class="choice-list">
<label class="choice" for="f-client_source-saved"><input class="radio" type="radio" id="f-client_source-saved" name="client_source" value="saved"<?cs
  if:Form.OAuthClient.Source == "saved" ?> checked<?cs /if ?>><span class="choice-text"><span class="choice-label">Use a saved client</span></span></label>
<div class="oauth-client-row">
<label class="visually-hidden" for="f-oauth_client">Saved OAuth client</label>
<select class="select" id="f-oauth_client" name="oauth_client">
<option value=""><?cs if:subcount(Form.OAuthClient.Clients) > 0 ?>Choose a client…<?cs else ?>No saved client yet: press +<?cs /if ?></option><?cs
  each:c = Form.OAuthClient.Clients ?>
<option value="<?cs var:c.Id ?>"<?cs if:c.Selected ?> selected<?cs /if ?>><?cs var:c.Name ?><?cs if:c.Team ?> (<?cs var:c.Team ?>)<?cs /if ?></option><?cs
  /each ?>
</select>
<button class="btn btn-secondary btn-icon-only" type="submit" name="client_action" value="new" formnovalidate title="New OAuth client" aria-label="New OAuth client"><svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 3v10M3 8h10" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg></button><?cs
  if:subcount(Form.OAuthClient.Clients) > 0 ?>
<button class="btn btn-secondary btn-icon-only" type="submit" name="client_action" value="edit" formnovalidate title="Edit the selected OAuth client" aria-label="Edit the selected OAuth client"><svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M10.5 2.5l3 3-8 8H2.5v-3z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/></svg></button><?cs
  /if ?>
</div>
<label class="choice" for="f-client_source-own"><input class="radio" type="radio" id="f-client_source-own" name="client_source" value="own"<?cs
  if:Form.OAuthClient.Source != "saved" ?> checked<?cs /if ?>><span class="choice-text"><span class="choice-label">Enter client ID and secret</span><span class="choice-help">In the fields below, for this connection only.</span></span></label>
</div>
</fieldset><?cs
/if ?><?cs
each:f = Form.Fields ?><?cs if:f.Section == "authentication" ?><?cs set:Tmp.AuthFields = 1 ?><?cs call:conn_field(f) ?><?cs /if ?><?cs /each ?><?cs
if:Form.RedirectUri ?><?cs set:Tmp.AuthFields = 1 ?><?cs call:redirect_uri_field(Form.RedirectUri) ?><?cs /if ?><?cs
if:!Tmp.AuthFields ?>
<p class="muted">This authentication protocol needs no further details.</p><?cs
/if ?>
</div>
</fieldset><?cs
if:Form.OnPremises ?><?cs call:egress_block() ?><?cs /if ?>

<div class="form-actions">
<button class="btn btn-primary" type="submit"><?cs if:Form.Mode == "edit" ?>Save<?cs else ?>Create<?cs /if ?></button><?cs
if:Form.TestFailed ?>
<button class="btn btn-danger" type="submit" name="save_anyway" value="1">Save anyway</button><?cs
/if ?><?cs
if:Form.Mode == "edit" ?>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Cancel</a><?cs
else ?>
<a class="btn btn-secondary" href="/connectors/<?cs var:url_escape(Form.Connector) ?>">Cancel</a><?cs
/if ?>
</div>
</form>
</div>

<aside class="form-aside" aria-labelledby="aside-title">
<div class="panel aside-panel">
<h2 id="aside-title" class="panel-title"><?cs if:Form.Mode == "edit" ?>Before you save<?cs else ?>About this connection<?cs /if ?></h2>
<dl class="facts facts-compact">
<dt>Connector</dt><dd><?cs if:Form.ConnectorTitle ?><?cs var:Form.ConnectorTitle ?><?cs else ?><?cs var:Form.Connector ?><?cs /if ?></dd>
<dt>Authentication</dt><dd><?cs if:Form.ProtocolLabel ?><?cs var:Form.ProtocolLabel ?><?cs else ?><?cs var:Form.Protocol ?><?cs /if ?></dd><?cs
if:Form.ApiTypeLabel ?>
<dt>API type</dt><dd><?cs var:Form.ApiTypeLabel ?></dd><?cs
/if ?><?cs
if:Form.Mode == "edit" ?>
<dt>Used by</dt><dd><?cs if:#Conn.FlowCount > 0 ?><?cs call:count(Conn.FlowCount, "flow", "flows") ?><?cs else ?>No flows<?cs /if ?></dd><?cs
/if ?>
</dl>
<ul class="aside-notes"><?cs
if:Form.Mode == "edit" ?>
<li>Edits are permanent and take effect immediately<?cs if:#Conn.FlowCount > 0 ?> in every flow that uses this connection<?cs /if ?>; the History tab can revert to an earlier version as a new edit.</li>
<li>If the details are wrong, flows that use the connection fail until you fix them.</li><?cs
else ?>
<li>Tether stores secrets encrypted and never shows them again, not even to you.</li>
<li>After you create the connection, test it from its page; the result appears as Last tested.</li><?cs
/if ?>
<li>If saving fails, nothing is saved: correct the marked fields and try again.</li>
</ul>
</div>
</aside>
</div><?cs
call:times_note() ?><?cs
/def ?><?cs include:"layout.cs" ?>