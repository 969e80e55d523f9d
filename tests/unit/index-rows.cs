<?cs ####  index-rows.cs: the Integrations rows as templates/index.cs wrote them
      before rowcache.c (commit bf085a1): test_render.c renders Connections.*
      through it and compares with rowcache_html(). Not shipped.
?><?cs include:"macros.cs" ?>@@START@@<?cs
  each:c = Connections ?>
<tr>
<th scope="row"><a href="/connections/<?cs var:c.Id ?>"><?cs var:c.Name ?></a></th>
<td data-label="Connector"><?cs var:c.ConnectorTitle ?></td>
<td data-label="Authentication"><?cs var:c.AuthProtocol ?></td>
<td data-label="Status"><span class="badge badge-<?cs var:c.Status ?>"><?cs var:c.StatusLabel ?></span></td>
<td data-label="Last tested"><?cs
    if:c.LastTestedAt ?><span class="tested-at"><?cs call:timestamp(c.LastTestedAt) ?></span><?cs
      if:c.LastTestResult == "ok" ?> <span class="test-result test-pass">Passed</span><?cs
      elif:c.LastTestResult == "unsupported" ?> <span class="test-result muted">No test</span><?cs
      elif:c.LastTestResult ?> <span class="test-result test-fail">Failed</span><?cs /if ?><?cs
    else ?><span class="muted">Never</span><?cs /if ?></td>
<td data-label="Owner team"><?cs if:c.OwnerTeam ?><?cs var:c.OwnerTeam ?><?cs else ?><span class="muted">—</span><?cs /if ?></td>
<td data-label="Flows" class="num"><?cs
    if:#c.FlowCount > 0 ?><a href="/connections/<?cs var:c.Id ?>/related"><?cs call:count(c.FlowCount, "flow", "flows") ?></a><?cs
    else ?><span class="muted">No flows</span><?cs /if ?></td>
</tr><?cs
  /each ?>@@END@@
