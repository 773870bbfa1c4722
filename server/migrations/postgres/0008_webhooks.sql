-- Webhooks: each site's endpoints, the outbox of messages (written in the same transaction as
-- the events they announce), the log of every delivery attempt, and leases that let one
-- process at a time run a periodic job across every process on this database.

CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,          -- UUID
    site_id          TEXT NOT NULL REFERENCES sites(id),
    url              TEXT NOT NULL,
    events           TEXT NOT NULL,             -- JSON array of event types (consent.recorded, …)
    enabled          BIGINT NOT NULL DEFAULT 1,
    -- The signing secret itself (whsec_…), not a hash: the sender needs it to sign every
    -- message. The API shows it only when it is made (creation, rotation).
    secret           TEXT NOT NULL,
    -- After a rotation, messages are signed with the previous secret too until previous_until.
    previous_secret  TEXT,
    previous_until   TEXT,                      -- RFC 3339
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_site ON webhook_endpoints (site_id);

-- One row per (event, endpoint): the message and where its delivery stands.
CREATE TABLE webhook_outbox (
    id               TEXT PRIMARY KEY,          -- msg_<32 hex>: the webhook-id header, the same on every attempt
    site_id          TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    body             TEXT NOT NULL,             -- the exact bytes sent and signed
    status           TEXT NOT NULL,             -- pending | delivered | failed
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,           -- unix milliseconds
    created_at       TEXT NOT NULL,
    finished_at      TEXT,                      -- delivered or given up (RFC 3339)
    UNIQUE (endpoint_id, event_id)              -- a replayed event is never enqueued twice
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at);

-- Every attempt, successful or not.
CREATE TABLE webhook_deliveries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    TEXT NOT NULL,
    endpoint_id   TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    attempt       BIGINT NOT NULL,
    attempted_at  TEXT NOT NULL,                -- RFC 3339
    status_code   BIGINT,                       -- the receiver's answer, if any
    error         TEXT,                         -- why there was no usable answer
    duration_ms   BIGINT NOT NULL,
    delivered     BIGINT NOT NULL               -- 1 for a 2xx answer
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

-- A job that must run in one process at a time holds its lease (one row per job) until
-- expires_at; a process that died loses it when it expires.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,                  -- a random id per process
    expires_at  BIGINT NOT NULL                 -- unix milliseconds
);
