<?cs ####  named-credentials.cs: the named credentials a user may manage
      (/named-credentials) and one create form per protocol, each in a
      <details> (no JavaScript: each form carries only its protocol's two
      fields, as the server requires). Reads NamedCredentials.N.Id|Name|
      Url|ProtocolLabel|Team|Connections, NcForm.Teams.N.Id|Name,
      NcForm.Protocols.N.Key|Label|SettingLabel|SecretLabel, NcForm.Name|
      Url|Error, NcForm.Errors.Name|Description|Url|Team|Protocol|Setting|
      Secret (HACKING.md), and when the server sets them NcForm.Protocol
      (the protocol of the form that was sent: only that form opens with
      the errors; without it every form shows them), NcForm.Description
      and NcForm.Team (values sent back). The create form POSTs csrf,
      protocol, name, description, team, url and the protocol's fields:
      f.username + f.password (basic), f.token (bearer), f.header +
      f.api_key (api_key_header), f.client_id + f.client_secret
      (oauth2_client). The secret input is always empty.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "named-credentials" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Named credentials" ?><?cs /if ?><?cs
set:Tmp.NcErrors = NcForm.Error || NcForm.Errors.Name || NcForm.Errors.Description ||
  NcForm.Errors.Url || NcForm.Errors.Team || NcForm.Errors.Protocol || NcForm.Errors.Setting || NcForm.Errors.Secret ?><?cs
set:Tmp.SettingLabel = "Setting" ?><?cs set:Tmp.SecretLabel = "Secret" ?><?cs
each:p = NcForm.Protocols ?><?cs if:NcForm.Protocol && p.Key == NcForm.Protocol ?><?cs
  if:p.SettingLabel ?><?cs set:Tmp.SettingLabel = p.SettingLabel ?><?cs /if ?><?cs
  if:p.SecretLabel ?><?cs set:Tmp.SecretLabel = p.SecretLabel ?><?cs /if ?><?cs
/if ?><?cs /each ?><?cs

####  nc_summary_item(field, label, message): one line of the error
      summary; a link to the field when the form that was sent is known.
?><?cs def:nc_summary_item(field, label, message)
?><?cs if:message ?>
<li><?cs if:NcForm.Protocol ?><a href="#f-<?cs var:NcForm.Protocol ?>-<?cs var:field ?>"><?cs /if ?><?cs var:label ?>: <?cs var:message ?><?cs if:NcForm.Protocol ?></a><?cs /if ?></li><?cs
/if ?><?cs /def ?><?cs

####  nc_input(id, name, label, type, value, help, error, required):
      a labelled input of one create form; id is unique on the page
      ("KEY-FIELD"), the control's id "f-" + id. type password never
      echoes a value.
?><?cs def:nc_input(id, name, label, type, value, help, error, required)
?>
<div class="field<?cs if:error ?> has-error<?cs /if ?>"><?cs
  call:field_label(id, label, required) ?><?cs
  call:field_help(id, help) ?><?cs
  call:error_message(id, error) ?>
<input class="input<?cs if:type == "password" ?> input-secret<?cs /if ?>" id="f-<?cs var:id ?>" name="<?cs var:name ?>" type="<?cs var:type ?>"<?cs
  if:type != "password" && value ?> value="<?cs var:value ?>"<?cs /if ?><?cs
  if:type == "password" ?> autocomplete="new-password" maxlength="4096"<?cs
  elif:type == "url" ?> maxlength="2048" autocomplete="off"<?cs
  else ?> maxlength="255" autocomplete="off"<?cs /if ?> spellcheck="false"<?cs
  if:required ?> required<?cs /if ?><?cs
  call:field_aria(id, help, error, "") ?>>
</div><?cs
/def ?><?cs

####  nc_create(p, errs): one protocol's create form; errs: 1 when this
      form shows the errors and values sent back.
?><?cs def:nc_create(p, errs)
?><?cs
  if:p.Key == "basic" ?><?cs set:Tmp.Setting = "username" ?><?cs set:Tmp.Secret = "password" ?><?cs
  elif:p.Key == "bearer" ?><?cs set:Tmp.Setting = "" ?><?cs set:Tmp.Secret = "token" ?><?cs
  elif:p.Key == "api_key_header" ?><?cs set:Tmp.Setting = "header" ?><?cs set:Tmp.Secret = "api_key" ?><?cs
  elif:p.Key == "oauth2_client" ?><?cs set:Tmp.Setting = "client_id" ?><?cs set:Tmp.Secret = "client_secret" ?><?cs
  else ?><?cs set:Tmp.Setting = "" ?><?cs set:Tmp.Secret = "" ?><?cs /if ?><?cs
  if:errs ?><?cs
    set:Tmp.V.Name = NcForm.Name ?><?cs set:Tmp.V.Url = NcForm.Url ?><?cs
    set:Tmp.V.Description = NcForm.Description ?><?cs set:Tmp.V.Team = NcForm.Team ?><?cs
    set:Tmp.E.Name = NcForm.Errors.Name ?><?cs set:Tmp.E.Url = NcForm.Errors.Url ?><?cs
    set:Tmp.E.Description = NcForm.Errors.Description ?><?cs set:Tmp.E.Protocol = NcForm.Errors.Protocol ?><?cs
    set:Tmp.E.Setting = NcForm.Errors.Setting ?><?cs set:Tmp.E.Secret = NcForm.Errors.Secret ?><?cs
    set:Tmp.E.Team = NcForm.Errors.Team ?><?cs
  else ?><?cs
    set:Tmp.V.Name = "" ?><?cs set:Tmp.V.Url = "" ?><?cs
    set:Tmp.V.Description = "" ?><?cs set:Tmp.V.Team = "" ?><?cs
    set:Tmp.E.Name = "" ?><?cs set:Tmp.E.Url = "" ?><?cs
    set:Tmp.E.Description = "" ?><?cs set:Tmp.E.Protocol = "" ?><?cs
    set:Tmp.E.Setting = "" ?><?cs set:Tmp.E.Secret = "" ?><?cs set:Tmp.E.Team = "" ?><?cs
  /if ?>
<details class="panel nc-create" id="new-<?cs var:p.Key ?>"<?cs if:errs ?> open<?cs /if ?>>
<summary class="nc-summary"><span class="nc-summary-text"><span class="nc-summary-title"><?cs var:p.Label ?></span><span class="nc-summary-help"><?cs
  if:p.SettingLabel ?><?cs var:p.SettingLabel ?> · <?cs /if ?><?cs var:p.SecretLabel ?></span></span></summary>
<form class="form nc-form" method="post" action="/named-credentials"><?cs call:csrf_input() ?>
<input type="hidden" name="protocol" value="<?cs var:p.Key ?>"><?cs
  if:Tmp.E.Protocol ?><?cs call:alert("error", Tmp.E.Protocol) ?><?cs /if ?>
<div class="nc-form-grid"><?cs
  call:nc_input(p.Key + "-name", "name", "Name", "text", Tmp.V.Name, "Unique within its team.", Tmp.E.Name, 1) ?>
<div class="field<?cs if:Tmp.E.Team ?> has-error<?cs /if ?>"><?cs
  call:field_label(p.Key + "-team", "Owner team", 1) ?><?cs
  call:field_help(p.Key + "-team", "Its managers can edit and delete it.") ?><?cs
  call:error_message(p.Key + "-team", Tmp.E.Team) ?>
<select class="select" id="f-<?cs var:p.Key ?>-team" name="team" required aria-describedby="f-<?cs var:p.Key ?>-team-help">
<option value="">Choose a team…</option><?cs
  each:t = NcForm.Teams ?>
<option value="<?cs var:t.Id ?>"<?cs if:subcount(NcForm.Teams) == 1 || (Tmp.V.Team && t.Id == Tmp.V.Team) ?> selected<?cs /if ?>><?cs var:t.Name ?></option><?cs
  /each ?>
</select>
</div>
</div><?cs
  call:nc_input(p.Key + "-url", "url", "URL", "url", Tmp.V.Url, "The base URL it is sent to, for example https://api.example.com. It is never sent anywhere else.", Tmp.E.Url, 1) ?>
<div class="field<?cs if:Tmp.E.Description ?> has-error<?cs /if ?>"><?cs
  call:field_label(p.Key + "-description", "Description", 0) ?><?cs
  call:error_message(p.Key + "-description", Tmp.E.Description) ?>
<textarea class="textarea" id="f-<?cs var:p.Key ?>-description" name="description" rows="2" maxlength="2000"<?cs
  call:field_aria(p.Key + "-description", "", Tmp.E.Description, "") ?>><?cs var:Tmp.V.Description ?></textarea>
</div>
<div class="nc-form-grid"><?cs
  if:Tmp.Setting ?><?cs
    call:nc_input(p.Key + "-setting", "f." + Tmp.Setting, p.SettingLabel, "text", "", "", Tmp.E.Setting, 1) ?><?cs
  /if ?><?cs
  if:Tmp.Secret ?><?cs
    call:nc_input(p.Key + "-secret", "f." + Tmp.Secret, p.SecretLabel, "password", "", "Stored encrypted; never shown again, not even to you.", Tmp.E.Secret, 1) ?><?cs
  /if ?>
</div>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Create<span class="visually-hidden"> <?cs var:p.Label ?> credential</span></button>
</div>
</form>
</details><?cs
/def ?><?cs

def:page_content() ?>
<div class="page-header">
<div class="page-heading">
<h1>Named credentials</h1>
<p class="page-lede">A URL and its authentication, kept once by a team and referenced by connections. Change it here and every connection that uses it follows; those connections have no Reconnect and only their name and description can be edited.</p>
</div>
<div class="page-actions">
<a class="btn btn-primary" href="#create-title"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 3v10M3 8h10" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>New named credential</a>
</div>
</div><?cs

if:Tmp.NcErrors ?>
<div class="alert alert-error error-summary" role="alert"><?cs call:alert_icon("error") ?><div class="alert-body">
<p class="alert-title"><?cs if:NcForm.Error ?><?cs var:NcForm.Error ?><?cs else ?>Nothing was saved.<?cs /if ?></p>
<ul class="error-summary-list"><?cs
  call:nc_summary_item("name", "Name", NcForm.Errors.Name) ?><?cs
  call:nc_summary_item("url", "URL", NcForm.Errors.Url) ?><?cs
  call:nc_summary_item("team", "Owner team", NcForm.Errors.Team) ?><?cs
  call:nc_summary_item("description", "Description", NcForm.Errors.Description) ?><?cs
  if:NcForm.Errors.Protocol ?>
<li>Authentication: <?cs var:NcForm.Errors.Protocol ?></li><?cs /if ?><?cs
  call:nc_summary_item("setting", Tmp.SettingLabel, NcForm.Errors.Setting) ?><?cs
  call:nc_summary_item("secret", Tmp.SecretLabel, NcForm.Errors.Secret) ?>
</ul>
</div></div><?cs
/if ?>

<section class="nc-list" aria-labelledby="list-title"><?cs
if:User.IsAdmin ?><?cs
call:section_head("list-title", "All teams' named credentials", 0, subcount(NamedCredentials), "credential") ?><?cs
else ?><?cs
call:section_head("list-title", "Your teams' named credentials", 0, subcount(NamedCredentials), "credential") ?><?cs
/if ?><?cs
if:subcount(NamedCredentials) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table nc-table">
<caption class="visually-hidden">Named credentials of the teams you manage, by name</caption>
<thead>
<tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Authentication</th><th scope="col">Owner team</th><th scope="col" class="num">Used by</th></tr>
</thead>
<tbody><?cs
  each:n = NamedCredentials ?>
<tr>
<th scope="row"><a href="/named-credentials/<?cs var:n.Id ?>"><?cs var:n.Name ?></a></th>
<td data-label="URL" class="url-cell"><?cs if:n.Url ?><span class="url-text"><?cs var:n.Url ?></span><?cs else ?><?cs call:dash() ?><?cs /if ?></td>
<td data-label="Authentication"><?cs call:or_dash(n.ProtocolLabel) ?></td>
<td data-label="Owner team"><?cs call:or_dash(n.Team) ?></td>
<td data-label="Used by" class="num"><?cs if:#n.Connections > 0 ?><?cs call:count(n.Connections, "connection", "connections") ?><?cs else ?><span class="muted">None</span><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="17" cy="24" r="8" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M25 24h16M35 24v6M41 24v5" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/></svg>
<h3>No named credentials yet</h3>
<p>Create one below, then choose it when you create a connection whose authentication protocol is “Named credential”.</p>
</div><?cs
/if ?>
</section>

<section class="nc-new" aria-labelledby="create-title">
<div class="section-head">
<h2 id="create-title" tabindex="-1">Create a named credential</h2>
</div>
<p class="section-lede muted">Choose how it authenticates. The secret is stored encrypted and never shown again; to change it later, enter a new one.</p><?cs
if:subcount(NcForm.Teams) > 0 ?>
<div class="nc-create-list"><?cs
  each:p = NcForm.Protocols ?><?cs
    call:nc_create(p, Tmp.NcErrors && (!NcForm.Protocol || NcForm.Protocol == p.Key)) ?><?cs
  /each ?>
</div><?cs
else ?>
<p class="muted">Only managers of a team can create named credentials for it, and you manage no team.</p><?cs
/if ?>
</section><?cs
/def ?><?cs include:"layout.cs" ?>
