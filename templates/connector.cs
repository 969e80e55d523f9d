<?cs ####  connector.cs: one connector and its authentication protocols, each
      leading to New connection (/connections/new?connector=KEY&protocol=P,
      both URL-escaped). Reads Connector.Key|Title|Description|Category and
      Connector.Protocols.N.Key|Label|Kind|Help|Asks.N.Label|Secret,
      User.CanCreate (HACKING.md), and Connector.RedirectUri when a protocol is
      OAuth 2.0 authorization code.
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "connectors" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = Connector.Title ?><?cs /if ?><?cs

####  protocol_kind(p): what a protocol is, from its declaration (kind;
      the Asks.N.Label of its authentication fields): never a claim the
      declaration does not make.
?><?cs def:protocol_asks(p)
?><?cs each:a = p.Asks ?><?cs if:!first(a) && last(a) ?> and <?cs elif:!first(a) ?>, <?cs /if ?><?cs var:a.Label ?><?cs /each ?><?cs /def ?><?cs
def:protocol_kind(p)
?><?cs if:p.Kind == "basic" || p.Kind == "password" ?><?cs
  if:subcount(p.Asks) > 0 ?>Sends your <?cs call:protocol_asks(p) ?> with each request (HTTP Basic authentication).<?cs
  else ?>HTTP Basic authentication.<?cs /if ?><?cs
elif:p.Kind == "api_key_header" ?>An API key issued by <?cs var:Connector.Title ?>, sent in a request header.<?cs
elif:p.Kind == "api_key_query" ?>An API key issued by <?cs var:Connector.Title ?>, sent in the URL's query string.<?cs
elif:p.Kind == "bearer" || p.Kind == "token" || p.Kind == "api_token" || p.Kind == "api_key" ?>A token issued by <?cs var:Connector.Title ?>, sent as a bearer token with each request.<?cs
elif:p.Kind == "oauth2_code" || p.Kind == "oauth2_code_pkce" ?>Sign in to <?cs var:Connector.Title ?> and approve access (OAuth 2.0). Creating the connection takes you to <?cs var:Connector.Title ?> to connect it; Tether keeps the tokens and can reconnect when they expire.<?cs
elif:string.find(p.Kind, "oauth2_client") == 0 ?>A client ID and secret registered in <?cs var:Connector.Title ?> (OAuth 2.0 client credentials); no user signs in.<?cs
elif:p.Kind == "user" ?>Each person who uses it connects their own <?cs var:Connector.Title ?> account (a per-user connection).<?cs
elif:p.Kind == "named_credential" ?>Use a named credential managed by an administrator under Named credentials.<?cs
elif:p.Kind == "smtp" ?>An SMTP server that sends e-mail, with its sign-in if it needs one.<?cs
elif:p.Kind == "none" ?>No authentication: for public endpoints.<?cs
/if ?><?cs /def ?><?cs

def:page_content() ?><?cs
call:breadcrumbs("/connectors", "Connectors", Connector.Title) ?>
<div class="page-header">
<div class="page-heading conn-heading"><?cs
  call:connector_logo(Connector.Title, Connector.Logo, Connector.LogoColor) ?>
<div class="conn-heading-text"><?cs
  if:Connector.Category ?>
<p class="eyebrow"><?cs var:Connector.Category ?></p><?cs /if ?>
<h1><?cs var:Connector.Title ?></h1><?cs
  if:Connector.Description ?>
<p class="page-lede"><?cs var:Connector.Description ?></p><?cs /if ?>
</div>
</div>
</div>

<section aria-labelledby="protocols-title">
<h2 id="protocols-title" class="section-title">Choose how to authenticate</h2><?cs
if:subcount(Connector.Protocols) > 0 ?>
<p class="section-lede muted">Each protocol asks for different details. You can't change it after the connection is created.</p>
<ul class="protocol-grid" role="list"><?cs
  each:p = Connector.Protocols ?>
<li class="card protocol-card">
<h3 class="protocol-title"><?cs var:p.Label ?></h3>
<p class="protocol-desc"><?cs call:protocol_kind(p) ?><?cs if:p.Help ?> <?cs var:p.Help ?><?cs /if ?></p><?cs
    if:subcount(p.Asks) > 0 ?>
<p class="protocol-asks"><span class="protocol-asks-label">You enter</span> <?cs call:protocol_asks(p) ?></p><?cs /if ?><?cs
    if:User.CanCreate ?>
<a class="btn btn-secondary protocol-btn" href="/connections/new?connector=<?cs var:url_escape(Connector.Key) ?>&amp;protocol=<?cs var:url_escape(p.Key) ?>">New connection with <?cs var:p.Label ?></a><?cs
    /if ?>
</li><?cs
  /each ?>
</ul><?cs
  if:Connector.RedirectUri ?>
<div class="panel connector-redirect"><?cs call:redirect_uri_field(Connector.RedirectUri) ?>
<p class="field-help">For OAuth 2.0 (authorization code): the app you register at <?cs var:Connector.Title ?> must allow this address, or the sign-in cannot come back to Tether.</p>
</div><?cs
  /if ?><?cs
  if:!User.CanCreate ?>
<p class="action-note protocol-note">Only managers of a team can create connections. Ask a manager of your team, or an administrator.</p><?cs
  /if ?><?cs
else ?>
<div class="empty-state empty-state-compact">
<h3>No authentication protocols</h3>
<p>This connector declares no way to authenticate, so no connection can be created with it yet.</p>
</div><?cs
/if ?>
</section>
<section class="panel connector-egress" aria-label="Outbound addresses"><?cs call:egress_block() ?></section>
<p class="back-link"><a href="/connectors"><span aria-hidden="true">&larr; </span>All connectors</a></p><?cs
/def ?><?cs include:"layout.cs" ?>