-- Periodic jobs (checkpoints, retention, …) run in one process at a time across every
-- process sharing this database: the holder of a job's lease runs it and renews the lease;
-- when the holder dies, the lease expires and another process takes over.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,      -- random id of the holding process
    expires_at  TEXT NOT NULL       -- RFC 3339, UTC
);
