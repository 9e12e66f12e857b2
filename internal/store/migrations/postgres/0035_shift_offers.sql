-- Shift offers and swaps: a person on call offers a window of their shift,
-- another takes it. The row is the record of the swap (who offered, who
-- took, when, the override it made); it stays when the override is later
-- deleted, so override_id is no foreign key. An open offer whose window
-- has ended reads as expired; that is not stored.
CREATE TABLE shift_offers (
	id           TEXT PRIMARY KEY,
	schedule_id  TEXT NOT NULL REFERENCES schedules (id),
	offered_by   TEXT NOT NULL REFERENCES users (id),
	start_at     BIGINT NOT NULL,
	end_at       BIGINT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL CHECK (status IN ('open', 'taken', 'withdrawn')),
	created_at   BIGINT NOT NULL,
	taken_by     TEXT REFERENCES users (id),
	taken_at     BIGINT,
	override_id  TEXT,
	withdrawn_at BIGINT
);
CREATE INDEX shift_offers_open ON shift_offers (status, end_at);
CREATE INDEX shift_offers_schedule ON shift_offers (schedule_id, start_at);
CREATE INDEX shift_offers_override ON shift_offers (override_id);
