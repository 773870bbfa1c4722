-- Site owners: accounts, per-site roles, site secrets, notice drafts, the audit log, and a
-- configuration version every process polls so a change reaches all of them within seconds.

-- An archived site no longer answers its public API; its ledger stays, verifiable.
ALTER TABLE sites ADD COLUMN archived_at TEXT;
-- 1 while the site's published notice is the starter notice nobody has reviewed yet.
ALTER TABLE sites ADD COLUMN starter_notice BIGINT NOT NULL DEFAULT 0;

CREATE TABLE admin_users (
    id             TEXT PRIMARY KEY,        -- UUID
    email          TEXT NOT NULL UNIQUE,    -- lower-cased
    password_hash  TEXT NOT NULL,           -- argon2id PHC string
    is_admin       BIGINT NOT NULL DEFAULT 0, -- instance administrator: every site, users
    token_version  BIGINT NOT NULL DEFAULT 1, -- bumped by logout and password change: older tokens stop working
    created_at     TEXT NOT NULL
);

CREATE TABLE site_roles (
    user_id  TEXT NOT NULL REFERENCES admin_users(id),
    site_id  TEXT NOT NULL REFERENCES sites(id),
    role     TEXT NOT NULL,                 -- owner | viewer
    PRIMARY KEY (user_id, site_id)
);

-- Secrets for a site's server-to-server calls. Only a SHA-256 of each is kept (the secret is
-- 256 random bits, so a fast hash is enough); a rotated secret keeps working until expires_at.
CREATE TABLE site_secrets (
    site_id      TEXT NOT NULL REFERENCES sites(id),
    secret_id    TEXT NOT NULL,             -- public prefix of the secret, to find its hash
    secret_hash  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    PRIMARY KEY (site_id, secret_id)
);

-- The one working draft of a site's next notice version (mutable until published).
CREATE TABLE notice_drafts (
    site_id     TEXT PRIMARY KEY REFERENCES sites(id),
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);

-- Admin actions, append-only and hash-chained like the ledger (one chain per instance).
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    entry      TEXT NOT NULL,               -- the entry JSON; its canonical form is what `hash` covers
    site_id    TEXT,
    action     TEXT NOT NULL,
    at         TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_site ON audit_log (site_id, seq);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION assent_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse_change();

-- Bumped by every configuration change (sites, origins, regimes, secrets, notices).
CREATE TABLE config_version (
    id       BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 1);
