<?cs ####  connection-history.cs: a connection's History tab, every test
      of it, newest first, then its versions. Reads Conn.*, Can.* (the
      header), Tests.N.At|Trigger|Result|HttpStatus|LatencyMs|Message|By and,
      when the page has them, Versions.N.* (HACKING.md).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "History of " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
include:"connection-header.cs" ?>
<section aria-labelledby="tests-title"><?cs
call:section_head("tests-title", "Connection tests", 0, subcount(Tests), "test") ?><?cs
if:subcount(Tests) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table tests-table">
<caption class="visually-hidden">Tests of <?cs var:Conn.Name ?>, newest first</caption>
<thead>
<tr><th scope="col">When</th><th scope="col">Trigger</th><th scope="col">Result</th><th scope="col" class="num">HTTP status</th><th scope="col" class="num">Latency</th><th scope="col">Message</th><th scope="col">By</th></tr>
</thead>
<tbody><?cs
  each:t = Tests ?>
<tr>
<th scope="row" class="tabular test-when"><?cs call:timestamp(t.At) ?></th>
<td data-label="Trigger"><?cs call:test_trigger(t.Trigger) ?></td>
<td data-label="Result"><?cs call:test_result_badge(t.Result) ?></td>
<td data-label="HTTP status" class="num"><?cs call:or_dash(t.HttpStatus) ?></td>
<td data-label="Latency" class="num"><?cs if:?t.LatencyMs && t.LatencyMs != "" ?><?cs call:thousands(t.LatencyMs) ?> ms<?cs else ?><?cs call:dash() ?><?cs /if ?></td>
<td data-label="Message" class="test-msg"><?cs call:or_dash(t.Message) ?></td>
<td data-label="By"><?cs if:t.By ?><?cs var:t.By ?><?cs else ?><span class="muted">System</span><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="24" cy="24" r="16" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M24 15v10l6 4" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/></svg>
<h3>No tests yet</h3>
<p>This connection hasn't been tested. Tests run when it is created or edited, when a flow that uses it opens, and when you press Test.</p><?cs
  if:Can.Test ?>
<form class="inline-form" method="post" action="/connections/<?cs var:Conn.Id ?>/test"><?cs call:csrf_input() ?><?cs call:once_input() ?><button class="btn btn-primary" type="submit">Test now</button></form><?cs
  /if ?>
</div><?cs
/if ?>
</section><?cs
if:subcount(Versions) > 0 ?>
<section class="detail-versions" aria-labelledby="versions-title">
<h2 id="versions-title" class="section-title">Version history</h2><?cs
  call:versions_table() ?>
</section><?cs
/if ?><?cs
if:subcount(Tests) > 0 || subcount(Versions) > 0 ?><?cs call:times_note() ?><?cs /if ?><?cs
/def ?><?cs include:"layout.cs" ?>