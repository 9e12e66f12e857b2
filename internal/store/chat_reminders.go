package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// IncidentChannels lists the chat channels bound to an incident, on every
// platform, oldest first.
func (db *ChatService) IncidentChannels(ctx context.Context, ref string) ([]herald.ChatChannel, error) {
	var out []herald.ChatChannel
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.incidentChannels(ctx, inc)
		return err
	})
	return out, err
}

func (tx *tx) incidentChannels(ctx context.Context, inc *herald.Incident) ([]herald.ChatChannel, error) {
	rows, err := tx.QueryContext(ctx, `SELECT platform, channel_id, created_at FROM chat_channels WHERE incident_id = $1 ORDER BY created_at, platform, channel_id`, inc.ID)
	if err != nil {
		return nil, fmt.Errorf("read the incident's chat channels: %w", err)
	}
	defer rows.Close()
	out := []herald.ChatChannel{}
	for rows.Next() {
		c := herald.ChatChannel{Incident: inc.Reference}
		var at int64
		if err := rows.Scan(&c.Platform, &c.ChannelID, &at); err != nil {
			return nil, err
		}
		c.CreatedAt = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChatRestriction is the FedRAMP restriction (R46) of a message about an
// incident written outside the chat lane, decided as the lane decides it
// when a message goes (prepareChat). "" is no incident: nil.
func (db *ChatService) ChatRestriction(ctx context.Context, ref string) (*herald.Restriction, error) {
	if ref == "" {
		return nil, nil
	}
	var r *herald.Restriction
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		r, err = tx.incidentRestriction(ctx, inc.ID)
		return err
	})
	return r, err
}

// remindInChannels posts a due public update's reminder in every chat
// channel bound to the incident (issue 15 item 2), with "Publish update"
// and "No material updates" as buttons: once per channel and due time
// (the chat lane's key), whichever stage finds it first. The early
// reminder ("due in 10 minutes") stays with the person reminded.
func (tx *tx) remindInChannels(ctx context.Context, inc *herald.Incident, stage string, due time.Time) error {
	if stage == herald.UpdateDueSoon {
		return nil
	}
	chans, err := tx.incidentChannels(ctx, inc)
	if err != nil || len(chans) == 0 {
		return err
	}
	reply := herald.UpdateDueChatReply(inc.Reference, inc.Title, stage, due, tx.now, tx.db.links.NoMaterialUpdates(inc.Reference), tx.db.links.Incident(inc.Reference))
	for _, c := range chans {
		m := herald.ChatMessage{Key: herald.UpdateDueChatKey(c.Platform, c.ChannelID, inc.ID, due), Platform: c.Platform, Kind: herald.ChatPost,
			Channel: c.ChannelID, Incident: inc.ID, Reply: reply}
		if err := tx.queueChat(ctx, m); err != nil {
			return fmt.Errorf("queue the reminder in %s channel %s: %w", c.Platform, c.ChannelID, err)
		}
	}
	return nil
}
