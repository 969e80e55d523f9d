<?cs ####  connection-header.cs: the top of every connection tab (connection.cs,
      connection-related.cs, connection-history.cs, connection-sharing.cs),
      included inside their page_content(): breadcrumb, name, status,
      connector, owner team, the actions allowed by Can.* (Test, Edit,
      Reconnect, Sharing, Delete; Test and Reconnect are POST forms with
      csrf; Reconnect reads Connect, the call to action, while Conn.Status
      is "not_connected": never authorised) and the tabs, with aria-current on Conn.Tab. Reads Conn.*,
      Can.* (HACKING.md).
?><?cs
call:breadcrumbs("/", "Integrations", Conn.Name) ?>
<div class="page-header conn-header">
<div class="page-heading conn-heading"><?cs
  call:connector_mark(Conn.ConnectorTitle) ?>
<div class="conn-heading-text">
<h1 class="conn-name"><?cs var:Conn.Name ?></h1>
<ul class="conn-facts">
<li><?cs call:status_badge(Conn.Status, Conn.StatusLabel) ?></li>
<?cs if:Conn.ConnectorTitle || Conn.Connector ?>
<li><span class="visually-hidden">Connector: </span><?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?><?cs var:Conn.Connector ?><?cs /if ?><?cs
  if:Conn.ProtocolLabel ?> · <?cs var:Conn.ProtocolLabel ?><?cs /if ?><?cs
  if:Conn.ApiTypeLabel ?> · <?cs var:Conn.ApiTypeLabel ?><?cs /if ?></li><?cs /if ?><?cs
if:Conn.OwnerTeam ?>
<li>Owner team <strong><?cs var:Conn.OwnerTeam ?></strong></li><?cs /if ?>
</ul>
</div>
</div><?cs
if:Can.Test || Can.Edit || Can.Reconnect || Can.Share || Can.Delete ?>
<div class="page-actions conn-actions"><?cs
  if:Can.Test ?>
<form class="inline-form" method="post" action="/connections/<?cs var:Conn.Id ?>/test"><?cs call:csrf_input() ?><?cs call:once_input() ?><button class="btn btn-primary" type="submit"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M1.5 8h3l2-4.5 3 9 2-4.5h3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>Test<span class="visually-hidden"> connection</span></button></form><?cs
  /if ?><?cs
  if:Can.Edit ?>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>/edit"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M10.5 2.5l3 3-8 8H2.5v-3z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/></svg>Edit</a><?cs
  /if ?><?cs
  if:Can.Reconnect ?>
<form class="inline-form" method="post" action="/connections/<?cs var:Conn.Id ?>/reconnect"><?cs call:csrf_input() ?><button class="btn <?cs if:Conn.Status == "not_connected" ?>btn-primary<?cs else ?>btn-secondary<?cs /if ?>" type="submit"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M13 8a5 5 0 1 1-1.5-3.6" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round"/><path d="M12.2 1.8v3h-3" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/></svg><?cs if:Conn.Status == "not_connected" ?>Connect<?cs else ?>Reconnect<?cs /if ?></button></form><?cs
  /if ?><?cs
  if:Can.Share ?>
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>/sharing"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><circle cx="6" cy="5.5" r="2.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M1.5 13.5a4.5 4.5 0 0 1 9 0" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/><path d="M10.5 3.2a2.5 2.5 0 0 1 0 4.6M12 9.6a4.5 4.5 0 0 1 2.5 3.9" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>Sharing</a><?cs
  /if ?><?cs
  if:Can.Delete ?>
<a class="btn btn-danger-outline" href="/connections/<?cs var:Conn.Id ?>/delete"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M2.5 4.5h11M6 4.5V2.8h4v1.7M4 4.5l.7 9h6.6l.7-9" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/></svg>Delete</a><?cs
  /if ?>
</div><?cs
/if ?>
</div><?cs
if:Conn.Description ?>
<p class="conn-description"><?cs var:Conn.Description ?></p><?cs
/if ?>
<nav class="tabs-nav" aria-label="Connection">
<ul class="tabs">
<li><a class="tab" href="/connections/<?cs var:Conn.Id ?>"<?cs if:Conn.Tab == "details" ?> aria-current="page"<?cs /if ?>>Details</a></li>
<li><a class="tab" href="/connections/<?cs var:Conn.Id ?>/related"<?cs if:Conn.Tab == "related" ?> aria-current="page"<?cs /if ?>>Related<span class="tab-count"><span class="visually-hidden">: </span><?cs if:Conn.FlowCount ?><?cs call:thousands(Conn.FlowCount) ?><?cs else ?>0<?cs /if ?><span class="visually-hidden"> flows</span></span></a></li>
<li><a class="tab" href="/connections/<?cs var:Conn.Id ?>/history"<?cs if:Conn.Tab == "history" ?> aria-current="page"<?cs /if ?>>History</a></li>
<li><a class="tab" href="/connections/<?cs var:Conn.Id ?>/sharing"<?cs if:Conn.Tab == "sharing" ?> aria-current="page"<?cs /if ?>>Sharing</a></li>
</ul>
</nav>
