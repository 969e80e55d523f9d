<?cs ####  error.cs: an error page (Error.Status, Error.Title, Error.Message).
      Renders with or without a signed-in user.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Title && Error.Title ?><?cs set:Page.Title = Error.Title ?><?cs
elif:!Page.Title && Error.Status ?><?cs set:Page.Title = "Error " + Error.Status ?><?cs /if ?><?cs
def:page_content() ?>
<section class="panel error-panel" aria-labelledby="error-title">
<p class="error-status"><?cs if:Error.Status ?>Error <?cs var:Error.Status ?><?cs else ?>Error<?cs /if ?></p>
<h1 id="error-title"><?cs if:Error.Title ?><?cs var:Error.Title ?><?cs else ?>Something went wrong<?cs /if ?></h1>
<p class="error-message"><?cs if:Error.Message ?><?cs var:Error.Message ?><?cs else ?>The request could not be completed.<?cs /if ?></p><?cs
if:Page.RequestId ?>
<p class="error-request">If you contact your administrator, quote request ID <code><?cs var:Page.RequestId ?></code>.</p><?cs
/if ?>
<p class="error-actions"><a class="btn btn-primary" href="/">Go to Integrations</a></p>
</section><?cs
/def ?><?cs include:"layout.cs" ?>