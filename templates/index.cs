<?cs ####  index.cs: the Integrations tab. Reads Popular.*, Filter.*, Options.*
      (Options.ConnectorsHtml and Options.TeamsHtml: the filters' options,
      written and escaped in C), Rows.Html (the rows' markup: written,
      escaped and kept per row in C, rowcache.c), Health.Html (the
      summary's counts, rowcache_health; tests/unit/index-health.cs); those
      four are splices (render_splice: the markup goes in where the mark is
      printed), Pager.*, Sort.*, User.CanCreate (the buttons, else the
      reason), Start.Mode full|compact (the Get started strip),
      Health.Failing|NeedsReconnect|Expiring|HorizonDays (the summary's
      numbers, see HACKING.md); LastTestResult "ok"
      shows as Passed, "unsupported" as No test (never red), any other
      value as Failed (rowcache.c writes each row as this file's row loop
      did, timestamp() and count() included; tests/unit/index-rows.cs).
      Only connector keys are URL-escaped here.
?><?cs include:"macros.cs" ?><?cs
def:page_content() ?>
<div class="page-header">
<div class="page-heading">
<h1>Integrations</h1>
<p class="page-lede">Connections hold the credentials your automation flows use to reach other systems. Create one once, then reuse it in any flow.</p>
</div>
<div class="page-actions"><?cs
if:User.CanCreate ?>
<a class="btn btn-primary" href="/connectors"><svg class="btn-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M8 3v10M3 8h10" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>New connection</a><?cs
else ?><?cs call:cannot_create("new-connection-why") ?><?cs
/if ?>
</div>
</div><?cs

if:subcount(Popular) > 0 && User.CanCreate && Start.Mode == "compact" ?>
<section class="popular popular-compact" aria-labelledby="popular-title">
<h2 id="popular-title" class="popular-compact-title">Get started</h2>
<ul class="popular-links" role="list"><?cs
  each:p = Popular ?>
<li><a href="/connections/new?connector=<?cs var:url_escape(p.Key) ?>"><?cs var:p.Title ?></a></li><?cs
  /each ?>
</ul>
<a class="section-link" href="/connectors">All connectors<span aria-hidden="true"> &rarr;</span></a>
</section><?cs

elif:subcount(Popular) > 0 && User.CanCreate ?>
<section class="popular" aria-labelledby="popular-title">
<div class="section-head">
<h2 id="popular-title">Get started with connectors</h2>
<a class="section-link" href="/connectors">View all connectors<span aria-hidden="true"> &rarr;</span></a>
</div>
<ul class="card-grid popular-grid" role="list"><?cs
  each:p = Popular ?>
<li class="card connector-card">
<span class="connector-mark" aria-hidden="true"><?cs var:string.slice(p.Title, 0, 1) ?></span>
<div class="connector-card-body">
<h3 class="connector-card-title"><a class="card-link" href="/connections/new?connector=<?cs var:url_escape(p.Key) ?>"><?cs var:p.Title ?></a></h3><?cs
    if:p.Category ?>
<p class="connector-card-category"><?cs var:p.Category ?></p><?cs /if ?><?cs
    if:p.Description ?>
<p class="connector-card-desc"><?cs var:p.Description ?></p><?cs /if ?>
</div>
<span class="connector-card-cta" aria-hidden="true">Connect &rarr;</span>
</li><?cs
  /each ?>
</ul>
</section><?cs
/if ?>

<section class="connections" aria-labelledby="connections-title">
<h2 id="connections-title" class="section-title">Connections</h2><?cs
if:#Pager.Total > 0 || Filter.Active ?>
<section class="health-summary" aria-labelledby="health-summary-title">
<h3 id="health-summary-title" class="visually-hidden">Health of the connections you can see</h3><?cs var:Health.Html ?>
<p class="health-stale"><a href="/?unused=90">Stale connections</a> <span class="muted">(no flow read their credentials in 90 days)</span></p>
</section><?cs
/if ?><?cs

if:#Pager.Total == 0 && !Filter.Active ?>
<div class="empty-state">
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><rect x="3" y="15" width="16" height="18" rx="5" fill="none" stroke="currentColor" stroke-width="2.5"/><rect x="29" y="15" width="16" height="18" rx="5" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M19 24h10" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-dasharray="3 4"/></svg>
<?cs if:User.CanCreate ?>
<h3>Create your first connection</h3>
<p>Pick a connector, such as Jira, Salesforce or ServiceNow, enter its credentials and Tether tests them before you save. Every flow can then use the connection.</p>
<a class="btn btn-primary" href="/connectors">Browse connectors</a><?cs
else ?>
<h3>No connections yet</h3>
<p>Connections your teams own or that are shared with them show here. Only managers of a team can create connections: ask one of yours.</p>
<a class="btn btn-secondary" href="/connectors">Browse connectors</a><?cs
/if ?>
</div><?cs

else ?>
<form class="filters" method="get" action="/" role="search" aria-label="Filter connections">
<div class="filter-field filter-search">
<label for="filter-q">Search</label>
<input class="input" type="search" id="filter-q" name="q" value="<?cs var:Filter.Q ?>" placeholder="Connection name">
</div><?cs
call:filter_select_open("", "connector", "Connector", Filter.Connector, "All connectors") ?><?cs
  var:Options.ConnectorsHtml ?>
</select>
</div><?cs
call:filter_select_open("", "status", "Status", Filter.Status, "Any status") ?><?cs
  each:o = Options.Statuses ?>
<option value="<?cs var:o.Key ?>"<?cs if:o.Key == Filter.Status ?> selected<?cs /if ?>><?cs var:o.Label ?></option><?cs
  /each ?>
</select>
</div><?cs
call:filter_select_open("", "team", "Owner team", Filter.Team, "All teams") ?><?cs
  var:Options.TeamsHtml ?>
</select>
</div>
<?cs call:filter_select_open("", "unused", "Usage", Filter.Unused, "Any usage") ?>
<option value="30"<?cs if:Filter.Unused == "30" ?> selected<?cs /if ?>>Unused for 30 days</option>
<option value="90"<?cs if:Filter.Unused == "90" ?> selected<?cs /if ?>>Unused for 90 days</option>
</select>
</div>
<div class="filter-field">
<label for="filter-sort">Sort by</label>
<select class="select" id="filter-sort" name="sort"><?cs
  each:o = Options.Sorts ?>
<option value="<?cs var:o.Key ?>"<?cs if:o.Key == Filter.Sort ?> selected<?cs /if ?>><?cs var:o.Label ?></option><?cs
  /each ?>
</select>
</div><?cs
call:filter_actions("Apply", Filter.Active, "/", "filters") ?>
</form><?cs

  if:#Pager.Total == 0 ?><?cs call:empty_state_open("status") ?>
<svg class="empty-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="21" cy="21" r="12" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M30 30l10 10" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/><path d="M16.5 21h9" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/></svg>
<h3>No connections match these filters</h3>
<p>Try another search term, or widen the connector, status or team.</p>
<a class="btn btn-secondary" href="/">Clear filters</a>
</div><?cs

  else ?>
<p class="results-count">Showing <strong><?cs call:thousands(Pager.First) ?>–<?cs call:thousands(Pager.Last) ?></strong> of <strong><?cs if:Pager.Estimated ?><?cs call:thousands(Pager.AtLeast) ?>+<?cs else ?><?cs call:thousands(Pager.Total) ?><?cs /if ?></strong> connection<?cs if:#Pager.Total != 1 ?>s<?cs /if ?><?cs if:Filter.Active ?> matching the filters<?cs /if ?>. Times are in UTC.</p>
<div class="table-wrap">
<table class="data-table connections-table">
<caption class="visually-hidden">Connections, <?cs call:thousands(Pager.First) ?> to <?cs call:thousands(Pager.Last) ?> of <?cs if:Pager.Estimated ?>more than <?cs call:thousands(Pager.AtLeast) ?><?cs else ?><?cs call:thousands(Pager.Total) ?><?cs /if ?>. The Name and Last tested headers are links that sort the list.</caption>
<thead>
<tr><?cs
  call:sort_header("/", "Name", Sort.Name.Query, Sort.Name.Dir) ?><th scope="col">Connector</th><th scope="col">Authentication</th><th scope="col">Status</th><?cs
  call:sort_header("/", "Last tested", Sort.Tested.Query, Sort.Tested.Dir) ?><th scope="col">Owner team</th><th scope="col" class="num">Flows</th></tr>
</thead>
<tbody><?cs
  var:Rows.Html ?>
</tbody>
</table>
</div><?cs
  call:pagination("/") ?><?cs
  /if ?><?cs
/if ?>
</section><?cs
/def ?><?cs include:"layout.cs" ?>