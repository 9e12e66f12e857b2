-- Reviewed changes to the status page's components (R21). A proposal is
-- one admin's change (create, update or delete; change is the
-- ComponentInput as JSON) that a different admin approves or rejects
-- with a reason. base_change is the last component_changes row of the
-- component when proposed: another change since makes the proposal
-- stale. component_changes records, beside the actor (the proposer of
-- an approved proposal), who approved it and through which proposal, and
-- via: '' for a direct change, 'proposal', or 'apply' (configuration as
-- code, reviewed in its repository).
CREATE TABLE component_proposals (
	id                TEXT PRIMARY KEY,
	action            TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
	component_id      TEXT NOT NULL DEFAULT '',
	component_name    TEXT NOT NULL DEFAULT '',
	change            TEXT NOT NULL,
	base_change       INTEGER NOT NULL DEFAULT 0,
	state             TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
	proposed_by       TEXT NOT NULL,
	proposed_by_name  TEXT NOT NULL,
	proposed_at       INTEGER NOT NULL,
	decided_by        TEXT NOT NULL DEFAULT '',
	decided_by_name   TEXT NOT NULL DEFAULT '',
	decided_at        INTEGER,
	reason            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX component_proposals_state ON component_proposals (state, proposed_at);

ALTER TABLE component_changes ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE component_changes ADD COLUMN proposal_id TEXT NOT NULL DEFAULT '';
ALTER TABLE component_changes ADD COLUMN via TEXT NOT NULL DEFAULT '';
