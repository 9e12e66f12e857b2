// Package worker runs Herald's background work in `herald serve`: on every
// tick it takes the escalation and maintenance steps that are due and
// delivers pending notifications. The due state lives in the database
// (docs/adr/0003-durable-work-in-rows.md), so a crash loses nothing and
// several instances share the work without doing a step twice.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// Worker does the background work of one instance.
type Worker struct {
	DB      *store.DB
	Sender  notify.Sender
	Log     *slog.Logger
	BaseURL string
	// Senders is how many deliveries go out at once.
	Senders int
	// Public delivers to status page subscribers: the same senders, but
	// webhooks refuse internal addresses. Nil uses Sender.
	Public notify.Sender
}

// Tick takes every due step once: escalations first (someone may be
// waiting for a page), then deliveries, then maintenance automation.
func (w *Worker) Tick(ctx context.Context) error {
	var errs []string
	if n, err := drain(ctx, w.escalators(), w.DB.EscalationStep); err != nil {
		errs = append(errs, "escalations: "+err.Error())
	} else if n > 0 {
		w.Log.Debug("escalations", "steps", n)
	}
	if _, err := w.Deliver(ctx); err != nil {
		errs = append(errs, "deliveries: "+err.Error())
	}
	if _, err := w.DB.ExpireUnconfirmed(ctx); err != nil {
		errs = append(errs, "expire sign-ups: "+err.Error())
	}
	if _, err := w.DB.PlanBroadcasts(ctx); err != nil {
		errs = append(errs, "broadcasts: "+err.Error())
	}
	if _, err := w.Broadcast(ctx); err != nil {
		errs = append(errs, "broadcast deliveries: "+err.Error())
	}
	if n, err := w.DB.RunMaintenanceAutomation(ctx); err != nil {
		errs = append(errs, "maintenance automation: "+err.Error())
	} else if n > 0 {
		w.Log.Info("maintenance automation", "steps", n)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// Run calls Tick every interval, and at once when the store signals new
// work (a page was triggered here), until ctx ends. Failures are logged and
// it carries on: a database blip must not stop the next page.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.DB.Wake():
		}
		if err := w.Tick(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("background work failed; retrying next tick", "err", err)
		}
	}
}

// escalators is how many escalation steps run at once: several on
// PostgreSQL, whose rows are picked with SKIP LOCKED; one on SQLite, which
// has a single writer anyway.
func (w *Worker) escalators() int {
	if w.DB.Dialect() == store.Postgres {
		return 4
	}
	return 1
}

// drain runs step in n goroutines until it reports nothing left to do or
// fails, and returns how many steps did something.
func drain(ctx context.Context, n int, step func(context.Context) (bool, error)) (int, error) {
	var mu sync.Mutex
	var firstErr error
	count := 0
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				did, err := step(ctx)
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

// Deliver sends every due paging delivery, several at once, and returns
// how many it handled (successfully or not).
func (w *Worker) Deliver(ctx context.Context) (int, error) {
	return drain(ctx, w.Senders, func(ctx context.Context) (bool, error) {
		d, err := w.DB.ClaimDelivery(ctx)
		if err != nil || d == nil {
			return false, err
		}
		sendErr := w.Sender.Send(ctx, w.message(d))
		if sendErr != nil {
			w.Log.Warn("delivery failed", "kind", d.Kind, "attempt", d.Attempt, "err", sendErr)
		}
		return true, w.DB.CompleteDelivery(ctx, d, sendErr)
	})
}

func (w *Worker) message(d *store.Delivery) notify.Message {
	p := d.Page
	who := "You are"
	if d.Shadow {
		who = "You shadow the responder who is"
	}
	url := strings.TrimRight(w.BaseURL, "/") + "/api/v1/pages/" + p.ID
	text := fmt.Sprintf("%s paged for %s (level %d).\n\n%s\nSeverity: %s\nSource: %s\nFirst seen: %s UTC",
		who, d.Service, d.Level+1, p.Summary, p.Severity, p.Source, p.FirstSeen.UTC().Format("2006-01-02 15:04"))
	if p.Count > 1 {
		text += fmt.Sprintf("\nTriggered %d times", p.Count)
	}
	if d.Shadow {
		text += "\n\nShadows receive every notification but do not acknowledge."
	}
	return notify.Message{ID: d.ID, Kind: d.Kind, Target: d.Target, Secret: d.Secret, Event: "page.triggered",
		Subject: "[Herald] " + p.Summary + " (" + d.Service + ")", Text: text, URL: url,
		Data: map[string]any{"page": p, "service": d.Service, "level": d.Level + 1, "shadow": d.Shadow, "url": url}}
}

// Broadcast delivers planned broadcast deliveries to subscribers, several
// at once, and returns how many it handled.
func (w *Worker) Broadcast(ctx context.Context) (int, error) {
	sender := w.Public
	if sender == nil {
		sender = w.Sender
	}
	return drain(ctx, w.Senders, func(ctx context.Context) (bool, error) {
		d, err := w.DB.ClaimSubscriberDelivery(ctx)
		if err != nil || d == nil {
			return false, err
		}
		return true, w.DB.CompleteSubscriberDelivery(ctx, d, sender.Send(ctx, subscriberMessage(d)))
	})
}

func subscriberMessage(d *store.SubscriberDelivery) notify.Message {
	m := notify.Message{ID: d.ID(), Kind: d.Kind, Target: d.Target, Secret: d.Secret, Event: d.Event,
		Subject: d.Subject, Text: d.Body, URL: d.URL,
		Data: map[string]any{"event": d.Event, "subject": d.Subject, "body": d.Body, "url": d.URL}}
	if d.Kind == "email" {
		if d.Event != "subscription.confirm" {
			m.Text += "\n\n" + d.URL + "\n\nUnsubscribe: " + d.UnsubscribeURL
			m.URL = ""
		}
		// One-click unsubscribe (RFC 8058) for every mail but the one that
		// asks to confirm.
		m.Headers = map[string]string{"List-Unsubscribe": "<" + d.UnsubscribeURL + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
	}
	return m
}
