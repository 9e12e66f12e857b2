-- Mattermost (issue 15 item 3). Its incoming webhooks are a contact
-- method and a stakeholder channel kind of their own ('mattermost'): their
-- payload is Mattermost's (text and attachments), not Slack's.
ALTER TABLE contact_methods DROP CONSTRAINT contact_methods_kind_check;
ALTER TABLE contact_methods ADD CONSTRAINT contact_methods_kind_check CHECK (kind IN ('email', 'webhook', 'slack', 'teams', 'sms', 'voice', 'mattermost'));
ALTER TABLE subscribers DROP CONSTRAINT subscribers_kind_check;
ALTER TABLE subscribers ADD CONSTRAINT subscribers_kind_check CHECK (kind IN ('email', 'webhook', 'slack', 'teams', 'mattermost'));

-- The Mattermost connection is a row of chat_connections like Slack's:
-- signing_secret_sealed holds the key Herald signs its buttons with,
-- bot_token_sealed the bot account's token; the server, the team, and the
-- slash command and outgoing webhook tokens (sealed, as JSON) are new.
ALTER TABLE chat_connections ADD COLUMN server_url TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_connections ADD COLUMN team_id TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_connections ADD COLUMN tokens_sealed TEXT NOT NULL DEFAULT '';
