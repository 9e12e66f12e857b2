package store

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/heraldhq/herald"
)

// A contact method's or subscriber's target that is a URL (a webhook, a
// Slack incoming webhook, a Teams workflow) is a credential: whoever holds
// it can post there. It is stored as three columns (migration 0046):
// target_enc, the URL sealed with the server key (secrets.go), opened only
// to send; target, its masked form (herald.MaskURL), which every list
// shows; and for subscribers target_hash, a keyed hash of the URL, which
// the unique index and "already subscribed" look up instead of the URL.
// Other targets (e-mail addresses, phone numbers, Slack member ids) are no
// secret and stay in target, with target_enc and target_hash empty.

// targetHashLabel binds the target hash's key to this use: the server key
// also seals secrets and signs links, and none of those may ever match a
// target hash.
const targetHashLabel = "herald target hash v1"

// storedTarget is a target as its row stores it.
type storedTarget struct {
	shown, sealed, hash string
}

// storeTarget seals a secret target and hashes it; any other target is
// stored as it is. Without a secret key a secret target is refused
// (EUnprocessable), never stored in the clear.
func (db *core) storeTarget(kind, target string) (storedTarget, error) {
	if !herald.SecretTarget(kind, target) {
		return storedTarget{shown: target}, nil
	}
	sealed, err := db.seal(target)
	if err != nil {
		return storedTarget{}, err
	}
	hash, err := db.targetHash(target)
	if err != nil {
		return storedTarget{}, err
	}
	return storedTarget{shown: herald.MaskURL(target), sealed: sealed, hash: hash}, nil
}

// targetHash is an HMAC of a secret target under a key derived from the
// server key: equal URLs hash alike, and without the key the hash tells
// nothing about the URL.
func (db *core) targetHash(target string) (string, error) {
	if len(db.secretKey) != 32 {
		return "", herald.Errorf(herald.EUnprocessable, "no secret key is configured: set HERALD_SECRET_KEY (32 bytes, base64) on every instance to store webhook, Slack and Teams URLs")
	}
	key, err := hkdf.Key(sha256.New, db.secretKey, nil, targetHashLabel, 32)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(target))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// openTarget is the target to send to: the sealed URL opened, or the
// stored target when nothing is sealed (not a secret, or a row written
// before migration 0046 that sealTargets could not convert without a
// key).
func (db *core) openTarget(shown, sealed string) (string, error) {
	if sealed == "" {
		return shown, nil
	}
	plain, err := db.open(sealed)
	if err != nil {
		return "", fmt.Errorf("open the target URL: %w", err)
	}
	return plain, nil
}

// sealBatch is how many rows one step of sealTargets converts.
const sealBatch = 200

// sealTargets converts the rows written before migration 0046, whose
// target is a URL in the clear: it seals each, keeps only its masked form
// in target, and hashes a subscriber's. It runs after the migrations, on
// every start; a row is converted once (the update requires target_enc to
// be still empty), so several instances starting at once convert each row
// once and the others change nothing. Without a secret key nothing can be
// sealed: it says so in the log and leaves the rows, which keep working.
func (db *DB) sealTargets(ctx context.Context) error {
	for _, table := range []string{"contact_methods", "subscribers"} {
		cursor := ""
		for {
			var ids, kinds, targets []string
			rows, err := db.r.QueryContext(ctx, `SELECT id, kind, target FROM `+table+` WHERE target_enc = '' AND kind IN ('webhook', 'slack', 'teams') AND id > $1
				ORDER BY id LIMIT $2`, cursor, sealBatch)
			if err != nil {
				return fmt.Errorf("seal %s targets: %w", table, err)
			}
			for rows.Next() {
				var id, kind, target string
				if err := rows.Scan(&id, &kind, &target); err != nil {
					rows.Close()
					return fmt.Errorf("seal %s targets: %w", table, err)
				}
				ids, kinds, targets = append(ids, id), append(kinds, kind), append(targets, target)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("seal %s targets: %w", table, err)
			}
			if len(ids) == 0 {
				break
			}
			cursor = ids[len(ids)-1]
			if len(db.secretKey) != 32 {
				// Only the slack member ids need nothing; a URL does.
				for i := range ids {
					if herald.SecretTarget(kinds[i], targets[i]) {
						db.log.Warn("webhook, Slack and Teams URLs are stored in the clear until HERALD_SECRET_KEY is set: set it (the same on every instance) and restart to encrypt them", "table", table)
						return nil
					}
				}
				continue
			}
			err = db.write(ctx, func(tx *tx) error {
				for i, id := range ids {
					if !herald.SecretTarget(kinds[i], targets[i]) {
						continue
					}
					st, err := db.storeTarget(kinds[i], targets[i])
					if err != nil {
						return err
					}
					q := `UPDATE contact_methods SET target = $1, target_enc = $2 WHERE id = $3 AND target_enc = '' AND target = $4`
					args := []any{st.shown, st.sealed, id, targets[i]}
					if table == "subscribers" {
						q = `UPDATE subscribers SET target = $1, target_enc = $2, target_hash = $5 WHERE id = $3 AND target_enc = '' AND target = $4`
						args = append(args, st.hash)
					}
					if _, err := tx.ExecContext(ctx, q, args...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("seal %s targets: %w", table, err)
			}
			if len(ids) < sealBatch {
				break
			}
		}
	}
	return nil
}
