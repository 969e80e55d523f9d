<?cs ####################################################################
  macros.cs: macros shared by every page. A page template includes this
  file first, then defines page_content(), then includes layout.cs
  (see index.cs).

  ClearSilver resolves calls at parse time and refuses a second definition,
  so macros.cs is included exactly once, by the page, before anything that
  calls it (layout.cs relies on it too). Escaping is on (VarEscapeMode =
  html): every var: below is HTML-escaped. Tags are chained (no text between them) so
  this file writes no text of its own.
  ######################################################################## ?><?cs


####  csrf_input(): the hidden CSRF field every POST form carries.
?><?cs def:csrf_input()
?><input type="hidden" name="csrf" value="<?cs var:CSRF.Token ?>"><?cs /def ?><?cs


####  alert(kind, message): a message box. kind: success | error | warning |
      info. Errors are role="alert" (announced at once), the rest
      role="status".
?><?cs def:alert_icon(kind)
?><svg class="alert-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><?cs
  if:kind == "success" ?><circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M6.2 10.3l2.5 2.5 5-5.3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/><?cs
  elif:kind == "error" || kind == "warning" ?><path d="M10 2.6l8 14H2z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M10 7.6v4.2" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><circle cx="10" cy="14.3" r="1" fill="currentColor"/><?cs
  else ?><circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M10 9v5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><circle cx="10" cy="6.2" r="1" fill="currentColor"/><?cs
  /if ?></svg><?cs /def ?><?cs
def:alert(kind, message)
?><?cs if:message ?>
<div class="alert alert-<?cs alt:kind ?>info<?cs /alt ?>" role="<?cs if:kind == "error" ?>alert<?cs else ?>status<?cs /if ?>"><?cs
  call:alert_icon(kind) ?><div class="alert-body"><?cs var:message ?></div></div><?cs
/if ?><?cs /def ?><?cs


####  flash(): the one-shot message set by the previous request
      (Flash.Kind: success | error | info; Flash.Message).
?><?cs def:flash()
?><?cs if:Flash.Message ?><div class="flash"><?cs call:alert(Flash.Kind, Flash.Message) ?></div><?cs /if ?><?cs /def ?><?cs


####  error_message(name, message): the error shown next to field `name`;
      id="f-NAME-error", which the field's aria-describedby points at.
?><?cs def:error_message(name, message)
?><?cs if:message ?>
<p class="field-error" id="f-<?cs var:name ?>-error"><svg class="field-error-icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M10 5.8v5.2" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><circle cx="10" cy="14.2" r="1.1" fill="currentColor"/></svg><span class="visually-hidden">Error: </span><?cs var:message ?></p><?cs
/if ?><?cs /def ?><?cs


####  Pieces of a field. The control's id is "f-NAME", its help "f-NAME-help",
      its error "f-NAME-error".
?><?cs def:field_label(name, label, required)
?><label class="field-label" for="f-<?cs var:name ?>"><?cs var:label ?><?cs
  if:required ?> <span class="required" aria-hidden="true">*</span><?cs /if ?></label><?cs
/def ?><?cs
def:field_help(name, help)
?><?cs if:help ?>
<p class="field-help" id="f-<?cs var:name ?>-help"><?cs var:help ?></p><?cs /if ?><?cs
/def ?><?cs

####  field_aria(name, help, error): the attributes tying a control to its
      help text and error.
?><?cs def:field_aria(name, help, error)
?><?cs if:help || error ?> aria-describedby="<?cs
  if:error ?>f-<?cs var:name ?>-error<?cs /if ?><?cs if:help && error ?> <?cs /if ?><?cs
  if:help ?>f-<?cs var:name ?>-help<?cs /if ?>"<?cs /if ?><?cs
  if:error ?> aria-invalid="true"<?cs /if ?><?cs
/def ?><?cs


####  input_field(name, label, type, value, autocomplete, help, error,
      required): a labelled <input> for hand-written forms. A password
      input never echoes its value.
?><?cs def:input_field(name, label, type, value, autocomplete, help, error, required)
?>
<div class="field<?cs if:error ?> has-error<?cs /if ?>"><?cs
  call:field_label(name, label, required) ?><?cs
  call:field_help(name, help) ?><?cs
  call:error_message(name, error) ?>
<input class="input" id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="<?cs alt:type ?>text<?cs /alt ?>"<?cs
  if:type != "password" && value ?> value="<?cs var:value ?>"<?cs /if ?><?cs
  if:autocomplete ?> autocomplete="<?cs var:autocomplete ?>"<?cs /if ?><?cs
  if:required ?> required<?cs /if ?><?cs
  call:field_aria(name, help, error) ?>>
</div><?cs
/def ?><?cs


####  form_field(f): one field described by an HDF node, for generated forms
      (connector fields):
        f.Name, f.Label, f.Type (text | email | url | number | password |
        textarea | select | checkbox), f.Value, f.Help, f.Error,
        f.Required, f.Disabled, f.Autocomplete, f.Placeholder,
        f.Options.N.Value / f.Options.N.Label (select).
      Password fields never echo a value; f.Stored (e.g. "Stored, changed
      on 2024-05-02") says that a secret exists without showing it.
?><?cs def:form_field(f)
?><?cs if:f.Type == "checkbox" ?>
<div class="field field-check<?cs if:f.Error ?> has-error<?cs /if ?>">
<input class="checkbox" id="f-<?cs var:f.Name ?>" name="<?cs var:f.Name ?>" type="checkbox" value="1"<?cs
  if:f.Value ?> checked<?cs /if ?><?cs if:f.Disabled ?> disabled<?cs /if ?><?cs
  call:field_aria(f.Name, f.Help, f.Error) ?>><?cs
  call:field_label(f.Name, f.Label, f.Required) ?><?cs
  call:field_help(f.Name, f.Help) ?><?cs
  call:error_message(f.Name, f.Error) ?>
</div><?cs
else ?>
<div class="field<?cs if:f.Error ?> has-error<?cs /if ?>"><?cs
  call:field_label(f.Name, f.Label, f.Required) ?><?cs
  call:field_help(f.Name, f.Help) ?><?cs
  if:f.Type == "password" && f.Stored ?>
<p class="field-stored" id="f-<?cs var:f.Name ?>-stored"><?cs var:f.Stored ?></p><?cs /if ?><?cs
  call:error_message(f.Name, f.Error) ?><?cs
  if:f.Type == "select" ?>
<select class="select" id="f-<?cs var:f.Name ?>" name="<?cs var:f.Name ?>"<?cs
    if:f.Required ?> required<?cs /if ?><?cs if:f.Disabled ?> disabled<?cs /if ?><?cs
    call:field_aria(f.Name, f.Help, f.Error) ?>><?cs
    each:o = f.Options ?>
<option value="<?cs var:o.Value ?>"<?cs if:o.Value == f.Value ?> selected<?cs /if ?>><?cs var:o.Label ?></option><?cs
    /each ?>
</select><?cs
  elif:f.Type == "textarea" ?>
<textarea class="textarea" id="f-<?cs var:f.Name ?>" name="<?cs var:f.Name ?>" rows="4"<?cs
    if:f.Placeholder ?> placeholder="<?cs var:f.Placeholder ?>"<?cs /if ?><?cs
    if:f.Required ?> required<?cs /if ?><?cs if:f.Disabled ?> disabled<?cs /if ?><?cs
    call:field_aria(f.Name, f.Help, f.Error) ?>><?cs var:f.Value ?></textarea><?cs
  else ?>
<input class="input" id="f-<?cs var:f.Name ?>" name="<?cs var:f.Name ?>" type="<?cs alt:f.Type ?>text<?cs /alt ?>"<?cs
    if:f.Type != "password" && f.Value ?> value="<?cs var:f.Value ?>"<?cs /if ?><?cs
    if:f.Autocomplete ?> autocomplete="<?cs var:f.Autocomplete ?>"<?cs
    elif:f.Type == "password" ?> autocomplete="new-password"<?cs /if ?><?cs
    if:f.Placeholder ?> placeholder="<?cs var:f.Placeholder ?>"<?cs /if ?><?cs
    if:f.Required ?> required<?cs /if ?><?cs if:f.Disabled ?> disabled<?cs /if ?><?cs
    call:field_aria(f.Name, f.Help, f.Error) ?>><?cs
  /if ?>
</div><?cs
/if ?><?cs /def ?><?cs


####  status_badge(status, label): a connection's status as a badge with an
      icon and text (never colour alone). status: ok | failing |
      needs_reconnect | not_tested; label overrides the default text. The
      CSS draws a distinct shape per status (check, cross, open ring,
      dotted ring) before the text; markup stays small for 50-row lists.
?><?cs def:status_badge(status, label)
?><?cs if:status == "ok"
?><span class="badge badge-ok"><?cs alt:label ?>Connected<?cs /alt ?></span><?cs
elif:status == "failing"
?><span class="badge badge-failing"><?cs alt:label ?>Failing<?cs /alt ?></span><?cs
elif:status == "needs_reconnect"
?><span class="badge badge-reconnect"><?cs alt:label ?>Needs reconnect<?cs /alt ?></span><?cs
else
?><span class="badge badge-untested"><?cs alt:label ?>Not tested yet<?cs /alt ?></span><?cs
/if ?><?cs /def ?><?cs


####  sort_header(label, query, dir): a sortable column header. query: the
      URL-encoded query string (starting with "?") that sorts by this
      column; dir: asc | desc | empty (not the current sort).
?><?cs def:sort_header(label, query, dir)
?><th scope="col"<?cs if:dir == "asc" ?> aria-sort="ascending"<?cs elif:dir == "desc" ?> aria-sort="descending"<?cs /if ?>><?cs
if:query ?><a class="sort-link" href="/<?cs var:query ?>"><?cs var:label ?><?cs
  if:dir == "asc" ?><span class="visually-hidden"> (sorted ascending)</span><?cs
  elif:dir == "desc" ?><span class="visually-hidden"> (sorted descending)</span><?cs /if ?><svg class="sort-icon sort-<?cs alt:dir ?>none<?cs /alt ?>" viewBox="0 0 12 16" width="10" height="14" aria-hidden="true"><path class="sort-up" d="M6 2.5l3.5 4h-7z" fill="currentColor"/><path class="sort-down" d="M6 13.5l3.5-4h-7z" fill="currentColor"/></svg></a><?cs
else ?><?cs var:label ?><?cs /if ?></th><?cs
/def ?><?cs


####  pagination(base): previous / next links and "Page X of Y" from
      Pager.Page, Pager.Pages, Pager.PrevQuery, Pager.NextQuery (query
      strings already URL-encoded, absent when there is no such page).
      base: the page's path, e.g. "/".
?><?cs def:pagination(base)
?><?cs if:#Pager.Pages > 1 ?>
<nav class="pagination" aria-label="Pagination"><?cs
  if:Pager.PrevQuery ?>
<a class="btn btn-secondary btn-sm" href="<?cs var:base ?><?cs var:Pager.PrevQuery ?>" rel="prev"><span aria-hidden="true">&larr;</span> Previous<span class="visually-hidden"> page</span></a><?cs
  else ?>
<span class="btn btn-secondary btn-sm is-disabled" aria-hidden="true">&larr; Previous</span><?cs
  /if ?>
<span class="pagination-status">Page <?cs var:Pager.Page ?> of <?cs var:Pager.Pages ?></span><?cs
  if:Pager.NextQuery ?>
<a class="btn btn-secondary btn-sm" href="<?cs var:base ?><?cs var:Pager.NextQuery ?>" rel="next">Next<span class="visually-hidden"> page</span> <span aria-hidden="true">&rarr;</span></a><?cs
  else ?>
<span class="btn btn-secondary btn-sm is-disabled" aria-hidden="true">Next &rarr;</span><?cs
  /if ?>
</nav><?cs
/if ?><?cs /def ?><?cs


####  nav_item(section, href, label): one link of the main navigation,
      aria-current="page" when Page.Section is `section`.
?><?cs def:nav_item(section, href, label)
?>
<li><a class="site-nav-link" href="<?cs var:href ?>"<?cs if:Page.Section == section ?> aria-current="page"<?cs /if ?>><?cs var:label ?></a></li><?cs
/def ?>