package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald"
)

// The outbox is every message Herald has promised to send: a page to a
// person's contact method (table deliveries), an update to a subscriber
// or stakeholder channel (table broadcast_deliveries), or a playbook prompt
// to a person (table prompt_deliveries). Both are rows with
// the same queue columns (id, status, due_at, attempts, claimed_until,
// sent_at, last_error) and go through this one implementation: a row is
// claimed for a minute, sent, and settled; a failure is recorded on the
// row with backoff, and the claim of the next row does not wait for it.
// The tables are separate lanes, so paging never queues behind a broadcast
// or a reminder.

// Lane is one queue of the outbox.
type Lane string

// The lanes.
const (
	// LanePage holds the deliveries of pages to the people paged.
	LanePage Lane = "page"
	// LaneBulk holds broadcasts to subscribers and stakeholder channels.
	LaneBulk Lane = "bulk"
	// LanePrompt holds the playbook's prompts to people (prompts.go).
	LanePrompt Lane = "prompt"
	// LaneNotice holds customer notices (notices.go).
	LaneNotice Lane = "notice"
	// LaneTenantNotice holds notices to tenants of an emergency maintenance
	// (emergency.go).
	LaneTenantNotice Lane = "tenant_notice"
)

func (l Lane) table() string {
	switch l {
	case LanePage:
		return "deliveries"
	case LanePrompt:
		return "prompt_deliveries"
	case LaneNotice:
		return "notice_deliveries"
	case LaneTenantNotice:
		return "tenant_notices"
	case LaneSignIn:
		return "tenant_page_signins"
	case LaneChat:
		return "chat_messages"
	}
	return "broadcast_deliveries"
}

// Outgoing is one claimed message of the outbox: where it goes, and what
// it is about (Page for the page lane, Broadcast for the bulk lane, Prompt
// for the prompt lane).
type Outgoing struct {
	// ID is the idempotency key: the same on every attempt, so a receiver
	// can drop a repeat after a retry.
	ID      string
	Lane    Lane
	Attempt int
	Kind    string // email, webhook, slack, teams, sms, voice
	Target  string // address, URL or phone number
	Secret  string // webhook signing secret, if any
	// Err is set when the row could not be made ready to send (its secret
	// no longer decrypts, a row it needs is gone). The caller records it as
	// a failed attempt without sending, and moves on.
	Err error

	Page      *PageNotice
	Broadcast *BroadcastNotice
	Prompt    *PromptNotice
	Notice    *CustomerNotice
	// Restricted is set when the message is about a FedRAMP tenant (R46,
	// restrict.go): it may carry only the reference and the console link.
	Restricted *herald.Restriction
	// TenantNotice is set for the tenant notice lane.
	TenantNotice *TenantNoticeOut
	SignIn       *SignInNotice // a private page's sign-in link (tenantpages.go)
	Chat         *ChatOut      // a chat lane message (chatlane.go)
	// Practice is the practice run the message belongs to (R63,
	// practice_guard.go): the composer marks it.
	Practice string
	// Incident is what a Teams card shows of the incident the message is
	// about (teams_card.go); nil on other channels and when restricted.
	Incident *IncidentFacts

	incidentID string // a broadcast's incident, for Incident
}

// PageNotice is what a page delivery is about.
type PageNotice struct {
	Page     herald.Page
	Service  string
	UserName string
	Level    int
	Shadow   bool
	// AckToken signs this notification for its acknowledge link
	// (links.Ack); empty when no secret key is configured.
	AckToken string

	notificationID, methodID, userID string
}

// BroadcastNotice is what a broadcast delivery is about.
type BroadcastNotice struct {
	herald.Notice
	UnsubscribeURL string

	subscriberID string
}

// claimFor is how long a claimed message is left to its sender before
// another worker may take it again (the sender crashed).
const claimFor = time.Minute

// MaxAttempts is how often a message is tried before it is given up: a
// person's other contact methods take over, a subscriber counts a failure.
const MaxAttempts = 5

// Claim takes the next due message of a lane, or returns nil when none is
// due. The claim and the reading of what the message needs are one
// transaction; a row that cannot be prepared (its secret no longer
// decrypts, a row it needs is gone) keeps its claim and comes back with Err
// set, its attempt counted, instead of failing the claim again and again.
// Page deliveries for pages no longer triggered are cancelled here, not
// sent.
func (db *Work) Claim(ctx context.Context, lane Lane) (*Outgoing, error) {
	for {
		o, cancelled, err := db.claim(ctx, lane, "")
		if err != nil && o != nil {
			// Preparing it broke the transaction (a database error): take
			// the claim alone, so the row fails on its own.
			prepErr := err
			if o, _, err = db.claim(ctx, lane, o.ID); o != nil {
				o.Err = prepErr
			}
		}
		if err != nil || o == nil || !cancelled {
			return o, err
		}
	}
}

// claim marks the earliest due row of a lane (or the row only) as taken for
// claimFor and, unless only is set, prepares it in the same transaction.
// On a failure after the claim it returns the claimed row with the error.
func (db *core) claim(ctx context.Context, lane Lane, only string) (o *Outgoing, cancelled bool, err error) {
	write := db.write
	if lane == LanePage {
		write = db.writePaging
	}
	t := lane.table()
	pick := `SELECT id FROM ` + t + ` WHERE status = 'pending' AND due_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2)
		ORDER BY due_at LIMIT 1` + db.skipLocked()
	args := []any{nil, nil}
	if only != "" {
		pick = `$3`
		args = append(args, only)
	}
	var claimed *Outgoing
	err = write(ctx, func(tx *tx) error {
		args[0], args[1] = micros(tx.now.Add(claimFor)), micros(tx.now)
		var id string
		var attempts int
		err := tx.QueryRowContext(ctx, `UPDATE `+t+` SET claimed_until = $1, attempts = attempts + 1
			WHERE id = (`+pick+`) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $2)
			RETURNING id, attempts`, args...).Scan(&id, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim %s delivery: %w", lane, err)
		}
		claimed = &Outgoing{ID: id, Lane: lane, Attempt: attempts}
		if only != "" {
			return nil
		}
		var prepErr error
		switch lane {
		case LanePage:
			cancelled, prepErr = tx.preparePage(ctx, claimed)
		case LanePrompt:
			cancelled, prepErr = tx.preparePrompt(ctx, claimed)
		case LaneNotice:
			prepErr = tx.prepareNotice(ctx, claimed)
		case LaneTenantNotice:
			prepErr = tx.prepareTenantNotice(ctx, claimed)
		case LaneSignIn:
			cancelled, prepErr = tx.prepareSignIn(ctx, claimed)
		case LaneChat:
			prepErr = tx.prepareChat(ctx, claimed)
		default:
			prepErr = tx.prepareBroadcast(ctx, claimed)
		}
		if prepErr == nil && !cancelled {
			// R63: a practice stays in its sandbox (practice_guard.go).
			cancelled, prepErr = tx.practiceGuard(ctx, claimed)
		}
		if prepErr == nil && !cancelled && claimed.Kind == "teams" {
			prepErr = tx.prepareTeams(ctx, claimed)
		}
		if prepErr != nil && !errors.Is(prepErr, errBrokenTx) {
			claimed.Err = prepErr // the claim stands: this row fails on its own
			return nil
		}
		return prepErr
	})
	return claimed, cancelled, err
}

// errBrokenTx marks a preparation error after which the transaction cannot
// commit (a database error, not a row that cannot be used).
var errBrokenTx = errors.New("database error while preparing a delivery")

// preparePage reads what a page delivery needs, and cancels it (true) when
// its page is no longer triggered.
func (tx *tx) preparePage(ctx context.Context, o *Outgoing) (bool, error) {
	n := &PageNotice{}
	var pageID, sealed, target string
	err := tx.QueryRowContext(ctx, `SELECT m.kind, m.target, m.secret_enc, d.notification_id, d.contact_method_id, n.page_id, n.user_id, n.level, n.shadow, u.name, m.target_enc
		FROM deliveries d JOIN contact_methods m ON m.id = d.contact_method_id JOIN notifications n ON n.id = d.notification_id
		JOIN users u ON u.id = n.user_id WHERE d.id = $1`, o.ID).
		Scan(&o.Kind, &o.Target, &sealed, &n.notificationID, &n.methodID, &pageID, &n.userID, &n.Level, &n.Shadow, &n.UserName, &target)
	if err != nil {
		return false, dbErr("read delivery", err)
	}
	o.Page = n
	p, err := tx.page(ctx, pageID)
	if err != nil {
		return false, dbErr("read the page", err)
	}
	n.Page = *p
	if p.Status != herald.PageTriggered {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'cancelled', claimed_until = NULL, last_error = $1 WHERE id = $2`,
			"page "+string(p.Status)+" before delivery", o.ID)
		return true, dbErr("cancel delivery", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT name FROM services WHERE id = $1`, p.ServiceID).Scan(&n.Service); err != nil {
		return false, dbErr("the page's service", err)
	}
	if o.Secret, err = tx.db.open(sealed); err != nil {
		return false, fmt.Errorf("open the signing secret: %w", err)
	}
	if o.Target, err = tx.db.openTarget(o.Target, target); err != nil {
		return false, err
	}
	if o.Restricted, err = tx.pageRestriction(ctx, p); err != nil {
		return false, dbErr("the page's tenants", err)
	}
	n.AckToken, _ = tx.db.ackToken(n.notificationID, p.ID, n.userID) // no key: the link opens the console instead
	return false, nil
}

// prepareBroadcast reads what a broadcast delivery needs.
func (tx *tx) prepareBroadcast(ctx context.Context, o *Outgoing) error {
	b := &BroadcastNotice{}
	var sealed, incidentID, target string
	if err := tx.QueryRowContext(ctx, `SELECT s.id, s.kind, s.target, s.secret_enc, b.event, b.subject, b.body, b.url, b.incident_id, s.target_enc
		FROM broadcast_deliveries d JOIN subscribers s ON s.id = d.subscriber_id JOIN broadcasts b ON b.id = d.broadcast_id WHERE d.id = $1`, o.ID).
		Scan(&b.subscriberID, &o.Kind, &o.Target, &sealed, &b.Event, &b.Subject, &b.Body, &b.URL, &incidentID, &target); err != nil {
		return dbErr("read subscriber delivery", err)
	}
	o.Broadcast, o.incidentID = b, incidentID
	var err error
	if o.Restricted, err = tx.incidentRestriction(ctx, incidentID); err != nil {
		return dbErr("the incident's tenants", err)
	}
	if o.Secret, err = tx.db.open(sealed); err != nil {
		return fmt.Errorf("open the signing secret: %w", err)
	}
	if o.Target, err = tx.db.openTarget(o.Target, target); err != nil {
		return err
	}
	b.UnsubscribeURL, err = tx.db.subscriberLink("unsubscribe", b.subscriberID)
	return err
}

// dbErr wraps an error of a statement while preparing a delivery as
// errBrokenTx: after a database error a PostgreSQL transaction cannot
// commit, so Claim takes the claim alone and the row fails on its own.
func dbErr(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w: %w", doing, errBrokenTx, err)
}

// Result is how one attempt at sending went.
type Result struct {
	// Err is why the attempt failed; nil when the message was delivered.
	Err error
	// Slow is set when the receiver took too long (it timed out, or
	// answered only after most of the time allowed): a subscriber that is
	// slow again and again is paused like one that fails.
	Slow bool
	// Value is what a sent chat message made on its platform (chatlane.go).
	Value string
}

// Complete records how an attempt went. A failure is retried with backoff
// (herald.RetryAfter) up to MaxAttempts; then the row is failed, and for a
// page the person's other contact methods take over, for a subscriber the
// failure counts towards pausing it.
func (db *Work) Complete(ctx context.Context, o *Outgoing, r Result) error {
	write := db.write
	if o.Lane == LanePage {
		write = db.writePaging
	}
	t := o.Lane.table()
	return write(ctx, func(tx *tx) error {
		// Only the attempt that holds the claim settles the row: a sender
		// whose claim expired (and whose row another sender took) changes
		// nothing and has no effect on the source.
		mine := ` AND status = 'pending' AND attempts = ` + strconv.Itoa(o.Attempt)
		if o.Chat != nil {
			if done, err := tx.settleChat(ctx, o, r); done || err != nil {
				return err
			}
		}
		if r.Err == nil {
			res, err := tx.ExecContext(ctx, `UPDATE `+t+` SET status = 'sent', sent_at = $1, claimed_until = NULL WHERE id = $2`+mine, micros(tx.now), o.ID)
			if err != nil {
				return fmt.Errorf("settle delivery: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			return tx.settled(ctx, o, r)
		}
		// The error may quote a receiver (a status line): make it text a
		// database takes, or the row could never be settled.
		msg := cleanText(herald.RedactTarget(r.Err.Error(), o.Kind, o.Target), 500)
		final := o.Attempt >= MaxAttempts
		var res sql.Result
		var err error
		if final {
			res, err = tx.ExecContext(ctx, `UPDATE `+t+` SET status = 'failed', claimed_until = NULL, last_error = $1 WHERE id = $2`+mine, msg, o.ID)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE `+t+` SET due_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3`+mine,
				micros(tx.now.Add(herald.RetryAfter(o.Attempt))), msg, o.ID)
		}
		if err != nil {
			return fmt.Errorf("settle delivery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.failed(ctx, o, r, msg, final)
	})
}

// cleanText makes s storable and short: valid UTF-8, no NUL bytes, at most
// n bytes, cut on a rune boundary.
func cleanText(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	return truncate(s, n)
}

// settled applies what a delivered message means for its source.
func (tx *tx) settled(ctx context.Context, o *Outgoing, r Result) error {
	if p := o.Page; p != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE contact_methods SET failures = 0, failing = $1 WHERE id = $2`, false, p.methodID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET status = 'sent', sent_at = $1 WHERE id = $2`, micros(tx.now), p.notificationID)
		return err
	}
	if b := o.Broadcast; b != nil {
		if r.Slow {
			return tx.strike(ctx, b.subscriberID)
		}
		_, err := tx.ExecContext(ctx, `UPDATE subscribers SET failures = 0 WHERE id = $1`, b.subscriberID)
		return err
	}
	return nil
}

// failed applies what a failed attempt means for its source.
func (tx *tx) failed(ctx context.Context, o *Outgoing, r Result, msg string, final bool) error {
	if p := o.Page; p != nil && final {
		if _, err := tx.ExecContext(ctx, `UPDATE contact_methods SET failures = failures + 1, failing = $1 WHERE id = $2`, true, p.methodID); err != nil {
			return err
		}
		if err := tx.pageLog(ctx, p.Page.ID, "delivery_failed", fmt.Sprintf("Could not reach %s by %s after %d attempts: %s", p.UserName, o.Kind, o.Attempt, msg)); err != nil {
			return err
		}
		return tx.fallBack(ctx, p.notificationID, p.userID)
	}
	if b := o.Broadcast; b != nil && (final || r.Slow) {
		return tx.strike(ctx, b.subscriberID)
	}
	return nil
}

// pauseAfter is how many strikes in a row (a delivery given up, or an
// attempt that was too slow) pause a subscription.
const pauseAfter = 3

// strike counts a failure or a slow answer against a subscriber, and pauses
// it at pauseAfter in a row: its pending deliveries are cancelled, so a
// subscriber whose endpoint hangs costs a few timeouts, not one per update.
func (tx *tx) strike(ctx context.Context, subscriberID string) error {
	var paused bool
	if err := tx.QueryRowContext(ctx, `UPDATE subscribers SET failures = failures + 1, paused = (failures + 1 >= $1) WHERE id = $2 RETURNING paused`,
		pauseAfter, subscriberID).Scan(&paused); err != nil {
		return fmt.Errorf("count a subscriber's failure: %w", err)
	}
	if !paused {
		return nil
	}
	// Rows another sender is settling right now are skipped: it strikes
	// too when it fails, and finds the subscriber paused.
	_, err := tx.ExecContext(ctx, `UPDATE broadcast_deliveries SET status = 'cancelled', claimed_until = NULL, last_error = $1
		WHERE id IN (SELECT id FROM broadcast_deliveries WHERE subscriber_id = $2 AND status = 'pending'`+tx.db.skipLocked()+`)`,
		"subscriber paused after repeated failures or slow answers", subscriberID)
	return err
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Broadcasts: what subscribers and stakeholder channels are promised is
// recorded with the change, then planned into bulk-lane deliveries.

// broadcast records something to tell subscribers, in the caller's
// transaction, before anyone is told: the worker plans its audience and
// delivers it, so a crash in between loses nobody. dedup, when set, makes
// a second broadcast with the same key a no-op (a maintenance reminder and
// a manual update with the same text are one e-mail, R31).
func (tx *tx) broadcast(ctx context.Context, n herald.Notice, components []string, channels map[string]bool, onlyTo, dedup string) error {
	return tx.broadcastAbout(ctx, "", n, components, channels, onlyTo, dedup)
}

// broadcastAbout is broadcast for a notice about an incident (a stakeholder
// notice, an internal update): its deliveries are restricted while the
// incident affects a FedRAMP tenant (R46).
func (tx *tx) broadcastAbout(ctx context.Context, incidentID string, n herald.Notice, components []string, channels map[string]bool, onlyTo, dedup string) error {
	id := newID()
	if dedup != "" {
		sum := sha256.Sum256([]byte(dedup))
		id = "b-" + base64.RawURLEncoding.EncodeToString(sum[:18])
	}
	comps, _ := json.Marshal(orEmpty(components))
	chans, _ := json.Marshal(orEmptyMap(channels))
	res, err := tx.ExecContext(ctx, `INSERT INTO broadcasts (id, event, subject, body, url, components, channels, only_to, cursor, created_at, incident_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10) ON CONFLICT (id) DO NOTHING`,
		id, n.Event, n.Subject, n.Body, n.URL, string(comps), string(chans), onlyTo, micros(tx.now), incidentID)
	if err != nil {
		return fmt.Errorf("record broadcast: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		tx.db.kickBulk()
	}
	return nil
}

// planBatch is how many subscribers one planning step reads: memory stays
// flat whatever the audience.
const planBatch = 500

// PlanBroadcasts turns recorded broadcasts into deliveries, a batch of
// subscribers at a time, keeping a cursor so a crash resumes where it
// stopped. Only confirmed, unpaused subscribers of an affected component
// (or of all) whose channel is not unchecked are planned. It returns how
// many deliveries it planned.
func (db *Work) PlanBroadcasts(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := db.planStep(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// PlanBroadcastStep plans one batch of one broadcast's audience, and says
// whether there was anything to plan: the broadcast loop calls it until
// there is not, making progress it can show batch by batch.
func (db *Work) PlanBroadcastStep(ctx context.Context) (bool, error) {
	_, more, err := db.planStep(ctx)
	return more, err
}

func (db *core) planStep(ctx context.Context) (planned int, more bool, err error) {
	err = db.write(ctx, func(tx *tx) error {
		var id, event, comps, chans, onlyTo, cursor, incidentID, tenant string
		err := tx.QueryRowContext(ctx, `SELECT id, event, components, channels, only_to, cursor, incident_id, COALESCE(tenant_id, '') FROM broadcasts WHERE planned = $1
			ORDER BY created_at, id LIMIT 1`+db.skipLocked(), false).
			Scan(&id, &event, &comps, &chans, &onlyTo, &cursor, &incidentID, &tenant)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("next broadcast: %w", err)
		}
		more = true
		// A broadcast whose audience cannot be read goes to everyone rather
		// than to no one, and does not hold up the broadcasts after it.
		var affected []string
		if err := json.Unmarshal([]byte(comps), &affected); err != nil {
			db.log.Warn("broadcast components unreadable; telling every subscriber", "broadcast", id, "err", err)
			affected = nil
		}
		unchecked := map[string]bool{}
		if err := json.Unmarshal([]byte(chans), &unchecked); err != nil {
			db.log.Warn("broadcast channels unreadable; using every channel", "broadcast", id, "err", err)
			unchecked = map[string]bool{}
		}
		// R63: a practice's audience is its sandbox subscribers, and no
		// one else's audience includes them.
		run, err := tx.practiceRunOf(ctx, incidentID)
		if err != nil {
			return fmt.Errorf("the broadcast's practice run: %w", err)
		}
		var rows *sql.Rows
		switch {
		case onlyTo != "":
			rows, err = tx.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = $1 AND unsubscribed_at IS NULL`, onlyTo)
		case tenant != "":
			// A tenant's broadcast goes to the subscribers of its private
			// page only (tenantpage_subscribers.go).
			rows, err = tx.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE tenant_id = $5 AND id > $1 AND confirmed = $2 AND paused = $3
				AND unsubscribed_at IS NULL AND practice_run_id = $6 ORDER BY id LIMIT $4`, cursor, true, false, planBatch, tenant, run)
		default:
			// Stakeholder notices (and internal updates,
			// "incident.stakeholders.update") go to the internal channels
			// only, and public broadcasts never do; neither goes to the
			// subscribers of a tenant's private page.
			rows, err = tx.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id > $1 AND confirmed = $2 AND paused = $3 AND unsubscribed_at IS NULL
				AND internal = $5 AND tenant_id IS NULL AND practice_run_id = $6 ORDER BY id LIMIT $4`, cursor, true, false, planBatch, strings.HasPrefix(event, "incident.stakeholders"), run)
		}
		if err != nil {
			return fmt.Errorf("read audience: %w", err)
		}
		var batch []herald.Subscriber
		for rows.Next() {
			s, err := scanSubscriber(rows)
			if err != nil && s.ID == "" {
				rows.Close()
				return err
			}
			if err != nil {
				// Its choice of components cannot be read: it hears of
				// everything, and the other subscribers are not held up.
				db.log.Warn("subscriber components unreadable; telling it of everything", "subscriber", s.ID, "err", err)
				s.Components = nil
			}
			batch = append(batch, s)
		}
		rows.Close()
		last := cursor
		for _, s := range batch {
			last = s.ID
			if v, ok := unchecked[s.Kind]; ok && !v {
				continue // the publisher unchecked this channel (R11)
			}
			if onlyTo == "" && !wants(s.Components, affected) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO broadcast_deliveries (id, broadcast_id, subscriber_id, status, due_at) VALUES ($1, $2, $3, 'pending', $4)
				ON CONFLICT (broadcast_id, subscriber_id) DO NOTHING`, id+"."+s.ID, id, s.ID, micros(tx.now)); err != nil {
				return fmt.Errorf("plan delivery: %w", err)
			}
			planned++
		}
		done := onlyTo != "" || len(batch) < planBatch
		_, err = tx.ExecContext(ctx, `UPDATE broadcasts SET cursor = $1, planned = $2 WHERE id = $3`, last, done, id)
		return err
	})
	return planned, more, err
}

// wants reports whether a subscriber of chosen components (none: all)
// hears of something affecting affected (none: everything).
func wants(chosen, affected []string) bool {
	if len(chosen) == 0 || len(affected) == 0 {
		return true
	}
	for _, c := range chosen {
		for _, a := range affected {
			if c == a {
				return true
			}
		}
	}
	return false
}
