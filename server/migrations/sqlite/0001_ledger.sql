-- Sites and their registered origins (mutable configuration).
CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    origins     TEXT NOT NULL,          -- JSON array of origins allowed to call the public API
    created_at  TEXT NOT NULL
);

-- Published notice versions: immutable, part of the evidence (what was shown).
CREATE TABLE notices (
    site_id      TEXT NOT NULL REFERENCES sites(id),
    version      BIGINT NOT NULL,
    body         TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (site_id, version)
);

-- Pseudonymous subjects (side table: erasure and identity links live outside the hashed events).
CREATE TABLE subjects (
    site_id     TEXT NOT NULL REFERENCES sites(id),
    subject_id  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (site_id, subject_id)
);

-- The ledger: one row per decision, append-only, hash-chained per subject.
CREATE TABLE consent_events (
    site_id        TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    event_id       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    method         TEXT NOT NULL,
    event          TEXT NOT NULL,      -- the full event JSON; its canonical form is what `hash` covers
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    request_digest TEXT NOT NULL,      -- SHA-256 of the canonical request, for idempotent retries
    states         TEXT NOT NULL,      -- per-purpose states this event produced (JSON)
    PRIMARY KEY (site_id, subject_id, seq),
    UNIQUE (site_id, event_id)
);

CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
CREATE TRIGGER notices_no_update BEFORE UPDATE ON notices
BEGIN SELECT RAISE(ABORT, 'notices are immutable once published'); END;
CREATE TRIGGER notices_no_delete BEFORE DELETE ON notices
BEGIN SELECT RAISE(ABORT, 'notices are immutable once published'); END;

-- Projection: the latest decision per subject and purpose, rebuildable from the events.
CREATE TABLE consent_state (
    site_id     TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    decision    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (site_id, subject_id, purpose)
);
