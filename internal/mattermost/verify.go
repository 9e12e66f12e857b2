// Package mattermost is Herald's Mattermost integration: the /herald slash
// command, the buttons of the messages Herald posts (interactive message
// buttons), the "Decision:" outgoing webhook, and the sender of the chat
// lane's Mattermost messages through the REST API v4 with a bot account's
// token. It uses the standard library only: the few API routes it calls
// are plain HTTPS+JSON.
//
// Mattermost signs nothing it sends. A slash command and an outgoing
// webhook carry the token Mattermost made for them, checked here in
// constant time; there is no timestamp or signature over the body, so a
// captured request replayed later cannot be told from a new one (TLS
// between Mattermost and Herald, and the token's secrecy, are the
// protection). A button's request carries no token at all: only the
// context Herald put in the button, which is why Herald signs that context
// (the command, whether confirmed, and the channel) with a key of its own
// and runs nothing whose signature does not match.
package mattermost

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strconv"
)

// The request URLs Herald serves for Mattermost, under the API.
const (
	CommandsPath = "/api/v1/chat/mattermost/commands"
	ActionsPath  = "/api/v1/chat/mattermost/actions"
	WebhookPath  = "/api/v1/chat/mattermost/webhook"
)

// Verification errors.
var (
	ErrNoToken    = errors.New("the request carries no token (Mattermost sends the slash command's or the outgoing webhook's token)")
	ErrWrongToken = errors.New("the request's token is not the one Mattermost made for Herald's integration")
	ErrWrongTeam  = errors.New("the request comes from another Mattermost team than the one connected to Herald")
	ErrUnsigned   = errors.New("the button carries no signature: Herald did not post it")
	ErrForged     = errors.New("the button's signature does not match: Herald did not post this button here")
)

// CheckToken checks a request's token against the stored ones. Every
// stored token is compared, each in constant time, whatever matches.
func CheckToken(stored []string, got string) error {
	if got == "" {
		return ErrNoToken
	}
	ok := 0
	for _, s := range stored {
		if s != "" {
			ok |= subtle.ConstantTimeCompare([]byte(s), []byte(got))
		}
	}
	if ok != 1 {
		return ErrWrongToken
	}
	return nil
}

// Sign is the signature of a button Herald posts in a channel: the hex
// HMAC-SHA256, with the connection's button key, of the channel, whether
// the command runs confirmed, and the command. A button copied to another
// channel, or its command or confirmation changed, does not match.
func Sign(key, channel, command string, confirm bool) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("herald-mattermost-button-v1\x00" + channel + "\x00" + strconv.FormatBool(confirm) + "\x00" + command))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyButton checks a button's signature, in constant time.
func VerifyButton(key, channel, command string, confirm bool, sig string) error {
	if sig == "" || command == "" {
		return ErrUnsigned
	}
	if key == "" || !hmac.Equal([]byte(Sign(key, channel, command, confirm)), []byte(sig)) {
		return ErrForged
	}
	return nil
}
