package sso

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// Pending is a started sign-in: what Finish needs to check the callback.
// It travels in the browser's cookie rather than in a database, so any
// instance can finish it; Seal encrypts and authenticates it so the browser
// can neither read the verifier nor change anything.
type Pending struct {
	State    string // sent to the provider and back; binds the callback to this browser
	Nonce    string // sent to the provider and back inside the ID token
	Verifier string // PKCE: the provider gets only its SHA-256 challenge
	Expires  time.Time
}

// pendingLabel binds keys and sealed values to this use, so a key shared
// with other features (HERALD_SECRET_KEY) never seals or opens their data
// with the same bytes.
const pendingLabel = "herald sso pending v1"

// Seal returns p encrypted and authenticated with key (at least 32 bytes,
// e.g. HERALD_SECRET_KEY), as a value fit for a cookie. Set the cookie
// HttpOnly, Secure, SameSite=Lax (the callback is a top-level cross-site
// GET, which Strict would not send), Path the callback's, and
// MaxAge PendingTTL.
func (p Pending) Seal(key []byte) (string, error) {
	aead, err := pendingAEAD(key)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, plain, []byte(pendingLabel))
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// OpenPending returns the Pending sealed in s with key. A value that was
// changed, sealed with another key or is not a sealed Pending at all is
// refused with EUnauthenticated; whether it has expired is checked by
// Finish, with the Provider's clock.
func OpenPending(key []byte, s string) (Pending, error) {
	aead, err := pendingAEAD(key)
	if err != nil {
		return Pending{}, err
	}
	sealed, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(sealed) < aead.NonceSize()+aead.Overhead() {
		return Pending{}, errRestart()
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(pendingLabel))
	if err != nil {
		return Pending{}, errRestart()
	}
	var p Pending
	if err := json.Unmarshal(plain, &p); err != nil {
		return Pending{}, errRestart()
	}
	return p, nil
}

func pendingAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) < 32 {
		return nil, errors.New("sso: the key sealing a pending sign-in must be at least 32 bytes")
	}
	k, err := hkdf.Key(sha256.New, key, nil, pendingLabel, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// randomString returns 32 random bytes, base64url: unguessable state and
// nonce values.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
