-- Chain heads recorded by checkpoints, each once: `number` is the first checkpoint that saw
-- it. The heads checkpoint n signs are, per subject, the recorded head with the highest seq
-- numbered <= n, so a checkpoint stores only the heads that moved since the one before and
-- checkpoints grow with the appends between them, not with the number of subjects.
CREATE TABLE checkpoint_heads (
    site_id     TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    number      BIGINT NOT NULL,
    PRIMARY KEY (site_id, subject_id, seq)
);

-- Earlier checkpoints listed every head in `checkpoints.heads`; their heads move here (the
-- first checkpoint that listed each), and that column is no longer read (checkpoints are
-- append-only, so it keeps what it held; new checkpoints store `[]`).
INSERT INTO checkpoint_heads (site_id, subject_id, seq, hash, number)
SELECT DISTINCT ON (c.site_id, j->>'subject_id', (j->>'seq')::BIGINT)
       c.site_id, j->>'subject_id', (j->>'seq')::BIGINT, j->>'hash', c.number
FROM checkpoints c CROSS JOIN LATERAL jsonb_array_elements(c.heads::jsonb) j
ORDER BY c.site_id, j->>'subject_id', (j->>'seq')::BIGINT, c.number;

CREATE TRIGGER checkpoint_heads_append_only BEFORE UPDATE OR DELETE ON checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION assent_refuse_change();
CREATE TRIGGER checkpoint_heads_no_truncate BEFORE TRUNCATE ON checkpoint_heads
    FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse_change();

-- An evidence bundle lists each checkpoint with the heads it recorded.
CREATE INDEX checkpoint_heads_by_number ON checkpoint_heads (site_id, number);
