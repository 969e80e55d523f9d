<?cs ####  users.cs: every user (/users, administrators). Reads
      Users.N.Id|Email|Name|IsAdmin|Disabled|Teams (Teams: "Team (role),
      ..."), the create form's UserForm.Email|Name and
      UserForm.Errors.Email|Name|Password (HACKING.md). The create form
      POSTs csrf, action=create, email, name, password (never echoed);
      the small forms per user POST csrf, action = disable | enable |
      admin | unadmin, email. Nobody changes their own account here.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "users" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Users" ?><?cs /if ?><?cs

####  user_action(email, action, label, cls): one small POST form.
?><?cs def:user_action(email, action, label, cls)
?>
<form method="post" action="/users"><?cs call:csrf_input() ?>
<input type="hidden" name="action" value="<?cs var:action ?>">
<input type="hidden" name="email" value="<?cs var:email ?>">
<button class="btn <?cs var:cls ?> btn-sm" type="submit"><?cs var:label ?><span class="visually-hidden"> (<?cs var:email ?>)</span></button>
</form><?cs
/def ?><?cs

def:page_content() ?><?cs
call:page_header("Users",
  "People who can sign in to Tether. Administrators see and manage everything; everyone else works through their teams.") ?>
<div class="split-layout">
<section class="split-main" aria-labelledby="users-title">
<div class="section-head">
<h2 id="users-title" class="visually-hidden">All users</h2>
<p class="section-meta"><?cs set:Tmp.N = subcount(Users) ?><?cs call:count(Tmp.N, "user", "users") ?></p>
</div>
<div class="table-wrap">
<table class="data-table stack-table users-table">
<caption class="visually-hidden">Users, by email address</caption>
<thead>
<tr><th scope="col">User</th><th scope="col">Teams</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
</thead>
<tbody><?cs
  each:u = Users ?>
<tr<?cs if:u.Disabled ?> class="is-disabled-row"<?cs /if ?>>
<th scope="row"><span class="person"><span class="person-email"><?cs var:u.Email ?></span><?cs
    if:u.Name ?><span class="person-name"><?cs var:u.Name ?></span><?cs /if ?><?cs
    if:u.IsAdmin || u.Disabled || u.Id == User.Id ?><span class="person-tags"><?cs
      if:u.Id == User.Id ?><span class="tag">You</span><?cs /if ?><?cs
      if:u.IsAdmin ?><span class="tag tag-admin">Admin</span><?cs /if ?><?cs
      if:u.Disabled ?><span class="tag tag-disabled">Disabled</span><?cs /if ?></span><?cs
    /if ?></span></th>
<td data-label="Teams"><?cs if:u.Teams ?><?cs var:u.Teams ?><?cs else ?><span class="muted">No team</span><?cs /if ?></td>
<td data-label="Actions"><?cs
    if:u.Id == User.Id ?><span class="muted">Your own account</span><?cs
    else ?><div class="row-actions"><?cs
      if:u.Disabled ?><?cs call:user_action(u.Email, "enable", "Enable", "btn-secondary") ?><?cs
      else ?><?cs call:user_action(u.Email, "disable", "Disable", "btn-danger-outline") ?><?cs /if ?><?cs
      if:u.IsAdmin ?><?cs call:user_action(u.Email, "unadmin", "Remove admin", "btn-secondary") ?><?cs
      else ?><?cs call:user_action(u.Email, "admin", "Make admin", "btn-secondary") ?><?cs /if ?>
</div><?cs
    /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?>
<p class="detail-note muted">Disabling a user ends all of their sessions at once; their connections and teams stay as they are. Add people to teams on each team's page.</p>
</section><?cs
call:aside_form_open("create-user-title", "Create a user", "/users", "create") ?>
<div class="field<?cs if:UserForm.Errors.Email ?> has-error<?cs /if ?>"><?cs
  call:field_label("user-email", "Email address", 1) ?><?cs
  call:error_message("user-email", UserForm.Errors.Email) ?>
<input class="input" id="f-user-email" name="email" type="email" maxlength="254" autocomplete="off" spellcheck="false" required<?cs
  if:UserForm.Email ?> value="<?cs var:UserForm.Email ?>"<?cs /if ?><?cs
  call:field_aria("user-email", "", UserForm.Errors.Email, "") ?>>
</div>
<div class="field<?cs if:UserForm.Errors.Name ?> has-error<?cs /if ?>"><?cs
  call:field_label("user-name", "Name", 0) ?><?cs
  call:field_help("user-name", "Up to 120 characters.") ?><?cs
  call:error_message("user-name", UserForm.Errors.Name) ?>
<input class="input" id="f-user-name" name="name" type="text" autocomplete="off"<?cs
  if:UserForm.Name ?> value="<?cs var:UserForm.Name ?>"<?cs /if ?><?cs
  call:field_aria("user-name", 1, UserForm.Errors.Name, "") ?>>
</div>
<div class="field<?cs if:UserForm.Errors.Password ?> has-error<?cs /if ?>"><?cs
  call:field_label("user-password", "Initial password", 1) ?><?cs
  call:field_help("user-password", "At least 10 characters. Give it to the person over a separate channel; it is never shown again.") ?><?cs
  call:error_message("user-password", UserForm.Errors.Password) ?>
<input class="input" id="f-user-password" name="password" type="password" autocomplete="new-password" maxlength="1024" spellcheck="false" required<?cs
  call:field_aria("user-password", 1, UserForm.Errors.Password, "") ?>>
</div><?cs
call:aside_form_end("Create user") ?>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
