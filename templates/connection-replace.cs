<?cs ####  connection-replace.cs: Replace in flows (page-connection-replace.c).
      Reads Conn.*, Can.*, Replace.Candidates.N.Id|Name|Team|Status|StatusLabel|
      Passed|Selected, Replace.CandidateCount, Replace.Error, Replace.Unused (1: no
      flow uses it), Replace.To.Id|Name|Team|Status|StatusLabel|TestedAt|Passed,
      Replace.Flows.N.Id|Name|Version|Status|Owner|Stamp|MayChange|Chosen (the
      preview) or Flows.N.* (before a pick). The pick is a GET form (to); the
      confirmation a POST form with csrf, to and flow (repeated: ID.STAMP).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Replace " + Conn.Name + " in flows" ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:conn_breadcrumbs("Replace in flows") ?>
<section class="panel confirm-panel replace-panel" aria-labelledby="replace-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><path d="M4 8h13l-3.5-3.5M20 16H7l3.5 3.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg></span>
<div>
<h1 id="replace-title">Replace <span class="quoted"><?cs var:Conn.Name ?></span> in flows</h1><?cs
if:Replace.Unused ?>
<p class="confirm-lede">No flows use it — you can delete it now<?cs if:!Can.Delete ?> (ask a manager of <?cs var:Conn.OwnerTeam ?> to do it)<?cs /if ?>.</p><?cs
else ?>
<p class="confirm-lede">The flows you choose will use the connection you pick instead, all at once or not at all. Offered: other <?cs var:Conn.ConnectorTitle ?> connections with the same authentication (<?cs var:Conn.ProtocolLabel ?>)<?cs if:Conn.ApiTypeLabel ?>, API type (<?cs var:Conn.ApiTypeLabel ?>)<?cs /if ?> and execution context that your role allows you to use.</p><?cs
/if ?>
</div>
</div><?cs
if:Replace.Unused ?>
<div class="form-actions"><?cs
  if:Can.Delete ?>
<a class="btn btn-danger" href="/connections/<?cs var:Conn.Id ?>/delete">Delete <?cs var:Conn.Name ?></a><?cs
  /if ?>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Back to the connection</a>
</div><?cs
else ?><?cs
  call:alert("error", Replace.Error) ?><?cs
  if:Replace.CandidateCount > 0 ?>
<form class="form replace-pick" method="get" action="/connections/<?cs var:Conn.Id ?>/replace"><?cs
    call:select_open("to", "to", "Replacement", "", "", "Choose a connection…") ?><?cs
    each:cand = Replace.Candidates ?>
<option value="<?cs var:cand.Id ?>"<?cs if:cand.Selected == "1" ?> selected<?cs /if ?>><?cs var:cand.Name ?> · <?cs if:cand.Passed == "1" ?>test passed<?cs else ?><?cs var:cand.StatusLabel ?><?cs /if ?> · <?cs var:cand.Team ?></option><?cs
    /each ?>
</select>
</div>
<div class="form-actions">
<button class="btn btn-secondary" type="submit">Preview the change</button>
</div>
</form><?cs
  else ?><?cs
    call:alert("info", "No other connection can take its place: none of the same connector, authentication protocol, API type and execution context is one your role allows you to use. Create one first, then come back.") ?><?cs
  /if ?><?cs
  if:subcount(Replace.Flows) > 0 && Replace.To.Id ?>
<section class="replace-impact" aria-labelledby="impact-title">
<h2 class="panel-title" id="impact-title">Impact: flows that would use <span class="quoted"><?cs var:Replace.To.Name ?></span></h2><?cs
    if:Replace.To.Passed == "1" ?><?cs
      call:alert("success", "The replacement's last test passed (" + Replace.To.TestedAt + " UTC).") ?><?cs
    else ?><?cs
      if:Replace.To.TestedAt ?><?cs
        call:alert("warning", "Warning: the replacement's last test did not pass (" + Replace.To.StatusLabel + ", " + Replace.To.TestedAt + " UTC). Flows moved to it will probably fail; test or fix it first.") ?><?cs
      else ?><?cs
        call:alert("warning", "Warning: the replacement's last test did not pass: it was never tested. Flows moved to it may fail; test it first.") ?><?cs
      /if ?><?cs
    /if ?>
<form method="post" action="/connections/<?cs var:Conn.Id ?>/replace"><?cs
    call:csrf_input() ?>
<input type="hidden" name="to" value="<?cs var:Replace.To.Id ?>">
<div class="table-wrap">
<table class="data-table stack-table replace-table">
<caption class="visually-hidden">Flows using <?cs var:Conn.Name ?>: tick the ones to move to <?cs var:Replace.To.Name ?></caption>
<thead>
<tr><th scope="col">Flow (tick to replace)</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Owner</th><th scope="col">Replacement's last test</th></tr>
</thead>
<tbody><?cs
    each:fl = Replace.Flows ?>
<tr>
<th scope="row"><label class="replace-flow"><input type="checkbox" class="checkbox" id="flow-<?cs var:fl.Id ?>" name="flow" value="<?cs var:fl.Id ?>.<?cs var:fl.Stamp ?>"<?cs
      if:fl.Chosen == "1" && fl.MayChange == "1" ?> checked<?cs /if ?><?cs
      if:fl.MayChange != "1" ?> disabled aria-describedby="flow-<?cs var:fl.Id ?>-note"<?cs /if ?>><span><?cs var:fl.Name ?></span></label><?cs
      if:fl.MayChange != "1" ?>
<p class="field-help" id="flow-<?cs var:fl.Id ?>-note">You may not change this flow: it also uses a connection your role does not allow.</p><?cs
      /if ?></th>
<td data-label="Version" class="tabular"><?cs call:or_dash(fl.Version) ?></td>
<td data-label="Status"><?cs if:fl.Status ?><span class="tag"><?cs call:flow_status(fl.Status) ?></span><?cs else ?><?cs call:dash() ?><?cs /if ?></td>
<td data-label="Owner"><?cs call:or_dash(fl.Owner) ?></td>
<td data-label="Replacement's last test"><?cs if:Replace.To.Passed == "1" ?><span class="badge badge-ok">Passed</span><?cs else ?><span class="badge badge-failing">Did not pass</span><?cs /if ?></td>
</tr><?cs
    /each ?><?cs call:table_end() ?>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Replace in the chosen flows</button>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>/related">Cancel</a>
</div>
</form>
</section><?cs
  elif:subcount(Flows) > 0 ?><?cs
    call:flows_table(Flows, "Flows that use " + Conn.Name) ?><?cs
  /if ?><?cs
/if ?>
</section><?cs
/def ?><?cs include:"layout.cs" ?>
