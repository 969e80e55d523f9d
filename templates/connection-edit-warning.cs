<?cs ####  connection-edit-warning.cs: the step before editing a
      connection that flows use. Reads Conn.*, Warning.Count, Warning.Flows.N.Id|Name|Version|Status|
      Owner (HACKING.md). Continue goes to /connections/ID/edit?confirm=1.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Edit " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:conn_breadcrumbs("Edit") ?>
<section class="panel confirm-panel confirm-warning" aria-labelledby="warning-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><path d="M12 3l10 17.5H2z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"/><path d="M12 9.5v5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><circle cx="12" cy="17.3" r="1.2" fill="currentColor"/></svg></span>
<div>
<h1 id="warning-title">Edit <?cs var:Conn.Name ?>?</h1>
<p class="confirm-lede">Edits are permanent and take effect immediately. They affect the <?cs call:thousands(Warning.Count) ?> flow<?cs if:#Warning.Count != 1 ?>s that use<?cs else ?> that uses<?cs /if ?> this connection:</p>
</div>
</div><?cs
call:flows_table(Warning.Flows, "Flows that use " + Conn.Name) ?>
<p class="confirm-note muted">If the new details are wrong, these flows fail until the connection is fixed. Tether tests the connection after you save.</p>
<div class="form-actions">
<a class="btn btn-primary" href="/connections/<?cs var:Conn.Id ?>/edit?confirm=1">Continue to edit</a>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Cancel</a>
</div>
</section><?cs
/def ?><?cs include:"layout.cs" ?>