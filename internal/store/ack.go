package store

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/heraldhq/herald"
)

// ackLabel binds the acknowledge links' key to this use: the server's
// secret key also encrypts webhook secrets and signs subscriber links, and
// none of those may ever verify as an acknowledge link.
const ackLabel = "herald ack link v1"

// ackToken signs one notification for the acknowledge link it carries:
// the notification's id, then an HMAC, under a key derived from the
// server key, of the notification, its page and its person. Nothing is
// stored: the link's validity is the signature, and its use is bounded by
// the page's status, read when it is used.
func (db *core) ackToken(notificationID, pageID, userID string) (string, error) {
	mac, err := db.ackMAC(notificationID, pageID, userID)
	if err != nil {
		return "", err
	}
	return notificationID + "." + base64.RawURLEncoding.EncodeToString(mac), nil
}

func (db *core) ackMAC(notificationID, pageID, userID string) ([]byte, error) {
	if len(db.secretKey) != 32 {
		return nil, herald.Errorf(herald.EUnprocessable, "no secret key is configured: set HERALD_SECRET_KEY on every instance")
	}
	key, err := hkdf.Key(sha256.New, db.secretKey, nil, ackLabel, 32)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(notificationID + "\x00" + pageID + "\x00" + userID))
	return m.Sum(nil)[:18], nil
}

// errBadAckLink is the one answer to a token that does not check out,
// whatever the reason, so a guesser learns nothing.
func errBadAckLink() error {
	return herald.Errorf(herald.ENotFound, "this link is not valid (it may be incomplete); open the page in the console instead")
}

// AckLink reads what a signed acknowledge link's token stands for: the
// person notified and the page. A token this server did not sign, or whose
// notification is gone, is ENotFound.
func (db *PagingService) AckLink(ctx context.Context, token string) (*herald.AckLink, error) {
	id, sig, ok := strings.Cut(token, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || id == "" || err != nil || len(got) != 18 {
		return nil, errBadAckLink()
	}
	l := &herald.AckLink{}
	err = db.read(ctx, func(tx *tx) error {
		n := &l.Notification
		err := tx.QueryRowContext(ctx, `SELECT id, page_id, user_id, level, loop, shadow, status FROM notifications WHERE id = $1`, id).
			Scan(&n.ID, &n.PageID, &n.UserID, &n.Level, &n.Loop, &n.Shadow, &n.Status)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadAckLink()
		}
		if err != nil {
			return err
		}
		want, err := tx.db.ackMAC(n.ID, n.PageID, n.UserID)
		if err != nil {
			return err
		}
		if !hmac.Equal(want, got) {
			return errBadAckLink()
		}
		u, err := tx.user(ctx, n.UserID)
		if herald.ErrorCode(err) == herald.ENotFound {
			return errBadAckLink()
		}
		if err != nil {
			return err
		}
		l.Actor = herald.Actor{User: u, Role: u.Role}
		if l.Page, err = tx.page(ctx, n.PageID); err != nil {
			return err
		}
		var policyID string
		if err := tx.QueryRowContext(ctx, `SELECT name, COALESCE(escalation_policy_id, '') FROM services WHERE id = $1`, l.Page.ServiceID).
			Scan(&l.Service, &policyID); err != nil {
			return err
		}
		r, err := tx.pageRestriction(ctx, l.Page)
		if err != nil {
			return err
		}
		if r != nil {
			l.Restricted, l.Page, l.Service = true, herald.RestrictedPage(l.Page, r.Reference), ""
		}
		if policyID == "" {
			return nil
		}
		pol, err := tx.escalationPolicy(ctx, policyID)
		if err != nil {
			return err
		}
		l.Levels = len(pol.Levels)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
