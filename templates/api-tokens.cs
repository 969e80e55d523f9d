<?cs ####  api-tokens.cs: a user's API tokens (/api-tokens). Reads
      Tokens.N.Id|Name|Scopes|ClientRange|Created|Used|Expires|State|Holder
      (Holder: "" for the user's own, else the service account's name),
      ScopeNames.N.Name|Checked, ServiceAccounts.N.Id|Name|Email|Live|Teams
      (administrators), the new token's Created.Id|Name|Token (this answer
      only), TokenForm.Name|ClientRange|Expires|For|Errors.* and
      ServiceForm.Name|Errors.Name (HACKING.md). The forms POST csrf,
      action=create, name, scopes (repeated), expires, client_range, for;
      csrf, action=service, name; and /api-tokens/ID csrf, action=revoke.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "api-tokens" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "API tokens" ?><?cs /if ?><?cs
def:scope_help(name) ?><?cs
  if:name == "connections:read" ?>List connections and read their details and status (never a secret).<?cs
  elif:name == "connections:write" ?>Create, edit, share and delete connections.<?cs
  elif:name == "connections:use" ?><strong>Read credentials back out</strong> for a flow: API keys, passwords, access tokens. Only for the automation engine.<?cs
  elif:name == "flows:write" ?>Register flows and the connections they use.<?cs
  elif:name == "tests:run" ?>Test connections.<?cs
  /if ?><?cs
/def ?><?cs
def:page_content() ?><?cs
call:page_header("API tokens",
  "A token lets a script or the automation engine use Tether's JSON API (/api/v1) as you, with only the scopes you give it, until it expires or you revoke it.") ?><?cs
if:Created.Id ?>
<section class="panel secret-once" aria-labelledby="created-title" role="status">
<h2 id="created-title" class="panel-title">Token “<?cs var:Created.Name ?>” created: copy it now</h2>
<p>Only a hash of it is kept: it <strong>will not be shown again</strong>. If you lose it, revoke it and make another.</p>
<p><label class="field-label" for="created-token">Token</label>
<input class="input url-text" id="created-token" type="text" readonly value="<?cs var:Created.Token ?>" autocomplete="off" spellcheck="false"></p>
<p class="muted">Send it as <code>Authorization: Bearer <var>token</var></code>, for example <code>curl -H "Authorization: Bearer $TOKEN" <?cs var:ApiBase ?>/api/v1/connections</code>.</p>
</section><?cs
/if ?>
<div class="split-layout">
<section class="split-main" aria-labelledby="tokens-title"><?cs
if:User.IsAdmin ?><?cs
  call:section_head("tokens-title", "Your tokens and service accounts’", 0, subcount(Tokens), "token") ?><?cs
else ?><?cs
  call:section_head("tokens-title", "Your tokens", 0, subcount(Tokens), "token") ?><?cs
/if ?><?cs
if:subcount(Tokens) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table tokens-table">
<caption class="visually-hidden">API tokens, live ones first, newest first</caption>
<thead>
<tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
</thead>
<tbody><?cs
  each:t = Tokens ?>
<tr>
<th scope="row"><?cs var:t.Name ?><?cs if:t.Holder ?><br><span class="muted">for <?cs var:t.Holder ?></span><?cs /if ?><?cs
    if:t.ClientRange ?><br><span class="muted">from <code><?cs var:t.ClientRange ?></code> only</span><?cs /if ?></th>
<td data-label="Scopes" class="token-scopes"><?cs var:t.Scopes ?></td>
<td data-label="Last used"><?cs if:t.Used ?><?cs call:timestamp(t.Used) ?><?cs else ?><span class="muted">Never</span><?cs /if ?></td>
<td data-label="Expires"><?cs if:t.Expires ?><?cs call:timestamp(t.Expires) ?><?cs else ?><span class="muted">Never</span><?cs /if ?></td>
<td data-label="State"><?cs if:t.State == "active" ?><span class="badge badge-ok">Active</span><?cs
    elif:t.State == "expired" ?><span class="badge badge-not_tested">Expired</span><?cs
    else ?><span class="badge badge-not_tested">Revoked</span><?cs /if ?></td>
<td<?cs if:t.State == "active" ?> data-label="Actions"<?cs /if ?>><?cs if:t.State == "active" ?>
<form method="post" action="/api-tokens/<?cs var:t.Id ?>"><?cs call:csrf_input() ?><input type="hidden" name="action" value="revoke"><button class="btn btn-secondary btn-sm" type="submit">Revoke<span class="visually-hidden"> <?cs var:t.Name ?></span></button></form><?cs
    /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs call:times_note() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>No tokens yet</h3>
<p>Make one for each script or system that calls the API, so that each can be revoked alone.</p>
</div><?cs
/if ?><?cs
if:User.IsAdmin ?>
<section class="panel service-accounts" aria-labelledby="service-title"><?cs
  call:section_head("service-title", "Service accounts", 0, subcount(ServiceAccounts), "service account") ?>
<p class="muted">A service account is an identity for a system, not a person: it cannot sign in, belongs to teams like a user (add it on the Teams page by its address), and holds tokens you make for it here.</p><?cs
  if:subcount(ServiceAccounts) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden">Service accounts</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Address (for teams)</th><th scope="col">Teams</th><th scope="col">Live tokens</th></tr></thead>
<tbody><?cs
    each:s = ServiceAccounts ?>
<tr><th scope="row"><?cs var:s.Name ?></th><td data-label="Address"><code class="service-address"><?cs var:s.Email ?></code></td>
<td data-label="Teams"><?cs if:s.Teams ?><?cs var:s.Teams ?><?cs else ?><span class="muted">None yet</span><?cs /if ?></td>
<td data-label="Live tokens"><?cs call:count(s.Live, "token", "tokens") ?></td></tr><?cs
    /each ?><?cs call:table_end() ?><?cs
  /if ?>
<form class="form service-form" method="post" action="/api-tokens"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="service">
<div class="field<?cs if:ServiceForm.Errors.Name ?> has-error<?cs /if ?>"><?cs
  call:field_label("service-name", "New service account", 1) ?><?cs
  call:error_message("service-name", ServiceForm.Errors.Name) ?>
<input class="input" id="f-service-name" name="name" type="text" maxlength="200" autocomplete="off" placeholder="Flow engine"<?cs
  if:ServiceForm.Name ?> value="<?cs var:ServiceForm.Name ?>"<?cs /if ?><?cs call:field_aria("service-name", 0, ServiceForm.Errors.Name, "") ?>>
</div>
<div class="form-actions"><button class="btn btn-secondary" type="submit">Add service account</button></div>
</form>
</section><?cs
/if ?>
</section><?cs
call:aside_form_open("new-token-title", "New token", "/api-tokens", "create") ?>
<div class="field<?cs if:TokenForm.Errors.Name ?> has-error<?cs /if ?>"><?cs
  call:field_label("token-name", "Name", 1) ?><?cs
  call:field_help("token-name", "What uses it, such as “Flow engine” or “Nightly export”. Up to 120 characters.") ?><?cs
  call:error_message("token-name", TokenForm.Errors.Name) ?>
<input class="input" id="f-token-name" name="name" type="text" autocomplete="off"<?cs
  if:TokenForm.Name ?> value="<?cs var:TokenForm.Name ?>"<?cs /if ?><?cs call:field_aria("token-name", 1, TokenForm.Errors.Name, "") ?>>
</div><?cs
if:User.IsAdmin && subcount(ServiceAccounts) > 0 ?>
<div class="field<?cs if:TokenForm.Errors.For ?> has-error<?cs /if ?>"><?cs
  call:field_label("token-for", "For", 0) ?><?cs
  call:error_message("token-for", TokenForm.Errors.For) ?>
<select class="select" id="f-token-for" name="for"<?cs call:field_aria("token-for", 0, TokenForm.Errors.For, "") ?>>
<option value="">Me (<?cs var:User.Email ?>)</option><?cs
  each:s = ServiceAccounts ?>
<option value="<?cs var:s.Id ?>"<?cs if:TokenForm.For == s.Id ?> selected<?cs /if ?>>Service account: <?cs var:s.Name ?></option><?cs
  /each ?>
</select>
</div><?cs
/if ?>
<fieldset class="field choice-group<?cs if:TokenForm.Errors.Scopes ?> has-error<?cs /if ?>">
<legend class="field-label">Scopes <span class="required" aria-hidden="true">*</span></legend><?cs
  call:error_message("token-scopes", TokenForm.Errors.Scopes) ?>
<div class="choice-list"><?cs
  each:s = ScopeNames ?>
<label class="choice" for="f-scope-<?cs name:s ?>"><input class="radio" type="checkbox" id="f-scope-<?cs name:s ?>" name="scopes" value="<?cs var:s.Name ?>"<?cs if:s.Checked ?> checked<?cs /if ?>><span class="choice-text"><span class="choice-label"><code><?cs var:s.Name ?></code></span><span class="choice-help"><?cs call:scope_help(s.Name) ?></span></span></label><?cs
  /each ?>
</div>
</fieldset>
<div class="field<?cs if:TokenForm.Errors.Expires ?> has-error<?cs /if ?>"><?cs
  call:field_label("token-expires", "Expires", 1) ?><?cs
  call:error_message("token-expires", TokenForm.Errors.Expires) ?>
<select class="select" id="f-token-expires" name="expires"<?cs call:field_aria("token-expires", 0, TokenForm.Errors.Expires, "") ?>>
<option value="30"<?cs if:TokenForm.Expires == "30" ?> selected<?cs /if ?>>In 30 days</option>
<option value="90"<?cs if:TokenForm.Expires == "90" ?> selected<?cs /if ?>>In 90 days</option>
<option value="365"<?cs if:TokenForm.Expires == "365" ?> selected<?cs /if ?>>In a year</option>
<option value="0"<?cs if:TokenForm.Expires == "0" ?> selected<?cs /if ?>>Never</option>
</select>
</div>
<div class="field<?cs if:TokenForm.Errors.ClientRange ?> has-error<?cs /if ?>"><?cs
  call:field_label("token-range", "Only from these addresses", 0) ?><?cs
  call:field_help("token-range", "Optional: an address or range (CIDR), such as 10.20.0.0/16. Calls from elsewhere are refused as if the token were wrong.") ?><?cs
  call:error_message("token-range", TokenForm.Errors.ClientRange) ?>
<input class="input" id="f-token-range" name="client_range" type="text" autocomplete="off" spellcheck="false" placeholder="Any address"<?cs
  if:TokenForm.ClientRange ?> value="<?cs var:TokenForm.ClientRange ?>"<?cs /if ?><?cs call:field_aria("token-range", 1, TokenForm.Errors.ClientRange, "") ?>>
</div><?cs
call:aside_form_end("Create token") ?>
<p class="aside-foot muted">The token is shown once, right after it is made.</p>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
