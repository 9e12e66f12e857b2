-- Mattermost (issue 15 item 3). Its incoming webhooks are a contact
-- method and a stakeholder channel kind of their own ('mattermost'): their
-- payload is Mattermost's (text and attachments), not Slack's.
--
-- SQLite cannot change a CHECK constraint with ALTER TABLE, and a rebuild
-- of these tables would have to name every column, including those other
-- migrations add. Widening an IN list only relaxes the constraint and
-- changes nothing stored, so it is made the way SQLite documents for such
-- changes (ALTER TABLE, "Making Other Kinds Of Table Schema Changes"): the
-- table's CREATE statement is edited in sqlite_master. The ALTER TABLE
-- statements below then change the schema cookie, so every connection
-- reads the edited statements again.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'kind IN (''email'', ''webhook'', ''slack'', ''teams'', ''sms'', ''voice'')',
	'kind IN (''email'', ''webhook'', ''slack'', ''teams'', ''sms'', ''voice'', ''mattermost'')')
	WHERE type = 'table' AND name = 'contact_methods';
UPDATE sqlite_master SET sql = replace(sql, 'kind IN (''email'', ''webhook'', ''slack'', ''teams'')',
	'kind IN (''email'', ''webhook'', ''slack'', ''teams'', ''mattermost'')')
	WHERE type = 'table' AND name = 'subscribers';
PRAGMA writable_schema = OFF;

-- The Mattermost connection is a row of chat_connections like Slack's:
-- signing_secret_sealed holds the key Herald signs its buttons with,
-- bot_token_sealed the bot account's token; the server, the team, and the
-- slash command and outgoing webhook tokens (sealed, as JSON) are new.
ALTER TABLE chat_connections ADD COLUMN server_url TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_connections ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_connections ADD COLUMN tokens_sealed TEXT NOT NULL DEFAULT '';
