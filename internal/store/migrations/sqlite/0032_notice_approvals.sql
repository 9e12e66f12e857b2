-- Approvals of customer messages (issue 13, item 4; R44). A row is one
-- text asked to be approved: the exact subject and body, and hash, their
-- SHA-256, which is what an approval binds to. status: pending, approved,
-- rejected, void (the writer asked for another text on the thread since),
-- sent (message_id is the notice that went out with it).
CREATE TABLE notice_approvals (
	id                TEXT PRIMARY KEY,
	thread_id         TEXT NOT NULL REFERENCES notice_threads (id),
	class             TEXT NOT NULL CHECK (class IN ('security', 'incident', 'out_of_band', 'other')),
	template          TEXT NOT NULL,
	subject           TEXT NOT NULL,
	body              TEXT NOT NULL,
	hash              TEXT NOT NULL,
	status            TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'void', 'sent')),
	requested_by      TEXT NOT NULL REFERENCES users (id),
	requested_by_name TEXT NOT NULL,
	requested_at      INTEGER NOT NULL,
	decided_by        TEXT NOT NULL DEFAULT '',
	decided_by_name   TEXT NOT NULL DEFAULT '',
	decided_at        INTEGER,
	reason            TEXT NOT NULL DEFAULT '',
	message_id        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notice_approvals_thread ON notice_approvals (thread_id, requested_at);
CREATE INDEX notice_approvals_status ON notice_approvals (status, requested_at);
