<?cs ####  uplink-fields.cs: the fields of an uplink, for the new uplink form
      (uplinks.cs) and the edit form (uplink.cs). Reads UplinkForm.Name|
      ProxyUrl|Allow|Egress|Probe and UplinkForm.Errors.* (HACKING.md).
      uplink_text(name, label, help, placeholder, required, max, value,
      error): one text field, id "f-NAME".
?><?cs def:uplink_text(name, label, help, placeholder, required, max, value, error)
?>
<div class="field<?cs if:error ?> has-error<?cs /if ?>"><?cs
  call:field_label(name, label, required) ?><?cs
  call:field_help(name, help) ?><?cs
  call:error_message(name, error) ?>
<input class="input" id="f-<?cs var:name ?>" name="<?cs var:name ?>" type="text" maxlength="<?cs var:max ?>" autocomplete="off" spellcheck="false"<?cs
  if:required ?> required<?cs /if ?><?cs
  if:placeholder ?> placeholder="<?cs var:placeholder ?>"<?cs /if ?> value="<?cs var:value ?>"<?cs
  call:field_aria(name, help, error, "") ?>>
</div><?cs
/def ?><?cs
def:uplink_fields()
?><?cs
call:uplink_text("name", "Name", "", "Plant Lyon", 1, 120, UplinkForm.Name, UplinkForm.Errors.Name) ?><?cs
call:uplink_text("proxy_url", "Proxy address", "The HTTP proxy in the customer's network that Tether connects through (CONNECT).", "http://10.20.0.5:3128", 1, 2048, UplinkForm.ProxyUrl, UplinkForm.Errors.ProxyUrl) ?><?cs
call:uplink_text("allow", "Allowlist", "Addresses or ranges the proxy's address may be in, comma-separated. Tether reaches private addresses only through an allowlist; empty: public addresses only.", "10.20.0.0/24", 0, 2000, UplinkForm.Allow, UplinkForm.Errors.Allow) ?><?cs
call:uplink_text("egress", "Egress addresses", "Where this uplink's traffic leaves the customer's network, for their firewall rules; shown on the connections that use it.", "203.0.113.7, 198.51.100.0/28", 0, 2000, UplinkForm.Egress, UplinkForm.Errors.Egress) ?><?cs
call:uplink_text("probe", "Probe (optional)", "A host:port behind the proxy that Test asks it to reach. Empty: Test only checks that the proxy answers.", "jira.corp.example:443", 0, 260, UplinkForm.Probe, UplinkForm.Errors.Probe) ?><?cs
/def ?>
