-- Erasure unlinks a subject (side table only): its token stops working and its projection is
-- deleted, while its pseudonymous events stay and the chain still verifies.
ALTER TABLE subjects ADD COLUMN erased_at TEXT;
