-- Escalation policies choose where a repeat round starts and when an
-- acknowledgement ends; a page can be snoozed (acknowledged until a time).
-- An acknowledged page whose next_escalation_at is set is triggered again
-- then. loop_base is the round its current escalation began in: a page
-- triggered again starts a fresh round with its policy's repeats.
ALTER TABLE escalation_policies ADD COLUMN repeat_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE escalation_policies ADD COLUMN ack_expiry_s BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN snoozed_until BIGINT;
ALTER TABLE pages ADD COLUMN loop_base BIGINT NOT NULL DEFAULT 0;
