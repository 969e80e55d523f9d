<?cs ####  index-health.cs: the health summary's counts as templates/index.cs
      wrote them before rowcache_health() (issue 15): test_render.c renders
      Health.* through it and compares. Not shipped.
?><?cs include:"macros.cs" ?>@@START@@<?cs
  if:#Health.Failing + #Health.NeedsReconnect + #Health.Expiring > 0 ?>
<ul class="health-counts" role="list"><?cs
    if:#Health.Failing > 0 ?>
<li><a class="health-count health-failing" href="/?status=failing"><span class="badge badge-failing"><?cs call:thousands(Health.Failing) ?> failing</span></a></li><?cs
    /if ?><?cs
    if:#Health.NeedsReconnect > 0 ?>
<li><a class="health-count health-reconnect" href="/?status=needs_reconnect"><span class="badge badge-needs_reconnect"><?cs call:thousands(Health.NeedsReconnect) ?> needs reconnect</span></a></li><?cs
    /if ?><?cs
    if:#Health.Expiring > 0 ?>
<li><a class="health-count health-expiring" href="/?status=expiring"><span class="badge badge-expiring"><?cs call:thousands(Health.Expiring) ?> expiring within <?cs var:Health.HorizonDays ?> days</span></a></li><?cs
    /if ?>
</ul><?cs
  else ?>
<p class="health-calm"><span class="badge badge-ok">All clear</span> No connection is failing, needs reconnect or expires within <?cs var:Health.HorizonDays ?> days.</p><?cs
  /if ?>@@END@@