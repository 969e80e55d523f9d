<?cs ####  connection-sharing.cs: a connection's Sharing tab: who has
      access beyond the owner team, share with another team (use or manage), revoke a share,
      transfer ownership. Reads Conn.*, Can.* (the header,
      connection-header.cs), Sharing.Shares.N.TeamId|TeamName|Permission|
      CreatedAt (Permission: use | manage), Sharing.Teams.N.Id|Name (teams
      it can be shared with), Sharing.TransferTeams.N.Id|Name (teams the
      user manages) (HACKING.md). Every form POSTs to the page itself with
      csrf and action = share | revoke | transfer, team, permission; only
      when Can.Share.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Sharing of " + Conn.Name ?><?cs /if ?><?cs

####  permission_tag(p): a share's permission as a tag, with what it allows.
?><?cs def:permission_tag(p)
?><?cs if:p == "manage" ?><span class="tag tag-manage">Manage</span><span class="perm-help">See, use in flows, test, edit and reconnect</span><?cs
elif:p == "use" ?><span class="tag tag-use">Use</span><span class="perm-help">See, use in flows and test</span><?cs
else ?><span class="tag"><?cs var:p ?></span><?cs /if ?><?cs /def ?><?cs

def:page_content() ?><?cs
include:"connection-header.cs" ?>
<div class="split-layout">
<section class="split-main" aria-labelledby="access-title">
<div class="section-head">
<h2 id="access-title">Who has access</h2>
<p class="section-meta"><?cs if:subcount(Sharing.Shares) == 0 ?>Owner team only<?cs
  else ?>Owner team and <?cs set:Tmp.N = subcount(Sharing.Shares) ?><?cs call:count(Tmp.N, "other team", "other teams") ?><?cs /if ?></p>
</div>
<p class="section-lede muted">The owner team always has access: its viewers see the connection, its members use and test it, its managers edit, share and delete it. Sharing gives another team access too, capped by each person's role in it: with Use, its members and managers use and test the connection; with Manage, its managers can also edit and reconnect it. Its viewers only see it.</p>
<div class="table-wrap">
<table class="data-table stack-table shares-table">
<caption class="visually-hidden">Teams with access to <?cs var:Conn.Name ?></caption>
<thead>
<tr><th scope="col">Team</th><th scope="col">Permission</th><th scope="col">Since</th><?cs if:Can.Share ?><th scope="col"><span class="visually-hidden">Actions</span></th><?cs /if ?></tr>
</thead>
<tbody>
<tr class="owner-row">
<th scope="row"><?cs if:Conn.OwnerTeam ?><?cs var:Conn.OwnerTeam ?><?cs else ?>Owner team<?cs /if ?></th>
<td data-label="Permission"><span class="perm"><span class="tag tag-owner">Owner</span><span class="perm-help">Always has access; can't be revoked</span></span></td>
<td data-label="Since" class="tabular"><?cs call:timestamp_or_dash(Conn.CreatedAt) ?></td><?cs
  if:Can.Share ?>
<td data-label="Actions"><?cs call:dash() ?></td><?cs /if ?>
</tr><?cs
  each:s = Sharing.Shares ?>
<tr>
<th scope="row"><?cs var:s.TeamName ?></th>
<td data-label="Permission"><span class="perm"><?cs call:permission_tag(s.Permission) ?></span></td>
<td data-label="Since" class="tabular"><?cs call:timestamp_or_dash(s.CreatedAt) ?></td><?cs
    if:Can.Share ?>
<td data-label="Actions"><div class="row-actions"><?cs
      if:s.Permission == "use" || s.Permission == "manage" ?>
<form method="post" action="/connections/<?cs var:Conn.Id ?>/sharing"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="share">
<input type="hidden" name="team" value="<?cs var:s.TeamId ?>">
<input type="hidden" name="permission" value="<?cs if:s.Permission == "use" ?>manage<?cs else ?>use<?cs /if ?>">
<button class="btn btn-secondary btn-sm" type="submit"><?cs if:s.Permission == "use" ?>Allow managing<?cs else ?>Limit to use<?cs /if ?><span class="visually-hidden"> for <?cs var:s.TeamName ?></span></button>
</form><?cs
      /if ?>
<form method="post" action="/connections/<?cs var:Conn.Id ?>/sharing"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="revoke">
<input type="hidden" name="team" value="<?cs var:s.TeamId ?>">
<button class="btn btn-danger-outline btn-sm" type="submit">Revoke<span class="visually-hidden"> access of <?cs var:s.TeamName ?></span></button>
</form>
</div></td><?cs
    /if ?>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
if:subcount(Sharing.Shares) == 0 ?>
<p class="detail-note muted">Not shared with any other team yet.</p><?cs
/if ?><?cs
if:!Can.Share ?>
<p class="detail-note muted">Only managers of this connection can share it, revoke access or transfer it.</p><?cs
/if ?>
</section><?cs

if:Can.Share ?>
<div class="split-aside">
<section class="panel aside-panel" aria-labelledby="share-title">
<h2 id="share-title" class="panel-title">Share with a team</h2><?cs
  if:subcount(Sharing.Teams) > 0 ?>
<form class="form" method="post" action="/connections/<?cs var:Conn.Id ?>/sharing"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="share"><?cs
    call:select_open("share-team", "team", "Team", "", "", "Choose a team…") ?><?cs
    each:t = Sharing.Teams ?>
<option value="<?cs var:t.Id ?>"><?cs var:t.Name ?></option><?cs
    /each ?>
</select>
</div>
<fieldset class="field choice-group">
<legend class="field-label">Permission <span class="required" aria-hidden="true">*</span></legend>
<div class="choice-list">
<label class="choice" for="f-permission-use"><input class="radio" type="radio" id="f-permission-use" name="permission" value="use" required checked><span class="choice-text"><span class="choice-label">Use</span><span class="choice-help">See, use in flows, test</span></span></label>
<label class="choice" for="f-permission-manage"><input class="radio" type="radio" id="f-permission-manage" name="permission" value="manage" required><span class="choice-text"><span class="choice-label">Manage</span><span class="choice-help">Also edit and reconnect</span></span></label>
</div>
</fieldset>
<div class="form-actions">
<button class="btn btn-primary" type="submit">Share</button>
</div>
</form><?cs
  else ?>
<p class="muted">There is no other team to share it with<?cs if:subcount(Sharing.Shares) > 0 ?>: every team already has access<?cs /if ?>.</p><?cs
  /if ?>
</section>

<section class="panel aside-panel danger-panel" aria-labelledby="transfer-title">
<h2 id="transfer-title" class="panel-title">Transfer ownership</h2><?cs
  if:subcount(Sharing.TransferTeams) > 0 ?>
<div class="alert alert-warning"><?cs call:alert_icon("warning") ?><div class="alert-body">
<p class="alert-title">The new team becomes the owner.</p>
<p>Its managers can then edit, share and delete the connection, and <strong><?cs if:Conn.OwnerTeam ?><?cs var:Conn.OwnerTeam ?><?cs else ?>the current owner team<?cs /if ?></strong> loses its access unless the new owner shares it back. Other teams keep their shares.</p>
</div></div>
<form class="form" method="post" action="/connections/<?cs var:Conn.Id ?>/sharing"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="transfer"><?cs
    call:select_open("transfer-team", "team", "New owner team",
      "Only teams you manage. No connection there may have the same name.",
      "", "Choose a team…") ?><?cs
    each:t = Sharing.TransferTeams ?>
<option value="<?cs var:t.Id ?>"><?cs var:t.Name ?></option><?cs
    /each ?>
</select>
</div>
<div class="form-actions">
<button class="btn btn-danger" type="submit">Transfer ownership</button>
</div>
</form><?cs
  else ?>
<p class="muted">You can transfer a connection only to another team you manage, and you manage no other team.</p><?cs
  /if ?>
</section>
</div><?cs
/if ?>
</div><?cs
call:times_note() ?><?cs
/def ?><?cs include:"layout.cs" ?>
