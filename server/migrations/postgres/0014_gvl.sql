-- The IAB Global Vendor List cache (TCF): every version fetched, kept (an event records the
-- version its banner showed), and the state of the one refresher.

-- One row per (vendorListVersion, language): `en` holds vendor-list.json itself, any other
-- language the translation (purposes-xx.json) fetched while that version was current. The
-- files are stored as fetched, after they parsed.
CREATE TABLE gvl_files (
    vendor_list_version  BIGINT NOT NULL,
    language             TEXT NOT NULL,
    body                 TEXT NOT NULL,
    sha256               TEXT NOT NULL,          -- hex, of body
    fetched_at           TEXT NOT NULL,          -- RFC 3339
    PRIMARY KEY (vendor_list_version, language)
);

-- At most one row, made by the first attempt or request: where the refresher stands (what
-- the admin view shows).
CREATE TABLE gvl_status (
    id                 BIGINT PRIMARY KEY CHECK (id = 1),
    last_attempt_at    TEXT,
    last_success_at    TEXT,
    last_error         TEXT,
    next_fetch_at      BIGINT,                   -- unix ms; NULL: as soon as the refresher runs
    refresh_requested  BIGINT NOT NULL DEFAULT 0
);
