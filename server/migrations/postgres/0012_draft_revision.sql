-- A draft's revision: a fresh random id on every save, so "publish what I reviewed" can be
-- checked exactly (two saves within one millisecond share an `updated_at`, never a revision).
ALTER TABLE notice_drafts ADD COLUMN revision TEXT NOT NULL DEFAULT '';
