-- The customer cadence (R43, R47): whether a notice carried substantial
-- news. The summary prompt counts the hours since the last one; outside a
-- tenant's business hours only such news should go. Notices sent before
-- were substantial when filled in from a template.
ALTER TABLE notice_messages ADD COLUMN substantial BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE notice_messages SET substantial = TRUE WHERE direction = 'out' AND template <> '';
