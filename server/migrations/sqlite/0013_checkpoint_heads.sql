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
SELECT c.site_id, json_extract(j.value, '$.subject_id'), json_extract(j.value, '$.seq'),
       json_extract(j.value, '$.hash'), MIN(c.number)
FROM checkpoints c, json_each(c.heads) j
GROUP BY c.site_id, json_extract(j.value, '$.subject_id'), json_extract(j.value, '$.seq');

CREATE TRIGGER checkpoint_heads_no_update BEFORE UPDATE ON checkpoint_heads
BEGIN SELECT RAISE(ABORT, 'checkpoint heads are append-only'); END;
CREATE TRIGGER checkpoint_heads_no_delete BEFORE DELETE ON checkpoint_heads
BEGIN SELECT RAISE(ABORT, 'checkpoint heads are append-only'); END;

-- An evidence bundle lists each checkpoint with the heads it recorded.
CREATE INDEX checkpoint_heads_by_number ON checkpoint_heads (site_id, number);
