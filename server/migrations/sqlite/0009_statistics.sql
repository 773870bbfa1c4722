-- Statistics: daily roll-ups kept in the same transaction as the events they count, so a
-- statistics query reads a few hundred rows per day instead of scanning the ledger.
--
-- One row per (site, purpose, day, regime, dimension, key). `purpose = ''` counts every
-- event; `purpose = 'analytics'` counts the events that carried a decision on that purpose
-- (what the purpose filter selects), and only those rows hold the `decision` dimension.
-- Dimensions: events (key ''), method, jurisdiction, language, notice_version, gpc
-- ('true'/'false'), decision ('granted'/'denied'), first_decision (key ''; a new subject's
-- first banner choice, the funnel's "decided").
CREATE TABLE stats_daily (
    site_id    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    day        TEXT NOT NULL,              -- UTC, YYYY-MM-DD
    regime     TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    key        TEXT NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (site_id, purpose, day, regime, dimension, key)
);

-- The funnel's first step without tracking anyone: an anonymous counter per site, day and
-- regime, incremented when the loader asks for the notice of a visitor with no stored choice.
-- No identifier, no address, no user agent.
CREATE TABLE banner_impressions (
    site_id  TEXT NOT NULL,
    day      TEXT NOT NULL,                -- UTC, YYYY-MM-DD
    regime   TEXT NOT NULL,
    count    BIGINT NOT NULL,
    PRIMARY KEY (site_id, day, regime)
);
