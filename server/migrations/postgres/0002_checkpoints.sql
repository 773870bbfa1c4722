-- Signed checkpoints: a Merkle root over a site's chain heads at one moment. Deleting a whole
-- chain, or re-chaining it with forged hashes, no longer matches an earlier checkpoint.
CREATE TABLE checkpoints (
    site_id     TEXT NOT NULL,
    number      BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    tree_size   BIGINT NOT NULL,
    root        TEXT NOT NULL,
    heads       TEXT NOT NULL,      -- JSON [{subject_id, seq, hash}] in leaf order
    signature   TEXT NOT NULL,      -- compact JWS over site, number, time, size and root
    PRIMARY KEY (site_id, number)
);

CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION assent_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse_change();
