package worker_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

// sendFunc is a Sender made of a function.
type sendFunc func(context.Context, notify.Message) error

func (f sendFunc) Send(ctx context.Context, m notify.Message) error { return f(ctx, m) }

// bare is a store with one user, one component and nothing else.
func bare(t *testing.T, d store.Dialect) (*store.DB, herald.User, herald.Component) {
	t.Helper()
	ctx := context.Background()
	db := testdb.Open(t, d, testdb.NewClock())
	ann, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	name := "API"
	c, err := db.StatusPage.CreateComponent(ctx, herald.Actor{User: ann}, herald.ComponentInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	return db, ann, c
}

func publishTo(t *testing.T, db *store.DB, ann herald.User, c herald.Component) {
	t.Helper()
	if _, err := db.StatusPage.CreateStatusIncident(context.Background(), herald.Actor{User: ann}, herald.StatusIncidentInput{Name: "Errors",
		StatusUpdateInput: herald.StatusUpdateInput{Body: "We are looking into it.", Components: map[string]herald.ComponentStatus{c.ID: herald.PartialOutage}}}, false); err != nil {
		t.Fatal(err)
	}
}

// A receiver's answer that is not text a database takes (invalid UTF-8, a
// NUL byte, a multi-byte character cut at the length limit) still settles
// its row: before, PostgreSQL refused the update and the row was claimed
// again forever, never failing and never pausing its subscriber.
func TestOutbox_ErrorsThatAreNotCleanTextStillSettle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 65536)
				c.Read(buf)
				c.Write([]byte("HTTP/1.1 500 \xff\xfe\x00bad\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			}()
		}
	}()
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		db, ann, c := bare(t, d)
		ctx := context.Background()
		if _, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{WebhookURL: "http://" + ln.Addr().String() + "/hook"}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "reader@example.com", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		hostile := &notify.Router{Webhook: notify.NewPublicWebhook(true)}
		long := sendFunc(func(ctx context.Context, m notify.Message) error {
			if m.Kind == "email" {
				return errors.New(strings.Repeat("x", 499) + "ééé")
			}
			return hostile.Send(ctx, m)
		})
		w := &worker.Worker{Work: db.Work, Sender: long, Public: long, Log: slog.New(slog.DiscardHandler)}
		publishTo(t, db, ann, c)
		if err := w.Tick(ctx); err != nil {
			t.Fatalf("tick: %v", err)
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT status, attempts, claimed_until IS NULL, last_error FROM broadcast_deliveries`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var status, lastErr string
			var attempts int
			var unclaimed bool
			if err := rows.Scan(&status, &attempts, &unclaimed, &lastErr); err != nil {
				t.Fatal(err)
			}
			if status != "pending" || attempts != 1 || !unclaimed || lastErr == "" || len(lastErr) > 500 {
				t.Errorf("a failed attempt was not settled: %s, %d attempts, unclaimed %v, %q", status, attempts, unclaimed, lastErr)
			}
			n++
		}
		if n != 2 {
			t.Fatalf("%d deliveries; want 2", n)
		}
	})
}

// Slowness counts against a subscriber only for its own endpoint: e-mail
// waits for Herald's relay and rate limit, which say nothing of the reader.
func TestBroadcast_SlowRelayDoesNotPauseEmailSubscribers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		db, ann, c := bare(t, d)
		ctx := context.Background()
		if _, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "reader@example.com", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		sent := 0
		slowRelay := sendFunc(func(ctx context.Context, m notify.Message) error {
			time.Sleep(90 * time.Millisecond)
			sent++
			return nil
		})
		w := &worker.Worker{Work: db.Work, Sender: slowRelay, Public: slowRelay, Log: slog.New(slog.DiscardHandler), BulkTimeout: 100 * time.Millisecond, BulkSenders: 1}
		for range 4 {
			publishTo(t, db, ann, c)
			if err := w.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := db.Subscribers.SubscriberCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sent != 4 || counts["email"]["paused"] != 0 {
			t.Fatalf("%d of 4 mails sent, counts %v: a slow relay paused the reader", sent, counts)
		}
	})
}

// One subscriber whose row cannot be read does not stop broadcasts: it
// hears of everything, and the others are told as usual.
func TestBroadcast_UnreadableSubscriberHoldsUpNobody(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		db, ann, c := bare(t, d)
		ctx := context.Background()
		bad, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "bad@example.com", Confirmed: true}, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{Email: "good@example.com", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE subscribers SET components = '["x"' WHERE id = $1`, bad.ID); err != nil {
			t.Fatal(err)
		}
		to := map[string]int{}
		rec := sendFunc(func(ctx context.Context, m notify.Message) error { to[m.Target]++; return nil })
		w := &worker.Worker{Work: db.Work, Sender: rec, Public: rec, Log: slog.New(slog.DiscardHandler), BulkSenders: 1}
		publishTo(t, db, ann, c)
		if err := w.Tick(ctx); err != nil {
			t.Fatalf("tick: %v", err)
		}
		if to["good@example.com"] != 1 || to["bad@example.com"] != 1 {
			t.Fatalf("delivered %v; want one each", to)
		}
	})
}

// A policy whose levels were emptied by hand pages nobody and stops the
// page's escalation; it does not take the process down.
func TestPoison_PolicyWithoutLevelsDoesNotPanic(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.user(t, "bob@example.com")
		f.policyService(t, "Emptied", "bob@example.com").trigger(t, f, "empty")
		f.exec(t, `UPDATE escalation_policies SET levels = '[]', repeat = 2 WHERE name = 'Emptied'`)
		f.trigger(t, "healthy")
		f.tick(t)
		if f.hook.count() != 1 {
			t.Fatalf("the healthy page reached %d webhooks", f.hook.count())
		}
	})
}
