package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// CreateEscalationPolicy adds a policy; user targets may be given by
// e-mail and schedule targets by name.
func (db *PagingService) CreateEscalationPolicy(ctx context.Context, in herald.EscalationPolicyInput) (*herald.EscalationPolicy, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var p *herald.EscalationPolicy
	err := db.write(ctx, func(tx *tx) error {
		fe := herald.FieldErrors{}
		for i := range in.Levels {
			for j, t := range in.Levels[i].Targets {
				switch t.Type {
				case "user":
					if u, err := tx.user(ctx, t.ID); err == nil {
						in.Levels[i].Targets[j].ID = u.ID
					} else {
						fe.Add("levels", "no user "+t.ID)
					}
				case "schedule", "colleague":
					if s, err := tx.schedule(ctx, t.ID, tx.now); err == nil {
						in.Levels[i].Targets[j].ID = s.ID
					} else {
						fe.Add("levels", "no schedule "+t.ID)
					}
				}
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		p = &herald.EscalationPolicy{ID: newID(), Name: in.Name, Levels: in.Levels, Repeat: in.Repeat, RepeatFromLevel: in.RepeatFromLevel, AckExpiry: in.AckExpiry, CreatedAt: tx.now}
		levels, _ := json.Marshal(p.Levels)
		_, err := tx.ExecContext(ctx, `INSERT INTO escalation_policies (id, name, levels, repeat, repeat_from, ack_expiry_s, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.ID, p.Name, string(levels), p.Repeat, p.RepeatFromLevel, int64(time.Duration(p.AckExpiry)/time.Second), micros(tx.now))
		return conflictAs(err, "insert escalation policy", "an escalation policy named %q exists already", in.Name)
	})
	return p, err
}

func (tx *tx) escalationPolicy(ctx context.Context, ref string) (*herald.EscalationPolicy, error) {
	p, err := scanPolicy(tx.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM escalation_policies WHERE id = $1 OR name = $1`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no escalation policy %q", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("read escalation policy: %w", err)
	}
	return p, nil
}

const policyColumns = `id, name, levels, repeat, repeat_from, ack_expiry_s, created_at`

func scanPolicy(row interface{ Scan(...any) error }) (*herald.EscalationPolicy, error) {
	p := &herald.EscalationPolicy{}
	var levels string
	var expiry, created int64
	if err := row.Scan(&p.ID, &p.Name, &levels, &p.Repeat, &p.RepeatFromLevel, &expiry, &created); err != nil {
		return nil, err
	}
	p.AckExpiry, p.CreatedAt = herald.Duration(time.Duration(expiry)*time.Second), fromMicros(created)
	if err := json.Unmarshal([]byte(levels), &p.Levels); err != nil {
		return nil, fmt.Errorf("escalation policy %s: %w", p.ID, err)
	}
	return p, nil
}

// EscalationPolicy reads a policy by id or name.
func (db *PagingService) EscalationPolicy(ctx context.Context, ref string) (*herald.EscalationPolicy, error) {
	var p *herald.EscalationPolicy
	err := db.read(ctx, func(tx *tx) (err error) {
		p, err = tx.escalationPolicy(ctx, ref)
		return err
	})
	return p, err
}

func newIntegrationKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const serviceColumns = `id, name, description, COALESCE(escalation_policy_id, ''), integration_key, group_threshold, group_window_s, created_at`

func scanService(row interface{ Scan(...any) error }) (*herald.Service, error) {
	s := &herald.Service{}
	var window, created int64
	if err := row.Scan(&s.ID, &s.Name, &s.Description, &s.EscalationPolicyID, &s.IntegrationKey, &s.Grouping.Threshold, &window, &created); err != nil {
		return nil, err
	}
	s.Grouping.WindowMinutes = int(window / 60)
	s.CreatedAt = fromMicros(created)
	return s, nil
}

// CreateService adds a service with a new integration key.
func (db *PagingService) CreateService(ctx context.Context, in herald.ServiceInput) (*herald.Service, error) {
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var s *herald.Service
	err := db.write(ctx, func(tx *tx) error {
		s = &herald.Service{ID: newID(), Name: in.Name, Description: in.Description, IntegrationKey: newIntegrationKey(), Grouping: *in.Grouping, CreatedAt: tx.now}
		var policy sql.NullString
		if in.EscalationPolicyID != "" {
			p, err := tx.escalationPolicy(ctx, in.EscalationPolicyID)
			if err != nil {
				return &herald.Error{Code: herald.EInvalid, Message: "no escalation policy " + in.EscalationPolicyID, Fields: map[string]string{"escalation_policy_id": "no such policy"}}
			}
			s.EscalationPolicyID = p.ID
			policy = sql.NullString{String: p.ID, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO services (id, name, description, escalation_policy_id, integration_key, group_threshold, group_window_s, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			s.ID, s.Name, s.Description, policy, s.IntegrationKey, s.Grouping.Threshold, s.Grouping.WindowMinutes*60, micros(tx.now))
		if err := conflictAs(err, "insert service", "a service named %q exists already", in.Name); err != nil {
			return err
		}
		s.Components = orEmpty(in.Components)
		return tx.setServiceComponents(ctx, s.ID, s.Components)
	})
	return s, err
}

// Service reads a service by id or name.
func (db *PagingService) Service(ctx context.Context, ref string) (*herald.Service, error) {
	s, err := scanService(db.r.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 OR name = $1`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no service %q", ref)
	}
	if err != nil {
		return nil, err
	}
	return s, db.fillServiceComponents(ctx, []*herald.Service{s})
}

// Services lists services by name.
func (db *PagingService) Services(ctx context.Context) ([]*herald.Service, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+serviceColumns+` FROM services ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	defer rows.Close()
	out := []*herald.Service{}
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.fillServiceComponents(ctx, out)
}

// ErrUnknownKey is what an unknown integration key gets: one error for
// every case, so a caller learns nothing about which keys exist.
var ErrUnknownKey = herald.Errorf(herald.ENotFound, "unknown integration key")

// Enqueue takes one event from monitoring (PagerDuty Events API v2 shape):
// a trigger opens an alert or folds into the open one with its dedup key;
// an acknowledge or resolve acts on the alert's page. It returns the dedup
// key. Invalid events are EInvalid with the reasons in Fields["errors"].
func (db *PagingService) Enqueue(ctx context.Context, ev herald.Event) (string, error) {
	if errs := ev.Validate(); len(errs) > 0 {
		return "", &herald.Error{Code: herald.EInvalid, Message: "Event object is invalid", Fields: map[string]string{"errors": strings.Join(errs, "\n")}}
	}
	if ev.EventAction == "trigger" && ev.DedupKey == "" {
		ev.DedupKey = newID()
	}
	var paged bool
	var err error
	// Events for a known integration key go through the ingestion loops,
	// which commit them in batches; the first event of a key (or one that
	// may be unknown) is looked up on its own.
	if svc := db.knownService(ev.RoutingKey); svc != nil {
		paged, err = db.batched(ctx, svc, ev)
	} else {
		paged, err = db.enqueueOne(ctx, nil, ev)
	}
	if paged {
		db.kick() // only a new page gives the worker something to do
	}
	return ev.DedupKey, err
}

// enqueueOne takes one event in its own transaction. Two instances may
// open the same dedup key at once on PostgreSQL; the loser's insert fails
// on the unique index and the retry folds into the winner's alert.
// svc, when known from the cache, spares a lookup.
func (db *core) enqueueOne(ctx context.Context, svc *herald.Service, ev herald.Event) (paged bool, err error) {
	for attempt := 0; attempt < 3; attempt++ {
		err = db.writeIngest(ctx, func(tx *tx) (err error) {
			s := svc
			if s == nil {
				var err error
				if s, err = tx.serviceByKey(ctx, ev.RoutingKey); err != nil {
					return err
				}
				db.knownKeys.Store(ev.RoutingKey, cachedService{s, tx.now})
			}
			paged, err = tx.enqueue(ctx, s, ev)
			return err
		})
		if herald.ErrorCode(err) != herald.EConflict {
			break
		}
	}
	return paged && err == nil, err
}

// cachedService spares the batched path a lookup per event. Entries live
// serviceCacheFor, so a change to a service shows within that time.
type cachedService struct {
	svc *herald.Service
	at  time.Time
}

const serviceCacheFor = 30 * time.Second

func (db *core) knownService(key string) *herald.Service {
	v, ok := db.knownKeys.Load(key)
	if !ok {
		return nil
	}
	c := v.(cachedService)
	if db.clock.Now().Sub(c.at) > serviceCacheFor {
		db.knownKeys.Delete(key)
		return nil
	}
	return c.svc
}

func (tx *tx) serviceByKey(ctx context.Context, key string) (*herald.Service, error) {
	svc, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE integration_key = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, fmt.Errorf("find service: %w", err)
	}
	return svc, nil
}

type ingestReq struct {
	svc  *herald.Service
	ev   herald.Event
	done chan ingestDone
	// Set while its batch is taken:
	seq     int  // its place in the batch
	paged   bool // it opened a page
	applied bool // it is committed
}

type ingestDone struct {
	paged bool
	err   error
}

// maxBatch bounds how many events one ingestion transaction takes.
const maxBatch = 256

// ingestLoops is how many ingestion loops take batches at once. SQLite has
// one writer: one loop. On PostgreSQL each loop is a connection: an event
// that finds a loop idle is committed at once, in one round trip, and only
// when every loop is busy do events queue up and go into one batch
// (docs/BENCHMARKS.md).
func (db *core) ingestLoops() int {
	if db.dialect == Postgres {
		return 4
	}
	return 1
}

// batched hands the event to the ingestion loops, which fold the events
// that arrive while they work into one batch (group commit): under load,
// one commit carries many events instead of one each. Nothing waits on a
// timer: an event that finds a loop idle is committed at once. The order
// of two events holds whenever it is defined: an event sent after another
// was answered is taken after it.
func (db *core) batched(ctx context.Context, svc *herald.Service, ev herald.Event) (paged bool, err error) {
	db.ingestOnce.Do(func() {
		for range db.ingestLoops() {
			go db.ingestLoop()
		}
	})
	req := ingestReq{svc: svc, ev: ev, done: make(chan ingestDone, 1)}
	select {
	case db.ingest <- req:
	case <-db.quit:
		return false, errors.New("the store is closed")
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case d := <-req.done:
		return d.paged, d.err
	case <-ctx.Done():
		return false, ctx.Err() // it may still be committed, as with any timeout
	}
}

func (db *core) ingestLoop() {
	for {
		var batch []*ingestReq
		select {
		case req := <-db.ingest:
			batch = append(batch, &req)
		case <-db.quit:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case req := <-db.ingest:
				batch = append(batch, &req)
			default:
				break drain
			}
		}
		db.takeBatch(context.Background(), batch)
	}
}

// takeBatch applies a batch with the effect of taking its events one by
// one in order, and answers each event once it is committed. Only the order
// of events with the same key matters, and per key nothing reorders.
//
// On PostgreSQL the bulk of a batch costs one round trip: the triggers that
// lead the batch for their key are folded into the open alerts by one
// statement, and those whose key has no open alert open their pages and
// alerts by a second. Each statement commits on its own: nothing needs to
// roll back with anything else. What is left (acknowledgements,
// resolutions, services that group floods, and the events of a key after
// its first acknowledge or resolve in the batch) is then taken in one
// transaction. On SQLite, where a statement costs no round trip, the whole
// batch is one transaction.
func (db *core) takeBatch(ctx context.Context, batch []*ingestReq) {
	runs, order := leadingTriggers(batch)
	var err error
	if db.dialect == Postgres {
		var folded map[alertKey]bool
		if folded, err = db.fold(ctx, db.w, micros(db.clock.Now()), order); err == nil {
			var opens []*foldRun
			for _, run := range order {
				if !folded[run.alertKey] && run.svc.Grouping.Threshold <= 0 {
					opens = append(opens, run)
				}
			}
			err = db.openAlerts(ctx, opens)
			for _, r := range batch {
				if run := runs[r.key()]; run != nil && r.seq <= run.last && (folded[run.alertKey] || run.opened) {
					r.applied = true
				}
			}
		}
	}
	if err == nil {
		var rest []*ingestReq
		for _, r := range batch {
			if !r.applied {
				rest = append(rest, r)
			}
		}
		if len(rest) > 0 {
			err = db.writeIngest(ctx, func(tx *tx) error { return tx.enqueueBatch(ctx, rest) })
			if err == nil {
				for _, r := range rest {
					r.applied = true
				}
			}
		}
	}
	for _, r := range batch {
		if r.applied {
			r.done <- ingestDone{paged: r.paged}
			continue
		}
		// An event failed its part of the batch (a service deleted since
		// it was cached, a race with another instance): take each left on
		// its own, in order, so only that one fails.
		paged, err := db.enqueueOne(ctx, nil, r.ev)
		r.done <- ingestDone{paged, err}
	}
}

// alertKey names an alert: one is open per service and dedup key.
type alertKey struct{ service, dedup string }

func (r *ingestReq) key() alertKey { return alertKey{r.svc.ID, r.ev.DedupKey} }

// foldRun is the triggers of one alert key that lead a batch, before any
// acknowledge or resolve of that key: into an open alert they all fold at
// once; without one, the first opens it and the others fold into it.
type foldRun struct {
	alertKey
	svc    *herald.Service
	first  *ingestReq // the trigger that opens the alert when none is open
	n      int        // triggers
	last   int        // seq of the last of them
	opened bool       // set by openAlerts
}

// leadingTriggers numbers the batch and finds each key's leading triggers.
func leadingTriggers(batch []*ingestReq) (map[alertKey]*foldRun, []*foldRun) {
	runs := map[alertKey]*foldRun{}
	var order []*foldRun
	stopped := map[alertKey]bool{}
	for i, r := range batch {
		r.seq = i
		k := r.key()
		if r.ev.EventAction != "trigger" {
			stopped[k] = true
			continue
		}
		if stopped[k] {
			continue
		}
		run := runs[k]
		if run == nil {
			run = &foldRun{alertKey: k, svc: r.svc, first: r}
			runs[k] = run
			order = append(order, run)
		}
		run.n++
		run.last = i
	}
	return runs, order
}

// enqueueBatch takes events in one transaction, with the effect of taking
// them one by one in order: the leading triggers of keys with an open alert
// fold at once, then each other event is taken in order.
func (tx *tx) enqueueBatch(ctx context.Context, batch []*ingestReq) error {
	runs, order := leadingTriggers(batch)
	folded, err := tx.db.fold(ctx, tx, micros(tx.now), order)
	if err != nil {
		return err
	}
	for _, r := range batch {
		if run := runs[r.key()]; run != nil && folded[run.alertKey] && r.seq <= run.last {
			continue
		}
		if r.paged, err = tx.enqueue(ctx, r.svc, r.ev); err != nil {
			return err
		}
	}
	return nil
}

// querier is a transaction or, for a statement that commits on its own,
// the connection pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// fold adds each run's triggers to its key's open alert and that alert's
// page, and reports which keys had an open alert. On PostgreSQL it is one
// statement for every key, which takes the alerts in key order and then
// their pages in id order, so that concurrent batches (other loops, other
// instances) take shared rows in one order; SQLite (in process, one
// writer) takes the keys one at a time.
func (db *core) fold(ctx context.Context, q querier, now int64, runs []*foldRun) (map[alertKey]bool, error) {
	folded := make(map[alertKey]bool, len(runs))
	if len(runs) == 0 {
		return folded, nil
	}
	if db.dialect == SQLite {
		for _, r := range runs {
			var pageID string
			err := q.QueryRowContext(ctx, `UPDATE alerts SET count = count + $1, last_seen = $2
				WHERE service_id = $3 AND dedup_key = $4 AND status = 'open' RETURNING page_id`, r.n, now, r.service, r.dedup).Scan(&pageID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("fold alert: %w", err)
			}
			if _, err := q.ExecContext(ctx, `UPDATE pages SET count = count + $1, last_seen = $2 WHERE id = $3`, r.n, now, pageID); err != nil {
				return nil, fmt.Errorf("fold page: %w", err)
			}
			folded[r.alertKey] = true
		}
		return folded, nil
	}
	sorted := slices.SortedFunc(slices.Values(runs), func(a, b *foldRun) int {
		return cmp.Or(strings.Compare(a.service, b.service), strings.Compare(a.dedup, b.dedup))
	})
	// The keys are a VALUES list rather than arrays: the planner then knows
	// how many there are and looks each up in the alerts_open index, where
	// an array of unknown length made it scan the whole table.
	values := make([]string, len(sorted))
	args := []any{now}
	for i, r := range sorted {
		values[i] = fmt.Sprintf("($%d::text, $%d::text, $%d::bigint)", len(args)+1, len(args)+2, len(args)+3)
		args = append(args, r.service, r.dedup, r.n)
	}
	rows, err := q.QueryContext(ctx, `WITH ev (service_id, dedup_key, n) AS (VALUES `+strings.Join(values, ", ")+`), a AS (
			UPDATE alerts SET count = alerts.count + ev.n, last_seen = $1 FROM ev
			WHERE alerts.service_id = ev.service_id AND alerts.dedup_key = ev.dedup_key AND alerts.status = 'open'
			RETURNING alerts.service_id, alerts.dedup_key, alerts.page_id, ev.n
		), p AS (
			UPDATE pages SET count = pages.count + s.n, last_seen = $1
			FROM (SELECT page_id, sum(n)::bigint AS n FROM a GROUP BY page_id ORDER BY page_id) s WHERE pages.id = s.page_id
		)
		SELECT service_id, dedup_key FROM a`, args...)
	if err != nil {
		return nil, fmt.Errorf("fold alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k alertKey
		if err := rows.Scan(&k.service, &k.dedup); err != nil {
			return nil, err
		}
		folded[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fold alerts: %w", err)
	}
	return folded, nil
}

// openAlerts (PostgreSQL) opens a page and an alert for each run, in one
// statement that commits on its own: what newPage and newAlert write for
// the run's first trigger, with the run's other triggers folded in. The
// runs' services must not group floods. Another instance opening one of the
// keys at the same moment fails the statement on the unique index; the
// events are then taken one by one.
func (db *core) openAlerts(ctx context.Context, runs []*foldRun) error {
	if len(runs) == 0 {
		return nil
	}
	n := len(runs)
	pageIDs, alertIDs, services, dedups := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	summaries, severities, sources, details, counts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]int64, n)
	for i, r := range runs {
		p := r.first.ev.Payload
		pageIDs[i], alertIDs[i], services[i], dedups[i] = newID(), newID(), r.service, r.dedup
		summaries[i], severities[i], sources[i], details[i], counts[i] = p.Summary, p.Severity, p.Source, string(p.CustomDetails), int64(r.n)
	}
	// A maintenance in progress on a service's components mutes its new
	// page (paging_mutes, as in mutingMaintenance): no round trip added.
	_, err := db.w.ExecContext(ctx, `WITH ev AS (
			SELECT ev.*, pm.maintenance_id AS mid, pm.name AS mname
			FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
				AS ev (page_id, alert_id, service_id, dedup_key, summary, severity, source, details, n)
			LEFT JOIN paging_mutes pm ON pm.service_id = ev.service_id
		), p AS (
			INSERT INTO pages (id, service_id, status, dedup_key, summary, severity, source, details, count, alerts, level, loops,
				first_seen, last_seen, acked_by, next_escalation_at, incident_id, incident_role, maintenance_id, muted)
			SELECT page_id, service_id, 'triggered', dedup_key, summary, severity, source, NULLIF(details, ''), n, 1, -1, 0, $1, $1, '',
				CASE WHEN mid IS NULL THEN $1::bigint END, NULL, '', mid, mid IS NOT NULL FROM ev
		), l AS (
			INSERT INTO page_log (page_id, at, kind, text)
			SELECT page_id, $1, k.kind, k.text FROM ev CROSS JOIN LATERAL (VALUES
				(1, 'triggered', 'Triggered: ' || ev.summary),
				(2, 'muted', $11::text || ev.mname || $12::text || ev.mid || $13::text)) AS k (ord, kind, text)
			WHERE k.ord = 1 OR ev.mid IS NOT NULL ORDER BY page_id, k.ord
		)
		INSERT INTO alerts (id, service_id, page_id, dedup_key, status, count, first_seen, last_seen)
		SELECT alert_id, service_id, page_id, dedup_key, 'open', n, $1, $1 FROM ev`,
		micros(db.clock.Now()), pageIDs, alertIDs, services, dedups, summaries, severities, sources, details, counts, mutedLog1, mutedLog2, mutedLog3)
	if err != nil {
		return fmt.Errorf("open alerts: %w", err)
	}
	for _, r := range runs {
		r.opened = true
		r.first.paged = true
	}
	return nil
}

// enqueue takes one event; paged says that it opened a new page.
func (tx *tx) enqueue(ctx context.Context, svc *herald.Service, ev herald.Event) (paged bool, err error) {
	if ev.EventAction == "trigger" {
		// The common case under load is a repeat: fold it.
		k := alertKey{svc.ID, ev.DedupKey}
		folded, err := tx.db.fold(ctx, tx, micros(tx.now), []*foldRun{{alertKey: k, n: 1}})
		if err != nil || folded[k] {
			return false, err
		}
		return tx.openAlert(ctx, svc, ev)
	}
	return false, tx.settle(ctx, svc, ev)
}

// settle takes an acknowledge or resolve event.
func (tx *tx) settle(ctx context.Context, svc *herald.Service, ev herald.Event) error {
	now := micros(tx.now)
	var alertID, pageID string
	err := tx.QueryRowContext(ctx, `SELECT id, page_id FROM alerts WHERE service_id = $1 AND dedup_key = $2 AND status = 'open'`, svc.ID, ev.DedupKey).Scan(&alertID, &pageID)
	open := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("find alert: %w", err)
	}
	switch ev.EventAction {
	case "acknowledge":
		if !open {
			return nil // PagerDuty accepts events for keys it does not know
		}
		if err := tx.ackPage(ctx, pageID, "monitoring ("+svc.Name+")"); err != nil {
			return err
		}
		return tx.monitoringAck(ctx, pageID, "monitoring ("+svc.Name+")")
	case "resolve":
		if !open {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'resolved', last_seen = $1 WHERE id = $2`, now, alertID); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE page_id = $1 AND status = 'open'`, pageID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			return tx.resolvePage(ctx, pageID, "monitoring ("+svc.Name+")")
		}
	}
	return nil
}

// openAlert opens a new alert: on a new page, or on the newest open page
// when the service is flooding (its grouping rule). paged says that it
// opened a new page.
func (tx *tx) openAlert(ctx context.Context, svc *herald.Service, ev herald.Event) (paged bool, err error) {
	now := micros(tx.now)
	pageID := ""
	if g := svc.Grouping; g.Threshold > 0 {
		since := micros(tx.now.Add(-time.Duration(g.WindowMinutes) * time.Minute))
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE service_id = $1 AND status <> 'resolved' AND first_seen >= $2`, svc.ID, since).Scan(&n); err != nil {
			return false, err
		}
		if n >= g.Threshold {
			err := tx.QueryRowContext(ctx, `SELECT id FROM pages WHERE service_id = $1 AND status <> 'resolved' ORDER BY first_seen DESC, id DESC LIMIT 1`, svc.ID).Scan(&pageID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return false, err
			}
		}
	}
	if pageID != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE pages SET count = count + 1, alerts = alerts + 1, last_seen = $1 WHERE id = $2`, now, pageID); err != nil {
			return false, err
		}
		if err := tx.pageLog(ctx, pageID, "grouped", "Grouped alert "+ev.DedupKey+": "+ev.Payload.Summary); err != nil {
			return false, err
		}
	} else {
		if pageID, err = tx.newPage(ctx, svc.ID, ev.DedupKey, ev.Payload.Summary, ev.Payload.Severity, ev.Payload.Source, ev.Payload.CustomDetails, "", ""); err != nil {
			return false, err
		}
		paged = true
	}
	return paged, tx.newAlert(ctx, svc.ID, pageID, ev.DedupKey)
}

// newAlert opens an alert on a page. On a conflict (another instance
// opened the same dedup key first) it returns EConflict and the caller
// retries, folding into that alert.
func (tx *tx) newAlert(ctx context.Context, serviceID, pageID, dedup string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alerts (id, service_id, page_id, dedup_key, status, count, first_seen, last_seen) VALUES ($1, $2, $3, $4, 'open', 1, $5, $5)`,
		newID(), serviceID, pageID, dedup, micros(tx.now))
	if err := mapErr(err); herald.ErrorCode(err) == herald.EConflict {
		return err
	} else if err != nil {
		return fmt.Errorf("insert alert: %w", err)
	}
	return nil
}

// newPage opens a triggered page; its first escalation step is due now,
// unless a maintenance in progress mutes the service (an incident's own
// pages are never muted: declaring is a person's decision to page).
func (tx *tx) newPage(ctx context.Context, serviceID, dedup, summary, severity, source string, details json.RawMessage, incidentID, role string) (string, error) {
	id := newID()
	var det sql.NullString
	if len(details) > 0 {
		det = sql.NullString{String: string(details), Valid: true}
	}
	var mid, mname string
	if incidentID == "" {
		var err error
		if mid, mname, err = tx.mutingMaintenance(ctx, serviceID); err != nil {
			return "", err
		}
	}
	next := sql.NullInt64{Int64: micros(tx.now), Valid: mid == ""}
	_, err := tx.ExecContext(ctx, `INSERT INTO pages (id, service_id, status, dedup_key, summary, severity, source, details, count, alerts, level, loops,
		first_seen, last_seen, acked_by, next_escalation_at, incident_id, incident_role, maintenance_id, muted)
		VALUES ($1, $2, 'triggered', $3, $4, $5, $6, $7, 1, 1, -1, 0, $8, $8, '', $9, $10, $11, $12, $13)`,
		id, serviceID, dedup, summary, severity, source, det, micros(tx.now), next, sql.NullString{String: incidentID, Valid: incidentID != ""}, role,
		sql.NullString{String: mid, Valid: mid != ""}, mid != "")
	if err != nil {
		return "", fmt.Errorf("insert page: %w", err)
	}
	if err := tx.pageLog(ctx, id, "triggered", "Triggered: "+summary); err != nil || mid == "" {
		return id, err
	}
	return id, tx.pageLog(ctx, id, "muted", mutedLog(mid, mname))
}

func (tx *tx) pageLog(ctx context.Context, pageID, kind, text string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO page_log (page_id, at, kind, text) VALUES ($1, $2, $3, $4)`, pageID, micros(tx.now), kind, text)
	return err
}

// ackPage acknowledges a triggered page: escalation stops. When the
// page's policy lets acknowledgements expire (ack_expiry), the page is due
// to be triggered again then (escalation.go wake).
func (tx *tx) ackPage(ctx context.Context, pageID, by string) error {
	res, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'acknowledged', acked_at = $1, acked_by = $2, next_escalation_at = `+ackExpirySQL+`
		WHERE id = $3 AND status = 'triggered'`, micros(tx.now), by, pageID)
	if err != nil {
		return fmt.Errorf("acknowledge page: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return tx.pageLog(ctx, pageID, "acknowledged", "Acknowledged by "+by)
}

// resolvePage resolves a page and its open alerts. It never touches an
// incident (R02).
func (tx *tx) resolvePage(ctx context.Context, pageID, by string) error {
	res, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'resolved', resolved_at = $1, next_escalation_at = NULL, snoozed_until = NULL WHERE id = $2 AND status <> 'resolved'`,
		micros(tx.now), pageID)
	if err != nil {
		return fmt.Errorf("resolve page: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'resolved' WHERE page_id = $1 AND status = 'open'`, pageID); err != nil {
		return err
	}
	return tx.pageLog(ctx, pageID, "resolved", "Resolved by "+by)
}

// AcknowledgePage acknowledges a page for a person. A shadow on one of the
// page's schedules cannot: acknowledging would stop the pages to the real
// responder (R03).
func (db *PagingService) AcknowledgePage(ctx context.Context, actor herald.Actor, id string) (*herald.Page, error) {
	err := db.writePaging(ctx, func(tx *tx) error {
		p, err := tx.page(ctx, id)
		if err != nil {
			return err
		}
		if p.Status != herald.PageTriggered {
			return herald.Errorf(herald.EUnprocessable, "the page is %s already", p.Status)
		}
		if err := tx.refuseShadow(ctx, p, actor, "acknowledge"); err != nil {
			return err
		}
		if err := tx.ackPage(ctx, p.ID, actor.User.Name); err != nil {
			return err
		}
		return tx.incidentAck(ctx, actor, p)
	})
	if err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}

// incidentAck records on the incident's timeline that a role's page was
// acknowledged and how long it took (R01, R62), and gives the role to the
// person who answered when nobody holds it yet.
func (tx *tx) incidentAck(ctx context.Context, actor herald.Actor, p *herald.Page) error {
	if p.IncidentID == "" {
		return nil
	}
	inc, err := tx.incident(ctx, p.IncidentID)
	if err != nil {
		return err
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	took := tx.now.Sub(p.FirstSeen).Round(time.Second)
	if isCoverPage(p) {
		// The support manager answers a request to find cover; the role
		// goes to whoever they find, not to them (R06).
		return tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote,
			fmt.Sprintf("%s acknowledged the request to find cover as %s after %s; the role stays open until someone takes it", actor.User.Name, settings.RoleName(p.IncidentRole), took),
			map[string]any{"page_id": p.ID, "role": p.IncidentRole, "cover": true, "time_to_acknowledge_s": int(took.Seconds())})
	}
	text := fmt.Sprintf("%s acknowledged %s after %s", actor.User.Name, pageLabel(settings, p), took)
	if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryRoleChange, text, map[string]any{
		"page_id": p.ID, "role": p.IncidentRole, "time_to_acknowledge_s": int(took.Seconds())}); err != nil {
		return err
	}
	if _, held := inc.Role(p.IncidentRole); held || p.IncidentRole == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES ($1, $2, $3, $4)`,
		inc.ID, p.IncidentRole, actor.User.ID, micros(tx.now)); err != nil {
		return fmt.Errorf("assign role: %w", err)
	}
	if err := tx.touch(ctx, inc); err != nil { // the incident card shows the new role holder
		return err
	}
	return tx.appendEntry(ctx, inc.ID, actor, herald.EntryRoleChange, fmt.Sprintf("%s is now the %s", actor.User.Name, settings.RoleName(p.IncidentRole)),
		map[string]any{"role": p.IncidentRole, "user_id": actor.User.ID, "user": actor.User.Name})
}

// pageRoles pages the roles the declaration's severity calls for, each
// through the service bound to it (R01), in the declaring transaction: the
// pages exist if and only if the incident does.
func (tx *tx) pageRoles(ctx context.Context, actor herald.Actor, inc *herald.Incident, settings herald.Settings) error {
	for _, role := range settings.PageRoles[inc.Severity] {
		if _, held := inc.Role(role); held {
			continue // someone already has the role
		}
		ref := settings.RoleServices[role]
		name := settings.RoleName(role)
		if ref == "" {
			// Loud, also on a fresh install: an S1 that pages nobody must say so.
			if err := tx.roleUnbound(ctx, inc, role, "Nobody was paged as "+name+": no service is bound to the role (settings role_services)"); err != nil {
				return err
			}
			continue
		}
		svc, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 OR name = $1`, ref))
		if err != nil {
			if err := tx.roleUnbound(ctx, inc, role, "Nobody was paged as "+name+": service "+ref+" does not exist (settings role_services)"); err != nil {
				return err
			}
			continue
		}
		summary := fmt.Sprintf("%s (%s): %s. You are paged as %s.", inc.Reference, inc.Severity, inc.Title, name)
		dedup := "incident/" + inc.ID + "/" + role
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE service_id = $1 AND dedup_key = $2 AND status = 'open'`, svc.ID, dedup).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			continue // paged already (the severity went up after declaration)
		}
		pageID, err := tx.newPage(ctx, svc.ID, dedup, summary, "critical", "incident "+inc.Reference, nil, inc.ID, role)
		if err != nil {
			return err
		}
		if err := tx.newAlert(ctx, svc.ID, pageID, dedup); err != nil {
			return err
		}
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryNote, "Paging the "+name+" through "+svc.Name,
			map[string]any{"page_id": pageID, "role": role, "service": svc.Name}); err != nil {
			return err
		}
	}
	return nil
}

// ResolvePage resolves a page for a person. A shadow cannot, for the same
// reason they cannot acknowledge (R03).
func (db *PagingService) ResolvePage(ctx context.Context, actor herald.Actor, id string) (*herald.Page, error) {
	err := db.writePaging(ctx, func(tx *tx) error {
		p, err := tx.page(ctx, id)
		if err != nil {
			return err
		}
		if p.Status == herald.PageResolved {
			return herald.Errorf(herald.EUnprocessable, "the page is resolved already")
		}
		if err := tx.refuseShadow(ctx, p, actor, "resolve"); err != nil {
			return err
		}
		if err := tx.checkPageResolve(ctx, p); err != nil { // R08
			return err
		}
		return tx.resolvePage(ctx, p.ID, actor.User.Name)
	})
	if err != nil {
		return nil, err
	}
	return db.Page(ctx, id)
}

// refuseShadow refuses a shadow an action on a page (acknowledge, resolve,
// escalate): a shadow learns the rotation by watching, and acting would
// stop or redirect the pages to the real responder (R03).
func (tx *tx) refuseShadow(ctx context.Context, p *herald.Page, actor herald.Actor, action string) error {
	shadow, err := tx.isShadowFor(ctx, p, actor.User.ID)
	if err != nil {
		return err
	}
	if shadow {
		return herald.Errorf(herald.EForbidden, "%s shadows this rotation and cannot %s the page: that is for the responder on call", actor.User.Name, action)
	}
	return nil
}

// isShadowFor reports whether user shadows a schedule that the page's
// escalation policy targets, without being on call on it.
func (tx *tx) isShadowFor(ctx context.Context, p *herald.Page, userID string) (bool, error) {
	var policyID string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(escalation_policy_id, '') FROM services WHERE id = $1`, p.ServiceID).Scan(&policyID); err != nil || policyID == "" {
		return false, err
	}
	pol, err := tx.escalationPolicy(ctx, policyID)
	if err != nil {
		return false, err
	}
	for _, l := range pol.Levels {
		for _, t := range l.Targets {
			if t.Type != "schedule" {
				continue
			}
			s, err := tx.schedule(ctx, t.ID, tx.now)
			if err != nil {
				continue
			}
			oc, ok := s.OnCallAt(tx.now)
			for _, sh := range s.Shadows {
				if sh == userID && !(ok && oc.UserID == userID) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

const pageColumns = `id, service_id, status, dedup_key, summary, severity, source, details, count, alerts, level, first_seen, last_seen,
	acked_at, acked_by, resolved_at, next_escalation_at, COALESCE(incident_id, ''), incident_role, step_attempts, step_error,
	COALESCE(maintenance_id, ''), muted, snoozed_until`

func scanPage(row interface{ Scan(...any) error }) (*herald.Page, error) {
	p := &herald.Page{}
	var details sql.NullString
	var first, last int64
	var acked, resolved, next, snoozed sql.NullInt64
	if err := row.Scan(&p.ID, &p.ServiceID, &p.Status, &p.DedupKey, &p.Summary, &p.Severity, &p.Source, &details, &p.Count, &p.Alerts, &p.Level,
		&first, &last, &acked, &p.AckedBy, &resolved, &next, &p.IncidentID, &p.IncidentRole, &p.StepAttempts, &p.StepError,
		&p.DuringMaintenance, &p.Muted, &snoozed); err != nil {
		return nil, err
	}
	p.SnoozedUntil = fromNullMicros(snoozed)
	if details.Valid {
		p.Details = json.RawMessage(details.String)
	}
	p.FirstSeen, p.LastSeen = fromMicros(first), fromMicros(last)
	p.AckedAt, p.ResolvedAt, p.NextEscalation = fromNullMicros(acked), fromNullMicros(resolved), fromNullMicros(next)
	if p.Status == herald.PageAcknowledged {
		// An acknowledged page's next step triggers it again.
		p.RetriggerAt, p.NextEscalation = p.NextEscalation, nil
	}
	return p, nil
}

func (tx *tx) page(ctx context.Context, id string) (*herald.Page, error) {
	p, err := scanPage(tx.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.ENotFound, "no page %q", id)
	}
	return p, err
}

// OpenPage finds the page holding the open alert with a dedup key.
func (db *PagingService) OpenPage(ctx context.Context, serviceID, dedup string) (*herald.Page, error) {
	var p *herald.Page
	err := db.read(ctx, func(tx *tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT page_id FROM alerts WHERE service_id = $1 AND dedup_key = $2 AND status = 'open'`, serviceID, dedup).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "no open page for %q", dedup)
		}
		if err != nil {
			return err
		}
		p, err = tx.page(ctx, id)
		return err
	})
	return p, err
}

// Page reads one page.
func (db *PagingService) Page(ctx context.Context, id string) (*herald.Page, error) {
	var p *herald.Page
	err := db.read(ctx, func(tx *tx) (err error) {
		if p, err = tx.page(ctx, id); err != nil {
			return err
		}
		if p.Warnings, err = tx.pageWarnings(ctx, p.ID); err != nil {
			return err
		}
		p.Restricted, err = tx.fedrampServing(ctx, p.ServiceID, p.IncidentID)
		return err
	})
	return p, err
}

// Pages lists pages, newest first, optionally of one service and status.
func (db *PagingService) Pages(ctx context.Context, serviceID string, status herald.PageStatus, limit int) ([]*herald.Page, error) {
	q := `SELECT ` + pageColumns + ` FROM pages WHERE ($1 = '' OR service_id = $1) AND ($2 = '' OR status = $2) ORDER BY first_seen DESC, id DESC LIMIT $3`
	rows, err := db.r.QueryContext(ctx, q, serviceID, string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	defer rows.Close()
	out := []*herald.Page{}
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return out, db.fillNotified(ctx, out)
}

// fillNotified sets who each page has notified, in one query for the list.
func (db *PagingService) fillNotified(ctx context.Context, pages []*herald.Page) error {
	if len(pages) == 0 {
		return nil
	}
	byID := map[string]*herald.Page{}
	ids := make([]string, len(pages))
	for i, p := range pages {
		byID[p.ID], ids[i] = p, p.ID
	}
	marks, args := inList(ids)
	rows, err := db.r.QueryContext(ctx, `SELECT n.page_id, u.email, n.shadow FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.page_id IN (`+marks+`) ORDER BY n.page_id, n.due_at, n.id`, args...)
	if err != nil {
		return fmt.Errorf("list who pages notified: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pageID, email string
		var shadow bool
		if err := rows.Scan(&pageID, &email, &shadow); err != nil {
			return fmt.Errorf("list who pages notified: %w", err)
		}
		if shadow {
			email += " (shadow)"
		}
		if p := byID[pageID]; !slices.Contains(p.Notified, email) {
			p.Notified = append(p.Notified, email)
		}
	}
	return rows.Err()
}

// PageLog returns a page's events, oldest first.
func (db *PagingService) PageLog(ctx context.Context, id string) ([]herald.PageLogEntry, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT at, kind, text FROM page_log WHERE page_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.PageLogEntry{}
	for rows.Next() {
		var e herald.PageLogEntry
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Text); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
