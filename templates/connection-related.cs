<?cs ####  connection-related.cs: a connection's Related tab, the Flows Using
      Connection table. Reads Conn.*, Can.* (the header),
      Flows.N.Id|Name|Version|Status|Owner|ProgressStatus and
      FlowSort.Name|Version|Status|Owner.Query, FlowSort.Key (HACKING.md).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Flows using " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
include:"connection-header.cs" ?>
<section aria-labelledby="flows-title"><?cs
call:section_head("flows-title", "Flows Using Connection", 0, subcount(Flows), "flow") ?><?cs
if:subcount(Flows) > 0 ?>
<p class="section-lede muted">Edits to this connection take effect immediately in every flow listed here, and it can't be deleted while any flow uses it. Progress status shows each flow's latest connection test.</p>
<?cs if:Can.Edit ?><div class="form-actions"><a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>/replace">Replace in flows…</a></div><?cs /if ?>
<div class="table-wrap">
<table class="data-table stack-table flows-table">
<caption class="visually-hidden">Flows using <?cs var:Conn.Name ?>. The Flow name, Version, Status and Owner headers are links that sort the table.</caption>
<thead>
<tr><?cs
  call:flow_sort_header("/connections/" + Conn.Id + "/related", "Flow name", "name", FlowSort.Name.Query) ?><?cs
  call:flow_sort_header("/connections/" + Conn.Id + "/related", "Version", "version", FlowSort.Version.Query) ?><?cs
  call:flow_sort_header("/connections/" + Conn.Id + "/related", "Status", "status", FlowSort.Status.Query) ?><?cs
  call:flow_sort_header("/connections/" + Conn.Id + "/related", "Owner", "owner", FlowSort.Owner.Query) ?><th scope="col">Progress status</th></tr>
</thead>
<tbody><?cs
  each:fl = Flows ?>
<tr>
<th scope="row"><a href="/flows/<?cs var:fl.Id ?>"><?cs var:fl.Name ?></a></th>
<td data-label="Version" class="tabular"><?cs call:or_dash(fl.Version) ?></td>
<td data-label="Status"><?cs if:fl.Status ?><span class="tag"><?cs call:flow_status(fl.Status) ?></span><?cs else ?><?cs call:dash() ?><?cs /if ?></td>
<td data-label="Owner"><?cs call:or_dash(fl.Owner) ?></td>
<td data-label="Progress status"><?cs call:or_dash(fl.ProgressStatus) ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><rect x="6" y="8" width="14" height="10" rx="3" fill="none" stroke="currentColor" stroke-width="2.5"/><rect x="28" y="30" width="14" height="10" rx="3" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M13 18v8a4 4 0 0 0 4 4h11" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-dasharray="3 4"/></svg>
<h3>No flows use this connection.</h3>
<p>When a flow uses it as an action or a trigger, the flow is listed here with its version, status and owner.</p>
</div><?cs
/if ?>
</section><?cs
/def ?><?cs include:"layout.cs" ?>