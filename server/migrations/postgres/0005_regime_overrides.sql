-- Per-site regime overrides: {"US-CA": "opt_in", "JP": "opt_in", "*": "opt_in"}; the most
-- specific key wins (subdivision, then country, then "*"), over the built-in rules.
ALTER TABLE sites ADD COLUMN regime_overrides TEXT NOT NULL DEFAULT '{}';
