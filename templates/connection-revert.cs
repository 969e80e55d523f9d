<?cs ####  connection-revert.cs: confirm reverting a connection to an earlier
      version (page-connection-revert.c). Reads Conn.*, Revert.Version|Current|
      Count|Bound|Stale|Kept|SecretCount|ModeGone, Revert.Changes.N.Label|From|To|Bound
      (settings: never a secret) and Revert.Secrets.N.Label (the secrets that
      come back, by name only). The POST form to /connections/ID/revert carries
      csrf, once, version and current.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Revert " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:conn_breadcrumbs("Revert") ?>
<section class="panel confirm-panel<?cs if:Revert.Bound == "1" || Revert.Stale ?> confirm-error<?cs /if ?>" aria-labelledby="revert-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><path d="M4 9h11a5 5 0 010 10H9" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/><path d="M8 5L4 9l4 4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg></span>
<div>
<h1 id="revert-title">Revert <span class="quoted"><?cs var:Conn.Name ?></span> to version <?cs var:Revert.Version ?>?</h1><?cs
if:Revert.Stale ?>
<p class="confirm-lede">Someone saved this connection after you opened this page (it is now version <?cs var:Conn.Version ?>). Nothing was changed; check the differences below again.</p><?cs
elif:Revert.ModeGone == "1" ?>
<p class="confirm-lede">Version <?cs var:Revert.Version ?> went through an uplink that has been removed since, so its connection mode can't come back. Use Edit to choose the connection mode and change the marked fields back.</p><?cs
elif:Revert.Bound == "1" ?>
<p class="confirm-lede">Version <?cs var:Revert.Version ?> had another destination, and its secrets are no longer kept (only the last versions keep theirs). The stored secrets are never sent to another destination, so this version can't be restored with one click. Use Edit to change the marked fields back and enter the secrets again.</p><?cs
elif:Revert.Count == 0 ?>
<p class="confirm-lede">Version <?cs var:Revert.Version ?> has the same settings as the current version <?cs var:Conn.Version ?>: there is nothing to revert.</p><?cs
else ?>
<p class="confirm-lede">What is listed below goes back to version <?cs var:Revert.Version ?>, saved as a new version <?cs var:#Conn.Version + 1 ?> (you can revert that too). Name, description and the scheduled check stay as they are<?cs if:Revert.SecretCount > 0 ?>; the secrets listed come back as they were stored then (encrypted, never shown)<?cs elif:Revert.Kept != "1" ?>; so do the stored secrets: those of version <?cs var:Revert.Version ?> are no longer kept<?cs /if ?>. Flows using the connection get the change at once; it is tested right after.</p><?cs
/if ?>
</div>
</div><?cs
if:Revert.Count > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden">Settings that change back</caption>
<thead><tr><th scope="col">Setting</th><th scope="col">Now (version <?cs var:Conn.Version ?>)</th><th scope="col">After the revert (as in version <?cs var:Revert.Version ?>)</th></tr></thead>
<tbody><?cs
  each:ch = Revert.Changes ?>
<tr>
<th scope="row"><?cs var:ch.Label ?><?cs if:ch.Bound ?> <span class="tag">Destination</span><?cs /if ?></th>
<td data-label="Now"><?cs call:or_dash(ch.From) ?></td>
<td data-label="After"><?cs call:or_dash(ch.To) ?></td>
</tr><?cs
  /each ?><?cs
  each:sec = Revert.Secrets ?>
<tr>
<th scope="row"><?cs var:sec.Label ?> <span class="tag">Secret</span></th>
<td data-label="Now"><span class="muted">Stored (never shown)</span></td>
<td data-label="After">As stored in version <?cs var:Revert.Version ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
/if ?><?cs
if:Revert.Count > 0 && Revert.Bound != "1" && !Revert.Stale ?>
<form class="form-actions" method="post" action="/connections/<?cs var:Conn.Id ?>/revert"><?cs
  call:csrf_input() ?><?cs call:once_input() ?>
<input type="hidden" name="version" value="<?cs var:Revert.Version ?>">
<input type="hidden" name="current" value="<?cs var:Conn.Version ?>">
<button class="btn btn-primary" type="submit">Revert to version <?cs var:Revert.Version ?></button>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>/history">Cancel</a>
</form><?cs
else ?>
<div class="form-actions"><?cs
  if:Revert.Bound == "1" ?><a class="btn btn-primary" href="/connections/<?cs var:Conn.Id ?>/edit">Edit the connection</a><?cs /if ?><?cs
  if:Revert.Stale ?><a class="btn btn-primary" href="/connections/<?cs var:Conn.Id ?>/revert?version=<?cs var:Revert.Version ?>">Look again</a><?cs /if ?>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>/history">Back to History</a>
</div><?cs
/if ?>
</section><?cs
/def ?><?cs include:"layout.cs" ?>
