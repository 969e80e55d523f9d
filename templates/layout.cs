<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><?cs
if:Page.Refresh ?>
<meta http-equiv="refresh" content="<?cs var:Page.Refresh ?>"><?cs
/if ?>
<title><?cs if:Page.Title ?><?cs var:Page.Title ?> · <?cs /if ?>Tether</title>
<link rel="stylesheet" href="/static/tether.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><?cs
if:Page.GoTo ?>
<meta http-equiv="refresh" content="0; url=<?cs var:Page.GoTo ?>"><?cs /if ?>
</head><?cs
####  layout.cs: the page chrome around page_content(), which the page
      template defines (after including macros.cs) before including this
      file. Reads Page.* (Page.Refresh: seconds until the page reloads itself; Page.GoTo: a URL to go on to at once), User.*, CSRF.Token, Flash.*; works without User.
?>
<body class="section-<?cs if:Page.Section ?><?cs var:Page.Section ?><?cs else ?>none<?cs /if ?><?cs if:?User.Id ?> signed-in<?cs /if ?><?cs if:User.IsAdmin || User.IsManager ?> nav-long<?cs /if ?>">
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="site-header-inner">
<a class="brand" href="/"><svg class="brand-mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true"><rect width="32" height="32" rx="8" fill="currentColor" class="brand-mark-bg"/><path d="M9.5 16a4.5 4.5 0 0 1 4.5-4.5h4M22.5 16a4.5 4.5 0 0 1-4.5 4.5h-4" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/><path d="M12.5 16h7" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/></svg><span class="brand-name">Tether</span></a><?cs
if:?User.Id ?>
<nav class="site-nav" aria-label="Main">
<ul class="site-nav-list"><?cs
  call:nav_item("integrations", "/", "Integrations") ?><?cs
  call:nav_item("connectors", "/connectors", "Connectors") ?><?cs
  call:nav_item("named-credentials", "/named-credentials", "Named credentials") ?><?cs
  if:User.IsAdmin || User.IsManager ?><?cs
  call:nav_item("oauth-clients", "/oauth-clients", "OAuth clients") ?><?cs
  /if ?><?cs
  call:nav_item("audit", "/audit", "Audit") ?><?cs
  if:User.IsAdmin ?><?cs
  call:nav_item("teams", "/teams", "Teams") ?><?cs
  call:nav_item("users", "/users", "Users") ?><?cs
  call:nav_item("webhooks", "/webhooks", "Webhooks") ?><?cs
  call:nav_item("uplinks", "/uplinks", "Uplinks") ?><?cs
  /if ?>
</ul>
</nav>
<div class="user-menu">
<span class="user-id"><svg class="user-avatar" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><circle cx="10" cy="7" r="3.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M3.5 17.5a6.5 6.5 0 0 1 13 0" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg><span class="visually-hidden">Signed in as </span><span class="user-email" title="<?cs if:User.Name ?><?cs var:User.Name ?> · <?cs /if ?><?cs var:User.Email ?>"><?cs var:User.Email ?></span></span>
<a class="btn btn-header btn-sm<?cs if:Page.Section == "api-tokens" ?> is-current<?cs /if ?>" href="/api-tokens"<?cs if:Page.Section == "api-tokens" ?> aria-current="page"<?cs /if ?>>API tokens</a>
<form class="signout-form" method="post" action="/logout"><?cs call:csrf_input() ?><button class="btn btn-header btn-sm" type="submit">Sign out</button></form>
</div><?cs
/if ?>
</div>
</header>
<main id="main" tabindex="-1">
<div class="container"><?cs call:flash() ?>
<?cs call:page_content() ?>
</div>
</main>
<footer class="site-footer">
<div class="container site-footer-inner">
<span>Tether · connections for your automation flows</span><?cs
if:Page.RequestId ?>
<span class="request-id">Request ID <code><?cs var:Page.RequestId ?></code></span><?cs /if ?>
</div>
</footer>
</body>
</html>