<?cs ####  webhooks.cs: the webhook endpoints (/webhooks, administrators). Reads
      Webhooks.N.Id|Url|Events|Team|Enabled|Delivered|Pending|Failed,
      EventTypes.N.Name, Teams.N.Id|Name, the new endpoint's
      Created.Id|Url|Secret (shown on this answer only) and the form's
      WebhookForm.Url|Team|Error|Events.N.Name (HACKING.md). The form POSTs
      csrf, action=create, url, events (repeated; none: all), team.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "webhooks" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Webhooks" ?><?cs /if ?><?cs
def:webhook_url_field() ?>
<div class="field<?cs if:WebhookForm.Error ?> has-error<?cs /if ?>"><?cs
  call:field_label("webhook-url", "Address (https)", 1) ?><?cs
  call:field_help("webhook-url", "Where events are POSTed. The outbound network policy applies, as for connection tests.") ?><?cs
  call:error_message("webhook-url", WebhookForm.Error) ?>
<input class="input" id="f-webhook-url" name="url" type="url" maxlength="2048" autocomplete="off" required<?cs
  if:WebhookForm.Url ?> value="<?cs var:WebhookForm.Url ?>"<?cs /if ?><?cs
  call:field_aria("webhook-url", 1, WebhookForm.Error, "") ?>>
</div><?cs
/def ?><?cs
def:page_content() ?><?cs
call:page_header("Webhooks",
  "Tether POSTs what happens to connections (failing, recovered, expiring, created, …) to these addresses as JSON, signed the Standard Webhooks way with each endpoint's secret, and tries again for up to a day when a delivery fails.") ?><?cs
if:Created.Id ?>
<section class="panel secret-once" aria-labelledby="created-title" role="status">
<h2 id="created-title" class="panel-title">Webhook created: copy its signing secret now</h2>
<p>Deliveries to <code><?cs var:Created.Url ?></code> are signed with this secret. It is stored encrypted and <strong>will not be shown again</strong>; to get a new one, delete the webhook and add it again.</p>
<p><label class="field-label" for="created-secret">Signing secret</label>
<input class="input url-text" id="created-secret" type="text" readonly value="<?cs var:Created.Secret ?>" autocomplete="off" spellcheck="false"></p>
<p><a href="/webhooks/<?cs var:Created.Id ?>">Open the webhook</a> to see its deliveries.</p>
</section><?cs
/if ?>
<div class="split-layout">
<section class="split-main" aria-labelledby="webhooks-title"><?cs
call:section_head("webhooks-title", "All webhooks", 1, subcount(Webhooks), "webhook") ?><?cs
if:subcount(Webhooks) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table webhooks-table">
<caption class="visually-hidden">Webhook endpoints, oldest first</caption>
<thead>
<tr><th scope="col">Address</th><th scope="col">Events</th><th scope="col">Team</th><th scope="col">State</th><th scope="col">Deliveries</th></tr>
</thead>
<tbody><?cs
  each:w = Webhooks ?>
<tr>
<th scope="row"><a class="url-text" href="/webhooks/<?cs var:w.Id ?>"><?cs var:w.Url ?></a></th>
<td data-label="Events"><?cs if:w.Events ?><?cs var:w.Events ?><?cs else ?>All events<?cs /if ?></td>
<td data-label="Team"><?cs if:w.Team ?><?cs var:w.Team ?><?cs else ?><span class="muted">All teams</span><?cs /if ?></td>
<td data-label="State"><?cs if:w.Enabled == "1" ?><span class="badge badge-ok">Enabled</span><?cs else ?><span class="badge badge-not_tested">Disabled</span><?cs /if ?></td>
<td data-label="Deliveries" class="webhook-counts"><?cs var:w.Delivered ?> delivered<?cs
    if:#w.Pending > 0 ?><br><?cs var:w.Pending ?> pending<?cs /if ?><?cs
    if:#w.Failed > 0 ?><br><strong><?cs var:w.Failed ?> failed</strong><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>No webhooks yet</h3>
<p>Add an address to be told when a connection starts failing, recovers or is about to expire.</p>
</div><?cs
/if ?>
</section><?cs
call:aside_form_open("add-webhook-title", "Add a webhook", "/webhooks", "create") ?><?cs
call:webhook_url_field() ?>
<fieldset class="field choice-group">
<legend class="field-label">Events</legend>
<p class="field-help" id="f-webhook-events-help">None ticked: every event.</p>
<div class="choice-list"><?cs
  each:e = EventTypes ?><?cs set:checked = 0 ?><?cs
  each:s = WebhookForm.Events ?><?cs if:s.Name == e.Name ?><?cs set:checked = 1 ?><?cs /if ?><?cs /each ?>
<label class="choice" for="f-event-<?cs name:e ?>"><input class="radio" type="checkbox" id="f-event-<?cs name:e ?>" name="events" value="<?cs var:e.Name ?>"<?cs if:checked ?> checked<?cs /if ?>><span class="choice-text"><span class="choice-label"><?cs var:e.Name ?></span></span></label><?cs
  /each ?>
</div>
</fieldset>
<div class="field">
<label class="field-label" for="f-webhook-team">Team</label>
<p class="field-help" id="f-webhook-team-help">Only events of this team's connections; none: every team's.</p>
<select class="select" id="f-webhook-team" name="team" aria-describedby="f-webhook-team-help">
<option value="">All teams</option><?cs
  each:t = Teams ?>
<option value="<?cs var:t.Id ?>"<?cs if:WebhookForm.Team == t.Id ?> selected<?cs /if ?>><?cs var:t.Name ?></option><?cs
  /each ?>
</select>
</div><?cs
call:aside_form_end("Add webhook") ?>
<p class="aside-foot muted">Its signing secret is shown once, right after it is added.</p>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
