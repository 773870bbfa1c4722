-- Identity links: a pseudonymous subject (one device's chain) ↔ the site's own account id,
-- so a signed-in user's choice follows them across devices. A side table outside the hashed
-- events: unlinking keeps the row (unlinked_at set), erasing the subject deletes its rows.
CREATE TABLE identity_links (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    account_id   TEXT NOT NULL,             -- the site's own id, opaque to Assent
    linked_at    TEXT NOT NULL,
    linked_by    TEXT NOT NULL,             -- site (POST …/identity-links) | sync (POST …/sync)
    unlinked_at  TEXT,
    FOREIGN KEY (site_id, subject_id) REFERENCES subjects (site_id, subject_id)
);
-- A subject speaks for at most one account at a time.
CREATE UNIQUE INDEX identity_links_live ON identity_links (site_id, subject_id) WHERE unlinked_at IS NULL;
CREATE INDEX identity_links_account ON identity_links (site_id, account_id);
