// Package worker runs Herald's background work in `herald serve`. The due
// state lives in the database (docs/adr/0003-durable-work-in-rows.md), so a
// crash loses nothing and several instances share the work without doing a
// step twice.
//
// The work runs in separate loops, so that nothing can make a page wait:
// escalation steps and page deliveries each have a loop (and, on
// PostgreSQL, connections) of their own; broadcasts to subscribers and
// maintenance automation run in others. A failure stays on the row that
// caused it (attempts, last error, backoff) and the loop moves on.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"

	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// Queue is the work the store holds for the loops; *store.Work implements
// it. Every step claims its row in the database, so several instances can
// run the same loops.
type Queue interface {
	// Wake, DeliveriesDue and WakeBulk are signalled when a change gives
	// escalation, page delivery or the broadcast loop work to do now.
	Wake() <-chan struct{}
	DeliveriesDue() <-chan struct{}
	WakeBulk() <-chan struct{}
	// StepsAtOnce is how many escalation steps may run at once.
	StepsAtOnce() int

	EscalationStep(ctx context.Context) (bool, error)
	ExpireUnconfirmed(ctx context.Context) (int, error)
	PlanBroadcastStep(ctx context.Context) (bool, error)
	MaintenanceStep(ctx context.Context) (bool, error)
	PlaybookStep(ctx context.Context) (bool, error)
	Claim(ctx context.Context, lane store.Lane) (*store.Outgoing, error)
	Complete(ctx context.Context, o *store.Outgoing, r store.Result) error
	WorkStats(ctx context.Context) (store.WorkStats, error)
}

// Worker does the background work of one instance.
type Worker struct {
	// Work is the store's queue of due work (store.DB.Work).
	Work Queue
	// Sender delivers pages to people.
	Sender notify.Sender
	Log    *slog.Logger
	// Links builds the links in messages (zero: root-relative paths).
	Links links.Links
	// Senders is how many page deliveries go out at once.
	Senders int
	// Public delivers to status page subscribers and stakeholder channels:
	// the same senders, but webhooks refuse internal addresses. Nil uses
	// Sender.
	Public notify.Sender
	// BulkSenders is how many broadcast deliveries go out at once (default
	// 16: most of their time is spent waiting on receivers).
	BulkSenders int
	// BulkTimeout bounds one broadcast delivery (default 5 s): a subscriber
	// whose endpoint hangs costs this, and is paused after a few.
	BulkTimeout time.Duration
	// Tickets are the support ticket sweeps (R20, tickets.go) and
	// TicketSystem makes the connector for the connected desk; the sweeps
	// run on a loop of their own when both are set.
	Tickets      TicketQueue
	TicketSystem func(herald.TicketCredentials) (herald.TicketSystem, error)
	// Chat sends the chat lane's messages, by platform (chat.go).
	Chat map[string]ChatSender
	// Flows keep the incident cards of the connected platforms up to
	// date, by platform (chat.go).
	Flows map[string]ChatFlow

	once    sync.Once
	loops   []*loop
	metrics *metrics
}

// Tick takes every due step once, loop by loop: escalations first (someone
// may be waiting for a page), then page deliveries, broadcasts, and
// maintenance automation. Run does the same work in separate loops; Tick
// is for tests and tools that want it done now.
func (w *Worker) Tick(ctx context.Context) error {
	var errs []error
	for _, l := range w.init() {
		errs = append(errs, l.tick(ctx))
	}
	return errors.Join(errs...)
}

// Run runs every loop until ctx ends: each one every interval, and at once
// when the store signals new work (a page was triggered, a broadcast
// recorded). Failures are logged and the loop carries on: a database blip
// must not stop the next page.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	var wg sync.WaitGroup
	for _, l := range w.init() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.run(ctx, interval, w.Log)
		}()
	}
	wg.Wait()
}

// Health reports the loops that have not made progress within limit: a
// loop stuck in one step is wedged, and /readyz says so.
func (w *Worker) Health(limit time.Duration) error {
	var errs []error
	now := time.Now()
	for _, l := range w.init() {
		if since := now.Sub(time.Unix(0, l.beat.Load())); since > limit {
			errs = append(errs, errors.New(l.name+" loop has made no progress for "+since.Round(time.Second).String()))
		}
	}
	return errors.Join(errs...)
}

// pagingReady reports whether escalations and page deliveries are running:
// what the heartbeat vouches for.
func (w *Worker) pagingReady(limit time.Duration) bool {
	now := time.Now()
	for _, l := range w.init() {
		if l.paging && now.Sub(time.Unix(0, l.beat.Load())) > limit {
			return false
		}
	}
	return true
}

func (w *Worker) init() []*loop {
	w.once.Do(func() {
		w.metrics = newMetrics()
		if w.BulkSenders <= 0 {
			w.BulkSenders = 16
		}
		if w.BulkTimeout <= 0 {
			w.BulkTimeout = 5 * time.Second
		}
		if w.Public == nil {
			w.Public = w.Sender
		}
		escalators := w.Work.StepsAtOnce()
		deliveries := w.Work.DeliveriesDue()
		w.loops = []*loop{
			{name: "escalation", paging: true, wake: w.Work.Wake(), steps: []step{{"escalations", escalators, w.Work.EscalationStep}}},
			{name: "paging", paging: true, wake: deliveries, steps: []step{{"page deliveries", max(w.Senders, 1), w.deliverPage}}},
			{name: "broadcast", wake: w.Work.WakeBulk(), steps: []step{
				{"sign-up expiry", 1, whole(w.Work.ExpireUnconfirmed)},
				{"broadcast planning", 1, w.Work.PlanBroadcastStep},
				{"broadcast deliveries", w.BulkSenders, w.deliverBulk},
				{"tenant notices", w.BulkSenders, w.deliverTenantNotice},
				{"sign-in mails", 1, w.deliverSignIn},
			}},
			{name: "maintenance", steps: []step{{"maintenance automation", 1, w.Work.MaintenanceStep}}},
			// The playbook's prompts (an update is due...) go to people
			// like pages, but on a lane and loop of their own: a reminder
			// never holds up a page.
			{name: "playbook", steps: []step{
				{"playbook rules", 1, w.Work.PlaybookStep},
				{"prompt deliveries", 2, w.deliverPrompt},
			}},
			// Customer notices (notices.go) on a lane and loop of their own.
			{name: "notices", steps: []step{{"notice deliveries", 2, w.deliverNotice}}},
			// Chat platforms (chat.go) on a lane and loop of their own: a
			// rate-limited channel waits, a page does not.
			{name: "chat", steps: []step{{"incident cards", 1, w.refreshCards}, {"chat messages", 2, w.deliverChat}}},
		}
		if w.Tickets != nil && w.TicketSystem != nil {
			// A support desk can be slow: its sweeps wait for nobody.
			w.loops = append(w.loops, &loop{name: "tickets", steps: []step{{"ticket sweeps", 1, w.sweepTickets}}})
		}
		for _, l := range w.loops {
			l.beat.Store(time.Now().UnixNano())
			l.done = w.metrics.steps.WithLabelValues(l.name)
		}
	})
	return w.loops
}

// whole makes a function that does all its work in one call a step.
func whole(fn func(context.Context) (int, error)) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := fn(ctx)
		return false, err
	}
}

// step is one kind of work of a loop: fn does one unit and says whether it
// did anything; n goroutines call it until nothing is left.
type step struct {
	name string
	n    int
	fn   func(context.Context) (bool, error)
}

// loop is one background loop with its own wake-up signal and heartbeat.
type loop struct {
	name   string
	paging bool // escalations and page deliveries: what the heartbeat needs
	wake   <-chan struct{}
	steps  []step
	// beat is when the loop last made progress (unix nanoseconds): after
	// each unit of work and each tick.
	beat atomic.Int64
	done prometheus.Counter
}

func (l *loop) run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := l.tick(ctx); err != nil && ctx.Err() == nil {
			log.Warn("background work failed; retrying next tick", "loop", l.name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.wake:
		}
	}
}

func (l *loop) tick(ctx context.Context) error {
	var errs []error
	for _, s := range l.steps {
		if _, err := l.drain(ctx, s); err != nil {
			errs = append(errs, errors.New(s.name+": "+err.Error()))
		}
	}
	l.beat.Store(time.Now().UnixNano())
	return errors.Join(errs...)
}

// drain runs s.fn in s.n goroutines until it reports nothing left to do or
// fails, and returns how many units did something.
func (l *loop) drain(ctx context.Context, s step) (int, error) {
	var mu sync.Mutex
	var firstErr error
	count := 0
	var wg sync.WaitGroup
	for range max(s.n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				did, err := safely(ctx, s.fn)
				l.beat.Store(time.Now().UnixNano())
				if did && l.done != nil {
					l.done.Inc()
				}
				mu.Lock()
				if did {
					count++
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if err != nil || !did {
					return
				}
			}
		}()
	}
	wg.Wait()
	return count, firstErr
}

// safely calls fn, turning a panic into an error: a unit of work the code
// cannot handle fails on its own, and the process (and every page it would
// send) carries on.
func safely(ctx context.Context, fn func(context.Context) (bool, error)) (did bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			did, err = false, fmt.Errorf("panic: %v", v)
		}
	}()
	return fn(ctx)
}

// deliverPage sends the next due page delivery, if any.
func (w *Worker) deliverPage(ctx context.Context) (bool, error) {
	o, err := w.Work.Claim(ctx, store.LanePage)
	if err != nil || o == nil {
		return false, err
	}
	res := store.Result{Err: o.Err}
	if o.Err == nil {
		res.Err = redacted(o.Kind, o.Target, w.Sender.Send(ctx, compose(w.Links, o)))
	}
	if res.Err != nil {
		w.Log.Warn("page delivery failed", "kind", o.Kind, "attempt", o.Attempt, "err", res.Err)
	}
	w.metrics.attempt(o, res.Err)
	return true, w.Work.Complete(ctx, o, res)
}

// deliverPrompt sends the next due playbook prompt, if any, within
// BulkTimeout: a reminder to a person, through the senders that page them.
func (w *Worker) deliverPrompt(ctx context.Context) (bool, error) {
	o, err := w.Work.Claim(ctx, store.LanePrompt)
	if err != nil || o == nil {
		return false, err
	}
	res := store.Result{Err: o.Err}
	if o.Err == nil {
		sctx, cancel := context.WithTimeout(ctx, w.BulkTimeout)
		res.Err = redacted(o.Kind, o.Target, w.Sender.Send(sctx, compose(w.Links, o)))
		cancel()
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if res.Err != nil {
		w.Log.Warn("prompt delivery failed", "kind", o.Kind, "attempt", o.Attempt, "err", res.Err)
	}
	w.metrics.attempt(o, res.Err)
	return true, w.Work.Complete(ctx, o, res)
}

// deliverSignIn sends the next due sign-in mail of a private status page,
// if any, within BulkTimeout, through the sender broadcasts take.
func (w *Worker) deliverSignIn(ctx context.Context) (bool, error) {
	return w.deliverMail(ctx, store.LaneSignIn, "sign-in mail failed")
}

// deliverBulk sends the next due broadcast delivery, if any, within
// BulkTimeout. An answer that takes most of that time counts as slow.
func (w *Worker) deliverBulk(ctx context.Context) (bool, error) {
	o, err := w.Work.Claim(ctx, store.LaneBulk)
	if err != nil || o == nil {
		return false, err
	}
	res := store.Result{Err: o.Err}
	if o.Err == nil {
		sctx, cancel := context.WithTimeout(ctx, w.BulkTimeout)
		start := time.Now()
		res.Err = redacted(o.Kind, o.Target, w.Public.Send(sctx, compose(w.Links, o)))
		// Only a subscriber's own endpoint can be slow: e-mail goes through
		// Herald's relay and chat through its rate limits, whose waits say
		// nothing of the subscriber.
		res.Slow = o.Kind == "webhook" && (time.Since(start) >= w.BulkTimeout*3/4 || errors.Is(sctx.Err(), context.DeadlineExceeded))
		cancel()
	}
	if ctx.Err() != nil {
		return false, ctx.Err() // shutting down: the claim expires and another try follows
	}
	w.metrics.attempt(o, res.Err)
	return true, w.Work.Complete(ctx, o, res)
}

// deliverNotice sends the next due customer notice (notices.go), if any.
func (w *Worker) deliverNotice(ctx context.Context) (bool, error) {
	return w.deliverMail(ctx, store.LaneNotice, "customer notice delivery failed")
}

// deliverTenantNotice sends the next due tenant notice of an emergency
// maintenance (R33), if any.
func (w *Worker) deliverTenantNotice(ctx context.Context) (bool, error) {
	return w.deliverMail(ctx, store.LaneTenantNotice, "tenant notice failed")
}

// deliverMail sends the next due message of a lane of mails to customers,
// within BulkTimeout, through the public senders (the customers' addresses
// are outside).
func (w *Worker) deliverMail(ctx context.Context, lane store.Lane, failed string) (bool, error) {
	o, err := w.Work.Claim(ctx, lane)
	if err != nil || o == nil {
		return false, err
	}
	res := store.Result{Err: o.Err}
	if o.Err == nil {
		sctx, cancel := context.WithTimeout(ctx, w.BulkTimeout)
		res.Err = redacted(o.Kind, o.Target, w.Public.Send(sctx, compose(w.Links, o)))
		cancel()
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if res.Err != nil {
		w.Log.Warn(failed, "attempt", o.Attempt, "err", res.Err)
	}
	w.metrics.attempt(o, res.Err)
	return true, w.Work.Complete(ctx, o, res)
}
