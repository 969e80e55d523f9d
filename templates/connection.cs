<?cs ####  connection.cs: a connection's Details tab. Reads Conn.*, Can.*
      (the header, connection-header.cs), Settings.N.Label|Value|Type|Section
      (non-secret settings; Section connection | authentication),
      Secrets.N.Label|Stored|ChangedAt|ExpiresOn|OwnStored (whether a
      secret is kept, never its value; OwnStored: the viewer's own, for a
      per-user connection) and Versions.N.* (HACKING.md); Conn.GrantedScopes (what
      the provider granted, beside the requested scopes);
      Conn.NamedCredentialId|NamedCredential (not 0: the authentication is
      that named credential's, shown instead of authentication settings);
      for Conn.Context "per_user" the signed-in user's own
      UserState.Status|Label|LastTestedAt|Message|Oauth|NeedsSecrets and
      Can.Connect (the "Your account" panel).
      Health: Conn.FailingSince|ConsecutiveFailures, Conn.Expiry|Expiring,
      Conn.CheckInterval with Health.CheckIntervalMinutes, People.* (a
      manager's summary of a per-user connection), StatusChanges.N.At|From|
      FromLabel|To|ToLabel|Reason|Trigger|Failures (newest first).
      Conn.RedirectUri: an OAuth code connection's redirect URI to register.
      Identity.Account|Tenant|TenantLabel (whose tokens: "Connected as"),
      Identity.MissingScopes, Identity.CanConnectOther|CanDisconnect.
?><?cs include:"macros.cs" ?><?cs
def:failing_since() ?><?cs
  if:Conn.FailingSince && (Conn.Status == "failing" || Conn.Status == "needs_reconnect") ?>
<p class="detail-note failing-since"><?cs if:Conn.Status == "failing" ?>Failing<?cs else ?>Needs reconnect<?cs /if ?> since <span class="tabular"><?cs call:timestamp(Conn.FailingSince) ?></span> (<?cs call:count(Conn.ConsecutiveFailures, "check", "checks") ?> in a row)</p><?cs
  /if ?><?cs
/def ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
def:page_content() ?><?cs
include:"connection-header.cs" ?>
<div class="detail-grid<?cs if:Conn.Context == "per_user" ?> has-account<?cs /if ?>"><?cs
if:Conn.Context == "per_user" ?>
<section class="panel detail-account" aria-labelledby="account-title">
<h2 id="account-title" class="panel-title">Your account</h2>
<p class="detail-lede muted">This connection runs as each person's own account. This is yours; nobody else sees or uses it.</p><?cs
  set:Tmp.AsUser = !UserState.Oauth && !UserState.NeedsSecrets ?>
<dl class="facts">
<dt>Status</dt>
<dd><?cs call:status_badge(Conn.Status, Conn.StatusLabel) ?></dd>
<dt>Last tested</dt>
<dd><?cs if:Conn.LastTestedAt ?><span class="tabular"><?cs call:timestamp(Conn.LastTestedAt) ?></span><?cs else ?><span class="muted">Never</span><?cs /if ?></dd><?cs
  if:Conn.Expiry ?>
<dt>Credentials</dt>
<dd><span class="expiry<?cs if:Conn.Expiring == "1" ?> expiry-soon<?cs /if ?>"><?cs var:Conn.Expiry ?></span></dd><?cs
  /if ?>
</dl><?cs
  call:failing_since() ?><?cs
  if:Conn.LastTestMessage ?>
<p class="test-message<?cs if:Conn.Status == "ok" ?> test-message-ok<?cs elif:Conn.Status == "failing" || Conn.Status == "needs_reconnect" ?> test-message-fail<?cs /if ?>"><span class="visually-hidden">Your last test: </span><?cs var:Conn.LastTestMessage ?></p><?cs
  /if ?><?cs
  if:Tmp.AsUser ?>
<p class="detail-note muted">Flows act as you, signed in with your own permissions; there is nothing to connect.</p><?cs
  elif:Conn.Status == "not_connected" ?>
<p class="detail-note muted"><?cs if:Can.Connect ?>Connect your own account before flows can use this connection for you.<?cs else ?>You can't connect an account: you can only view this connection.<?cs /if ?></p><?cs
  /if ?><?cs
  if:Can.Connect && (UserState.Oauth || UserState.NeedsSecrets) ?>
<div class="account-actions"><?cs
    if:UserState.Oauth ?>
<form method="post" action="/connections/<?cs var:Conn.Id ?>/reconnect"><?cs call:csrf_input() ?><button class="btn <?cs if:Conn.Status == "ok" ?>btn-secondary<?cs else ?>btn-primary<?cs /if ?>" type="submit"><?cs if:Conn.Status == "not_connected" ?>Connect<?cs else ?>Reconnect<?cs /if ?><span class="visually-hidden"> your account</span></button></form><?cs
      if:Identity.CanDisconnect == "1" ?>
<form method="post" action="/connections/<?cs var:Conn.Id ?>/disconnect"><?cs call:csrf_input() ?><button class="btn btn-danger-outline" type="submit">Disconnect<span class="visually-hidden"> your account</span></button></form><?cs
      /if ?><?cs
    elif:UserState.NeedsSecrets ?>
<a class="btn <?cs if:Conn.Status == "ok" ?>btn-secondary<?cs else ?>btn-primary<?cs /if ?>" href="/connections/<?cs var:Conn.Id ?>/credentials"><?cs call:lock_icon() ?>Enter your credentials</a><?cs
    /if ?>
</div><?cs
  /if ?><?cs
  if:People.Users ?>
<h3 class="panel-title panel-title-sub" id="people-title">Everyone's accounts</h3>
<p class="people-summary"><strong><?cs call:thousands(People.Connected) ?> of <?cs call:count(People.Users, "user", "users") ?> connected</strong><?cs
    if:#People.NeedsReconnect > 0 ?>, <?cs call:thousands(People.NeedsReconnect) ?> needs reconnect<?cs /if ?><?cs
    if:#People.Failing > 0 ?>, <?cs call:thousands(People.Failing) ?> failing<?cs /if ?><?cs
    if:#People.NotConnected > 0 ?>, <?cs call:thousands(People.NotConnected) ?> not connected<?cs /if ?>.</p>
<p class="detail-note muted">Counted: members and managers of the owner team and of the teams it is shared with (viewers cannot connect).</p><?cs
  /if ?>
</section><?cs
/if ?>
<section class="panel detail-status" aria-labelledby="status-title"><?cs
if:Conn.Context == "per_user" ?>
<h2 id="status-title" class="panel-title">Your tests</h2><?cs
  if:Timeline.Count == 0 ?>
<p class="muted detail-note">You haven't tested your own account yet.<?cs if:Can.Test && Conn.Status != "not_connected" ?> Use Test to check it.<?cs /if ?></p><?cs
  /if ?><?cs
else ?>
<h2 id="status-title" class="panel-title">Connection test</h2>
<dl class="facts">
<dt>Status</dt>
<dd><?cs call:status_badge(Conn.Status, Conn.StatusLabel) ?></dd>
<dt>Last tested</dt>
<dd><?cs if:Conn.LastTestedAt ?><span class="tabular"><?cs call:timestamp(Conn.LastTestedAt) ?></span><?cs
  if:Conn.LastTestResult == "ok" ?> <span class="test-result test-pass">Passed</span><?cs
  elif:Conn.LastTestResult == "unsupported" ?> <span class="test-result muted">No test</span><?cs
  elif:Conn.LastTestResult ?> <span class="test-result test-fail">Failed</span><?cs /if ?><?cs
  else ?><span class="muted">Never</span><?cs /if ?></dd>
<dt>Scheduled check</dt>
<dd><?cs if:Conn.Status == "not_connected" ?><span class="muted">Starts once connected</span><?cs else ?><?cs call:check_interval(Conn.CheckInterval, Health.CheckIntervalMinutes) ?><?cs /if ?></dd><?cs
  if:Conn.Expiry ?>
<dt>Secrets</dt>
<dd><span class="expiry<?cs if:Conn.Expiring == "1" ?> expiry-soon<?cs /if ?>"><?cs var:Conn.Expiry ?></span></dd><?cs
  /if ?>
</dl><?cs
  call:failing_since() ?><?cs
  if:Conn.LastTestMessage ?>
<p class="test-message<?cs if:Conn.LastTestResult == "ok" ?> test-message-ok<?cs elif:Conn.LastTestResult && Conn.LastTestResult != "unsupported" ?> test-message-fail<?cs /if ?>"><span class="visually-hidden">Last test message: </span><?cs var:Conn.LastTestMessage ?></p><?cs
  elif:Conn.Status == "not_connected" ?>
<p class="detail-note">Not connected yet. <?cs if:Can.Reconnect ?>Use Connect to sign in to <?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?>the system<?cs /if ?> and approve access; Tether then tests the connection.<?cs else ?>A manager of this connection must connect it to <?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?>the system<?cs /if ?> first.<?cs /if ?></p><?cs
  elif:Conn.Status == "not_testable" ?>
<p class="muted detail-note">Tether has no test for this kind of connection, so it is neither passing nor failing.</p><?cs
  elif:!Conn.LastTestedAt ?>
<p class="muted detail-note">This connection hasn't been tested yet.<?cs if:Can.Test ?> Use Test to check that it can reach <?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?>the system<?cs /if ?>.<?cs /if ?></p><?cs
  /if ?><?cs
  if:Conn.Status == "needs_reconnect" && Can.Reconnect ?>
<p class="detail-note">Its authorization has expired. Use Reconnect to sign in to <?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?>the system<?cs /if ?> again.</p><?cs
  /if ?><?cs
/if ?>
<?cs if:Timeline.Count > 0 ?>
<figure class="timeline">
<svg class="timeline-chart" viewBox="0 0 <?cs var:Timeline.Width ?> <?cs var:Timeline.Height ?>" role="img" aria-labelledby="timeline-caption"><?cs
each:b = Timeline.Bars ?>
<rect class="bar-<?cs var:b.Result ?>" x="<?cs var:b.X ?>" y="<?cs var:b.Y ?>" width="<?cs var:b.Width ?>" height="<?cs var:b.Height ?>"><title><?cs var:string.slice(b.At, 0, 16) ?>: <?cs var:b.Outcome ?>, <?cs call:thousands(b.Ms) ?> ms</title></rect><?cs
/each ?>
</svg>
<figcaption id="timeline-caption" class="muted"><?cs if:Conn.Context == "per_user" ?>Your<?cs else ?>The<?cs /if ?> last <?cs call:count(Timeline.Count, "test", "tests") ?>, oldest first: bar height is latency (up to <?cs call:thousands(Timeline.MaxMs) ?> ms); full-height red bars failed.</figcaption>
</figure><?cs
/if ?>
<p class="detail-note"><a href="/connections/<?cs var:Conn.Id ?>/history">See all tests<span aria-hidden="true"> &rarr;</span></a></p>
</section>

<section class="panel detail-settings" aria-labelledby="settings-title">
<h2 id="settings-title" class="panel-title">Connection</h2>
<dl class="details">
<dt>Connector</dt>
<dd><?cs if:Conn.ConnectorTitle ?><?cs var:Conn.ConnectorTitle ?><?cs else ?><?cs var:Conn.Connector ?><?cs /if ?></dd><?cs
if:Conn.ApiTypeLabel ?>
<dt>API type</dt>
<dd><?cs var:Conn.ApiTypeLabel ?></dd><?cs
/if ?>
<dt>Runs as</dt>
<dd><?cs if:Conn.ContextLabel ?><?cs var:Conn.ContextLabel ?><?cs else ?><?cs var:Conn.Context ?><?cs /if ?></dd><?cs if:Conn.Uplink ?>
<dt>Connection mode</dt>
<dd>Uplinked via <?cs var:Conn.Uplink ?></dd><?cs /if ?><?cs
each:s = Settings ?><?cs if:s.Section != "authentication" ?>
<dt><?cs var:s.Label ?></dt>
<dd><?cs call:setting_value(s) ?></dd><?cs
/if ?><?cs /each ?>
</dl><?cs call:egress_block() ?>

<h2 id="auth-title" class="panel-title panel-title-sub">Authentication</h2><?cs
if:#Conn.NamedCredentialId > 0 ?>
<dl class="details" aria-labelledby="auth-title">
<dt>Authentication protocol</dt>
<dd><?cs if:Conn.ProtocolLabel ?><?cs var:Conn.ProtocolLabel ?><?cs else ?><?cs var:Conn.Protocol ?><?cs /if ?></dd>
<dt>Named credential</dt>
<dd><a href="/named-credentials/<?cs var:Conn.NamedCredentialId ?>"><?cs if:Conn.NamedCredential ?><?cs var:Conn.NamedCredential ?><?cs else ?>Named credential #<?cs var:Conn.NamedCredentialId ?><?cs /if ?></a></dd>
</dl>
<p class="detail-note nc-note"><?cs call:lock_icon() ?><span>Uses the named credential <a href="/named-credentials/<?cs var:Conn.NamedCredentialId ?>"><?cs if:Conn.NamedCredential ?><?cs var:Conn.NamedCredential ?><?cs else ?>#<?cs var:Conn.NamedCredentialId ?><?cs /if ?></a>. Its URL and secret are kept there by its team, so this connection has no authentication settings of its own and no Reconnect.</span></p><?cs
else ?>
<dl class="details" aria-labelledby="auth-title">
<dt>Authentication protocol</dt>
<dd><?cs if:Conn.ProtocolLabel ?><?cs var:Conn.ProtocolLabel ?><?cs else ?><?cs var:Conn.Protocol ?><?cs /if ?></dd><?cs
if:Identity.Account ?>
<dt><?cs if:Conn.Context == "per_user" ?>You are connected as<?cs else ?>Connected as<?cs /if ?></dt>
<dd class="identity"><span class="identity-account"><?cs var:Identity.Account ?></span><?cs if:Identity.Tenant ?> <span class="muted">· <?cs var:Identity.TenantLabel ?></span> <code class="identity-tenant"><?cs var:Identity.Tenant ?></code><?cs /if ?></dd><?cs
/if ?><?cs
if:#Conn.OAuthClientId > 0 ?>
<dt>OAuth client</dt>
<dd><a href="/oauth-clients/<?cs var:Conn.OAuthClientId ?>"><?cs if:Conn.OAuthClient ?><?cs var:Conn.OAuthClient ?><?cs else ?>OAuth client #<?cs var:Conn.OAuthClientId ?><?cs /if ?></a><span class="muted"> · its client ID and secret are used</span></dd><?cs
/if ?><?cs
each:s = Settings ?><?cs if:s.Section == "authentication" ?>
<dt><?cs if:Conn.GrantedScopes && s.Label == "Scopes" ?>Requested scopes<?cs else ?><?cs var:s.Label ?><?cs /if ?></dt>
<dd><?cs call:setting_value(s) ?></dd><?cs
/if ?><?cs /each ?><?cs
if:Conn.GrantedScopes ?>
<dt>Granted scopes</dt>
<dd><code class="scope-list"><?cs var:Conn.GrantedScopes ?></code></dd><?cs
/if ?><?cs
each:s = Secrets ?>
<dt><?cs var:s.Label ?></dt>
<dd><?cs if:s.Stored ?><span class="secret-state secret-stored"><svg class="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><rect x="3" y="7" width="10" height="7" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>Stored<?cs if:s.ChangedAt ?> · last changed on <span class="tabular"><?cs call:timestamp(s.ChangedAt) ?></span><?cs /if ?><?cs
    if:s.ExpiresOn ?> · expires on <span class="tabular"><?cs var:s.ExpiresOn ?></span><?cs /if ?></span><?cs
  elif:#Conn.OAuthClientId > 0 ?><span class="secret-state">From the OAuth client</span><?cs
  elif:Conn.Context == "per_user" ?><span class="secret-state">Each user's own<?cs if:s.OwnStored == "1" ?> · yours is stored<?cs else ?> · you have not entered yours<?cs /if ?></span><?cs
  else ?><span class="secret-state secret-missing">Not stored</span><?cs /if ?></dd><?cs
/each ?>
</dl><?cs
if:Identity.MissingScopes ?>
<div class="detail-note scopes-missing" role="note"><p><strong>Missing scopes:</strong> <code class="scope-list"><?cs var:Identity.MissingScopes ?></code>. The provider did not grant <?cs if:Conn.Context == "per_user" ?>your account<?cs else ?>this connection<?cs /if ?> every scope it asks for; flows that need them will fail.</p><?cs
  if:Can.Reconnect || (Conn.Context == "per_user" && Can.Connect) ?>
<form class="inline-form" method="post" action="/connections/<?cs var:Conn.Id ?>/reconnect"><?cs call:csrf_input() ?><button class="btn btn-secondary btn-sm" type="submit">Reconnect to ask for them</button></form><?cs
  /if ?></div><?cs
/if ?><?cs
if:Identity.CanConnectOther == "1" ?>
<div class="identity-other">
<p class="detail-note muted">Reconnect must come back as the same <?cs var:Identity.TenantLabel ?>. As an admin you may sign in to another one instead; the change is recorded in the audit trail.</p>
<form class="inline-form" method="post" action="/connections/<?cs var:Conn.Id ?>/connect-other"><?cs call:csrf_input() ?><button class="btn btn-secondary btn-sm" type="submit">Connect a different account</button></form>
</div><?cs
/if ?><?cs
if:subcount(Secrets) > 0 ?>
<p class="detail-note muted"><?cs if:Conn.Context == "per_user" ?>Secrets are encrypted and never shown. Each person changes their own under Your account.<?cs else ?>Secrets are encrypted and never shown. To change one, edit the connection and enter a new value.<?cs /if ?></p><?cs
/if ?><?cs
if:Conn.RedirectUri ?><?cs call:redirect_uri_field(Conn.RedirectUri) ?><?cs /if ?><?cs
/if ?>
</section>

<section class="panel detail-owner" aria-labelledby="owner-title">
<h2 id="owner-title" class="panel-title">Ownership</h2>
<dl class="facts">
<dt>Owner team</dt>
<dd><?cs if:Conn.OwnerTeam ?><?cs var:Conn.OwnerTeam ?><?cs else ?><span class="muted">None</span><?cs /if ?></dd>
<dt>Created</dt>
<dd><?cs if:Conn.CreatedAt ?><span class="tabular"><?cs call:timestamp(Conn.CreatedAt) ?></span><?cs /if ?><?cs if:Conn.CreatedBy ?><span class="fact-by">by <?cs var:Conn.CreatedBy ?></span><?cs /if ?></dd>
<dt>Last updated</dt>
<dd><?cs if:Conn.UpdatedAt ?><span class="tabular"><?cs call:timestamp(Conn.UpdatedAt) ?></span><?cs /if ?><?cs if:Conn.UpdatedBy ?><span class="fact-by">by <?cs var:Conn.UpdatedBy ?></span><?cs /if ?></dd>
<dt>Version</dt>
<dd class="tabular"><?cs var:Conn.Version ?></dd>
<dt>Used by</dt>
<dd><?cs if:#Conn.FlowCount > 0 ?><a href="/connections/<?cs var:Conn.Id ?>/related"><?cs call:count(Conn.FlowCount, "flow", "flows") ?></a><?cs else ?><span class="muted">No flows</span><?cs /if ?></dd>
<dt>Last used</dt>
<dd class="engine-use"><?cs if:Engine.LastUsed ?><?cs call:timestamp(Engine.LastUsed) ?><?cs
  if:subcount(Engine.Flows) > 0 ?><span class="fact-by">by <?cs
    each:f = Engine.Flows ?><?cs if:name(f) != "0" ?>, <?cs /if ?><a href="/flows/<?cs var:f.Id ?>"><?cs var:f.Name ?></a><?cs /each ?></span><?cs /if ?><span class="fact-by"><?cs call:count(Engine.Reads, "credential read", "credential reads") ?> in 30 days</span><?cs
  else ?><span class="muted">Not in the last 30 days</span><?cs /if ?></dd>
</dl><?cs
if:User.IsAdmin || Can.Share ?>
<p class="detail-note"><a href="/audit?connection=<?cs var:Conn.Id ?>">Audit trail<span aria-hidden="true"> &rarr;</span></a></p><?cs
/if ?>
</section>
</div>

<section class="detail-status-history" aria-labelledby="status-history-title">
<h2 id="status-history-title" class="section-title">Status history</h2><?cs
if:subcount(StatusChanges) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table">
<caption class="visually-hidden"><?cs if:Conn.Context == "per_user" ?>Your own status changes<?cs else ?>Status changes of this connection<?cs /if ?>, newest first (the last 20)</caption>
<thead>
<tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">Why</th><th scope="col">Started by</th></tr>
</thead>
<tbody><?cs
  each:h = StatusChanges ?>
<tr>
<td data-label="When" class="tabular"><?cs call:timestamp(h.At) ?></td>
<td data-label="Change"><span class="status-change"><?cs
    set:Tmp.FirstConnect = h.From == "not_tested" && h.Trigger == "reconnect" ?><?cs
    if:Tmp.FirstConnect ?>Not connected yet<?cs else ?><?cs var:h.FromLabel ?><?cs /if ?> <span aria-hidden="true">&rarr;</span><span class="visually-hidden">to</span> <?cs call:status_badge(h.To, h.ToLabel) ?></span><?cs
    if:#h.Failures > 1 ?> <span class="muted">(<?cs call:thousands(h.Failures) ?> in a row)</span><?cs /if ?></td>
<td data-label="Why"><?cs call:or_dash(h.Reason) ?></td>
<td data-label="Started by"><?cs if:Tmp.FirstConnect ?>Connect<?cs elif:h.Trigger ?><?cs call:test_trigger(h.Trigger) ?><?cs else ?><?cs call:dash() ?><?cs /if ?></td>
</tr><?cs
  /each ?>
</tbody>
</table>
</div><?cs
else ?>
<p class="muted"><?cs if:Conn.Context == "per_user" ?>Your own status has not changed yet.<?cs else ?>No status changes yet: they are recorded from the first test on.<?cs /if ?></p><?cs
/if ?>
</section>

<section class="detail-versions" aria-labelledby="versions-title">
<h2 id="versions-title" class="section-title">Version history</h2><?cs
call:versions_table() ?>
</section><?cs
call:times_note() ?><?cs
/def ?><?cs include:"layout.cs" ?>