<?cs ####  connection-testing.cs: a Test running in the background
      (page-connection-testing.c). Reads Conn.*, Testing.Lost (1: it did not
      finish), Testing.TimeoutSeconds; Page.Refresh makes the layout refresh
      the page until the outcome is there.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "integrations" ?><?cs /if ?><?cs
if:Conn.Name ?><?cs set:Page.Title = "Testing " + Conn.Name ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:conn_breadcrumbs("Test") ?>
<section class="panel confirm-panel<?cs if:Testing.Lost ?> confirm-error<?cs /if ?>" aria-labelledby="testing-title">
<div class="confirm-head">
<span class="confirm-icon" aria-hidden="true"><svg viewBox="0 0 24 24" width="24" height="24"><circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M12 6.5V12l3.5 2" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg></span>
<div><?cs
if:Testing.Lost ?>
<h1 id="testing-title">The test of <span class="quoted"><?cs var:Conn.Name ?></span> did not finish</h1>
<p class="confirm-lede">No result was recorded. Go back to the connection and press Test again.</p><?cs
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
