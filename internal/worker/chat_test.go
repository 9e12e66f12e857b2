package worker_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
	"github.com/heraldhq/herald/internal/worker"
)

type chatSent struct {
	mu   sync.Mutex
	msgs []herald.ChatMessage
}

func (c *chatSent) SendChat(_ context.Context, m herald.ChatMessage) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, m)
	return "ts-" + m.Key, nil
}

// R46 on the chat lane: the worker's chat loop sends a message with its
// words, and one about an incident that affects a FedRAMP tenant with the
// reference and the link only (the channel named without the title).
func TestRule46_ChatLaneRestrictsFedRAMP(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		u, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com", Role: herald.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		admin := herald.Actor{User: u, Role: herald.RoleAdmin}
		plain, err := db.Incidents.DeclareIncident(ctx, admin, herald.DeclareInput{Title: "Search is slow", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		gov, err := db.Incidents.DeclareIncident(ctx, admin, herald.DeclareInput{Title: "Zephyr ledger down", Severity: herald.S1})
		if err != nil {
			t.Fatal(err)
		}
		tenant, err := db.Tenants.CreateTenant(ctx, admin, herald.TenantInput{Name: "Zephyr Gov", PrimaryRegion: "us-east-1", Compliance: herald.ComplianceFedRAMP})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Tenants.SetIncidentTenants(ctx, admin, gov.ID, herald.TenantLinksInput{Tenants: []string{tenant.ID}}); err != nil {
			t.Fatal(err)
		}
		for _, m := range []herald.ChatMessage{
			{Key: "a", Kind: herald.ChatPost, Channel: "C1", Incident: plain.Reference, Reply: herald.ChatReply{Text: "Search is slow: the index"}},
			{Key: "b", Kind: herald.ChatPost, Channel: "C2", Incident: gov.Reference, Reply: herald.ChatReply{Text: "Zephyr ledger down", Fields: []herald.ChatField{{Label: "Summary", Value: "Zephyr"}}}},
			{Key: "c", Kind: herald.ChatCreateChannel, Incident: gov.Reference, Name: "inc-2-zephyr-ledger-down"},
		} {
			m.Platform = herald.ChatSlack
			if err := db.Chat.QueueChat(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		sent := &chatSent{}
		w := &worker.Worker{Work: db.Work, Log: slog.New(slog.DiscardHandler), Chat: map[string]worker.ChatSender{herald.ChatSlack: sent}}
		if err := w.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if len(sent.msgs) != 3 {
			t.Fatalf("sent %+v", sent.msgs)
		}
		for _, m := range sent.msgs {
			all := strings.ToLower(m.Reply.Text + m.Name + strings.Join(func() []string {
				var s []string
				for _, f := range m.Reply.Fields {
					s = append(s, f.Value)
				}
				return s
			}(), " "))
			switch m.Key {
			case "a":
				if m.Reply.Text != "Search is slow: the index" {
					t.Fatalf("plain: %+v", m)
				}
			default:
				if strings.Contains(all, "zephyr") || !strings.Contains(m.Reply.Text, gov.Reference) {
					t.Fatalf("restricted %s: %+v", m.Key, m)
				}
			}
		}
		if ts, err := db.Chat.ChatResult(ctx, "c"); err != nil || ts != "ts-c" {
			t.Fatalf("result: %q %v", ts, err)
		}
	})
}
