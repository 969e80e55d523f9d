<?cs ####  webhook.cs: one webhook endpoint (/webhooks/ID, administrators).
      Reads Webhook.Id|Url|Events|Team|Enabled|CreatedAt|CreatedBy and its
      recent deliveries, newest first: Deliveries.N.Id|EventId|Type|State|
      Attempts|Connection|CreatedAt|NextAt with every attempt
      Deliveries.N.Tries.M.At|Status|Latency|Result|Reason (HACKING.md).
      Its forms POST csrf, action = enable | disable | delete.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "webhooks" ?><?cs /if ?><?cs
def:delivery_state(s)
?><?cs if:s == "delivered" ?><span class="badge badge-ok">Delivered</span><?cs
elif:s == "failed" ?><span class="badge badge-failing">Failed</span><?cs
else ?><span class="badge badge-needs_reconnect">Pending</span><?cs /if ?><?cs
/def ?><?cs
def:page_content() ?><?cs
call:breadcrumbs("/webhooks", "Webhooks", "Webhook " + Webhook.Id) ?>
<div class="page-header">
<div class="page-heading">
<p class="eyebrow">Webhook</p>
<h1 class="conn-name webhook-title"><?cs var:Webhook.Url ?></h1>
<p class="page-lede"><?cs if:Webhook.Enabled == "1" ?><span class="badge badge-ok">Enabled</span><?cs else ?><span class="badge badge-not_tested">Disabled</span><?cs /if ?>
<?cs if:Webhook.Events ?><?cs var:Webhook.Events ?><?cs else ?>All events<?cs /if ?>, <?cs if:Webhook.Team ?>connections of <?cs var:Webhook.Team ?><?cs else ?>every team's connections<?cs /if ?>. Added <?cs call:timestamp(Webhook.CreatedAt) ?><?cs if:Webhook.CreatedBy ?> by <?cs var:Webhook.CreatedBy ?><?cs /if ?>.</p>
</div>
</div>
<div class="split-layout">
<section class="split-main" aria-labelledby="deliveries-title">
<div class="section-head">
<h2 id="deliveries-title">Recent deliveries</h2>
</div><?cs
if:subcount(Deliveries) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table deliveries-table">
<caption class="visually-hidden">Deliveries, newest first, with every attempt</caption>
<thead>
<tr><th scope="col">Event</th><th scope="col">Connection</th><th scope="col">State</th><th scope="col">Attempts (time UTC, HTTP status, latency)</th></tr>
</thead>
<tbody><?cs
  each:d = Deliveries ?>
<tr>
<th scope="row"><code><?cs var:d.Type ?></code><span class="delivery-sub">evt_<?cs var:d.EventId ?> · <?cs call:timestamp(d.CreatedAt) ?></span></th>
<td data-label="Connection"><?cs call:or_dash(d.Connection) ?></td>
<td data-label="State"><?cs call:delivery_state(d.State) ?><?cs if:d.NextAt ?><br><span class="muted">next try <?cs call:timestamp(d.NextAt) ?></span><?cs /if ?></td>
<td data-label="Attempts"><?cs if:subcount(d.Tries) > 0 ?>
<ol class="attempt-list"><?cs
    each:t = d.Tries ?>
<li><span class="attempt-at"><?cs call:timestamp(t.At) ?></span> · <?cs if:t.Status ?>HTTP <?cs var:t.Status ?><?cs else ?>no answer<?cs /if ?> · <?cs call:thousands(t.Latency) ?> ms<?cs if:t.Result != "ok" ?> · <span class="muted"><?cs var:t.Reason ?></span><?cs /if ?></li><?cs
    /each ?>
</ol><?cs else ?><span class="muted">Not tried yet</span><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>No deliveries yet</h3>
<p>Events are delivered by tether-worker as they happen.</p>
</div><?cs
/if ?>
</section>
<div class="split-aside">
<section class="panel aside-panel" aria-labelledby="state-title">
<h2 id="state-title" class="panel-title"><?cs if:Webhook.Enabled == "1" ?>Pause deliveries<?cs else ?>Resume deliveries<?cs /if ?></h2>
<form class="form" method="post" action="/webhooks/<?cs var:Webhook.Id ?>"><?cs call:csrf_input() ?><?cs
if:Webhook.Enabled == "1" ?>
<input type="hidden" name="action" value="disable">
<p class="muted">A disabled webhook gets no new events and its pending deliveries wait.</p>
<div class="form-actions"><button class="btn btn-secondary" type="submit">Disable</button></div><?cs
else ?>
<input type="hidden" name="action" value="enable">
<p class="muted">Pending deliveries resume; events that happened while it was disabled are not sent.</p>
<div class="form-actions"><button class="btn btn-primary" type="submit">Enable</button></div><?cs
/if ?>
</form>
</section>
<section class="panel aside-panel danger-panel" aria-labelledby="delete-title">
<h2 id="delete-title" class="panel-title">Delete this webhook</h2>
<form class="form" method="post" action="/webhooks/<?cs var:Webhook.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="delete">
<p class="muted">Its deliveries and their history go with it.</p>
<div class="form-actions"><button class="btn btn-danger-outline" type="submit">Delete webhook</button></div>
</form>
</section>
</div>
</div><?cs
call:times_note() ?><?cs
/def ?><?cs include:"layout.cs" ?>
