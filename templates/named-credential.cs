<?cs ####  named-credential.cs: one named credential (/named-credentials/ID):
      what it holds (the secret only as stored / changed on), the
      connections using it, the edit form and delete. Reads
      NamedCredential.Id|Name|Description|Url|Protocol|ProtocolLabel|Team|
      UpdatedAt|SettingKey|SettingLabel|SettingValue|SecretKey|SecretLabel|
      SecretStored|SecretChangedAt|SecretExpiresOn|InUse,
      NamedCredential.Connections.N.Id|Name|ConnectorTitle, NcForm.Error and
      NcForm.Errors.Description|Url|Protocol|Setting|Secret|ExpiresOn
      (HACKING.md). The edit form POSTs csrf, action=save, description, url,
      f.<SettingKey>, f.<SecretKey> (always empty: empty keeps the stored
      secret; required again when the URL changes), expires_on (the
      secret's expiry date; empty clears it); the delete form csrf, action=delete (refused while
      connections use it, so it is only offered when none does).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "named-credentials" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = NamedCredential.Name ?><?cs /if ?><?cs
set:Tmp.InUse = #NamedCredential.InUse > 0 || subcount(NamedCredential.Connections) > 0 ?><?cs
def:page_content() ?><?cs
call:breadcrumbs("/named-credentials", "Named credentials", NamedCredential.Name) ?>
<div class="page-header">
<div class="page-heading">
<p class="eyebrow">Named credential</p>
<h1 class="conn-name"><?cs var:NamedCredential.Name ?></h1>
<ul class="conn-facts">
<li><?cs if:NamedCredential.ProtocolLabel ?><?cs var:NamedCredential.ProtocolLabel ?><?cs else ?><?cs var:NamedCredential.Protocol ?><?cs /if ?></li><?cs
if:NamedCredential.Team ?>
<li>Owner team <strong><?cs var:NamedCredential.Team ?></strong></li><?cs /if ?>
<li><?cs if:Tmp.InUse ?>Used by <?cs set:Tmp.N = subcount(NamedCredential.Connections) ?><?cs call:count(Tmp.N, "connection", "connections") ?><?cs else ?>Not used<?cs /if ?></li>
</ul>
</div>
</div><?cs
if:NamedCredential.Description ?>
<p class="conn-description"><?cs var:NamedCredential.Description ?></p><?cs
/if ?><?cs

if:NcForm.Error ?>
<div class="alert alert-error error-summary" role="alert"><?cs call:alert_icon("error") ?><div class="alert-body">
<p class="alert-title"><?cs var:NcForm.Error ?></p>
<ul class="error-summary-list"><?cs
  if:NcForm.Errors.Url ?><li><a href="#f-url">URL: <?cs var:NcForm.Errors.Url ?></a></li><?cs /if ?><?cs
  if:NcForm.Errors.Description ?><li><a href="#f-description">Description: <?cs var:NcForm.Errors.Description ?></a></li><?cs /if ?><?cs
  if:NcForm.Errors.Setting ?><li><a href="#f-setting"><?cs if:NamedCredential.SettingLabel ?><?cs var:NamedCredential.SettingLabel ?><?cs else ?>Setting<?cs /if ?>: <?cs var:NcForm.Errors.Setting ?></a></li><?cs /if ?><?cs
  if:NcForm.Errors.Secret ?><li><a href="#f-secret"><?cs if:NamedCredential.SecretLabel ?><?cs var:NamedCredential.SecretLabel ?><?cs else ?>Secret<?cs /if ?>: <?cs var:NcForm.Errors.Secret ?></a></li><?cs /if ?><?cs
  if:NcForm.Errors.ExpiresOn ?><li><a href="#f-expires_on">Expires on: <?cs var:NcForm.Errors.ExpiresOn ?></a></li><?cs /if ?><?cs
  if:NcForm.Errors.Protocol ?><li><?cs var:NcForm.Errors.Protocol ?></li><?cs /if ?>
</ul>
</div></div><?cs
elif:NcForm.Errors.Secret || NcForm.Errors.Url || NcForm.Errors.Setting || NcForm.Errors.Description ?>
<div class="alert alert-error" role="alert"><?cs call:alert_icon("error") ?><div class="alert-body"><p>Nothing was saved. Correct the fields marked below.</p></div></div><?cs
/if ?>

<div class="detail-grid nc-grid">
<section class="panel detail-settings" aria-labelledby="nc-edit-title">
<h2 id="nc-edit-title" class="panel-title">Settings</h2>
<dl class="details">
<dt>Name</dt>
<dd><?cs var:NamedCredential.Name ?></dd>
<dt>Authentication</dt>
<dd><?cs if:NamedCredential.ProtocolLabel ?><?cs var:NamedCredential.ProtocolLabel ?><?cs else ?><?cs var:NamedCredential.Protocol ?><?cs /if ?></dd>
<dt>Owner team</dt>
<dd><?cs call:or_dash(NamedCredential.Team) ?></dd>
<dt>Last changed</dt>
<dd class="tabular"><?cs call:timestamp_or_dash(NamedCredential.UpdatedAt) ?></dd>
</dl>

<h3 id="nc-form-title" class="panel-title panel-title-sub">Edit</h3>
<form class="form" method="post" action="/named-credentials/<?cs var:NamedCredential.Id ?>" aria-labelledby="nc-form-title"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="save">
<p class="form-note">The name, team and authentication protocol can't be changed; create a new named credential instead.</p>
<div class="field<?cs if:NcForm.Errors.Url ?> has-error<?cs /if ?>"><?cs
  call:field_label("url", "URL", 1) ?><?cs
  call:field_help("url", "The credential is only ever sent to this URL. If you change it, enter the secret again.") ?><?cs
  call:error_message("url", NcForm.Errors.Url) ?>
<input class="input" id="f-url" name="url" type="url" maxlength="2048" autocomplete="off" spellcheck="false" required<?cs
  if:NamedCredential.Url ?> value="<?cs var:NamedCredential.Url ?>"<?cs /if ?><?cs
  call:field_aria("url", 1, NcForm.Errors.Url, "") ?>>
</div>
<div class="field<?cs if:NcForm.Errors.Description ?> has-error<?cs /if ?>"><?cs
  call:field_label("description", "Description", 0) ?><?cs
  call:error_message("description", NcForm.Errors.Description) ?>
<textarea class="textarea" id="f-description" name="description" rows="3" maxlength="2000"<?cs
  call:field_aria("description", "", NcForm.Errors.Description, "") ?>><?cs var:NamedCredential.Description ?></textarea>
</div><?cs
if:NamedCredential.SettingKey ?>
<div class="field<?cs if:NcForm.Errors.Setting ?> has-error<?cs /if ?>"><?cs
  call:field_label("setting", NamedCredential.SettingLabel, 1) ?><?cs
  call:error_message("setting", NcForm.Errors.Setting) ?>
<input class="input" id="f-setting" name="f.<?cs var:NamedCredential.SettingKey ?>" type="text" maxlength="255" autocomplete="off" spellcheck="false" required<?cs
  if:NamedCredential.SettingValue ?> value="<?cs var:NamedCredential.SettingValue ?>"<?cs /if ?><?cs
  call:field_aria("setting", "", NcForm.Errors.Setting, "") ?>>
</div><?cs
/if ?><?cs
if:NamedCredential.SecretKey ?>
<div class="field<?cs if:NcForm.Errors.Secret ?> has-error<?cs /if ?>"><?cs
  call:field_label("secret", NamedCredential.SecretLabel, 0) ?>
<p class="field-help" id="f-secret-help">Leave empty to keep the stored secret; required again when the URL changes.</p><?cs
  if:NamedCredential.SecretStored ?>
<p class="field-stored field-stored-secret" id="f-secret-stored"><?cs call:lock_icon() ?>Stored<?cs if:NamedCredential.SecretChangedAt ?>, last changed on <?cs call:timestamp(NamedCredential.SecretChangedAt) ?><?cs /if ?>.</p><?cs
  else ?>
<p class="field-stored" id="f-secret-stored">No secret is stored: enter one.</p><?cs
  /if ?><?cs
  call:error_message("secret", NcForm.Errors.Secret) ?>
<input class="input input-secret" id="f-secret" name="f.<?cs var:NamedCredential.SecretKey ?>" type="password" autocomplete="new-password" maxlength="4096" spellcheck="false"<?cs
  if:NamedCredential.SecretStored && !NcForm.Errors.Secret ?> placeholder="Unchanged"<?cs /if ?><?cs
  call:field_aria("secret", 1, NcForm.Errors.Secret, 1) ?>>
<?cs call:secret_expiry("expires_on", NamedCredential.SecretLabel, NamedCredential.SecretExpiresOn, NcForm.Errors.ExpiresOn) ?>
</div><?cs
/if ?>
<p class="detail-note muted">Secrets are stored encrypted and never shown, not even to administrators.<?cs if:Tmp.InUse ?> Saving takes effect at once in every connection that uses this credential.<?cs /if ?></p>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Save</button>
<a class="btn btn-secondary" href="/named-credentials">Cancel</a>
</div>
</form>
</section>

<section class="panel detail-status" aria-labelledby="uses-title">
<h2 id="uses-title" class="panel-title">Connections using it</h2><?cs
if:subcount(NamedCredential.Connections) > 0 ?>
<ul class="link-list"><?cs
  each:c = NamedCredential.Connections ?>
<li><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a><?cs if:c.ConnectorTitle ?><span class="link-list-meta"><?cs var:c.ConnectorTitle ?></span><?cs /if ?></li><?cs
  /each ?>
</ul><?cs
elif:Tmp.InUse ?>
<p><?cs var:NamedCredential.InUse ?> connection<?cs if:#NamedCredential.InUse != 1 ?>s<?cs /if ?> you can't see use it.</p><?cs
else ?>
<p class="muted">No connection uses it yet. Choose it when you create a connection whose authentication protocol is “Named credential”.</p><?cs
/if ?>
</section>

<section class="panel detail-owner danger-panel" aria-labelledby="delete-title">
<h2 id="delete-title" class="panel-title">Delete</h2><?cs
if:Tmp.InUse ?>
<p>It can't be deleted while connections use it (see Connections using it). Delete those connections first; deleting a connection keeps its named credential.</p><?cs
else ?>
<p>Deleting is permanent and destroys the stored secret.</p>
<form method="post" action="/named-credentials/<?cs var:NamedCredential.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="delete">
<button class="btn btn-danger" type="submit">Delete named credential</button>
</form><?cs
/if ?>
</section>
</div><?cs
call:times_note() ?><?cs
/def ?><?cs include:"layout.cs" ?>
