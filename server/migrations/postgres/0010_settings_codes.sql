-- Hand-off codes for the hosted privacy-settings page (`/sites/{site}/privacy?code=…`): a
-- site's page (or its backend) asks for one for a subject it holds the token of; opening the
-- link exchanges it, once, within its lifetime, for a session cookie scoped to that page.
-- Only the code's SHA-256 is stored: a database reader cannot open anyone's settings.
CREATE TABLE settings_codes (
    code_hash   TEXT PRIMARY KEY,           -- SHA-256 (hex) of the code
    site_id     TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    created_at  TEXT NOT NULL,              -- RFC 3339
    expires_at  BIGINT NOT NULL,            -- unix milliseconds
    used_at     TEXT                        -- set when exchanged; a used code never works again
);
CREATE INDEX settings_codes_expiry ON settings_codes (expires_at);
