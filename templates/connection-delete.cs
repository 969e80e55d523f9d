<?cs ####  connection-delete.cs: confirm deleting a connection, or refuse
      while flows use it. Reads Conn.*, Delete.InUse (1: refused) and Flows.N.Id|Name|
      Version|Status|Owner (HACKING.md). The POST form to
      /connections/ID/delete carries csrf and confirm=yes.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Delete " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:conn_breadcrumbs("Delete") ?><?cs
if:Delete.InUse ?>
<section class="panel confirm-panel confirm-error" aria-labelledby="delete-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M5.5 18.5l13-13" stroke="currentColor" stroke-width="1.8"/></svg></span>
<div>
<h1 id="delete-title">This connection can't be deleted while flows use it</h1>
<p class="confirm-lede"><strong><?cs var:Conn.Name ?></strong> is used by <?cs set:Tmp.N = subcount(Flows) ?><?cs call:count(Tmp.N, "flow", "flows") ?>. Remove it from <?cs if:subcount(Flows) != 1 ?>these flows<?cs else ?>this flow<?cs /if ?> first, then delete it.</p>
</div>
</div><?cs
  call:flows_table(Flows, "Flows that use " + Conn.Name) ?>
<div class="form-actions"><?cs
  if:Can.Edit ?>
<a class="btn btn-primary" href="/connections/<?cs var:Conn.Id ?>/replace">Replace in flows…</a><?cs /if ?>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Back to the connection</a>
</div>
</section><?cs
else ?>
<section class="panel confirm-panel confirm-danger" aria-labelledby="delete-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><path d="M4 6.5h16M9.5 6.5V4h5v2.5M6.5 6.5l1 13.5h9l1-13.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/><path d="M10.5 10.5v6M13.5 10.5v6" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg></span>
<div>
<h1 id="delete-title">Delete connection <span class="quoted"><?cs var:Conn.Name ?></span>?</h1>
<p class="confirm-lede">This is permanent: its settings, secrets and tokens are destroyed.</p>
</div>
</div>
<dl class="facts facts-compact confirm-facts">
<dt>Connector</dt><dd><?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?><?cs var:Conn.Connector ?><?cs /if ?><?cs if:Conn.ProtocolLabel ?> · <?cs var:Conn.ProtocolLabel ?><?cs /if ?></dd>
<dt>Owner team</dt><dd><?cs if:Conn.OwnerTeam ?><?cs var:Conn.OwnerTeam ?><?cs else ?>None<?cs /if ?></dd>
<dt>Used by</dt><dd>No flows</dd>
</dl><?cs
  if:Conn.ProtocolKind == "named_credential" ?>
<p class="confirm-note muted">The named credential it uses is kept; delete it under Named credentials if you no longer need it.</p><?cs
  /if ?>
<form class="form-actions" method="post" action="/connections/<?cs var:Conn.Id ?>/delete"><?cs
  call:csrf_input() ?>
<input type="hidden" name="confirm" value="yes">
<button class="btn btn-danger" type="submit">Delete connection</button>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Cancel</a>
</form>
</section><?cs
/if ?><?cs
/def ?><?cs include:"layout.cs" ?>