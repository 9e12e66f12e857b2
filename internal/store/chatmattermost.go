package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// The Mattermost connection: a row of chat_connections (platform
// 'mattermost'). signing_secret_sealed is the key Herald signs its buttons
// with (made here, never given by anyone), bot_token_sealed the bot's
// access token, tokens_sealed the slash command and outgoing webhook
// tokens as sealed JSON.

// mattermostTokens are the tokens Mattermost puts in its requests.
type mattermostTokens struct {
	Commands []string `json:"commands"`
	Webhook  string   `json:"webhook"`
}

type mattermostRow struct {
	c                  herald.MattermostConnection
	key, token, tokens string // sealed
}

func (tx *tx) mattermostConnection(ctx context.Context) (r mattermostRow, err error) {
	var at int64
	err = tx.QueryRowContext(ctx, `SELECT signing_secret_sealed, bot_token_sealed, tokens_sealed, server_url, team_id, announce_channel, updated_at, updated_by
		FROM chat_connections WHERE platform = $1`, herald.ChatMattermost).Scan(&r.key, &r.token, &r.tokens, &r.c.ServerURL, &r.c.TeamID, &r.c.AnnounceChannel, &at, &r.c.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, herald.Errorf(herald.ENotFound, "Mattermost is not connected")
	}
	if err != nil {
		return r, fmt.Errorf("read the Mattermost connection: %w", err)
	}
	t := fromMicros(at)
	r.c.UpdatedAt, r.c.BotTokenSet = &t, r.token != ""
	return r, nil
}

// counts fills what the connection shows of its tokens (how many, never
// which).
func (db *ChatService) counts(r *mattermostRow) error {
	tk, err := db.mattermostTokens(r.tokens)
	if err != nil {
		return err
	}
	r.c.CommandTokens, r.c.WebhookTokenSet = len(tk.Commands), tk.Webhook != ""
	r.c.Connected = r.c.BotTokenSet && r.c.CommandTokens > 0 && r.key != ""
	return nil
}

func (db *ChatService) mattermostTokens(sealed string) (mattermostTokens, error) {
	var tk mattermostTokens
	plain, err := db.open(sealed)
	if err != nil || plain == "" {
		return tk, err
	}
	return tk, json.Unmarshal([]byte(plain), &tk)
}

// ConnectMattermost saves the Mattermost connection; a secret left empty
// keeps the stored one; the bot token and a slash command token are
// required the first time. The button key is made on the first save.
func (db *ChatService) ConnectMattermost(ctx context.Context, actor herald.Actor, in herald.MattermostInput) (herald.MattermostConnection, error) {
	if err := in.Normalize(); err != nil {
		return herald.MattermostConnection{}, err
	}
	var newToken, newKey string
	var err error
	if in.BotToken != "" {
		if newToken, err = db.seal(in.BotToken); err != nil {
			return herald.MattermostConnection{}, err
		}
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	if newKey, err = db.seal(base64.RawURLEncoding.EncodeToString(raw)); err != nil {
		return herald.MattermostConnection{}, err
	}
	var c herald.MattermostConnection
	err = db.write(ctx, func(tx *tx) error {
		old, err := tx.mattermostConnection(ctx)
		if err != nil && herald.ErrorCode(err) != herald.ENotFound {
			return err
		}
		tk, err := db.mattermostTokens(old.tokens)
		if err != nil {
			return err
		}
		if len(in.CommandTokens) > 0 {
			tk.Commands = in.CommandTokens
		}
		if in.WebhookToken != "" {
			tk.Webhook = in.WebhookToken
		}
		token, key := old.token, old.key
		if newToken != "" {
			token = newToken
		}
		if key == "" {
			key = newKey
		}
		fe := herald.FieldErrors{}
		if token == "" {
			fe.Add("chat.mattermost.bot_token", "is required the first time: the bot account's access token (Integrations, Bot Accounts)")
		}
		if len(tk.Commands) == 0 {
			fe.Add("chat.mattermost.command_tokens", "is required the first time: the /herald slash command's token (Integrations, Slash Commands)")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		plain, _ := json.Marshal(tk)
		tokens, err := db.seal(string(plain))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_connections (platform, signing_secret_sealed, bot_token_sealed, tokens_sealed, server_url, team_id, announce_channel, pin_reaction, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9) ON CONFLICT (platform) DO UPDATE SET signing_secret_sealed = excluded.signing_secret_sealed,
			bot_token_sealed = excluded.bot_token_sealed, tokens_sealed = excluded.tokens_sealed, server_url = excluded.server_url, team_id = excluded.team_id,
			announce_channel = excluded.announce_channel, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			herald.ChatMattermost, key, token, tokens, in.ServerURL, in.TeamID, in.AnnounceChannel, micros(tx.now), actor.User.Name); err != nil {
			return fmt.Errorf("save the Mattermost connection: %w", err)
		}
		r, err := tx.mattermostConnection(ctx)
		if err != nil {
			return err
		}
		if err := db.counts(&r); err != nil {
			return err
		}
		c = r.c
		return nil
	})
	return c, err
}

// Mattermost shows the connection without its secrets; not connected is
// a zero connection.
func (db *ChatService) Mattermost(ctx context.Context) (herald.MattermostConnection, error) {
	var c herald.MattermostConnection
	err := db.read(ctx, func(tx *tx) error {
		r, err := tx.mattermostConnection(ctx)
		if herald.ErrorCode(err) == herald.ENotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if err := db.counts(&r); err != nil {
			return err
		}
		c = r.c
		return nil
	})
	return c, err
}

// MattermostCredentials opens the connection's secrets.
func (db *ChatService) MattermostCredentials(ctx context.Context) (herald.MattermostCredentials, error) {
	var r mattermostRow
	if err := db.read(ctx, func(tx *tx) error {
		var err error
		r, err = tx.mattermostConnection(ctx)
		return err
	}); err != nil {
		return herald.MattermostCredentials{}, err
	}
	cr := herald.MattermostCredentials{ServerURL: r.c.ServerURL, TeamID: r.c.TeamID, AnnounceChannel: r.c.AnnounceChannel}
	var err error
	if cr.BotToken, err = db.open(r.token); err != nil {
		return cr, fmt.Errorf("open the Mattermost bot token: %w", err)
	}
	if cr.ButtonKey, err = db.open(r.key); err != nil {
		return cr, fmt.Errorf("open the Mattermost button key: %w", err)
	}
	tk, err := db.mattermostTokens(r.tokens)
	if err != nil {
		return cr, fmt.Errorf("open the Mattermost tokens: %w", err)
	}
	cr.CommandTokens, cr.WebhookToken = tk.Commands, tk.Webhook
	return cr, nil
}

// DisconnectMattermost forgets the connection with its secrets: Mattermost's
// requests are answered 503 from then on. Not connected is no error.
func (db *ChatService) DisconnectMattermost(ctx context.Context, actor herald.Actor) error {
	return db.write(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM chat_connections WHERE platform = $1`, herald.ChatMattermost)
		return err
	})
}
