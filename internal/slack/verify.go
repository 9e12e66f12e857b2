// Package slack is Herald's Slack app in HTTP mode: slash commands,
// interactive buttons and the Events API, all verified with the app's
// signing secret and answered within Slack's 3 seconds; and the sender of
// the chat lane's Slack messages through the Web API. It uses the standard
// library only: the few Web API methods it calls are plain HTTPS+JSON.
package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// MaxAge is how old a signed request may be: an older one is refused, so
// a captured request cannot be replayed later.
const MaxAge = 5 * time.Minute

// Verification errors.
var (
	ErrUnsigned = errors.New("the request is not signed (X-Slack-Signature and X-Slack-Request-Timestamp are required)")
	ErrStale    = errors.New("the request's timestamp is more than 5 minutes from now")
	ErrForged   = errors.New("the request's signature does not match the signing secret")
)

// Sign is the X-Slack-Signature of body sent at timestamp: "v0=" and the
// hex HMAC-SHA256 of "v0:<timestamp>:<body>" with the signing secret.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a request's signature against the signing secret, and
// refuses one whose timestamp is more than MaxAge from now (either way). The
// comparison takes the same time whatever the signature.
func Verify(secret, timestamp, signature string, body []byte, now time.Time) error {
	if secret == "" || timestamp == "" || signature == "" {
		return ErrUnsigned
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return ErrUnsigned
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxAge || d < -MaxAge {
		return ErrStale
	}
	if !hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature)) {
		return ErrForged
	}
	return nil
}
