<?cs ####  connection-connect.cs: after Create of an OAuth 2.0 authorization-
      code connection, the step to the provider's consent ("Connect"): goes
      on by itself at once (Page.GoTo, a meta refresh: no script), with
      a link for a browser that does not. Reads Connect.Id|Name|Provider|Url
      (the provider's authorize URL, with a single-use state).
?><?cs include:"macros.cs" ?><?cs
set:Page.Section = "integrations" ?><?cs
set:Page.GoTo = Connect.Url ?><?cs
def:page_content() ?>
<div class="page-header">
<div class="page-heading">
<h1>Connect <?cs var:Connect.Name ?></h1>
<p class="page-lede">Taking you to <?cs if:Connect.Provider ?><?cs var:Connect.Provider ?><?cs else ?>the provider<?cs /if ?> to sign in and approve access. You come back to the connection, tested.</p>
</div>
</div>
<p><a class="btn btn-primary" href="<?cs var:Connect.Url ?>">Continue to <?cs if:Connect.Provider ?><?cs var:Connect.Provider ?><?cs else ?>the provider<?cs /if ?></a>
<a class="btn btn-secondary" href="/connections/<?cs var:Connect.Id ?>">Connect later</a></p><?cs
/def ?><?cs include:"layout.cs" ?>
