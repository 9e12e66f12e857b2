package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// subscriberToken proves a link was made by Herald for this subscriber and
// purpose ("confirm", "unsubscribe"): an HMAC under the server key, so no
// token is stored and every mail can carry one.
func (db *core) subscriberToken(purpose, id string) (string, error) {
	if len(db.secretKey) != 32 {
		return "", herald.Errorf(herald.EUnprocessable, "no secret key is configured: set HERALD_SECRET_KEY on every instance")
	}
	mac := hmac.New(sha256.New, db.secretKey)
	mac.Write([]byte(purpose + ":" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18]), nil
}

func (db *core) checkToken(purpose, id, token string) error {
	want, err := db.subscriberToken(purpose, id)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(want), []byte(token)) {
		return herald.Errorf(herald.ENotFound, "this link is not valid (it may be incomplete)")
	}
	return nil
}

// SubscriberLink is the public link that confirms or unsubscribes.
func (db *SubscriberService) SubscriberLink(purpose, id string) (string, error) {
	return db.subscriberLink(purpose, id)
}

func (db *core) subscriberLink(purpose, id string) (string, error) {
	tok, err := db.subscriberToken(purpose, id)
	if err != nil {
		return "", err
	}
	if purpose == "unsubscribe" {
		return db.links.Unsubscribe(id, tok), nil
	}
	return db.links.SubscribeConfirm(id, tok), nil
}

// Subscribe adds a subscriber. An e-mail address gets a confirmation mail
// and nothing else until it is confirmed (unless an admin marks it
// confirmed); subscribing an address twice sends the confirmation again
// and answers the same, so the answer does not tell whether an address was
// subscribed already. Webhook subscribers get a signing secret, shown once.
func (db *SubscriberService) Subscribe(ctx context.Context, in herald.SubscriberInput, admin bool) (herald.Subscriber, error) {
	return db.subscribe(ctx, in, admin, "")
}

// subscribe adds a subscriber of the public page (tenant "") or of a
// tenant's private page (tenantpage_subscribers.go).
func (db *core) subscribe(ctx context.Context, in herald.SubscriberInput, admin bool, tenant string) (herald.Subscriber, error) {
	kind, target, err := in.Normalize()
	if err != nil {
		return herald.Subscriber{}, err
	}
	if err := db.checkOutbound(ctx, kind, subscriberField(kind), target); err != nil {
		return herald.Subscriber{}, err
	}
	if in.Confirmed && !admin {
		return herald.Subscriber{}, herald.Errorf(herald.EForbidden, "only an admin adds subscribers already confirmed")
	}
	// A URL is found by its keyed hash, and stored sealed (targets.go).
	st, err := db.storeTarget(kind, target)
	if err != nil {
		return herald.Subscriber{}, err
	}
	var s herald.Subscriber
	err = db.write(ctx, func(tx *tx) error {
		if err := tx.checkComponents(ctx, &in.Components); err != nil {
			return err
		}
		var existing string
		err := tx.QueryRowContext(ctx, `SELECT id FROM subscribers WHERE kind = $1 AND target = $2 AND target_hash = $4 AND COALESCE(tenant_id, '') = $3 AND unsubscribed_at IS NULL`,
			kind, st.shown, tenant, st.hash).Scan(&existing)
		if err == nil {
			// Known: an unconfirmed address gets its confirmation again (with
			// the new choice of components); a confirmed one is left as it
			// is, since anyone can post an address here.
			comps, _ := json.Marshal(in.Components)
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET components = $1 WHERE id = $2 AND (confirmed = $3 OR $4)`, string(comps), existing, false, admin); err != nil {
				return err
			}
			s, err = tx.subscriber(ctx, existing)
			if err != nil {
				return err
			}
			if !s.Confirmed {
				return tx.confirmationMail(ctx, s)
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		s = herald.Subscriber{ID: newID(), Kind: kind, Target: st.shown, Components: in.Components, CreatedAt: tx.now, Tenant: tenant, Warning: herald.TeamsURLWarning(kind, target)}
		s.Confirmed = kind != "email" || in.Confirmed
		if s.Confirmed {
			s.ConfirmedAt = &tx.now
		}
		sealed := ""
		if kind == "webhook" {
			b := make([]byte, 24)
			rand.Read(b)
			s.Secret = "whsec_" + base64.StdEncoding.EncodeToString(b)
			if sealed, err = db.seal(s.Secret); err != nil {
				return err
			}
		}
		comps, _ := json.Marshal(s.Components)
		_, err = tx.ExecContext(ctx, `INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, created_at, confirmed_at, tenant_id, target_enc, target_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			s.ID, s.Kind, s.Target, string(comps), sealed, s.Confirmed, micros(tx.now), nullMicros(s.ConfirmedAt), nullString(tenant), st.sealed, st.hash)
		if err != nil {
			return fmt.Errorf("insert subscriber: %w", err)
		}
		if !s.Confirmed {
			return tx.confirmationMail(ctx, s)
		}
		return nil
	})
	if err == nil {
		db.kickBulk()
	}
	return s, err
}

// confirmationWindow is the period over which confirmation mails to one
// address are counted.
const confirmationWindow = 24 * time.Hour

// confirmationMail queues the double opt-in mail for one subscriber, unless
// its address had Config.ConfirmationsPerDay of them in the last day: then
// the sign-up is refused (too_many, with when to retry) and nothing is
// sent. The count is per address and in the database, so neither many
// client addresses nor a restart nor another instance lifts it.
func (tx *tx) confirmationMail(ctx context.Context, s herald.Subscriber) error {
	since := micros(tx.now.Add(-confirmationWindow))
	if _, err := tx.ExecContext(ctx, `DELETE FROM signup_mails WHERE target = $1 AND sent_at <= $2`, s.Target, since); err != nil {
		return fmt.Errorf("signup mails: %w", err)
	}
	var n int
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), min(sent_at) FROM signup_mails WHERE target = $1`, s.Target).Scan(&n, &oldest); err != nil {
		return fmt.Errorf("signup mails: %w", err)
	}
	if n >= tx.db.confirmationsPerDay {
		retry := fromMicros(oldest.Int64).Add(confirmationWindow).Sub(tx.now)
		return &herald.Error{Code: herald.ETooMany, RetryAfter: max(retry, time.Second),
			Message: fmt.Sprintf("this address was sent %d confirmation mails in the last day; use one of them, or try again later", n)}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signup_mails (target, sent_at) VALUES ($1, $2)`, s.Target, micros(tx.now)); err != nil {
		return fmt.Errorf("signup mails: %w", err)
	}
	link, err := tx.db.subscriberLink("confirm", s.ID)
	if err != nil {
		return err
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	page := settings.Page.Name
	if s.Tenant != "" {
		if page, err = tx.tenantPageName(ctx, settings, s.Tenant); err != nil {
			return err
		}
	}
	return tx.broadcast(ctx, herald.ConfirmationNotice(page, link), nil, nil, s.ID, "")
}

// ConfirmSubscriber confirms an e-mail subscriber from the link in its
// confirmation mail. Using the link again changes nothing.
func (db *SubscriberService) ConfirmSubscriber(ctx context.Context, id, token string) (herald.Subscriber, error) {
	if err := db.checkToken("confirm", id, token); err != nil {
		return herald.Subscriber{}, err
	}
	var s herald.Subscriber
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if s, err = tx.subscriber(ctx, id); err != nil {
			return err
		}
		if s.Confirmed {
			return nil
		}
		s.Confirmed, s.ConfirmedAt = true, &tx.now
		_, err = tx.ExecContext(ctx, `UPDATE subscribers SET confirmed = $1, confirmed_at = $2 WHERE id = $3 AND unsubscribed_at IS NULL`, true, micros(tx.now), id)
		return err
	})
	return s, err
}

// Unsubscribe ends a subscription from the link in any of its mails.
func (db *SubscriberService) Unsubscribe(ctx context.Context, id, token string) error {
	if err := db.checkToken("unsubscribe", id, token); err != nil {
		return err
	}
	return db.write(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET unsubscribed_at = $1 WHERE id = $2 AND unsubscribed_at IS NULL`, micros(tx.now), id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE broadcast_deliveries SET status = 'cancelled', last_error = 'unsubscribed' WHERE subscriber_id = $1 AND status = 'pending'`, id)
		return err
	})
}

const subscriberColumns = `id, kind, target, components, confirmed, paused, created_at, confirmed_at, COALESCE(tenant_id, '')`

func scanSubscriber(row interface{ Scan(...any) error }) (herald.Subscriber, error) {
	var s herald.Subscriber
	var comps string
	var created int64
	var confirmed sql.NullInt64
	if err := row.Scan(&s.ID, &s.Kind, &s.Target, &comps, &s.Confirmed, &s.Paused, &created, &confirmed, &s.Tenant); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(comps), &s.Components); err != nil {
		return s, fmt.Errorf("subscriber %s components: %w", s.ID, err)
	}
	if s.Components == nil {
		s.Components = []string{}
	}
	// A row sealTargets could not convert (no key) is masked too.
	s.Target = herald.ShownTarget(s.Kind, s.Target)
	s.CreatedAt, s.ConfirmedAt, s.Warning = fromMicros(created), fromNullMicros(confirmed), herald.TeamsURLWarning(s.Kind, s.Target)
	return s, nil
}

func (tx *tx) subscriber(ctx context.Context, id string) (herald.Subscriber, error) {
	s, err := scanSubscriber(tx.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = $1 AND unsubscribed_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, herald.Errorf(herald.ENotFound, "no such subscription (it may have ended)")
	}
	return s, err
}

// SubscriberCounts counts the public page's active subscribers by kind,
// confirmed or not (a tenant page's are listed with the tenant).
func (db *SubscriberService) SubscriberCounts(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT kind, confirmed, paused, count(*) FROM subscribers WHERE unsubscribed_at IS NULL AND tenant_id IS NULL GROUP BY kind, confirmed, paused`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var kind string
		var confirmed, paused bool
		var n int
		if err := rows.Scan(&kind, &confirmed, &paused, &n); err != nil {
			return nil, err
		}
		if out[kind] == nil {
			out[kind] = map[string]int{}
		}
		state := "unconfirmed"
		switch {
		case paused:
			state = "paused"
		case confirmed:
			state = "confirmed"
		}
		out[kind][state] += n
	}
	return out, rows.Err()
}

// BroadcastCounts counts a broadcast's deliveries by status.
func (db *SubscriberService) BroadcastCounts(ctx context.Context, broadcastEvent string) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT d.status, count(*) FROM broadcast_deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
		WHERE b.event = $1 GROUP BY d.status`, broadcastEvent)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// AddStakeholderChannel adds an internal channel (a chat webhook, an e-mail
// list) that receives stakeholder notices (R19) and never public updates.
func (db *SubscriberService) AddStakeholderChannel(ctx context.Context, in herald.SubscriberInput) (herald.Subscriber, error) {
	kind, target, err := in.Normalize()
	if err != nil {
		return herald.Subscriber{}, err
	}
	if err := db.checkOutbound(ctx, kind, subscriberField(kind), target); err != nil {
		return herald.Subscriber{}, err
	}
	var s herald.Subscriber
	err = db.write(ctx, func(tx *tx) (err error) {
		s, err = tx.addStakeholderChannel(ctx, kind, target, "", "[]")
		return err
	})
	return s, err
}

// addStakeholderChannel inserts a checked stakeholder channel; components
// is its JSON list of component ids.
func (tx *tx) addStakeholderChannel(ctx context.Context, kind, target, name, components string) (herald.Subscriber, error) {
	st, err := tx.db.storeTarget(kind, target)
	if err != nil {
		return herald.Subscriber{}, err
	}
	s := herald.Subscriber{ID: newID(), Kind: kind, Target: st.shown, Components: []string{}, Confirmed: true, Warning: herald.TeamsURLWarning(kind, target)}
	s.CreatedAt, s.ConfirmedAt = tx.now, &tx.now
	sealed := ""
	if kind == "webhook" {
		b := make([]byte, 24)
		rand.Read(b)
		s.Secret = "whsec_" + base64.StdEncoding.EncodeToString(b)
		var err error
		if sealed, err = tx.db.seal(s.Secret); err != nil {
			return s, err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, internal, created_at, confirmed_at, name, target_enc, target_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7, $8, $9, $10)`, s.ID, kind, st.shown, components, sealed, true, micros(tx.now), name, st.sealed, st.hash)
	return s, conflictAs(err, "insert stakeholder channel", "%s is subscribed already", st.shown)
}

// StakeholderChannels lists the internal channels.
func (db *SubscriberService) StakeholderChannels(ctx context.Context) ([]herald.Subscriber, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE internal = $1 AND unsubscribed_at IS NULL ORDER BY created_at`, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.Subscriber{}
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// NotifyStakeholders tells the internal stakeholder channels about an
// incident once its severity is confirmed (R19): summary, severity,
// reference and link, chat channel, status page link. One notice per
// incident and severity: confirming the same severity again sends nothing.
// The timeline records it.
func (db *SubscriberService) NotifyStakeholders(ctx context.Context, actor herald.Actor, ref string) (bool, error) {
	sent := false
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		sent, err = tx.notifyStakeholders(ctx, actor, inc)
		return err
	})
	return sent, err
}

func (tx *tx) notifyStakeholders(ctx context.Context, actor herald.Actor, inc *herald.Incident) (bool, error) {
	settings, err := tx.settings(ctx)
	if err != nil {
		return false, err
	}
	statusPage := tx.db.links.Home()
	var sid string
	if tx.QueryRowContext(ctx, `SELECT id FROM status_incidents WHERE incident_id = $1`, inc.ID).Scan(&sid) == nil {
		statusPage = tx.db.links.StatusIncident(sid)
	}
	notice := herald.StakeholderNotice(settings.Page.Name, inc, tx.db.links.Incident(inc.Reference), statusPage)
	key := "stakeholders|" + inc.ID + "|" + string(inc.Severity)
	var exists int
	sum := sha256.Sum256([]byte(key))
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM broadcasts WHERE id = $1`, "b-"+base64.RawURLEncoding.EncodeToString(sum[:18])).Scan(&exists); err != nil {
		return false, err
	}
	if exists > 0 {
		return false, nil
	}
	if err := tx.broadcastAbout(ctx, inc.ID, notice, nil, nil, "", key); err != nil {
		return false, err
	}
	if _, err := tx.recordInternalUpdate(ctx, actor, inc, herald.InternalNotice, notice.Body); err != nil {
		return false, err // the internal cadence counts from it
	}
	text := fmt.Sprintf("Stakeholders notified (%s confirmed)", inc.Severity)
	return true, tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, text, map[string]any{"severity": inc.Severity, "stakeholder_notice": true})
}

// ImportSubscribers adds many subscribers at once (admin), all or none: a
// row that does not validate fails the whole import with its line number.
// Rows whose kind and target exist already are skipped.
func (db *SubscriberService) ImportSubscribers(ctx context.Context, rows []herald.SubscriberInput) (created, skipped int, err error) {
	fe := herald.FieldErrors{}
	type norm struct {
		kind, comps string
		st          storedTarget
	}
	var all []norm
	seen := map[string]error{}
	for i, in := range rows {
		kind, target, err := in.Normalize()
		if err == nil {
			err = db.checkOutboundCached(ctx, kind, subscriberField(kind), target, seen)
		}
		if err != nil {
			fe.Add(fmt.Sprintf("line %d", i+2), err.Error())
			continue
		}
		c, _ := json.Marshal(in.Components)
		st, err := db.storeTarget(kind, target)
		if err != nil {
			fe.Add(fmt.Sprintf("line %d", i+2), err.Error())
			continue
		}
		all = append(all, norm{kind, string(c), st})
	}
	if err := fe.Err(); err != nil {
		return 0, 0, err
	}
	err = db.write(ctx, func(tx *tx) error {
		for _, r := range all {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE kind = $1 AND target = $2 AND target_hash = $3 AND tenant_id IS NULL AND unsubscribed_at IS NULL`,
				r.kind, r.st.shown, r.st.hash).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				skipped++
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, created_at, confirmed_at, target_enc, target_hash)
				VALUES ($1, $2, $3, $4, '', $5, $6, $6, $7, $8)`, newID(), r.kind, r.st.shown, r.comps, true, micros(tx.now), r.st.sealed, r.st.hash); err != nil {
				return fmt.Errorf("import: %w", err)
			}
			created++
		}
		return nil
	})
	return created, skipped, err
}

// ExportSubscribers calls fn for every active subscriber in id order,
// reading in batches so memory does not grow with the list.
func (db *SubscriberService) ExportSubscribers(ctx context.Context, fn func(herald.Subscriber) error) error {
	cursor := ""
	for {
		rows, err := db.r.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id > $1 AND unsubscribed_at IS NULL AND internal = $2 AND tenant_id IS NULL ORDER BY id LIMIT $3`, cursor, false, planBatch)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			s, err := scanSubscriber(rows)
			if err != nil {
				rows.Close()
				return err
			}
			cursor = s.ID
			n++
			if err := fn(s); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if n < planBatch {
			return nil
		}
	}
}

// unconfirmedFor is how long an e-mail address has to confirm before its
// sign-up expires.
const unconfirmedFor = 7 * 24 * time.Hour

// ExpireUnconfirmed ends sign-ups that were never confirmed within a week,
// and returns how many.
func (db *Work) ExpireUnconfirmed(ctx context.Context) (int, error) {
	n := 0
	err := db.write(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE subscribers SET unsubscribed_at = $1 WHERE confirmed = $2 AND unsubscribed_at IS NULL AND created_at < $3`,
			micros(tx.now), false, micros(tx.now.Add(-unconfirmedFor)))
		if err != nil {
			return fmt.Errorf("expire sign-ups: %w", err)
		}
		c, _ := res.RowsAffected()
		n = int(c)
		_, err = tx.ExecContext(ctx, `DELETE FROM signup_mails WHERE sent_at <= $1`, micros(tx.now.Add(-confirmationWindow)))
		return err
	})
	return n, err
}
