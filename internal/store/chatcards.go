package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The incident cards (migration 0047, herald.ChatCards): which message in
// which channel shows which incident, the incident's updated_at it was
// last rendered from, and the content last queued.

const cardColumns = `c.id, c.platform, c.channel, i.reference, c.mention, c.invite, c.hash, c.invited, c.rendered`

func scanCard(s interface{ Scan(...any) error }) (herald.ChatCard, error) {
	var c herald.ChatCard
	var invited string
	var rendered sql.NullInt64
	if err := s.Scan(&c.Key, &c.Platform, &c.Channel, &c.Incident, &c.Mention, &c.Invite, &c.Hash, &invited, &rendered); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(invited), &c.Invited); err != nil {
		return c, fmt.Errorf("the card's invited list is unreadable: %w", err)
	}
	if rendered.Valid {
		at := fromMicros(rendered.Int64)
		c.Rendered = &at
	}
	return c, nil
}

func (tx *tx) cards(ctx context.Context, query string, args ...any) ([]herald.ChatCard, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+cardColumns+` FROM chat_cards c JOIN incidents i ON i.id = c.incident_id `+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.ChatCard{}
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddChatCard records a card; a key recorded before is left as it is (a
// channel made again after a crash keeps its card).
func (db *ChatService) AddChatCard(ctx context.Context, c herald.ChatCard) error {
	if err := herald.CheckChatPlatform(c.Platform); err != nil {
		return err
	}
	if c.Key == "" || c.Channel == "" {
		return herald.Errorf(herald.EInvalid, "a chat card needs its key and channel")
	}
	return db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, c.Incident)
		if err != nil {
			return err
		}
		return tx.addCard(ctx, c, inc.ID)
	})
}

func (tx *tx) addCard(ctx context.Context, c herald.ChatCard, incidentID string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO chat_cards (id, platform, channel, incident_id, mention, invite, rendered, hash, invited, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
		c.Key, c.Platform, c.Channel, incidentID, c.Mention, c.Invite, nullMicros(c.Rendered), c.Hash, jsonList(c.Invited), micros(tx.now))
	if err != nil {
		return fmt.Errorf("record a chat card: %w", err)
	}
	return nil
}

// IncidentChatCards lists an incident's cards on a platform.
func (db *ChatService) IncidentChatCards(ctx context.Context, platform, incident string) ([]herald.ChatCard, error) {
	var out []herald.ChatCard
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, incident)
		if err != nil {
			return err
		}
		out, err = tx.cards(ctx, `WHERE c.incident_id = $1 AND c.platform = $2 ORDER BY c.created_at, c.id`, inc.ID, platform)
		return err
	})
	return out, err
}

// ChatCardsDue lists the cards whose incident changed since they were
// rendered: one query, which the worker's chat loop runs every tick.
// The comparison is "differs", not "is older": an updated_at written by
// a transaction that began before another committed must not be missed.
// A card whose post is still waiting to go is left out until it went (a
// platform that is down must not cost a write per card and tick).
func (db *ChatService) ChatCardsDue(ctx context.Context, platform string, limit int) ([]herald.ChatCard, error) {
	var out []herald.ChatCard
	err := db.read(ctx, func(tx *tx) error {
		var err error
		out, err = tx.cards(ctx, `WHERE c.platform = $1 AND (c.rendered IS NULL OR c.rendered <> i.updated_at)
			AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.id = c.id AND m.status = 'pending')
			ORDER BY c.created_at, c.id LIMIT $2`, platform, max(limit, 1))
		return err
	})
	return out, err
}

// RenderChatCard queues what brings a card to content, in one
// transaction that holds the card's row: two instances rendering the same
// card queue it once, and a card rendered from an incident that changed
// meanwhile is left due.
func (db *ChatService) RenderChatCard(ctx context.Context, key string, inc *herald.Incident, content herald.ChatReply) (string, error) {
	hash := herald.CardHash(content)
	outcome := ""
	err := db.write(ctx, func(tx *tx) error {
		// The row first (PostgreSQL locks it until the commit), then
		// the incident, read after any render holding it committed.
		res, err := tx.ExecContext(ctx, `UPDATE chat_cards SET edits = edits WHERE id = $1`, key)
		if err != nil {
			return fmt.Errorf("hold the chat card: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			outcome = herald.CardGone
			return nil
		}
		var c herald.ChatCard
		var incidentID string
		var edits int64
		var invited string
		var rendered sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT platform, channel, incident_id, invite, hash, edits, invited, rendered FROM chat_cards WHERE id = $1`, key).
			Scan(&c.Platform, &c.Channel, &incidentID, &c.Invite, &c.Hash, &edits, &invited, &rendered); err != nil {
			return fmt.Errorf("read the chat card: %w", err)
		}
		if incidentID != inc.ID {
			return herald.Errorf(herald.EInvalid, "the chat card %s is another incident's", key)
		}
		var updated int64
		if err := tx.QueryRowContext(ctx, `SELECT updated_at FROM incidents WHERE id = $1`, incidentID).Scan(&updated); err != nil {
			return dbErr("the card's incident", err)
		}
		if updated != micros(inc.UpdatedAt) {
			outcome = herald.CardStale
			return nil
		}
		if c.Invite {
			if err := json.Unmarshal([]byte(invited), &c.Invited); err != nil {
				return fmt.Errorf("the card's invited list is unreadable: %w", err)
			}
			if err := tx.inviteRoleHolders(ctx, key, inc, &c); err != nil {
				return err
			}
		}
		var status string
		err = tx.QueryRowContext(ctx, `SELECT status FROM chat_messages WHERE id = $1`, key).Scan(&status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return dbErr("the card's post", err)
		}
		mark := func() error {
			_, err := tx.ExecContext(ctx, `UPDATE chat_cards SET rendered = $1, hash = $2, edits = $3 WHERE id = $4`, updated, c.Hash, edits, key)
			return err
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			outcome, c.Hash = herald.CardPosted, hash
			if err := tx.queueCard(ctx, herald.ChatMessage{Key: key, Platform: c.Platform, Kind: herald.ChatPost, Channel: c.Channel, Incident: inc.ID, Reply: content}); err != nil {
				return err
			}
		case status == "pending":
			// The post goes with its content; once sent, the card is
			// rendered again (it is still due) and edited if need be.
			outcome = herald.CardWaiting
			return nil
		case status != "sent":
			outcome = herald.CardGone
		case hash == c.Hash:
			outcome = herald.CardUnchanged
		default:
			outcome, c.Hash = herald.CardEdited, hash
			edits++
			if err := tx.queueCard(ctx, herald.ChatMessage{Key: key + ":edit:" + strconv.FormatInt(edits, 10), Platform: c.Platform, Kind: herald.ChatUpdate,
				Channel: c.Channel, Incident: inc.ID, Ref: key, Reply: content}); err != nil {
				return err
			}
		}
		return mark()
	})
	return outcome, err
}

func (tx *tx) queueCard(ctx context.Context, m herald.ChatMessage) error {
	return tx.queueChat(ctx, m)
}

// inviteRoleHolders queues an invitation into the card's channel of the
// role holders who have a chat identity on its platform and were not
// invited yet: whoever gave them the role, and however.
func (tx *tx) inviteRoleHolders(ctx context.Context, key string, inc *herald.Incident, c *herald.ChatCard) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT ci.chat_user FROM incident_roles r JOIN chat_identities ci ON ci.user_id = r.user_id
		WHERE r.incident_id = $1 AND ci.platform = $2 ORDER BY ci.chat_user`, inc.ID, c.Platform)
	if err != nil {
		return dbErr("the role holders' chat identities", err)
	}
	var missing []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return err
		}
		if !slices.Contains(c.Invited, u) {
			missing = append(missing, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(missing) == 0 {
		return err
	}
	sum := sha256.Sum256([]byte(strings.Join(missing, ",")))
	if err := tx.queueCard(ctx, herald.ChatMessage{Key: key + ":invite:" + hex.EncodeToString(sum[:8]), Platform: c.Platform, Kind: herald.ChatInvite,
		Channel: c.Channel, Incident: inc.ID, Users: missing}); err != nil {
		return err
	}
	c.Invited = append(c.Invited, missing...)
	_, err = tx.ExecContext(ctx, `UPDATE chat_cards SET invited = $1 WHERE id = $2`, jsonList(c.Invited), key)
	return err
}

// checkBinding validates a channel bound by hand: 422 naming the field.
func checkBinding(in *herald.ChatChannel) error {
	fe := herald.FieldErrors{}
	if !slices.Contains(herald.ChannelPlatforms, in.Platform) {
		fe.Add("platform", "must be slack or mattermost")
	}
	if in.ChannelID = strings.TrimSpace(in.ChannelID); in.ChannelID == "" {
		fe.Add("channel_id", "is required: the channel's id on the platform")
	} else if len(in.ChannelID) > 200 || strings.ContainsAny(in.ChannelID, " /\t\n") {
		fe.Add("channel_id", "must be a channel id (at most 200 characters, no spaces or /)")
	}
	if err := fe.Err(); err != nil {
		e := err.(*herald.Error)
		e.Code = herald.EUnprocessable
		return e
	}
	return nil
}

// BindIncidentChannel binds a channel to an incident by hand and records
// its card, which the worker posts there (for a connected platform) and
// keeps from then on. A channel bound to another incident moves.
func (db *ChatService) BindIncidentChannel(ctx context.Context, actor herald.Actor, in herald.ChatChannel) (herald.ChatChannel, error) {
	if err := checkBinding(&in); err != nil {
		return in, err
	}
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, in.Incident)
		if err != nil {
			return err
		}
		var current string
		err = tx.QueryRowContext(ctx, `SELECT incident_id FROM chat_channels WHERE platform = $1 AND channel_id = $2`, in.Platform, in.ChannelID).Scan(&current)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if current == inc.ID {
			return herald.Errorf(herald.EConflict, "the %s channel %s is %s's already", in.Platform, in.ChannelID, inc.Reference)
		}
		// Another incident's card there is no longer kept.
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_cards WHERE platform = $1 AND channel = $2 AND invite = $3`, in.Platform, in.ChannelID, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_channels WHERE platform = $1 AND channel_id = $2`, in.Platform, in.ChannelID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_channels (platform, channel_id, incident_id, created_at) VALUES ($1, $2, $3, $4)`,
			in.Platform, in.ChannelID, inc.ID, micros(tx.now)); err != nil {
			return err
		}
		if err := tx.addCard(ctx, herald.ChatCard{Key: in.Platform + ":card:" + inc.Reference + ":" + in.ChannelID, Platform: in.Platform, Channel: in.ChannelID,
			Invite: true}, inc.ID); err != nil {
			return err
		}
		in.Incident, in.CreatedAt = inc.Reference, tx.now
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, fmt.Sprintf("%s bound the %s channel %s to %s: its card is kept there", actor.User.Name, in.Platform, in.ChannelID, inc.Reference),
			map[string]any{"chat_channel": map[string]string{"platform": in.Platform, "channel_id": in.ChannelID}})
	})
	return in, err
}

// UnbindIncidentChannel undoes a binding; the card stays in the channel
// as it is, no longer edited.
func (db *ChatService) UnbindIncidentChannel(ctx context.Context, actor herald.Actor, in herald.ChatChannel) error {
	return db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, in.Incident)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM chat_channels WHERE platform = $1 AND channel_id = $2 AND incident_id = $3`, in.Platform, in.ChannelID, inc.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENotFound, "the %s channel %s is not bound to %s", in.Platform, in.ChannelID, inc.Reference)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_cards WHERE platform = $1 AND channel = $2 AND incident_id = $3`, in.Platform, in.ChannelID, inc.ID); err != nil {
			return err
		}
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, fmt.Sprintf("%s unbound the %s channel %s from %s", actor.User.Name, in.Platform, in.ChannelID, inc.Reference),
			map[string]any{"chat_channel": map[string]string{"platform": in.Platform, "channel_id": in.ChannelID}})
	})
}

// ChannelsToOpen lists the open incidents declared since then, of the
// given severities, that have no channel on the platform and none queued
// (the chat lane's key of an incident channel is platform:channel:ref, as
// chatflow makes it). By the declaration time's index, so a look that
// finds nothing costs little.
func (db *ChatService) ChannelsToOpen(ctx context.Context, platform string, severities []herald.Severity, since time.Time, limit int) ([]string, error) {
	if len(severities) == 0 {
		return nil, nil
	}
	args := []any{platform, micros(since), max(limit, 1)}
	marks := make([]string, len(severities))
	for i, s := range severities {
		args = append(args, string(s))
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	var out []string
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT i.reference FROM incidents i
			WHERE i.declared_at >= $2 AND i.practice_run_id = '' AND i.state <> 'resolved' AND i.severity IN (`+strings.Join(marks, ", ")+`)
			AND NOT EXISTS (SELECT 1 FROM chat_channels c WHERE c.incident_id = i.id AND c.platform = $1)
			AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.id = CAST($1 AS TEXT) || ':channel:' || i.reference)
			ORDER BY i.declared_at, i.number LIMIT $3`, args...)
		if err != nil {
			return fmt.Errorf("read the incidents whose channel is to open: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var ref string
			if err := rows.Scan(&ref); err != nil {
				return err
			}
			out = append(out, ref)
		}
		return rows.Err()
	})
	return out, err
}
