<?cs ####  uplinks.cs: the uplinks (/uplinks, administrators). Reads
      Uplinks.N.Id|Name|ProxyUrl|Allow|Egress|Probe|Used and the first
      UplinksShown of the connections using each, Uplinks.N.Connections.M.
      Id|Name; the new uplink form's UplinkForm.* (uplink-fields.cs). The
      form POSTs csrf, action=create, name, proxy_url, allow, egress, probe.
?><?cs include:"macros.cs" ?><?cs include:"uplink-fields.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "uplinks" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Uplinks" ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:page_header("Uplinks",
  "An uplink is an HTTP proxy inside a customer's network. Connections set to Uplinked go through it to reach systems that are not on the internet, such as Jira Server or SAP.") ?>
<div class="split-layout">
<section class="split-main" aria-labelledby="uplinks-title"><?cs
call:section_head("uplinks-title", "All uplinks", 1, subcount(Uplinks), "uplink") ?><?cs
if:subcount(Uplinks) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table uplinks-table">
<caption class="visually-hidden">Uplinks by name</caption>
<thead>
<tr><th scope="col">Name</th><th scope="col">Proxy</th><th scope="col">Allowlist</th><th scope="col">Egress addresses</th><th scope="col">Used by</th></tr>
</thead>
<tbody><?cs
  each:u = Uplinks ?>
<tr>
<th scope="row"><a href="/uplinks/<?cs var:u.Id ?>"><?cs var:u.Name ?></a></th>
<td data-label="Proxy"><span class="url-text"><?cs call:or_dash(u.ProxyUrl) ?></span></td>
<td data-label="Allowlist"><?cs if:u.Allow ?><span class="url-text"><?cs var:u.Allow ?></span><?cs else ?><span class="muted">Public addresses only</span><?cs /if ?></td>
<td data-label="Egress addresses"><?cs if:u.Egress ?><span class="url-text"><?cs var:u.Egress ?></span><?cs else ?><span class="muted">Not given</span><?cs /if ?></td>
<td data-label="Used by"><?cs if:#u.Used > 0 ?><a href="/uplinks/<?cs var:u.Id ?>#connections-title"><?cs call:count(u.Used, "connection", "connections") ?></a><ul class="uplink-conns"><?cs
    each:c = u.Connections ?><li><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a></li><?cs /each ?><?cs
    if:#u.Used > #UplinksShown ?><li><a href="/uplinks/<?cs var:u.Id ?>#connections-title">and <?cs var:#u.Used - #UplinksShown ?> more</a></li><?cs /if ?></ul><?cs
  else ?><span class="muted">None</span><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>No uplinks yet</h3>
<p>Add one to reach systems inside a customer's network. Connections choose Direct or an uplink when they are created.</p>
</div><?cs
/if ?>
</section><?cs
call:aside_form_open("add-uplink-title", "Add an uplink", "/uplinks", "create") ?><?cs
call:uplink_fields() ?><?cs
call:aside_form_end("Add uplink") ?>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
