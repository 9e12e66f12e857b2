-- Confirmation mails sent to each address, so that repeated sign-ups of one
-- address cannot mail-bomb it: a cap a day that restarts and every
-- instance respect. Rows older than a day are deleted.
CREATE TABLE signup_mails (
	target  TEXT NOT NULL,
	sent_at BIGINT NOT NULL
);
CREATE INDEX signup_mails_target ON signup_mails (target, sent_at);
