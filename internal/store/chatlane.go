package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// LaneChat holds what Herald sends to chat platforms (herald.ChatMessage):
// its own table and loop, so a slow or rate-limited platform never holds
// up a page.
const LaneChat Lane = "chat"

// ChatOut is what a chat lane row is about.
type ChatOut struct {
	herald.ChatMessage
	incidentID string
}

// QueueChat queues a chat message in the chat lane. A key queued before is
// left as it is (the idempotency key). A message to a channel is due
// herald.ChatChannelGap after the last one queued for that channel, so a
// burst is paced, not refused by the platform.
func (db *ChatService) QueueChat(ctx context.Context, m herald.ChatMessage) error {
	if err := herald.CheckChatPlatform(m.Platform); err != nil {
		return err
	}
	switch m.Kind {
	case herald.ChatPost, herald.ChatUpdate, herald.ChatInvite, herald.ChatRespond, herald.ChatDirect:
		if m.Channel == "" {
			return herald.Errorf(herald.EInvalid, "a chat %s needs a channel", m.Kind)
		}
	case herald.ChatCreateChannel:
	default:
		return herald.Errorf(herald.EInvalid, "unknown chat message kind %q", m.Kind)
	}
	if m.Key == "" || len(m.Key) > 300 {
		return herald.Errorf(herald.EInvalid, "a chat message needs an idempotency key (at most 300 characters)")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *tx) error { return tx.queueChat(ctx, m, body) })
}

// queueChat queues a checked chat message in the caller's transaction.
func (tx *tx) queueChat(ctx context.Context, m herald.ChatMessage, body []byte) error {
	incidentID := ""
	if m.Incident != "" {
		inc, err := tx.incident(ctx, m.Incident)
		if err != nil {
			return err
		}
		incidentID = inc.ID
	}
	due := micros(tx.now)
	if m.Channel != "" && m.Kind != herald.ChatRespond {
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(due_at) FROM chat_messages WHERE platform = $1 AND channel = $2`, m.Platform, m.Channel).Scan(&last); err != nil {
			return fmt.Errorf("the channel's pace: %w", err)
		}
		if next := last.Int64 + herald.ChatChannelGap.Microseconds(); last.Valid && next > due {
			due = next
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO chat_messages (id, platform, kind, channel, incident_id, ref, body, status, created_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) ON CONFLICT (id) DO NOTHING`,
		m.Key, m.Platform, m.Kind, m.Channel, incidentID, m.Ref, string(body), micros(tx.now), due)
	if err != nil {
		return fmt.Errorf("queue a chat message: %w", err)
	}
	return nil
}

// ChatResult is what a sent chat message made on its platform.
func (db *ChatService) ChatResult(ctx context.Context, key string) (string, error) {
	var result, status string
	err := db.read(ctx, func(tx *tx) error {
		return tx.QueryRowContext(ctx, `SELECT result, status FROM chat_messages WHERE id = $1`, key).Scan(&result, &status)
	})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "sent") {
		return "", herald.Errorf(herald.ENotFound, "chat message %s is not sent", key)
	}
	return result, err
}

// prepareChat reads a chat lane row. An update waits (fails this attempt,
// backoff) until the post it edits is sent.
func (tx *tx) prepareChat(ctx context.Context, o *Outgoing) error {
	c := &ChatOut{}
	var body string
	if err := tx.QueryRowContext(ctx, `SELECT platform, kind, channel, incident_id, ref, body FROM chat_messages WHERE id = $1`, o.ID).
		Scan(&c.Platform, &c.Kind, &o.Target, &c.incidentID, &c.Ref, &body); err != nil {
		return dbErr("read a chat message", err)
	}
	o.Chat, o.Kind = c, c.Platform
	if err := json.Unmarshal([]byte(body), &c.ChatMessage); err != nil {
		return fmt.Errorf("the chat message is unreadable: %w", err)
	}
	c.Key, c.Platform, c.Channel, c.Incident = o.ID, o.Kind, o.Target, c.incidentID
	if c.Kind == herald.ChatUpdate {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT result, status FROM chat_messages WHERE id = $1`, c.Ref).Scan(&c.Target, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("the message %s to edit was never queued", c.Ref)
		}
		if err != nil {
			return dbErr("the message to edit", err)
		}
		if status != "sent" || c.Target == "" {
			return fmt.Errorf("the message %s to edit is not sent yet", c.Ref)
		}
	}
	var err error
	if o.Restricted, err = tx.incidentRestriction(ctx, c.incidentID); err != nil {
		return dbErr("the incident's tenants", err)
	}
	return nil
}

// chatGuard keeps a practice's chat messages in its sandbox (R63): no
// chat channel is a sandbox, so they go nowhere real.
func (tx *tx) chatGuard(ctx context.Context, o *Outgoing) (bool, error) {
	run, err := tx.practiceRunOf(ctx, o.Chat.incidentID)
	if err != nil || run == "" {
		return false, dbErr("the chat message's practice run", err)
	}
	return true, tx.holdBack(ctx, o, run, "a practice's chat messages go to no real channel")
}

// settleChat records what a sent chat message made (a message id, a
// channel id), and a rate limit: the row and the rest of its channel wait
// as long as the platform asked, and the attempt does not count.
func (tx *tx) settleChat(ctx context.Context, o *Outgoing, r Result) (bool, error) {
	if r.Err == nil {
		_, err := tx.ExecContext(ctx, `UPDATE chat_messages SET result = $1 WHERE id = $2`, cleanText(r.Value, 500), o.ID)
		return false, err
	}
	var rl *herald.ChatRateLimited
	if !errors.As(r.Err, &rl) {
		return false, nil
	}
	until := micros(tx.now.Add(rl.After))
	if _, err := tx.ExecContext(ctx, `UPDATE chat_messages SET due_at = $1, claimed_until = NULL, attempts = attempts - 1, last_error = $2
		WHERE id = $3 AND status = 'pending' AND attempts = $4`, until, cleanText(r.Err.Error(), 500), o.ID, o.Attempt); err != nil {
		return false, err
	}
	if o.Target != "" && o.Chat.Kind != herald.ChatRespond {
		if _, err := tx.ExecContext(ctx, `UPDATE chat_messages SET due_at = $1 WHERE platform = $2 AND channel = $3 AND status = 'pending' AND due_at < $1`,
			until, o.Chat.Platform, o.Target); err != nil {
			return false, err
		}
	}
	return true, nil
}
