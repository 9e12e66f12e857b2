package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// seal encrypts a secret (a webhook signing secret) with the server key,
// AES-256-GCM with a random nonce. Secrets that Herald must use again are
// encrypted, never stored in the clear; those it only checks (API tokens)
// are hashed instead.
func (db *core) seal(plain string) (string, error) {
	if len(db.secretKey) != 32 {
		return "", herald.Errorf(herald.EUnprocessable, "no secret key is configured: set HERALD_SECRET_KEY (32 bytes, base64) on every instance")
	}
	block, err := aes.NewCipher(db.secretKey)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// open decrypts what seal made.
func (db *core) open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if len(db.secretKey) != 32 {
		return "", errors.New("no secret key is configured to decrypt a stored secret")
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return "", fmt.Errorf("stored secret: %w", err)
	}
	block, err := aes.NewCipher(db.secretKey)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", errors.New("stored secret is too short")
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", errors.New("stored secret does not decrypt: was HERALD_SECRET_KEY changed?")
	}
	return string(plain), nil
}
