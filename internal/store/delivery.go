package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// CreateContactMethod adds a way to reach a user. A webhook method gets a
// signing secret, returned in this answer only and stored encrypted.
func (db *PeopleService) CreateContactMethod(ctx context.Context, userRef string, in herald.ContactMethodInput) (herald.ContactMethod, error) {
	if err := in.Normalize(); err != nil {
		return herald.ContactMethod{}, err
	}
	if err := db.checkOutbound(ctx, in.Kind, "target", in.Target); err != nil {
		return herald.ContactMethod{}, err
	}
	var m herald.ContactMethod
	err := db.write(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		m, err = tx.createContactMethod(ctx, u.ID, in)
		return err
	})
	return m, err
}

// createContactMethod inserts a normalized, checked contact method.
func (tx *tx) createContactMethod(ctx context.Context, userID string, in herald.ContactMethodInput) (herald.ContactMethod, error) {
	m := herald.ContactMethod{ID: newID(), UserID: userID, Kind: in.Kind, Target: in.Target, CreatedAt: tx.now, Warning: herald.TeamsURLWarning(in.Kind, in.Target)}
	sealed := ""
	if in.Kind == "webhook" {
		b := make([]byte, 24)
		rand.Read(b)
		m.Secret = "whsec_" + base64.StdEncoding.EncodeToString(b)
		var err error
		if sealed, err = tx.db.seal(m.Secret); err != nil {
			return m, err
		}
	}
	// A URL is stored sealed, and shown masked from this answer on.
	st, err := tx.db.storeTarget(m.Kind, m.Target)
	if err != nil {
		return m, err
	}
	m.Target = st.shown
	_, err = tx.ExecContext(ctx, `INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at, target_enc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		m.ID, m.UserID, m.Kind, m.Target, sealed, micros(tx.now), st.sealed)
	if err != nil {
		return m, fmt.Errorf("insert contact method: %w", err)
	}
	return m, nil
}

// ContactMethods lists a user's contact methods, without secrets.
func (db *PeopleService) ContactMethods(ctx context.Context, userRef string) ([]herald.ContactMethod, error) {
	var out []herald.ContactMethod
	err := db.read(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, user_id, kind, target, failures, failing, created_at FROM contact_methods WHERE user_id = $1 ORDER BY created_at, id`, u.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []herald.ContactMethod{}
		for rows.Next() {
			var m herald.ContactMethod
			var at int64
			if err := rows.Scan(&m.ID, &m.UserID, &m.Kind, &m.Target, &m.Failures, &m.Failing, &at); err != nil {
				return err
			}
			// A row sealTargets could not convert (no key) is masked too.
			m.Target = herald.ShownTarget(m.Kind, m.Target)
			m.CreatedAt, m.Warning = fromMicros(at), herald.TeamsURLWarning(m.Kind, m.Target)
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// AddNotificationRule uses a contact method a delay after a page reaches
// its user ("e-mail after 2 minutes while unacknowledged"). A user without
// rules is reached on every method at once.
func (db *PeopleService) AddNotificationRule(ctx context.Context, userRef, methodID string, delayMinutes int) (herald.NotificationRule, error) {
	var r herald.NotificationRule
	if delayMinutes < 0 || delayMinutes > 24*60 {
		return r, &herald.Error{Code: herald.EInvalid, Message: "delay_minutes must be between 0 and 1440", Fields: map[string]string{"delay_minutes": "0 to 1440"}}
	}
	err := db.write(ctx, func(tx *tx) error {
		u, err := tx.user(ctx, userRef)
		if err != nil {
			return err
		}
		var owner string
		if err := tx.QueryRowContext(ctx, `SELECT user_id FROM contact_methods WHERE id = $1`, methodID).Scan(&owner); err != nil || owner != u.ID {
			return &herald.Error{Code: herald.EInvalid, Message: "no contact method " + methodID + " of " + u.Name, Fields: map[string]string{"contact_method_id": "not one of the user's methods"}}
		}
		r = herald.NotificationRule{ID: newID(), UserID: u.ID, ContactMethodID: methodID, DelayMinutes: delayMinutes}
		_, err = tx.ExecContext(ctx, `INSERT INTO notification_rules (id, user_id, contact_method_id, delay_s) VALUES ($1, $2, $3, $4)`, r.ID, r.UserID, methodID, delayMinutes*60)
		return conflictAs(err, "insert rule", "that rule exists already")
	})
	return r, err
}

// reachOf loads what decides how a person is reached, their contact
// methods and notification rules, in one query (it runs in the escalation
// transaction, once per person a level reaches).
func (tx *tx) reachOf(ctx context.Context, userID string) ([]herald.ContactMethod, []herald.NotificationRule, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.kind, m.failing, r.delay_s FROM contact_methods m
		LEFT JOIN notification_rules r ON r.contact_method_id = m.id AND r.user_id = m.user_id
		WHERE m.user_id = $1 ORDER BY m.created_at, m.id, r.delay_s`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("read contact methods: %w", err)
	}
	defer rows.Close()
	var (
		methods []herald.ContactMethod
		rules   []herald.NotificationRule
	)
	for rows.Next() {
		m := herald.ContactMethod{UserID: userID}
		var delay sql.NullInt64
		if err := rows.Scan(&m.ID, &m.Kind, &m.Failing, &delay); err != nil {
			return nil, nil, err
		}
		if len(methods) == 0 || methods[len(methods)-1].ID != m.ID {
			methods = append(methods, m)
		}
		if delay.Valid {
			rules = append(rules, herald.NotificationRule{UserID: userID, ContactMethodID: m.ID, DelayMinutes: int(delay.Int64 / 60)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read contact methods: %w", err)
	}
	// The rules in the order of their delays, as the people set them.
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].DelayMinutes < rules[j].DelayMinutes })
	return methods, rules, nil
}

// planDeliveries writes the deliveries of one notification as the domain
// planned them (herald.PlanReach, herald.Fallback), in the caller's
// transaction: the page, its notification and its deliveries exist
// together or not at all. A delivery's id is made of the notification's,
// the method's and the delay.
func (tx *tx) planDeliveries(ctx context.Context, notificationID string, plan []herald.PlannedDelivery) error {
	if len(plan) == 0 {
		return nil
	}
	// One statement for all of them: this runs once per person paged.
	var q strings.Builder
	q.WriteString(`INSERT INTO deliveries (id, notification_id, contact_method_id, status, due_at) VALUES `)
	args := make([]any, 0, 4*len(plan))
	for i, d := range plan {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $%d, $%d, 'pending', $%d)", n+1, n+2, n+3, n+4)
		args = append(args, notificationID+"-"+d.MethodID+"-"+strconv.FormatInt(int64(d.After/time.Second), 10), notificationID, d.MethodID, micros(tx.now.Add(d.After)))
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("plan deliveries: %w", err)
	}
	return nil
}

// fallBack delivers a notification, now, to every usable method of its
// person not yet used for it: what takes over when one fails for good.
func (tx *tx) fallBack(ctx context.Context, notificationID, userID string) error {
	methods, _, err := tx.reachOf(ctx, userID)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT contact_method_id FROM deliveries WHERE notification_id = $1`, notificationID)
	if err != nil {
		return fmt.Errorf("read deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		used[id] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.planDeliveries(ctx, notificationID, herald.Fallback(methods, tx.db.unsendable, used))
}

// Deliveries lists the deliveries of a page.
func (db *PagingService) Deliveries(ctx context.Context, pageID string) ([]herald.DeliveryRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT d.id, d.contact_method_id, d.notification_id, d.status, d.attempts, d.last_error FROM deliveries d
		JOIN notifications n ON n.id = d.notification_id WHERE n.page_id = $1 ORDER BY d.due_at, d.id`, pageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.DeliveryRecord{}
	for rows.Next() {
		var r herald.DeliveryRecord
		if err := rows.Scan(&r.ID, &r.ContactMethodID, &r.NotificationID, &r.Status, &r.Attempts, &r.LastError); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
