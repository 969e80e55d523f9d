-- 020_uplinks.sql — uplinks managed in the portal (issue 13 §2, §3): each
-- carries, besides its proxy and allowlist, the addresses its traffic leaves
-- the customer's network from (egress, shown for their firewalls) and an
-- optional probe (host:port) its Test connects to through the proxy. Who
-- last changed it, and bounds on what tetherctl could store unchecked.
ALTER TABLE uplinks ADD COLUMN egress text NOT NULL DEFAULT ''
	CHECK (char_length(egress) <= 2000);
ALTER TABLE uplinks ADD COLUMN probe text NOT NULL DEFAULT ''
	CHECK (char_length(probe) <= 260);
ALTER TABLE uplinks ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE uplinks ADD CONSTRAINT uplinks_allow_len
	CHECK (char_length(allow) <= 2000) NOT VALID;
