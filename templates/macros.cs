<?cs ####################################################################
  macros.cs: macros shared by every page. A page template includes this
  file first, then defines page_content(), then includes layout.cs
  (see index.cs).

  ClearSilver resolves calls at parse time and refuses a second definition,
  so macros.cs is included exactly once, by the page, before anything that
  calls it (layout.cs relies on it too). Escaping is on (VarEscapeMode =
  html): every var: below is HTML-escaped. Tags are chained, with no text
  between them, so this file writes nothing of its own.
  ######################################################################## ?><?cs


####  csrf_input(): the hidden CSRF field every POST form carries.
?><?cs def:csrf_input()
?><input type="hidden" name="csrf" value="<?cs var:CSRF.Token ?>"><?cs /def ?><?cs

####  once_input(): the page's one-time token (Once.Token, once.c), in the
      forms whose action must run once however often they are sent. ?><?cs
def:once_input()
?><input type="hidden" name="once" value="<?cs var:Once.Token ?>"><?cs /def ?><?cs


####  alert(kind, message): a message box. kind: success | error | warning |
      info. Errors are role="alert" (announced at once), the rest
      role="status". alert_icon(kind) draws its icon.
?><?cs def:alert_icon(kind)
?><svg class="alert-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><?cs
  if:kind == "success" ?><circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M6.2 10.3l2.5 2.5 5-5.3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/><?cs
  elif:kind == "error" || kind == "warning" ?><path d="M10 2.6l8 14H2z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M10 7.6v4.2" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><circle cx="10" cy="14.3" r="1" fill="currentColor"/><?cs
  else ?><circle cx="10" cy="10" r="8.25" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M10 9v5" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><circle cx="10" cy="6.2" r="1" fill="currentColor"/><?cs
  /if ?></svg><?cs /def ?><?cs
def:alert(kind, message)
?><?cs if:message ?>
<div class="alert alert-<?cs if:kind ?><?cs var:kind ?><?cs else ?>info<?cs /if ?>" role="<?cs if:kind == "error" ?>alert<?cs else ?>status<?cs /if ?>"><?cs
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

####  field_aria(name, help, error, stored): the attributes tying a control
      to its error, help text and "secret stored" note (each optional).
?><?cs def:field_aria(name, help, error, stored)
?><?cs if:help || error || stored ?> aria-describedby="<?cs
  if:error ?>f-<?cs var:name ?>-error<?cs /if ?><?cs
  if:help ?><?cs if:error ?> <?cs /if ?>f-<?cs var:name ?>-help<?cs /if ?><?cs
  if:stored ?><?cs if:error || help ?> <?cs /if ?>f-<?cs var:name ?>-stored<?cs /if ?>"<?cs /if ?><?cs
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
<input class="input" id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="<?cs if:type ?><?cs var:type ?><?cs else ?>text<?cs /if ?>"<?cs
  if:type != "password" && ?value ?> value="<?cs var:value ?>"<?cs /if ?><?cs
  if:autocomplete ?> autocomplete="<?cs var:autocomplete ?>"<?cs /if ?><?cs
  if:required ?> required<?cs /if ?><?cs
  call:field_aria(name, help, error, "") ?>>
</div><?cs
/def ?><?cs


####  select_open(name, input, label, help, error, choose): a required,
      labelled <select id="f-NAME" name="INPUT"> with its help and error
      (each optional) and a first empty option `choose`; the page writes
      the other options, then </select></div>.
?><?cs def:select_open(name, input, label, help, error, choose)
?>
<div class="field<?cs if:error ?> has-error<?cs /if ?>"><?cs
  call:field_label(name, label, 1) ?><?cs
  call:field_help(name, help) ?><?cs
  call:error_message(name, error) ?>
<select class="select" id="f-<?cs var:name ?>" name="<?cs var:input ?>" required<?cs
  call:field_aria(name, help, error, "") ?>>
<option value=""><?cs var:choose ?></option><?cs
/def ?><?cs


####  or_dash(value): the value, or a muted dash when it is empty or
      absent (a cell, a definition). dash(): the dash alone, for a value
      that is wrapped (a tag, code) or tested otherwise. index.cs writes
      its rows' dash out (see status_badge).
?><?cs def:dash()
?><span class="muted">—</span><?cs /def ?><?cs
def:or_dash(value)
?><?cs if:value ?><?cs var:value ?><?cs else ?><?cs call:dash() ?><?cs /if ?><?cs /def ?><?cs

####  thousands(n): a whole number with thousands separators, "200,014".
?><?cs def:thousands_group(r)
?><?cs if:#r < 10 ?>00<?cs elif:#r < 100 ?>0<?cs /if ?><?cs var:#r ?><?cs /def ?><?cs
def:thousands(n)
?><?cs if:#n < 0 ?>-<?cs set:thousands_n = 0 - #n ?><?cs else ?><?cs set:thousands_n = #n ?><?cs /if ?><?cs
if:#thousands_n >= 1000000000 ?><?cs var:#thousands_n / 1000000000 ?>,<?cs call:thousands_group((#thousands_n / 1000000) % 1000) ?>,<?cs call:thousands_group((#thousands_n / 1000) % 1000) ?>,<?cs call:thousands_group(#thousands_n % 1000) ?><?cs
elif:#thousands_n >= 1000000 ?><?cs var:#thousands_n / 1000000 ?>,<?cs call:thousands_group((#thousands_n / 1000) % 1000) ?>,<?cs call:thousands_group(#thousands_n % 1000) ?><?cs
elif:#thousands_n >= 1000 ?><?cs var:#thousands_n / 1000 ?>,<?cs call:thousands_group(#thousands_n % 1000) ?><?cs
else ?><?cs var:#thousands_n ?><?cs /if ?><?cs /def ?><?cs

####  timestamp(v): a time the database wrote as "YYYY-MM-DD HH:MI[:SS][ UTC]",
      shown as "YYYY-MM-DD HH:MI"; the page says "Times are in UTC" once
      (times_note()).
?><?cs def:timestamp(v)
?><?cs if:v ?><time datetime="<?cs var:string.slice(v, 0, 10) ?>T<?cs var:string.slice(v, 11, 16) ?>Z"><?cs var:string.slice(v, 0, 16) ?></time><?cs /if ?><?cs /def ?><?cs
def:times_note()
?><p class="times-note muted">Times are in UTC.</p><?cs /def ?><?cs

####  timestamp_or_dash(v): timestamp(v), or a dash when there is none.
?><?cs def:timestamp_or_dash(v)
?><?cs if:v ?><?cs call:timestamp(v) ?><?cs else ?><?cs call:dash() ?><?cs /if ?><?cs /def ?><?cs

####  status_badge(status, label): a connection's status as a badge with an
      icon and text (never colour alone). status: ok | failing |
      needs_reconnect | not_tested | not_testable (neutral grey, never red)
      | not_connected (a user's own state of a per-user connection); label
      overrides the default text. The CSS draws a distinct shape per status
      (check, cross, open ring, dotted ring, dash) before the text, from
      the class badge-STATUS; markup
      stays small for 50-row lists. index.cs inlines the same markup in
      its rows (a macro call there costs ~8% of the page's render).
?><?cs def:status_badge(status, label)
?><span class="badge badge-<?cs var:status ?>"><?cs
if:label ?><?cs var:label ?><?cs
elif:status == "ok" ?>Connected<?cs
elif:status == "failing" ?>Failing<?cs
elif:status == "needs_reconnect" ?>Needs reconnect<?cs
elif:status == "not_testable" ?>Not testable<?cs
elif:status == "not_connected" ?>Not connected<?cs
else ?>Not tested yet<?cs
/if ?></span><?cs /def ?><?cs


####  sort_header(base, label, query, dir): a sortable column header. base:
      the page's path, e.g. "/"; query: the URL-encoded query string
      (starting with "?") that sorts by this column; dir: asc | desc |
      empty (not the current sort).
?><?cs def:sort_header(base, label, query, dir)
?><th scope="col"<?cs if:dir == "asc" ?> aria-sort="ascending"<?cs elif:dir == "desc" ?> aria-sort="descending"<?cs /if ?>><?cs
if:query ?><a class="sort-link" href="<?cs var:base ?><?cs var:query ?>"><?cs var:label ?><?cs
  if:dir == "asc" ?><span class="visually-hidden"> (sorted ascending)</span><?cs
  elif:dir == "desc" ?><span class="visually-hidden"> (sorted descending)</span><?cs /if ?><svg class="sort-icon sort-<?cs if:dir ?><?cs var:dir ?><?cs else ?>none<?cs /if ?>" viewBox="0 0 12 16" width="10" height="14" aria-hidden="true"><path class="sort-up" d="M6 2.5l3.5 4h-7z" fill="currentColor"/><path class="sort-down" d="M6 13.5l3.5-4h-7z" fill="currentColor"/></svg></a><?cs
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
<span class="pagination-status">Page <?cs var:Pager.Page ?> of <?cs
  if:Pager.Estimated ?><?cs call:thousands(Pager.PagesAtLeast) ?>+<?cs else ?><?cs var:Pager.Pages ?><?cs /if ?></span><?cs
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
/def ?><?cs


####  Page pieces shared by the pages' skeletons. ClearSilver macros cannot
      wrap content, so a table or an empty state is opened and closed by
      the page around its own rows (see teams.cs).
      ####################################################################


####  breadcrumbs(href, label, current): a two-step trail, the parent page
      `label` at `href`, then the current page. conn_breadcrumbs(current):
      Integrations, the connection (Conn.Id|Name), then `current`.
?><?cs def:breadcrumbs(href, label, current)
?>
<nav class="breadcrumbs" aria-label="Breadcrumb">
<ol>
<li><a href="<?cs var:href ?>"><?cs var:label ?></a></li>
<li><span aria-current="page"><?cs var:current ?></span></li>
</ol>
</nav><?cs /def ?><?cs
def:conn_breadcrumb_steps()
?>
<li><a href="/">Integrations</a></li>
<li><a href="/connections/<?cs var:Conn.Id ?>"><?cs var:Conn.Name ?></a></li><?cs /def ?><?cs
def:conn_breadcrumbs(current)
?>
<nav class="breadcrumbs" aria-label="Breadcrumb">
<ol><?cs call:conn_breadcrumb_steps() ?>
<li><span aria-current="page"><?cs var:current ?></span></li>
</ol>
</nav><?cs /def ?><?cs


####  section_head(id, title, hidden, count, noun): a section's <h2> (id,
      visually hidden when `hidden`) and, when count > 0, "N noun(s)".
?><?cs def:section_head(id, title, hidden, count, noun)
?>
<div class="section-head">
<h2 id="<?cs var:id ?>"<?cs if:hidden ?> class="visually-hidden"<?cs /if ?>><?cs var:title ?></h2><?cs
if:#count > 0 ?>
<p class="section-meta"><?cs call:thousands(count) ?> <?cs var:noun ?><?cs if:#count != 1 ?>s<?cs /if ?></p><?cs
/if ?>
</div><?cs /def ?><?cs


####  page_header(title, lede): the heading of a top-level page, its <h1>
      and the sentence under it.
?><?cs def:page_header(title, lede)
?>
<div class="page-header">
<div class="page-heading">
<h1><?cs var:title ?></h1>
<p class="page-lede"><?cs var:lede ?></p>
</div>
</div><?cs /def ?><?cs


####  filter_actions(button, clear, href, what): the submit button of a
      filter form and, when `clear`, a link to `href` clearing the `what`.
?><?cs def:filter_actions(button, clear, href, what)
?>
<div class="filter-actions">
<button class="btn btn-secondary" type="submit"><?cs var:button ?></button><?cs
  if:clear ?>
<a class="btn btn-link" href="<?cs var:href ?>">Clear<span class="visually-hidden"> <?cs var:what ?></span></a><?cs /if ?>
</div><?cs /def ?><?cs


####  filter_select_open(cls, name, label, current, any): a filter field
      (extra class `cls`) with its <select id="filter-NAME" name="NAME">
      and the "any" option, selected when `current` is empty; the page
      writes the other options, then </select></div>. filter_date(name,
      label, value): a date filter field.
?><?cs def:filter_select_open(cls, name, label, current, any)
?>
<div class="filter-field<?cs if:cls ?> <?cs var:cls ?><?cs /if ?>">
<label for="filter-<?cs var:name ?>"><?cs var:label ?></label>
<select class="select" id="filter-<?cs var:name ?>" name="<?cs var:name ?>">
<option value=""<?cs if:!current ?> selected<?cs /if ?>><?cs var:any ?></option><?cs /def ?><?cs
def:filter_date(name, label, value)
?>
<div class="filter-field filter-date">
<label for="filter-<?cs var:name ?>"><?cs var:label ?></label>
<input class="input" type="date" id="filter-<?cs var:name ?>" name="<?cs var:name ?>" min="2000-01-01" max="2200-12-31"<?cs
  if:value ?> value="<?cs var:value ?>"<?cs /if ?>>
</div><?cs /def ?><?cs


####  aside_form_open(id, title, action, verb): opens the side panel of a
      split page and its POST form to `action` (csrf, action=`verb`); the
      page writes the fields, then aside_form_end(button) and
      </section></div>. aside_form_end(button): the submit button, </form>.
?><?cs def:aside_form_open(id, title, action, verb)
?>

<div class="split-aside">
<section class="panel aside-panel" aria-labelledby="<?cs var:id ?>">
<h2 id="<?cs var:id ?>" class="panel-title"><?cs var:title ?></h2>
<form class="form" method="post" action="<?cs var:action ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="<?cs var:verb ?>"><?cs /def ?><?cs
def:aside_form_end(button)
?>
<div class="form-actions">
<button class="btn btn-primary" type="submit"><?cs var:button ?></button>
</div>
</form><?cs /def ?><?cs


####  table_end(): closes a table opened as <div class="table-wrap"><table>
      … <tbody>, after the page's row loop. empty_state_open(role): opens
      the compact empty state shown instead (role="ROLE" when given); the
      page writes its icon, <h3> and text, then </div>.
?><?cs def:table_end()
?>
</tbody>
</table>
</div><?cs /def ?><?cs
def:empty_state_open(role)
?>
<div class="empty-state empty-state-compact"<?cs if:role ?> role="<?cs var:role ?>"<?cs /if ?>><?cs /def ?><?cs


####  Connection pages (connection*.cs, connectors.cs, connector.cs,
      flow.cs). Added after the macros above,
      which stay as they are.
      ####################################################################


####  secret_expiry(name, label, value, error): the optional "LABEL expires
      on" date under a secret's input (connection form, named credential,
      a user's own credentials); name is the input's, e.g. f.KEY.expires_on;
      value YYYY-MM-DD or empty.
?><?cs def:secret_expiry(name, label, value, error)
?>
<div class="field-expiry<?cs if:error ?> has-error<?cs /if ?>"><?cs
  call:field_label(name, label + " expires on (optional)", 0) ?><?cs
  call:field_help(name, "If this secret stops working on a known day (a key's or certificate's end, a password rotation), Tether flags it before then. Leave empty if it does not expire.") ?><?cs
  call:error_message(name, error) ?>
<input class="input input-date" id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="date" min="2000-01-01" max="2099-12-31" placeholder="YYYY-MM-DD" value="<?cs var:value ?>"<?cs
  call:field_aria(name, 1, error, "") ?>>
</div><?cs /def ?><?cs


####  conn_field(f): one connector field of connection-form.cs, from
      Form.Fields.N (HACKING.md): f.Input (the input name, "f.<key>"; the
      control's id is "f-" + Input), f.Label, f.Type (text | url | email |
      hostname | number | select | checkbox | textarea | scopes | secret),
      f.Required, f.Help, f.Value, f.Error, f.Placeholder, f.Min, f.Max,
      f.MaxLength, f.Limit (said "Up to N characters", checked by the
      server, no maxlength), f.ReEnter ("Enter the API token again" when
      the form came back), f.Disabled, f.Stored, f.StoredAt,
      f.Options.N.Key / Label / Selected; a scopes field with declared
      Scopes: checkboxes f.Scopes.N.Input|Scope|Label|Checked, and the other
      scopes (f.Value) in a text input when f.FreeText. A secret is never echoed, not even masked: its
      input is always empty and f.Stored only says that a value is kept
      (then it is optional: leaving it empty keeps the stored value).
?><?cs def:conn_field_help(f)
?><?cs if:f.Help || f.Type == "scopes" || f.Limit ?>
<p class="field-help" id="f-<?cs var:f.Input ?>-help"><?cs var:f.Help ?><?cs
  if:f.Type == "scopes" ?><?cs if:f.Help ?> <?cs /if ?>Space-separated, for example <code>read write</code>.<?cs /if ?><?cs
  if:f.Limit && !f.Disabled ?><?cs if:f.Help || f.Type == "scopes" ?> <?cs /if ?>Up to <?cs call:thousands(f.Limit) ?> characters.<?cs /if ?></p><?cs
/if ?><?cs /def ?><?cs
def:conn_field_attrs(f, help)
?><?cs
  if:f.Disabled ?> disabled<?cs
  elif:f.Required && !(f.Type == "secret" && f.Stored) ?> required<?cs /if ?><?cs
  call:field_aria(f.Input, help || f.Limit, f.Error, (f.Type == "secret" && f.Stored) || f.ReEnter) ?><?cs
/def ?><?cs
def:conn_field(f)
?><?cs if:f.Type == "scopes" && subcount(f.Scopes) > 0 ?>
<fieldset class="field choice-group scope-picks<?cs if:f.Error ?> has-error<?cs /if ?>"<?cs
  call:field_aria(f.Input, 1, f.Error, "") ?>>
<legend class="field-label"><?cs var:f.Label ?><?cs if:f.Required && !f.Disabled ?> <span class="required" aria-hidden="true">*</span><?cs /if ?></legend>
<p class="field-help" id="f-<?cs var:f.Input ?>-help"><?cs if:f.Help ?><?cs var:f.Help ?> <?cs /if ?>Tick what the connection needs<?cs if:f.FreeText ?>; add any other scopes below, separated by spaces<?cs /if ?>.</p><?cs
  call:error_message(f.Input, f.Error) ?>
<div class="choice-list"><?cs
  each:c = f.Scopes ?>
<label class="choice" for="f-<?cs var:c.Input ?>"><input class="checkbox" type="checkbox" id="f-<?cs var:c.Input ?>" name="<?cs var:c.Input ?>" value="1"<?cs
    if:c.Checked ?> checked<?cs /if ?><?cs if:f.Disabled ?> disabled<?cs /if ?>><span class="choice-text"><span class="choice-label"><?cs var:c.Label ?></span><span class="choice-help"><code><?cs var:c.Scope ?></code></span></span></label><?cs
  /each ?>
</div><?cs
  if:f.FreeText ?>
<label class="field-label field-label-sub" for="f-<?cs var:f.Input ?>">Other scopes</label>
<input class="input" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" type="text" spellcheck="false"<?cs
    if:?f.Value && f.Value != "" ?> value="<?cs var:f.Value ?>"<?cs /if ?><?cs
    if:f.Disabled ?> disabled<?cs /if ?><?cs call:field_aria(f.Input, 1, f.Error, "") ?>><?cs
  /if ?>
</fieldset><?cs
elif:f.Type == "checkbox" ?>
<div class="field field-check<?cs if:f.Error ?> has-error<?cs /if ?>">
<input class="checkbox" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" type="checkbox" value="1"<?cs
  if:f.Value && f.Value != "0" ?> checked<?cs /if ?><?cs
  call:conn_field_attrs(f, f.Help) ?>><?cs
  call:field_label(f.Input, f.Label, f.Required && !f.Disabled) ?><?cs
  call:conn_field_help(f) ?><?cs
  call:error_message(f.Input, f.Error) ?>
</div><?cs
else ?>
<div class="field<?cs if:f.Error ?> has-error<?cs /if ?><?cs if:f.Disabled ?> is-disabled<?cs /if ?>"><?cs
  call:field_label(f.Input, f.Label, f.Required && !f.Disabled && !(f.Type == "secret" && f.Stored)) ?><?cs
  call:conn_field_help(f) ?><?cs
  if:f.Type == "secret" && f.Stored ?>
<p class="field-stored field-stored-secret" id="f-<?cs var:f.Input ?>-stored"><svg class="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><rect x="3" y="7" width="10" height="7" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>Stored<?cs if:f.StoredAt ?>, last changed on <?cs call:timestamp(f.StoredAt) ?><?cs /if ?>. Leave empty to keep it.</p><?cs
  /if ?><?cs
  if:f.ReEnter ?>
<p class="field-reenter" id="f-<?cs var:f.Input ?>-stored"><?cs var:f.ReEnter ?></p><?cs
  /if ?><?cs
  call:error_message(f.Input, f.Error) ?><?cs
  if:f.Type == "select" ?>
<select class="select" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>"<?cs
    call:conn_field_attrs(f, f.Help) ?>><?cs
    if:!f.Value ?>
<option value="">Choose…</option><?cs /if ?><?cs
    each:o = f.Options ?>
<option value="<?cs var:o.Key ?>"<?cs if:o.Selected ?> selected<?cs /if ?>><?cs var:o.Label ?></option><?cs
    /each ?>
</select><?cs
  elif:f.Type == "textarea" ?>
<textarea class="textarea" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" rows="4"<?cs
    if:f.MaxLength && !f.Limit ?> maxlength="<?cs var:f.MaxLength ?>"<?cs /if ?><?cs
    if:f.Placeholder ?> placeholder="<?cs var:f.Placeholder ?>"<?cs /if ?><?cs
    call:conn_field_attrs(f, f.Help) ?>><?cs var:f.Value ?></textarea><?cs
  elif:f.Type == "secret" ?>
<input class="input input-secret" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" type="password" autocomplete="new-password" spellcheck="false"<?cs
    if:f.MaxLength ?> maxlength="<?cs var:f.MaxLength ?>"<?cs /if ?><?cs
    if:f.Stored && !f.Error ?> placeholder="Unchanged"<?cs /if ?><?cs
    call:conn_field_attrs(f, f.Help) ?>><?cs
    if:f.ExpiresInput ?><?cs
      call:secret_expiry(f.ExpiresInput, f.Label, f.ExpiresOn, f.ExpiresError) ?><?cs
    /if ?><?cs
  elif:f.Type == "number" ?>
<input class="input input-number" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" type="number" step="1"<?cs
    if:?f.Value && f.Value != "" ?> value="<?cs var:f.Value ?>"<?cs /if ?><?cs
    if:?f.Min && f.Min != "" ?> min="<?cs var:f.Min ?>"<?cs /if ?><?cs
    if:?f.Max && f.Max != "" ?> max="<?cs var:f.Max ?>"<?cs /if ?><?cs
    if:f.Placeholder ?> placeholder="<?cs var:f.Placeholder ?>"<?cs /if ?><?cs
    call:conn_field_attrs(f, f.Help) ?>><?cs
  else ?>
<input class="input" id="f-<?cs var:f.Input ?>" name="<?cs var:f.Input ?>" type="<?cs
    if:f.Type == "url" ?>url<?cs elif:f.Type == "email" ?>email<?cs else ?>text<?cs /if ?>"<?cs
    if:?f.Value && f.Value != "" ?> value="<?cs var:f.Value ?>"<?cs /if ?><?cs
    if:f.Type == "url" || f.Type == "hostname" || f.Type == "scopes" ?> spellcheck="false"<?cs /if ?><?cs
    if:f.Type == "email" ?> autocomplete="off"<?cs /if ?><?cs
    if:f.MaxLength && !f.Limit ?> maxlength="<?cs var:f.MaxLength ?>"<?cs /if ?><?cs
    if:f.Placeholder ?> placeholder="<?cs var:f.Placeholder ?>"<?cs /if ?><?cs
    call:conn_field_attrs(f, f.Help || f.Type == "scopes") ?>><?cs
  /if ?>
</div><?cs
/if ?><?cs /def ?><?cs


####  test_result_badge(result): a test's result as a badge: "ok" is
      Passed, anything else Failed (as index.cs reads LastTestResult).
?><?cs def:test_result_badge(result)
?><?cs if:result == "ok" ?><span class="badge badge-ok">Passed</span><?cs
else ?><span class="badge badge-failing">Failed</span><?cs /if ?><?cs /def ?><?cs


####  test_trigger(trigger): what started a test, in words.
?><?cs def:test_trigger(t)
?><?cs if:t == "create" ?>Created<?cs
elif:t == "edit" ?>Edited<?cs
elif:t == "manual" ?>Test button<?cs
elif:t == "schedule" ?>Scheduled check<?cs
elif:t == "cli" ?>CLI<?cs
elif:t == "refresh" ?>Token refresh<?cs
elif:t == "flow_open" || t == "flow" ?>Flow opened<?cs
elif:t == "reconnect" ?>Connect or Reconnect<?cs
elif:t == "api" ?>API<?cs
else ?><?cs var:t ?><?cs /if ?><?cs /def ?><?cs


####  check_interval(value, minutes): a connection's scheduled check in
      words; minutes is health.check_interval_minutes (the default's).
?><?cs def:check_interval(v, minutes)
?><?cs if:v == "off" ?>Off<?cs
elif:v == "15m" ?>Every 15 minutes<?cs
elif:v == "1h" ?>Hourly<?cs
elif:v == "1d" ?>Daily<?cs
else ?>Default (every <?cs var:minutes ?> minute<?cs if:#minutes != 1 ?>s<?cs /if ?>)<?cs /if ?><?cs /def ?><?cs


####  flow_status(s): a flow's status (sql/001_schema.sql: active,
      inactive, draft) capitalised as connection statuses are.
?><?cs def:flow_status(s)
?><?cs if:s == "active" ?>Active<?cs elif:s == "inactive" ?>Inactive<?cs
elif:s == "draft" ?>Draft<?cs elif:s ?><?cs var:s ?><?cs /if ?><?cs /def ?><?cs

####  flows_table(flows, caption): the flows using a connection, unsorted
      (connection-edit-warning.cs, connection-delete.cs):
      flows.N.Id|Name|Version|Status|Owner.
?><?cs def:flows_table(flows, caption)
?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden"><?cs var:caption ?></caption>
<thead>
<tr><th scope="col">Flow</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Owner</th></tr>
</thead>
<tbody><?cs
  each:fl = flows ?>
<tr>
<th scope="row"><a href="/flows/<?cs var:fl.Id ?>"><?cs var:fl.Name ?></a></th>
<td data-label="Version" class="tabular"><?cs call:or_dash(fl.Version) ?></td>
<td data-label="Status"><?cs if:fl.Status ?><span class="tag"><?cs call:flow_status(fl.Status) ?></span><?cs else ?><?cs call:dash() ?><?cs /if ?></td>
<td data-label="Owner"><?cs call:or_dash(fl.Owner) ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
/def ?><?cs


####  versions_table(): Versions.N.Version|ChangedAt|ChangedBy|Fields (the
      changed field labels, comma-separated), the current one marked; with
      Can.Revert (the History tab, managers) each earlier one links to its
      revert confirmation.
?><?cs def:versions_table()
?><?cs if:subcount(Versions) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden">Versions of this connection, newest first</caption>
<thead>
<tr><th scope="col">Version</th><th scope="col">Changed</th><th scope="col">By</th><th scope="col">Fields changed</th><?cs if:Can.Revert ?><th scope="col"><span class="visually-hidden">Revert</span></th><?cs /if ?></tr>
</thead>
<tbody><?cs
  each:v = Versions ?>
<tr>
<th scope="row" class="version-cell">Version <?cs var:v.Version ?><?cs if:v.Version == Conn.Version ?> <span class="tag tag-current">Current</span><?cs /if ?></th>
<td data-label="Changed" class="tabular"><?cs call:timestamp_or_dash(v.ChangedAt) ?></td>
<td data-label="By"><?cs call:or_dash(v.ChangedBy) ?></td>
<td data-label="Fields changed"><?cs if:v.Fields ?><?cs var:v.Fields ?><?cs else ?><span class="muted">None</span><?cs /if ?></td><?cs
    if:Can.Revert ?>
<td data-label=""><?cs if:v.Version != Conn.Version ?><a class="btn btn-secondary btn-sm" href="/connections/<?cs var:Conn.Id ?>/revert?version=<?cs var:v.Version ?>">Revert to version <?cs var:v.Version ?></a><?cs /if ?></td><?cs
    /if ?>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?>
<p class="muted">No earlier versions.</p><?cs
/if ?><?cs /def ?><?cs


####  flow_sort_header(base, label, key, query): a column header of the
      Flows Using Connection table. key: the column's sort key (name,
      version, status, owner); FlowSort.Key is the current sort, "-KEY"
      for descending; query: FlowSort.<Column>.Query, URL-encoded, with
      or without its leading "?".
?><?cs def:flow_sort_th(base, label, query, dir)
?><?cs if:query && string.slice(query, 0, 1) != "?" ?><?cs
  call:sort_header(base + "?", label, query, dir) ?><?cs
else ?><?cs
  call:sort_header(base, label, query, dir) ?><?cs
/if ?><?cs /def ?><?cs
def:flow_sort_header(base, label, key, query)
?><?cs if:FlowSort.Key == key ?><?cs
  call:flow_sort_th(base, label, query, "asc") ?><?cs
elif:FlowSort.Key == "-" + key ?><?cs
  call:flow_sort_th(base, label, query, "desc") ?><?cs
else ?><?cs
  call:flow_sort_th(base, label, query, "") ?><?cs
/if ?><?cs /def ?><?cs


####  connector_mark(title): the connector's initial in a coloured square.
?><?cs def:connector_mark(title)
?><?cs if:title ?><span class="connector-mark" aria-hidden="true"><?cs var:string.slice(title, 0, 1) ?></span><?cs /if ?><?cs /def ?><?cs


####  connector_logo(title, logo, color): the connector's declared mark
      (logo letter on its logo_color, issue 16 §2), or connector_mark's.
?><?cs def:connector_logo(title, logo, color)
?><?cs if:logo ?><span class="connector-mark<?cs if:color ?> logo-<?cs var:color ?><?cs /if ?>" aria-hidden="true"><?cs var:logo ?></span><?cs
  else ?><?cs call:connector_mark(title) ?><?cs /if ?><?cs /def ?><?cs


####  Sharing, audit, teams, users, named credentials and per-user pages
      (connection-sharing.cs, audit.cs, teams.cs, team.cs, users.cs,
      named-credentials.cs, named-credential.cs,
      connection-credentials.cs, connection.cs). Added after the macros above, which stay as they are.
      ####################################################################


####  lock_icon(): the small padlock drawn before "Stored" secrets.
?><?cs def:lock_icon()
?><svg class="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><rect x="3" y="7" width="10" height="7" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" stroke-width="1.5"/></svg><?cs /def ?><?cs ####  redirect_uri_field(uri): the exact OAuth redirect URI to register
      with the provider (oauth_redirect_uri), in a read-only field (no name:
      never submitted) with a Copy button that static/copy.js shows where
      JavaScript runs. One a page (id "f-redirect-uri"). Used by
      connection-form.cs (Form.RedirectUri), connector.cs and connection.cs.
?><?cs def:redirect_uri_field(uri)
?>
<div class="field redirect-uri-field"><?cs
  call:field_label("redirect-uri", "Redirect URI", 0) ?><?cs
  call:field_help("redirect-uri", "Register this exact address with the provider as the app's redirect (callback) URL.") ?>
<div class="copy-field"><input class="input redirect-uri" id="f-redirect-uri" type="text" value="<?cs var:uri ?>" readonly spellcheck="false" autocomplete="off" aria-describedby="f-redirect-uri-help"><button class="btn btn-secondary copy-btn" type="button" data-copy="f-redirect-uri" hidden>Copy<span class="visually-hidden"> the redirect URI</span></button><span class="copy-status" role="status" aria-live="polite"></span></div>
<script src="/static/copy.js" defer></script>
</div><?cs
/def ?><?cs


####  Day one (issue 12 §3): the one way each page says a count, a yes or
      no, a time, a flow status, and why a button is not there.
      ####################################################################


####  cannot_create(id): for members and viewers, the New connection
      button disabled with its reason (id names the reason).
?><?cs def:cannot_create(id)
?><button class="btn btn-primary" type="button" disabled aria-describedby="<?cs var:id ?>">New connection</button>
<p class="action-note" id="<?cs var:id ?>">Only managers of a team can create connections.</p><?cs /def ?><?cs

####  count(n, one, many): "1 flow", "2 flows", "200,014 connections".
?><?cs def:count(n, one, many)
?><?cs call:thousands(n) ?> <?cs if:#n == 1 ?><?cs var:one ?><?cs else ?><?cs var:many ?><?cs /if ?><?cs /def ?><?cs

####  yes_no(v): "Yes" for a true value ("1", "t", "true"), else "No".
?><?cs def:yes_no(v)
?><?cs if:v == "1" || v == "t" || v == "true" ?>Yes<?cs else ?>No<?cs /if ?><?cs /def ?><?cs

####  setting_value(s): a connection's setting (s.Value, s.Type): a
      checkbox as Yes or No, an empty value as "Not set".
?><?cs def:setting_value(s)
?><?cs if:s.Type == "checkbox" ?><?cs call:yes_no(s.Value) ?><?cs
elif:?s.Value && s.Value != "" ?><?cs var:s.Value ?><?cs
else ?><span class="muted">Not set</span><?cs /if ?><?cs /def ?>
<?cs


####  Outbound addresses (issue 13 §2): connector.cs, connection.cs,
      connection-form.cs. egress_block(): Egress.Addresses (where Tether's
      calls come from: outbound.egress_addresses, or an Uplinked
      connection's uplink's own, Egress.Uplink its name) in a read-only
      field with a Copy button (static/copy.js); unset, how to set it. One
      a page (id "f-egress").
?><?cs def:egress_block()
?>
<div class="field egress-field"><?cs
  if:Egress.Addresses ?><?cs
  call:field_label("egress", "Outbound addresses", 0) ?><?cs
  if:Egress.Uplink ?><?cs
  call:field_help("egress", "This connection goes through uplink " + Egress.Uplink + ": its calls leave the network from these addresses. Allow them in the firewall in front of the system.") ?><?cs
  else ?><?cs
  call:field_help("egress", "Tether's tests and token calls leave from these addresses. Allow them in the firewall in front of the system you connect to.") ?><?cs
  /if ?>
<div class="copy-field"><input class="input" id="f-egress" type="text" value="<?cs var:Egress.Addresses ?>" readonly spellcheck="false" autocomplete="off" aria-describedby="f-egress-help"><button class="btn btn-secondary copy-btn" type="button" data-copy="f-egress" hidden>Copy<span class="visually-hidden"> the outbound addresses</span></button><span class="copy-status" role="status" aria-live="polite"></span></div>
<script src="/static/copy.js" defer></script><?cs
  elif:Egress.Uplink ?>
<p class="field-label">Outbound addresses</p>
<p class="field-help egress-unset">This connection goes through uplink <?cs var:Egress.Uplink ?>, which declares no egress addresses. An administrator can add them on the Uplinks page.</p><?cs
  else ?>
<p class="field-label">Outbound addresses</p>
<p class="field-help egress-unset">Outbound addresses are not configured, so Tether cannot say which addresses its calls come from. An administrator sets them as <code>outbound.egress_addresses</code> in tether.conf: comma-separated addresses or ranges, like <code>203.0.113.7, 198.51.100.0/28</code>.</p><?cs
  /if ?>
</div><?cs
/def ?>
