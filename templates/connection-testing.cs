<?cs ####  connection-testing.cs: a run in the background
      (page-connection-testing.c). Reads Conn.*, Testing.Action (test: a
      Test; create: a new connection's first test; save: changes tried
      before they are saved), Testing.Lost (1: it did not finish),
      Testing.TimeoutSeconds; Page.Refresh makes the layout refresh the page
      until the outcome is there.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Testing " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
if:Testing.Action == "save" ?><?cs call:conn_breadcrumbs("Edit") ?><?cs else ?><?cs call:conn_breadcrumbs("Test") ?><?cs /if ?>
<section class="panel confirm-panel<?cs if:Testing.Lost ?> confirm-error<?cs /if ?>" aria-labelledby="testing-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M12 6.5V12l3.5 2" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg></span>
<div><?cs
if:Testing.Lost && Testing.Action == "save" ?>
<h1 id="testing-title">The test of your changes to <span class="quoted"><?cs var:Conn.Name ?></span> did not finish</h1>
<p class="confirm-lede">Nothing was saved. Go back to the connection and make your changes again.</p><?cs
elif:Testing.Lost ?>
<h1 id="testing-title">The test of <span class="quoted"><?cs var:Conn.Name ?></span> did not finish</h1>
<p class="confirm-lede">No result was recorded. Go back to the connection and press Test again.</p><?cs
elif:Testing.Action == "save" ?>
<h1 id="testing-title" role="status">Testing your changes to <span class="quoted"><?cs var:Conn.Name ?></span>…</h1>
<p class="confirm-lede">Nothing is saved yet: Tether first tries the connection with your changes. This takes at most <?cs var:Testing.TimeoutSeconds ?> seconds; this page refreshes by itself. When the test passes, your changes are saved and the connection opens; when it fails, the form comes back and says why.</p><?cs
elif:Testing.Action == "create" ?>
<h1 id="testing-title" role="status">Testing the new connection <span class="quoted"><?cs var:Conn.Name ?></span>…</h1>
<p class="confirm-lede">It is saved. Tether is calling the system for its first test now. This takes at most <?cs var:Testing.TimeoutSeconds ?> seconds; this page refreshes by itself and opens the connection with the result. You can leave it: the test goes on and its result is recorded.</p><?cs
else ?>
<h1 id="testing-title" role="status">Testing <span class="quoted"><?cs var:Conn.Name ?></span>…</h1>
<p class="confirm-lede">Tether is calling the system now. This takes at most <?cs var:Testing.TimeoutSeconds ?> seconds; this page refreshes by itself and shows the result when it is there. You can leave it: the test goes on and its result is recorded.</p><?cs
/if ?>
</div>
</div>
<div class="form-actions">
<a class="btn btn-secondary" href="/connections/<?cs var:Conn.Id ?>">Back to the connection</a>
</div>
</section><?cs
/def ?><?cs include:"layout.cs" ?>
