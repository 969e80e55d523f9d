<?cs ####  index-options.cs: the list's filter options as templates/index.cs
      wrote them before render_option_html(): test_render.c renders
      Options.Teams.* through it and compares. Not shipped.
?>@@START@@<?cs
  each:o = Options.Teams ?>
<option value="<?cs var:o.Id ?>"<?cs if:o.Id == Filter.Team ?> selected<?cs /if ?>><?cs var:o.Name ?></option><?cs
  /each ?>@@END@@
