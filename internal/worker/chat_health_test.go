package worker_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

type chatDown struct{}

func (chatDown) SendChat(context.Context, herald.ChatMessage) (string, error) {
	return "", errors.New("slack: 503 Service Unavailable")
}

// The chat lane in the health of the background work: its pending,
// retrying and failed messages by platform and its lag are in WorkStats
// and on /metrics, with its attempts; a platform that is down leaves the
// loops healthy (/readyz judges loops that make no progress, and the chat
// loop makes progress: it fails its messages one by one), like the other
// lanes that are not paging.
func TestChatLane_InWorkStatsAndMetricsNotInReadiness(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clock := testdb.NewClock()
		db := testdb.Open(t, d, clock)
		queue := func(key, channel string) {
			t.Helper()
			if err := db.Chat.QueueChat(ctx, herald.ChatMessage{Key: key, Platform: herald.ChatSlack, Kind: herald.ChatPost, Channel: channel,
				Reply: herald.ChatReply{Text: "hello"}}); err != nil {
				t.Fatal(err)
			}
		}
		queue("a", "C1")
		w := &worker.Worker{Work: db.Work, Log: slog.New(slog.DiscardHandler), Chat: map[string]worker.ChatSender{herald.ChatSlack: chatDown{}}}
		reg := prometheus.NewRegistry()
		if err := w.Register(reg); err != nil {
			t.Fatal(err)
		}
		for range store.MaxAttempts {
			if err := w.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Advance(24 * time.Hour)
		}
		queue("b", "C2")
		if err := w.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		queue("c", "C3")
		clock.Advance(90 * time.Second)
		st, err := db.Work.WorkStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		has := func(state string) bool {
			return slices.ContainsFunc(st.Outbox, func(c store.OutboxCount) bool {
				return c.Lane == store.LaneChat && c.Kind == herald.ChatSlack && c.State == state && c.N == 1
			})
		}
		if !has("failed") || !has("retrying") || !has("pending") {
			t.Fatalf("chat lane in the work stats: %+v", st.Outbox)
		}
		if lag := st.OldestDue["chat"]; lag < 90*time.Second {
			t.Fatalf("chat lag: %s (%v)", lag, st.OldestDue)
		}
		if err := w.Health(time.Minute); err != nil {
			t.Fatalf("a platform that is down made the worker unhealthy: %v", err)
		}
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["lane"] == "chat" || labels["loop"] == "chat" {
					found[mf.GetName()+"/"+labels["result"]+labels["state"]] = true
				}
			}
		}
		for _, want := range []string{"herald_delivery_attempts_total/failed", "herald_delivery_attempts_total/retried",
			"herald_outbox_deliveries/failed", "herald_outbox_deliveries/retrying", "herald_worker_lag_seconds/"} {
			if !found[want] {
				t.Fatalf("metric %s missing: %v", want, found)
			}
		}
	})
}
