package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// The connected chat apps (table chat_connections): their secrets sealed
// with the server key, never returned.

func (tx *tx) slackConnection(ctx context.Context) (c herald.SlackConnection, secret, token string, err error) {
	var at int64
	err = tx.QueryRowContext(ctx, `SELECT signing_secret_sealed, bot_token_sealed, announce_channel, pin_reaction, updated_at, updated_by FROM chat_connections WHERE platform = $1`,
		herald.ChatSlack).Scan(&secret, &token, &c.AnnounceChannel, &c.PinReaction, &at, &c.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return c, "", "", herald.Errorf(herald.ENotFound, "Slack is not connected")
	}
	if err != nil {
		return c, "", "", fmt.Errorf("read the Slack connection: %w", err)
	}
	t := fromMicros(at)
	c.UpdatedAt, c.SigningSecretSet, c.BotTokenSet = &t, secret != "", token != ""
	c.Connected = c.SigningSecretSet && c.BotTokenSet
	return c, secret, token, nil
}

// ConnectSlack saves the Slack app's connection; a secret left empty keeps
// the stored one, and both are required the first time.
func (db *ChatService) ConnectSlack(ctx context.Context, actor herald.Actor, in herald.SlackInput) (herald.SlackConnection, error) {
	if err := in.Normalize(); err != nil {
		return herald.SlackConnection{}, err
	}
	var newSecret, newToken string
	var err error
	if in.SigningSecret != "" {
		if newSecret, err = db.seal(in.SigningSecret); err != nil {
			return herald.SlackConnection{}, err
		}
	}
	if in.BotToken != "" {
		if newToken, err = db.seal(in.BotToken); err != nil {
			return herald.SlackConnection{}, err
		}
	}
	var c herald.SlackConnection
	err = db.write(ctx, func(tx *tx) error {
		_, secret, token, err := tx.slackConnection(ctx)
		if err != nil && herald.ErrorCode(err) != herald.ENotFound {
			return err
		}
		if newSecret != "" {
			secret = newSecret
		}
		if newToken != "" {
			token = newToken
		}
		fe := herald.FieldErrors{}
		if secret == "" {
			fe.Add("chat.slack.signing_secret", "is required the first time: the app's signing secret (Basic Information)")
		}
		if token == "" {
			fe.Add("chat.slack.bot_token", "is required the first time: the app's bot token (OAuth & Permissions), starting with xoxb-")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_connections (platform, signing_secret_sealed, bot_token_sealed, announce_channel, pin_reaction, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (platform) DO UPDATE SET signing_secret_sealed = excluded.signing_secret_sealed,
			bot_token_sealed = excluded.bot_token_sealed, announce_channel = excluded.announce_channel, pin_reaction = excluded.pin_reaction,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			herald.ChatSlack, secret, token, in.AnnounceChannel, in.PinReaction, micros(tx.now), actor.User.Name); err != nil {
			return fmt.Errorf("save the Slack connection: %w", err)
		}
		c, _, _, err = tx.slackConnection(ctx)
		return err
	})
	return c, err
}

// Slack shows the Slack connection without its secrets; not connected is
// a zero connection with the default reaction.
func (db *ChatService) Slack(ctx context.Context) (herald.SlackConnection, error) {
	var c herald.SlackConnection
	err := db.read(ctx, func(tx *tx) error {
		var err error
		c, _, _, err = tx.slackConnection(ctx)
		if herald.ErrorCode(err) == herald.ENotFound {
			c, err = herald.SlackConnection{PinReaction: herald.DefaultPinReaction}, nil
		}
		return err
	})
	return c, err
}

// SlackCredentials opens the Slack app's secrets.
func (db *ChatService) SlackCredentials(ctx context.Context) (herald.SlackCredentials, error) {
	var c herald.SlackConnection
	var secret, token string
	if err := db.read(ctx, func(tx *tx) error {
		var err error
		c, secret, token, err = tx.slackConnection(ctx)
		return err
	}); err != nil {
		return herald.SlackCredentials{}, err
	}
	cr := herald.SlackCredentials{AnnounceChannel: c.AnnounceChannel, PinReaction: c.PinReaction}
	var err error
	if cr.SigningSecret, err = db.open(secret); err != nil {
		return cr, fmt.Errorf("open the Slack signing secret: %w", err)
	}
	if cr.BotToken, err = db.open(token); err != nil {
		return cr, fmt.Errorf("open the Slack bot token: %w", err)
	}
	return cr, nil
}
