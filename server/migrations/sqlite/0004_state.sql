-- The projection keeps each purpose's consent state too (given, refused, withdrawn, expired,
-- renewed), so a grant after an expiry is recorded as a renewal. Older rows derive it from
-- their decision.
ALTER TABLE consent_state ADD COLUMN state TEXT;
