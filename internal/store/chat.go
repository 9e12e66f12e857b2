package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// ChatService keeps chat-ops' bindings: incident channels and the chat
// identities of Herald users (migration 0039).
type ChatService struct{ *core }

func checkChatKey(platform, team, chatUser string) error {
	if err := herald.CheckChatPlatform(platform); err != nil {
		return err
	}
	if chatUser == "" || len(chatUser) > 200 || len(team) > 200 {
		return &herald.Error{Code: herald.EInvalid, Message: "a chat user needs its id on the platform (at most 200 characters)", Fields: map[string]string{"chat_user": "is required"}}
	}
	return nil
}

// BindChannel makes a channel an incident's.
func (db *ChatService) BindChannel(ctx context.Context, in herald.ChatChannel) error {
	if err := herald.CheckChatPlatform(in.Platform); err != nil {
		return err
	}
	if in.ChannelID = strings.TrimSpace(in.ChannelID); in.ChannelID == "" || len(in.ChannelID) > 200 {
		return &herald.Error{Code: herald.EInvalid, Message: "channel_id is required (at most 200 characters)", Fields: map[string]string{"channel_id": "is required"}}
	}
	return db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, in.Incident)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_channels WHERE platform = $1 AND channel_id = $2`, in.Platform, in.ChannelID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO chat_channels (platform, channel_id, incident_id, created_at) VALUES ($1, $2, $3, $4)`,
			in.Platform, in.ChannelID, inc.ID, micros(tx.now))
		return err
	})
}

// ChannelIncident is the reference of the incident a channel is bound to.
func (db *ChatService) ChannelIncident(ctx context.Context, platform, channelID string) (string, error) {
	var ref string
	err := db.read(ctx, func(tx *tx) error {
		err := tx.QueryRowContext(ctx, `SELECT i.reference FROM chat_channels c JOIN incidents i ON i.id = c.incident_id
			WHERE c.platform = $1 AND c.channel_id = $2`, platform, channelID).Scan(&ref)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "this channel is no incident's")
		}
		return err
	})
	return ref, err
}

// ChatUser finds the Herald user of a chat identity, linking it by the
// verified e-mail address the first time.
func (db *ChatService) ChatUser(ctx context.Context, platform, team, chatUser, verifiedEmail string) (herald.User, error) {
	if err := checkChatKey(platform, team, chatUser); err != nil {
		return herald.User{}, err
	}
	var u herald.User
	// A read first: most commands come from a linked identity, and a read
	// takes no write lock from the paging path.
	err := db.read(ctx, func(tx *tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM chat_identities WHERE platform = $1 AND team = $2 AND chat_user = $3`,
			platform, team, chatUser).Scan(&id)
		if err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		return err
	})
	if !errors.Is(err, sql.ErrNoRows) {
		return u, err
	}
	email := strings.ToLower(strings.TrimSpace(verifiedEmail))
	if email == "" {
		return u, herald.Errorf(herald.ENotFound, "this chat user is not linked to a Herald user")
	}
	err = db.write(ctx, func(tx *tx) error {
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = $1`, email))
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "nobody in Herald has the e-mail address %s", email)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO chat_identities (platform, team, chat_user, user_id, via, created_at) VALUES ($1, $2, $3, $4, 'email', $5)
			ON CONFLICT (platform, team, chat_user) DO NOTHING`, platform, team, chatUser, u.ID, micros(tx.now))
		return err
	})
	return u, err
}

// NewChatLink makes a one-time linking code.
func (db *ChatService) NewChatLink(ctx context.Context, platform, team, chatUser, chatName string) (string, herald.ChatLink, error) {
	if err := checkChatKey(platform, team, chatUser); err != nil {
		return "", herald.ChatLink{}, err
	}
	chatName = strings.TrimSpace(chatName)
	if len(chatName) > herald.MaxNameLen {
		chatName = chatName[:herald.MaxNameLen]
	}
	b := make([]byte, 24)
	rand.Read(b)
	code := base64.RawURLEncoding.EncodeToString(b)
	var l herald.ChatLink
	err := db.write(ctx, func(tx *tx) error {
		// Spent and expired codes are kept a day, then dropped.
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_links WHERE expires_at < $1`, micros(tx.now.Add(-24*time.Hour))); err != nil {
			return err
		}
		l = herald.ChatLink{Platform: platform, Team: team, ChatUser: chatUser, ChatName: chatName, ExpiresAt: tx.now.Add(herald.ChatLinkTTL)}
		_, err := tx.ExecContext(ctx, `INSERT INTO chat_links (code_hash, platform, team, chat_user, chat_name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			hashToken(code), platform, team, chatUser, chatName, micros(tx.now), micros(l.ExpiresAt))
		return err
	})
	if err != nil {
		return "", l, err
	}
	return code, l, nil
}

func (tx *tx) chatLink(ctx context.Context, code string) (herald.ChatLink, error) {
	var l herald.ChatLink
	var expires int64
	var used sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT platform, team, chat_user, chat_name, expires_at, used_at FROM chat_links WHERE code_hash = $1`,
		hashToken(strings.TrimSpace(code))).Scan(&l.Platform, &l.Team, &l.ChatUser, &l.ChatName, &expires, &used)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return l, err
	}
	l.ExpiresAt = fromMicros(expires)
	// Unknown, spent and expired codes get the same answer: a link is
	// asked for again from chat.
	if err != nil || used.Valid || !tx.now.Before(l.ExpiresAt) {
		return herald.ChatLink{}, herald.Errorf(herald.ENotFound, "this linking code is unknown, used already or expired: type help in chat to get a new one")
	}
	return l, nil
}

// ChatLinkCode reads a pending code.
func (db *ChatService) ChatLinkCode(ctx context.Context, code string) (l herald.ChatLink, err error) {
	err = db.read(ctx, func(tx *tx) error {
		l, err = tx.chatLink(ctx, code)
		return err
	})
	return l, err
}

// ConfirmChatLink spends a code for the actor.
func (db *ChatService) ConfirmChatLink(ctx context.Context, actor herald.Actor, code string) (herald.ChatIdentity, error) {
	var id herald.ChatIdentity
	err := db.write(ctx, func(tx *tx) error {
		l, err := tx.chatLink(ctx, code)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE chat_links SET used_at = $1, used_by = $2 WHERE code_hash = $3 AND used_at IS NULL`,
			micros(tx.now), actor.User.ID, hashToken(strings.TrimSpace(code)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return herald.Errorf(herald.ENotFound, "this linking code is used already")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_identities WHERE platform = $1 AND team = $2 AND chat_user = $3`, l.Platform, l.Team, l.ChatUser); err != nil {
			return err
		}
		id = herald.ChatIdentity{Platform: l.Platform, Team: l.Team, ChatUser: l.ChatUser, UserID: actor.User.ID, Via: "link", CreatedAt: tx.now}
		_, err = tx.ExecContext(ctx, `INSERT INTO chat_identities (platform, team, chat_user, user_id, via, created_at) VALUES ($1, $2, $3, $4, 'link', $5)`,
			l.Platform, l.Team, l.ChatUser, actor.User.ID, micros(tx.now))
		if err != nil {
			return fmt.Errorf("link chat identity: %w", mapErr(err))
		}
		return nil
	})
	return id, err
}

// ChatIdentities lists a user's chat identities.
func (db *ChatService) ChatIdentities(ctx context.Context, userID string) ([]herald.ChatIdentity, error) {
	out := []herald.ChatIdentity{}
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT platform, team, chat_user, user_id, via, created_at FROM chat_identities WHERE user_id = $1 ORDER BY created_at, platform, chat_user`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c herald.ChatIdentity
			var at int64
			if err := rows.Scan(&c.Platform, &c.Team, &c.ChatUser, &c.UserID, &c.Via, &at); err != nil {
				return err
			}
			c.CreatedAt = fromMicros(at)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
