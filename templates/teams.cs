<?cs ####  teams.cs: every team (/teams, administrators). Reads
      Teams.N.Id|Name|Members|Connections and the create form's
      TeamForm.Name|Error (HACKING.md). The create form POSTs csrf,
      action=create, name.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "teams" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Teams" ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:page_header("Teams",
  "Every connection belongs to one team. Viewers of a team see its connections, members also use and test them, managers also create, edit, share and delete them.") ?>
<div class="split-layout">
<section class="split-main" aria-labelledby="teams-title"><?cs
call:section_head("teams-title", "All teams", 1, subcount(Teams), "team") ?><?cs
if:subcount(Teams) > 0 ?>
<div class="table-wrap">
<table class="data-table stack-table teams-table">
<caption class="visually-hidden">Teams, by name</caption>
<thead>
<tr><th scope="col">Team</th><th scope="col" class="num">Members</th><th scope="col" class="num">Connections owned</th></tr>
</thead>
<tbody><?cs
  each:t = Teams ?>
<tr>
<th scope="row"><a href="/teams/<?cs var:t.Id ?>"><?cs var:t.Name ?></a></th>
<td data-label="Members" class="num"><?cs if:#t.Members > 0 ?><?cs call:thousands(t.Members) ?><?cs else ?><span class="muted">0</span><?cs /if ?></td>
<td data-label="Connections owned" class="num"><?cs if:#t.Connections > 0 ?><?cs call:thousands(t.Connections) ?><?cs else ?><span class="muted">0</span><?cs /if ?></td>
</tr><?cs
  /each ?><?cs call:table_end() ?><?cs
else ?><?cs call:empty_state_open("") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="18" cy="17" r="6" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M7 38a11 11 0 0 1 22 0" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/><path d="M30 12a6 6 0 0 1 0 11M34 28a11 11 0 0 1 7 10" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>
<h3>No teams yet</h3>
<p>Create a team, add people to it, then create connections that the team owns.</p>
</div><?cs
/if ?>
</section><?cs
call:aside_form_open("create-team-title", "Create a team", "/teams", "create") ?>
<div class="field<?cs if:TeamForm.Error ?> has-error<?cs /if ?>"><?cs
  call:field_label("team-name", "Name", 1) ?><?cs
  call:field_help("team-name", "Unique; for example “Finance Operations”.") ?><?cs
  call:error_message("team-name", TeamForm.Error) ?>
<input class="input" id="f-team-name" name="name" type="text" maxlength="80" autocomplete="off" required<?cs
  if:TeamForm.Name ?> value="<?cs var:TeamForm.Name ?>"<?cs /if ?><?cs
  call:field_aria("team-name", 1, TeamForm.Error, "") ?>>
</div><?cs
call:aside_form_end("Create team") ?>
<p class="aside-foot muted">Then open the team to add its members.</p>
</section>
</div>
</div><?cs
/def ?><?cs include:"layout.cs" ?>
