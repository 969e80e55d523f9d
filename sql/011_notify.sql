-- 011_notify.sql — notifications from the events outbox (009): webhooks
-- signed the Standard Webhooks way, and e-mail for the status events.
--
-- * webhook_endpoints: where events are POSTed. `events` empty means every
--   event; `team_id` set means only events of that team's connections. The
--   signing secret ("whsec_" + base64 of 32 random bytes) is sealed by the
--   vault, bound to the endpoint's id and the field "webhook:secret": never
--   stored in clear.
-- * webhook_deliveries: one per endpoint × event, written by the trigger
--   below in the transaction that wrote the event, so no event is missed.
--   Claimed like jobs (010): FOR UPDATE SKIP LOCKED for the claim only,
--   which moves next_attempt_at to the lease's end and counts the attempt;
--   a killed worker's delivery is due again after its lease.
-- * webhook_attempts: every try (time, HTTP status, latency, result class,
--   a short reason); never the response body.
-- * mail_outbox: one message per status event, to the owning team's
--   managers (and admins when mail.notify_admins), with the same lease.

CREATE TABLE webhook_endpoints (
	id		bigserial PRIMARY KEY,
	url		text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
	events		text[] NOT NULL DEFAULT '{}' CHECK (events <@ ARRAY[
			    'connection.failing', 'connection.needs_reconnect',
			    'connection.recovered', 'connection.expiring',
			    'connection.refresh_failed', 'connection.created',
			    'connection.updated', 'connection.deleted']::text[]),
	team_id		bigint REFERENCES teams ON DELETE CASCADE,
	enabled		boolean NOT NULL DEFAULT true,
	key_version	integer NOT NULL,
	nonce		bytea NOT NULL,
	ciphertext	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	created_by	text NOT NULL DEFAULT ''
);

CREATE TABLE webhook_deliveries (
	id		bigserial PRIMARY KEY,
	endpoint_id	bigint NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
	event_id	bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	state		text NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	done_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
	WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx
	ON webhook_deliveries (endpoint_id, created_at DESC);

CREATE TABLE webhook_attempts (
	id		bigserial PRIMARY KEY,
	delivery_id	bigint NOT NULL REFERENCES webhook_deliveries ON DELETE CASCADE,
	at		timestamptz NOT NULL DEFAULT now(),
	http_status	integer,	-- NULL: no HTTP answer
	latency_ms	integer NOT NULL DEFAULT 0,
	result		text NOT NULL CHECK (result ~ '^[a-z_]{1,40}$'),
	reason		text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 200)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, at);

CREATE TABLE mail_outbox (
	id		bigserial PRIMARY KEY,
	event_id	bigint NOT NULL UNIQUE REFERENCES events ON DELETE CASCADE,
	state		text NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	last_error	text NOT NULL DEFAULT '' CHECK (char_length(last_error) <= 200),
	done_at		timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
	WHERE state = 'pending';

-- The fan-out, in the transaction that wrote the event.
CREATE FUNCTION events_fan_out() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO webhook_deliveries (endpoint_id, event_id)
	SELECT w.id, NEW.id FROM webhook_endpoints w
	WHERE w.enabled
	    AND (cardinality(w.events) = 0 OR NEW.type = ANY (w.events))
	    AND (w.team_id IS NULL OR w.team_id = NEW.team_id);
	IF NEW.type IN ('connection.failing', 'connection.needs_reconnect',
	    'connection.recovered', 'connection.expiring',
	    'connection.refresh_failed') THEN
		INSERT INTO mail_outbox (event_id) VALUES (NEW.id);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER events_fan_out AFTER INSERT ON events
	FOR EACH ROW EXECUTE FUNCTION events_fan_out();

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_deliveries,
	webhook_attempts, mail_outbox TO tether_app;
GRANT USAGE, SELECT ON webhook_endpoints_id_seq, webhook_deliveries_id_seq,
	webhook_attempts_id_seq, mail_outbox_id_seq TO tether_app;
