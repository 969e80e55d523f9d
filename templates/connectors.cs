<?cs ####  connectors.cs: the connector catalog, searchable, grouped by
      category; each card leads to the connector's page. Reads Catalog.Q,
      Catalog.Count, Catalog.Category, Catalog.Categories.N.Name (the filter),
      Categories.N.Name,
      Categories.N.Connectors.N.Key|Title|Description|Category|Logo|LogoColor
      (HACKING.md).
?><?cs include:"macros.cs" ?><?cs
if:!Page.Section ?><?cs set:Page.Section = "connectors" ?><?cs /if ?><?cs
if:!Page.Title ?><?cs set:Page.Title = "Connectors" ?><?cs /if ?><?cs
def:page_content() ?><?cs
call:page_header("Connectors",
  "A connector knows how to reach one kind of system. Pick one to create a connection with it.") ?>
<form class="filters catalog-search" method="get" action="/connectors" role="search" aria-label="Search connectors">
<div class="filter-field filter-search">
<label for="catalog-q">Search connectors</label>
<input class="input" type="search" id="catalog-q" name="q" maxlength="100" value="<?cs var:Catalog.Q ?>" placeholder="For example Jira, CRM or OAuth">
</div><?cs
call:filter_select_open("", "category", "Category", Catalog.Category, "All categories") ?><?cs
each:o = Catalog.Categories ?>
<option value="<?cs var:o.Name ?>"<?cs if:o.Name == Catalog.Category ?> selected<?cs /if ?>><?cs var:o.Name ?></option><?cs
/each ?>
</select>
</div><?cs
call:filter_actions("Search", Catalog.Q || Catalog.Category, "/connectors", "search") ?>
</form><?cs

if:#Catalog.Count == 0 ?><?cs call:empty_state_open("status") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="21" cy="21" r="12" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M30 30l10 10" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/><path d="M16.5 21h9" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg><?cs
  if:Catalog.Q || Catalog.Category ?>
<h3>No connectors match<?cs if:Catalog.Q ?> “<?cs var:Catalog.Q ?>”<?cs /if ?><?cs if:Catalog.Category ?> in <?cs var:Catalog.Category ?><?cs /if ?></h3>
<p>Try another name or a category such as CRM or IT service management. For any REST API, the HTTP API connector may do.</p>
<a class="btn btn-secondary" href="/connectors">Show all connectors</a><?cs
  else ?>
<h3>No connectors are installed</h3>
<p>Connectors are declared in files in the connectors directory of the server. Ask an administrator to add them.</p><?cs
  /if ?>
</div><?cs

else ?>
<p class="results-count"><strong><?cs var:Catalog.Count ?></strong> connector<?cs if:#Catalog.Count != 1 ?>s<?cs /if ?><?cs if:Catalog.Q ?> matching “<?cs var:Catalog.Q ?>”<?cs /if ?><?cs if:Catalog.Category ?> in <?cs var:Catalog.Category ?><?cs /if ?></p><?cs
  each:cat = Categories ?>
<section class="catalog-category" aria-labelledby="category-<?cs var:name(cat) ?>">
<h2 id="category-<?cs var:name(cat) ?>" class="section-title"><?cs var:cat.Name ?> <span class="section-count"><?cs var:subcount(cat.Connectors) ?></span></h2>
<ul class="card-grid catalog-grid" role="list"><?cs
    each:c = cat.Connectors ?>
<li class="card connector-card">
<?cs call:connector_logo(c.Title, c.Logo, c.LogoColor) ?>
<div class="connector-card-body">
<h3 class="connector-card-title"><a class="card-link" href="/connectors/<?cs var:url_escape(c.Key) ?>"><?cs var:c.Title ?></a></h3><?cs
      if:c.Description ?>
<p class="connector-card-desc"><?cs var:c.Description ?></p><?cs /if ?>
</div>
<svg class="card-chevron" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M6 3.5l4.5 4.5L6 12.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>
</li><?cs
    /each ?>
</ul>
</section><?cs
  /each ?><?cs
/if ?><?cs
/def ?><?cs include:"layout.cs" ?>