-- R54: the external review is approved (by an engineering manager or
-- above) before it is published to customers. approved_by is the approver's
-- user id; a changed draft link clears the approval.
ALTER TABLE reviews ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN approved_by_name TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN approved_at INTEGER;
ALTER TABLE reviews ADD COLUMN published_at INTEGER;
ALTER TABLE reviews ADD COLUMN published_by_name TEXT NOT NULL DEFAULT '';
-- A follow-up's owner may be a user, so reminders can reach them; owner
-- keeps the name shown (a team's name when the owner is no user).
ALTER TABLE follow_ups ADD COLUMN owner_id TEXT REFERENCES users (id);
-- The overdue list across incidents: open ones by due date.
CREATE INDEX follow_ups_due ON follow_ups (done, due_date);
-- R54's reminders look for reviews not completed by due time.
CREATE INDEX reviews_due ON reviews (completed_at, due_at);
