<?cs ####  connection-credentials.cs: the signed-in user's own credentials for a
      connection that runs as each user (/connections/ID/credentials).
      Reads Conn.*, Creds.Action (the form's URL) and
      Creds.Fields.N.Input|Label|Help|Error|ExpiresInput|ExpiresOn|
      ExpiresError (HACKING.md): password inputs,
      always empty. The form POSTs csrf and the fields; an empty field
      keeps what the user stored before. Saving tests the connection with
      them.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Your credentials for " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:conn_breadcrumbs("Your credentials") ?>
<div class="page-header">
<div class="page-heading conn-heading"><?cs
  call:connector_mark(Conn.ConnectorTitle) ?>
<div class="conn-heading-text">
<h1>Your own credentials for <span class="quoted"><?cs var:Conn.Name ?></span></h1>
<p class="page-lede">This connection runs as each person's own <?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?><?cs var:Conn.Connector ?><?cs /if ?> account. What you enter here is yours only: flows use it when they run for you, and it is never shown to anyone, you included.</p>
</div>
</div>
</div>

<div class="form-layout">
<div class="form-main">
<form class="panel form conn-form" method="post" action="<?cs if:Creds.Action ?><?cs var:Creds.Action ?><?cs else ?>/connections/<?cs var:Conn.Id ?>/credentials<?cs /if ?>"><?cs
call:csrf_input() ?>
<fieldset class="form-section">
<legend class="form-section-title"><?cs if:Conn.ProtocolLabel ?><?cs var:Conn.ProtocolLabel ?><?cs else ?>Your credentials<?cs /if ?></legend>
<div class="form-section-body">
<p class="form-section-lede">Stored encrypted for you alone. Leave a field empty to keep the value you stored before.</p><?cs
set:Tmp.CredFields = 0 ?><?cs
each:f = Creds.Fields ?><?cs set:Tmp.CredFields = 1 ?>
<div class="field<?cs if:f.Error ?> has-error<?cs /if ?>"><?cs
  call:field_label(f.Input, f.Label, 0) ?><?cs
  call:field_help(f.Input, f.Help) ?><?cs
  call:error_message(f.Input, f.Error) ?>
<input class="input input-secret" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" type="password" autocomplete="new-password" maxlength="4096" spellcheck="false"<?cs
  call:field_aria(f.Input, f.Help, f.Error, "") ?>><?cs
  call:secret_expiry(f.ExpiresInput, f.Label, f.ExpiresOn, f.ExpiresError) ?>
</div><?cs
/each ?><?cs
if:!Tmp.CredFields ?>
<p class="muted">This connection needs no credentials of your own.</p><?cs
/if ?>
</div>
</fieldset>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Save and test</button>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Cancel</a>
</div>
</form>
</div>

<aside class="form-aside" aria-labelledby="aside-title">
<div class="panel aside-panel">
<h2 id="aside-title" class="panel-title">About your credentials</h2>
<ul class="aside-notes aside-notes-first">
<li>Only you can use them, only in flows that run for you. Nobody else, administrators included, sees or uses them.</li>
<li>Tether stores them encrypted and never shows them again. To change one, enter a new value.</li>
<li>After saving, Tether tests the connection with them and shows the result on its page.</li>
</ul>
</div>
</aside>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
