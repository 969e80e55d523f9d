<?cs ####  flow.cs: one flow and the connections it uses. Reads
      Flow.Id|Name|Version|Status|Owner|Description|ProgressStatus|UpdatedAt
      and Flow.Connections.N.Id|Name|ConnectorTitle|Status|StatusLabel
      (HACKING.md).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = Flow.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:breadcrumbs("/", "Integrations", Flow.Name) ?>
<div class="page-header">
<div class="page-heading">
<p class="eyebrow">Flow</p>
<h1><?cs var:Flow.Name ?></h1><?cs
if:Flow.Description ?>
<p class="page-lede"><?cs var:Flow.Description ?></p><?cs /if ?>
</div>
</div>

<section class="panel flow-facts" aria-labelledby="flow-facts-title">
<h2 id="flow-facts-title" class="visually-hidden">About this flow</h2>
<dl class="facts facts-row">
<dt>Version</dt><dd class="tabular"><?cs call:or_dash(Flow.Version) ?></dd>
<dt>Status</dt><dd><?cs if:Flow.Status ?><span class="tag"><?cs call:flow_status(Flow.Status) ?></span><?cs else ?><?cs call:dash() ?><?cs /if ?></dd>
<dt>Owner</dt><dd><?cs call:or_dash(Flow.Owner) ?></dd>
<dt>Progress status</dt><dd><?cs call:or_dash(Flow.ProgressStatus) ?></dd>
<dt>Updated</dt><dd class="tabular"><?cs call:timestamp_or_dash(Flow.UpdatedAt) ?></dd>
</dl>
</section>

<section class="flow-connections" aria-labelledby="flow-conns-title"><?cs
call:section_head("flow-conns-title", "Connections it uses", 0, subcount(Flow.Connections), "connection") ?><?cs
if:subcount(Flow.Connections) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden">Connections used by <?cs var:Flow.Name ?></caption>
<thead>
<tr><th scope="col">Connection</th><th scope="col">Connector</th><th scope="col">Status</th></tr>
</thead>
<tbody><?cs
  each:c = Flow.Connections ?>
<tr>
<th scope="row"><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a></th>
<td data-label="Connector"><?cs call:or_dash(c.ConnectorTitle) ?></td>
<td data-label="Status"><?cs call:status_badge(c.Status, c.StatusLabel) ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>This flow uses no connections</h3>
<p>It doesn't reach any external system through Tether.</p>
</div><?cs
/if ?>
</section><?cs
call:times_note() ?><?cs
/def ?><?cs include:"layout.cs" ?>