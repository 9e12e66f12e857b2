-- The incident card of every chat channel (issue 15 item 2): the message
-- Herald keeps in an incident's channel (made by the flow or bound by
-- hand) and in the announcement channel, edited in place on every change
-- of the incident, whatever made it. The id is the post's key on the chat
-- lane; rendered is the incident's updated_at the card was last rendered
-- from (NULL: never), so the worker finds the cards to render again with
-- one query; hash is the content last queued, so a change the card does
-- not show (a note) sends nothing; edits numbers the edits' keys; invited
-- are the platform users invited into the channel already (JSON list).
CREATE TABLE chat_cards (
	id          TEXT PRIMARY KEY,
	platform    TEXT NOT NULL,
	channel     TEXT NOT NULL,
	incident_id TEXT NOT NULL REFERENCES incidents (id),
	mention     TEXT NOT NULL DEFAULT '',
	invite      BOOLEAN NOT NULL DEFAULT FALSE,
	rendered    BIGINT,
	hash        TEXT NOT NULL DEFAULT '',
	edits       BIGINT NOT NULL DEFAULT 0,
	invited     TEXT NOT NULL DEFAULT '[]',
	created_at  BIGINT NOT NULL
);
CREATE INDEX chat_cards_incident ON chat_cards (incident_id, platform);
CREATE INDEX chat_cards_channel ON chat_cards (platform, channel);

-- The cards posted before this migration (an open incident's channel and
-- announcement) are kept from now on; rendered NULL makes the worker
-- render them once.
INSERT INTO chat_cards (id, platform, channel, incident_id, invite, invited, created_at)
SELECT m.id, m.platform, m.channel, m.incident_id, m.id = m.platform || ':card:' || i.reference, '[]', m.created_at
FROM chat_messages m JOIN incidents i ON i.id = m.incident_id
WHERE m.kind = 'post' AND i.state <> 'resolved'
	AND (m.id = m.platform || ':card:' || i.reference OR m.id = m.platform || ':announce:' || i.reference);
