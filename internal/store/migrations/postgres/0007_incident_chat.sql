-- Where an incident is worked: its chat channel and call bridge (R01), told
-- to stakeholders (R19).
ALTER TABLE incidents ADD COLUMN chat_url TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN bridge_url TEXT NOT NULL DEFAULT '';
