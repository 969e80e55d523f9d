<?cs ####  audit.cs: the audit log (/audit), newest first, 100 a page. Reads
      Audit.Filter.Connection|Actor|Action|Outcome|From|To (the GET
      filter; From and To are YYYY-MM-DD), Audit.Actions.N.Key,
      Audit.Rows.N.At|Actor|Team|ObjectType|ObjectId|Object|Action|Outcome|
      Client|RequestId|Details, Audit.Rows.N.About.Team|Permission|Role|
      Result|Trigger|Connector|Fields|Other (the sentence), Audit.Picks.N.Name
      (connection names for the filter), Audit.Filter.Conn, Pager.* as on
      the list, and Audit.CsvQuery
      (a query string starting with "?": /audit + it downloads the CSV of
      the current filter) (HACKING.md). Control characters in stored
      labels arrive as visible symbols (U+2400...); every value is escaped.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "audit" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Audit log" ?><?cs /if ?><?cs
set:Tmp.Filtered = Audit.Filter.Connection || Audit.Filter.Conn || Audit.Filter.Actor || Audit.Filter.Action ||
  Audit.Filter.Outcome || Audit.Filter.From || Audit.Filter.To ?><?cs

####  audit_action(key): an action key in words; unknown keys as they are.
?><?cs def:audit_action(a)
?><?cs if:a == "sign_in" ?>Signed in<?cs
elif:a == "sign_out" ?>Signed out<?cs
elif:a == "user_create" ?>User created<?cs
elif:a == "user_password" ?>Password changed<?cs
elif:a == "user_disable" ?>User disabled<?cs
elif:a == "user_enable" ?>User enabled<?cs
elif:a == "user_admin_grant" ?>Admin rights granted<?cs
elif:a == "user_admin_revoke" ?>Admin rights removed<?cs
elif:a == "team_create" ?>Team created<?cs
elif:a == "team_member_set" ?>Member added or role changed<?cs
elif:a == "team_member_remove" ?>Member removed<?cs
elif:a == "connection_create" ?>Connection created<?cs
elif:a == "connection_edit" ?>Connection edited<?cs
elif:a == "connection_edit_revoke" ?>Old tokens revoked after an edit<?cs
elif:a == "connection_revert" ?>Connection reverted<?cs
elif:a == "connection_test" ?>Connection tested<?cs
elif:a == "connection_reconnect_start" ?>Reconnect started<?cs
elif:a == "connection_reconnect" ?>Reconnected<?cs
elif:a == "connection_connect_start" ?>Connect started<?cs
elif:a == "connection_connect" ?>Connected<?cs
elif:a == "connection_share" ?>Shared<?cs
elif:a == "connection_unshare" ?>Share revoked<?cs
elif:a == "connection_transfer" ?>Ownership transferred<?cs
elif:a == "connection_delete" ?>Connection deleted<?cs
elif:a == "connection_user_credentials" ?>Own credentials saved<?cs
elif:a == "connection_user_disconnect" ?>Own account disconnected<?cs
elif:a == "connection_connect_other_account_start" ?>Connect a different account started<?cs
elif:a == "connection_connect_other_account" ?>Connected a different account<?cs
elif:a == "flow_create" ?>Flow registered<?cs
elif:a == "flow_update" ?>Flow updated<?cs
elif:a == "flow_delete" ?>Flow deleted<?cs
elif:a == "named_credential_create" ?>Named credential created<?cs
elif:a == "named_credential_edit" ?>Named credential edited<?cs
elif:a == "named_credential_delete" ?>Named credential deleted<?cs
else ?><?cs var:a ?><?cs /if ?><?cs /def ?><?cs

####  audit_object_type(t): an object type in words.
?><?cs def:audit_object_type(t)
?><?cs if:t == "connection" ?>Connection<?cs
elif:t == "named_credential" ?>Named credential<?cs
elif:t == "team" ?>Team<?cs
elif:t == "user" ?>User<?cs
elif:t == "flow" ?>Flow<?cs
else ?><?cs var:t ?><?cs /if ?><?cs /def ?><?cs

####  audit_outcome(o): success | failure | denied as a badge.
?><?cs def:audit_outcome(o)
?><?cs if:o == "success" ?><span class="badge badge-ok">Success</span><?cs
elif:o == "failure" ?><span class="badge badge-failing">Failure</span><?cs
elif:o == "denied" ?><span class="badge badge-denied">Denied</span><?cs
else ?><span class="badge"><?cs var:o ?></span><?cs /if ?><?cs /def ?><?cs

####  audit_about(e): what happened, in a sentence with names, from the
      event's action and its details (e.About.*); nothing when the action
      says it all.
?><?cs def:audit_permission(p)
?><?cs if:p == "manage" ?>Manage<?cs elif:p == "use" ?>Use<?cs else ?><?cs var:p ?><?cs /if ?><?cs /def ?><?cs
def:audit_team(name)
?><?cs if:name ?><?cs var:name ?><?cs else ?>a team since deleted<?cs /if ?><?cs /def ?><?cs
def:audit_about(e)
?><?cs if:e.Action == "connection_share" ?>Shared with <?cs call:audit_team(e.About.Team) ?><?cs
    if:e.About.Permission ?> (<?cs call:audit_permission(e.About.Permission) ?>)<?cs /if ?><?cs
  elif:e.Action == "connection_unshare" ?>No longer shared with <?cs call:audit_team(e.About.Team) ?><?cs
  elif:e.Action == "connection_transfer" ?>Now owned by <?cs call:audit_team(e.About.Team) ?><?cs
  elif:e.Action == "connection_test" ?><?cs
    if:e.About.Result == "ok" ?>Test passed<?cs
    elif:e.About.Result == "unsupported" ?>No test for this protocol<?cs
    elif:e.About.Result ?>Test failed<?cs else ?>Tested<?cs /if ?><?cs
    if:e.About.Trigger ?> (<?cs var:e.About.Trigger ?>)<?cs /if ?><?cs
  elif:e.Action == "team_member_set" && e.About.Role ?>Role: <?cs var:string.slice(e.About.Role, 0, 1) ?><?cs var:string.slice(e.About.Role, 1, string.length(e.About.Role)) ?><?cs
  elif:e.About.Connector ?>With <?cs var:e.About.Connector ?><?cs if:e.About.Fields ?>; fields: <?cs var:e.About.Fields ?><?cs /if ?><?cs
  elif:e.About.Fields ?>Changed: <?cs var:e.About.Fields ?><?cs
  elif:e.About.Team ?>Team: <?cs var:e.About.Team ?><?cs
  /if ?><?cs
  if:e.About.Other ?><span class="audit-other"><?cs var:e.About.Other ?></span><?cs /if ?><?cs /def ?><?cs

def:page_content() ?>
<div class="page-header">
<div class="page-heading">
<h1>Audit log</h1>
<p class="page-lede">Who did what to which object, when, from where, and with what outcome. Secret values are never recorded, only the names of the fields that changed.</p>
</div>
<div class="page-actions">
<a class="btn btn-secondary" href="/audit<?cs var:Audit.CsvQuery ?>"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 2v8M4.5 6.8L8 10.3l3.5-3.5M2.5 13.5h11" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/></svg>Download CSV<span class="visually-hidden"> of <?cs if:Tmp.Filtered ?>the filtered<?cs else ?>all<?cs /if ?> events</span></a>
</div>
</div>

<form class="filters audit-filters" method="get" action="/audit" role="search" aria-label="Filter the audit log">
<div class="filter-field"><?cs
  if:Audit.Filter.Connection ?>
<input type="hidden" name="connection" value="<?cs var:Audit.Filter.Connection ?>"><?cs /if ?>
<label for="filter-connection">Connection</label>
<input class="input" type="search" id="filter-connection" name="conn" maxlength="100" list="audit-connections" placeholder="Name contains…"<?cs
  if:Audit.Filter.Conn ?> value="<?cs var:Audit.Filter.Conn ?>"<?cs /if ?>>
<datalist id="audit-connections"><?cs
  each:c = Audit.Picks ?><option value="<?cs var:c.Name ?>"><?cs /each ?></datalist>
</div>
<div class="filter-field">
<label for="filter-actor">Actor</label>
<input class="input" type="search" id="filter-actor" name="actor" maxlength="100" placeholder="Email contains…"<?cs
  if:Audit.Filter.Actor ?> value="<?cs var:Audit.Filter.Actor ?>"<?cs /if ?>>
</div><?cs
call:filter_select_open("", "action", "Action", Audit.Filter.Action, "Any action") ?><?cs
  each:a = Audit.Actions ?>
<option value="<?cs var:a.Key ?>"<?cs if:a.Key == Audit.Filter.Action ?> selected<?cs /if ?>><?cs call:audit_action(a.Key) ?></option><?cs
  /each ?>
</select>
</div><?cs
call:filter_select_open("filter-outcome", "outcome", "Outcome", Audit.Filter.Outcome, "Any outcome") ?>
<option value="success"<?cs if:Audit.Filter.Outcome == "success" ?> selected<?cs /if ?>>Success</option>
<option value="failure"<?cs if:Audit.Filter.Outcome == "failure" ?> selected<?cs /if ?>>Failure</option>
<option value="denied"<?cs if:Audit.Filter.Outcome == "denied" ?> selected<?cs /if ?>>Denied</option>
</select>
</div><?cs
call:filter_date("from", "From", Audit.Filter.From) ?><?cs
call:filter_date("to", "To", Audit.Filter.To) ?><?cs
call:filter_actions("Apply", Tmp.Filtered, "/audit", "filters") ?>
</form><?cs

if:Audit.Filter.Connection ?>
<p class="audit-scope">The audit trail of <a href="/connections/<?cs var:Audit.Filter.Connection ?>"><?cs
  if:Audit.Rows.0.Object ?><?cs var:Audit.Rows.0.Object ?><?cs else ?>this connection<?cs /if ?></a>, including its tests.</p><?cs
/if ?><?cs

if:#Pager.Total == 0 ?><?cs call:empty_state_open("status") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><rect x="11" y="6" width="26" height="36" rx="3" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M17 16h14M17 23h14M17 30h8" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg><?cs
  if:Tmp.Filtered ?>
<h3>No events match these filters</h3>
<p>Widen the dates, or clear the action, outcome or actor.</p>
<a class="btn btn-secondary" href="/audit">Clear filters</a><?cs
  else ?>
<h3>No events recorded yet</h3>
<p>Sign-ins, changes to connections, teams and users, and every connection test appear here as they happen.</p><?cs
  /if ?>
</div><?cs

else ?>
<p class="results-count">Showing <strong><?cs call:thousands(Pager.First) ?>–<?cs call:thousands(Pager.Last) ?></strong> of <strong><?cs call:thousands(Pager.Total) ?></strong> event<?cs if:#Pager.Total != 1 ?>s<?cs /if ?><?cs if:Tmp.Filtered ?> matching the filters<?cs /if ?>, newest first. Times are in UTC.</p>
<div class="table-wrap">
<table class="data-table stack-table audit-table">
<caption class="visually-hidden">Audit events <?cs call:thousands(Pager.First) ?> to <?cs call:thousands(Pager.Last) ?> of <?cs call:thousands(Pager.Total) ?>, newest first</caption>
<thead>
<tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Team</th><th scope="col">Object</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Client</th><th scope="col">Request ID</th></tr>
</thead>
<tbody><?cs
  each:e = Audit.Rows ?>
<tr>
<th scope="row" class="tabular audit-when"><?cs call:timestamp(e.At) ?></th>
<td data-label="Actor" class="audit-actor"><?cs if:e.Actor ?><?cs var:e.Actor ?><?cs else ?><span class="muted">System</span><?cs /if ?></td>
<td data-label="Team" class="audit-team"><?cs call:or_dash(e.Team) ?></td>
<td data-label="Object" class="audit-object"><span class="audit-object-body" data-object-id="<?cs if:e.ObjectId != "0" ?><?cs var:e.ObjectId ?><?cs /if ?>"><span class="audit-type"><?cs call:audit_object_type(e.ObjectType) ?></span><?cs
    if:e.Object ?><span class="audit-label"><?cs
      if:e.ObjectId && e.ObjectId != "0" && e.ObjectType == "connection" ?><a href="/connections/<?cs var:e.ObjectId ?>"><?cs var:e.Object ?></a><?cs
      elif:e.ObjectId && e.ObjectId != "0" && e.ObjectType == "named_credential" ?><a href="/named-credentials/<?cs var:e.ObjectId ?>"><?cs var:e.Object ?></a><?cs
      elif:e.ObjectId && e.ObjectId != "0" && e.ObjectType == "flow" ?><a href="/flows/<?cs var:e.ObjectId ?>"><?cs var:e.Object ?></a><?cs
      elif:e.ObjectId && e.ObjectId != "0" && e.ObjectType == "team" && User.IsAdmin ?><a href="/teams/<?cs var:e.ObjectId ?>"><?cs var:e.Object ?></a><?cs
      else ?><?cs var:e.Object ?><?cs /if ?></span><?cs
    /if ?></span></td>
<td data-label="Action" class="audit-action-cell"><span class="audit-action"><?cs call:audit_action(e.Action) ?><code class="audit-key"><?cs var:e.Action ?></code></span><?cs
    if:e.Details && e.Details != "{}" && e.Details != "null" ?><span class="audit-about"><?cs call:audit_about(e) ?></span><?cs /if ?></td>
<td data-label="Outcome"><?cs call:audit_outcome(e.Outcome) ?></td>
<td data-label="Client" class="tabular audit-client"><?cs call:or_dash(e.Client) ?></td>
<td data-label="Request ID"><?cs if:e.RequestId ?><code class="audit-rid"><?cs var:e.RequestId ?></code><?cs else ?><?cs call:dash() ?><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
  call:pagination("/audit") ?><?cs
/if ?><?cs
/def ?><?cs include:"layout.cs" ?>
