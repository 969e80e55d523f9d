<?cs ####  uplink.cs: one uplink (/uplinks/ID, administrators). Reads
      Uplink.Id|Name|ProxyUrl|Allow|Egress|Probe|CreatedAt|UpdatedAt, every
      connection using it Uplink.Connections.N.Id|Name|Team|Connector, the
      edit form's UplinkForm.* (uplink-fields.cs) and DeleteRefused
      (HACKING.md); a Test's outcome comes as the flash.
      Its forms POST csrf, action = update (with the fields) | test | delete.
?><?cs include:"macros.cs" ?><?cs include:"uplink-fields.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "uplinks" ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:breadcrumbs("/uplinks", "Uplinks", Uplink.Name) ?>
<div class="page-header">
<div class="page-heading">
<p class="eyebrow">Uplink</p>
<h1><?cs var:Uplink.Name ?></h1>
<p class="page-lede">Proxy <span class="url-text"><?cs call:or_dash(Uplink.ProxyUrl) ?></span>. Added <?cs call:timestamp(Uplink.CreatedAt) ?><?cs if:Uplink.UpdatedAt != Uplink.CreatedAt ?>, changed <?cs call:timestamp(Uplink.UpdatedAt) ?><?cs /if ?> (UTC).</p>
</div>
</div><?cs
if:DeleteRefused ?>
<div class="flash"><div class="alert alert-error" role="alert"><?cs call:alert_icon("error") ?><div class="alert-body">This uplink cannot be deleted: it is used by <?cs call:count(subcount(Uplink.Connections), "connection", "connections") ?>, listed below. Change them to Direct or another uplink first.</div></div></div><?cs
/if ?>
<div class="split-layout">
<div class="split-main">
<section class="panel" aria-labelledby="facts-title">
<h2 id="facts-title" class="panel-title">How Tether reaches it</h2>
<dl class="details">
<dt>Allowlist</dt>
<dd><?cs if:Uplink.Allow ?><span class="url-text"><?cs var:Uplink.Allow ?></span><?cs else ?><span class="muted">Public addresses only</span><?cs /if ?></dd>
<dt>Egress addresses</dt>
<dd><?cs if:Uplink.Egress ?><span class="url-text"><?cs var:Uplink.Egress ?></span><?cs else ?><span class="muted">Not given</span><?cs /if ?></dd>
<dt>Probe</dt>
<dd><?cs if:Uplink.Probe ?><span class="url-text"><?cs var:Uplink.Probe ?></span><?cs else ?><span class="muted">None: Test only checks that the proxy answers</span><?cs /if ?></dd>
</dl>
</section>
<section class="panel" aria-labelledby="connections-title">
<div class="section-head">
<h2 id="connections-title" class="panel-title">Connections using it</h2><?cs
if:subcount(Uplink.Connections) > 0 ?>
<p class="section-meta"><?cs call:count(subcount(Uplink.Connections), "connection", "connections") ?></p><?cs /if ?>
</div><?cs
if:subcount(Uplink.Connections) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden">Connections Uplinked through this uplink</caption>
<thead>
<tr><th scope="col">Connection</th><th scope="col">Connector</th><th scope="col">Owner team</th></tr>
</thead>
<tbody><?cs
  each:c = Uplink.Connections ?>
<tr>
<th scope="row"><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a></th>
<td data-label="Connector"><?cs var:c.Connector ?></td>
<td data-label="Owner team"><?cs var:c.Team ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>No connections use it</h3>
<p>Connections choose this uplink as their connection mode when they are created.</p>
</div><?cs
/if ?>
</section>
</div>
<div class="split-aside">
<section class="panel aside-panel" aria-labelledby="test-title">
<h2 id="test-title" class="panel-title">Test</h2>
<form class="form" method="post" action="/uplinks/<?cs var:Uplink.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="test">
<p class="muted"><?cs if:Uplink.Probe ?>Asks the proxy for a tunnel to <?cs var:Uplink.Probe ?>.<?cs else ?>Checks that the proxy answers; nothing goes through it.<?cs /if ?></p>
<div class="form-actions"><button class="btn btn-secondary" type="submit">Test uplink</button></div>
</form>
</section>
<section class="panel aside-panel" aria-labelledby="edit-title">
<h2 id="edit-title" class="panel-title">Edit</h2>
<form class="form" method="post" action="/uplinks/<?cs var:Uplink.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="update"><?cs
call:uplink_fields() ?>
<div class="form-actions"><button class="btn btn-primary" type="submit">Save uplink</button></div>
</form>
</section>
<section class="panel aside-panel danger-panel" aria-labelledby="delete-title">
<h2 id="delete-title" class="panel-title">Delete this uplink</h2><?cs
if:subcount(Uplink.Connections) > 0 ?>
<p class="muted" id="delete-why"><?cs call:count(subcount(Uplink.Connections), "connection uses", "connections use") ?> it: change them to Direct or another uplink first.</p>
<div class="form-actions"><button class="btn btn-danger-outline" type="button" disabled aria-describedby="delete-why">Delete uplink</button></div><?cs
else ?>
<form class="form" method="post" action="/uplinks/<?cs var:Uplink.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="delete">
<p class="muted">No connection uses it.</p>
<div class="form-actions"><button class="btn btn-danger-outline" type="submit">Delete uplink</button></div>
</form><?cs
/if ?>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
