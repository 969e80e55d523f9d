<?cs ####  team.cs: one team and its members (/teams/ID, administrators).
      Reads Team.Id|Name, Team.Members.N.UserId|Email|Name|Role|Disabled
      (Role: viewer | member | manager) and the add form's
      MemberForm.Email|Error (HACKING.md). Every form POSTs to the page
      with csrf, action = add | role | remove, email and role.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "teams" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = Team.Name ?><?cs /if ?><?cs

####  role_options(selected): the three roles as <option>s.
?><?cs def:role_options(selected)
?>
<option value="viewer"<?cs if:selected == "viewer" ?> selected<?cs /if ?>>Viewer</option>
<option value="member"<?cs if:selected == "member" ?> selected<?cs /if ?>>Member</option>
<option value="manager"<?cs if:selected == "manager" ?> selected<?cs /if ?>>Manager</option><?cs
/def ?><?cs

def:page_content() ?><?cs
call:breadcrumbs("/teams", "Teams", Team.Name) ?>
<div class="page-header">
<div class="page-heading">
<p class="eyebrow">Team</p>
<h1 class="conn-name"><?cs var:Team.Name ?></h1>
<p class="page-lede"><?cs set:Tmp.N = subcount(Team.Members) ?><?cs call:count(Tmp.N, "member", "members") ?>. <a href="/?team=<?cs var:Team.Id ?>">Connections this team owns</a></p>
</div>
</div>
<div class="split-layout">
<section class="split-main" aria-labelledby="members-title">
<div class="section-head">
<h2 id="members-title">Members</h2>
</div><?cs
if:subcount(Team.Members) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table members-table">
<caption class="visually-hidden">Members of <?cs var:Team.Name ?>, by email address</caption>
<thead>
<tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr>
</thead>
<tbody><?cs
  each:m = Team.Members ?>
<tr>
<th scope="row"><span class="person"><span class="person-email"><?cs var:m.Email ?></span><?cs
    if:m.Name ?><span class="person-name"><?cs var:m.Name ?></span><?cs /if ?><?cs
    if:m.Disabled ?><span class="tag tag-disabled">Disabled</span><?cs /if ?></span></th>
<td data-label="Role">
<form class="role-form" method="post" action="/teams/<?cs var:Team.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="role">
<input type="hidden" name="email" value="<?cs var:m.Email ?>">
<label class="visually-hidden" for="f-role-<?cs var:m.UserId ?>">Role of <?cs var:m.Email ?></label>
<select class="select select-sm" id="f-role-<?cs var:m.UserId ?>" name="role"><?cs call:role_options(m.Role) ?>
</select>
<button class="btn btn-secondary btn-sm" type="submit">Change<span class="visually-hidden"> role of <?cs var:m.Email ?></span></button>
</form>
</td>
<td data-label="Actions" class="cell-action">
<form method="post" action="/teams/<?cs var:Team.Id ?>"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="remove">
<input type="hidden" name="email" value="<?cs var:m.Email ?>">
<button class="btn btn-danger-outline btn-sm" type="submit">Remove<span class="visually-hidden"> <?cs var:m.Email ?> from the team</span></button>
</form>
</td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<h3>No members yet</h3>
<p>Add people by their email address. They need a Tether account first; create one under Users.</p>
</div><?cs
/if ?>
</section><?cs
call:aside_form_open("add-member-title", "Add a member", "/teams/" + Team.Id, "add") ?>
<div class="field<?cs if:MemberForm.Error ?> has-error<?cs /if ?>"><?cs
  call:field_label("member-email", "Email address", 1) ?><?cs
  call:field_help("member-email", "Of an existing user. Adding someone who is already a member changes their role.") ?><?cs
  call:error_message("member-email", MemberForm.Error) ?>
<input class="input" id="f-member-email" name="email" type="email" maxlength="254" autocomplete="off" spellcheck="false" required<?cs
  if:MemberForm.Email ?> value="<?cs var:MemberForm.Email ?>"<?cs /if ?><?cs
  call:field_aria("member-email", 1, MemberForm.Error, "") ?>>
</div>
<div class="field"><?cs
  call:field_label("member-role", "Role", 1) ?>
<select class="select" id="f-member-role" name="role" required aria-describedby="role-help"><?cs call:role_options("member") ?>
</select>
</div>
<dl class="role-help" id="role-help">
<dt>Viewer</dt><dd>sees the team's connections.</dd>
<dt>Member</dt><dd>also uses them in flows and tests them.</dd>
<dt>Manager</dt><dd>also creates, edits, shares and deletes them, and sees the team's audit log.</dd>
</dl><?cs
call:aside_form_end("Add member") ?>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
