package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestOpenPages_NewestOpenFirstWithWhoWasNotifiedOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		svc := oncallSetup(t, f)
		f.enqueue(t, trigger(svc.IntegrationKey, "a", "First"))
		f.escalate(t)
		f.clock.Advance(30 * time.Minute)
		f.escalate(t) // first: alice, carol (shadow), then bob
		f.enqueue(t, trigger(svc.IntegrationKey, "b", "Second, not yet paged"))
		f.clock.Advance(time.Minute)
		f.enqueue(t, trigger(svc.IntegrationKey, "c", "Third, resolved"))
		f.enqueue(t, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "resolve", DedupKey: "c"})

		open, err := f.db.Paging.OpenPages(f.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{f.alice.User.ID: "alice", f.bob.User.ID: "bob", f.carol.User.ID: "carol"}
		var got []string
		for _, p := range open {
			var who []string
			for _, id := range p.Notified {
				who = append(who, names[id])
			}
			got = append(got, p.Summary+" ["+strings.Join(who, ",")+"] "+string(p.Status))
		}
		want := "Second, not yet paged [] triggered|First [alice,carol,bob] triggered"
		if strings.Join(got, "|") != want {
			t.Fatalf("open pages\n got %s\nwant %s", strings.Join(got, "|"), want)
		}
		// Each page's notifications agree with the one-page query.
		if n := notified(t, f, open[1].ID); n != "alice,carol(shadow),bob" {
			t.Fatalf("notifications of the first page: %s", n)
		}
		if one, err := f.db.Paging.OpenPages(f.ctx, 1); err != nil || len(one) != 1 || one[0].Summary != "Second, not yet paged" {
			t.Fatalf("limit 1: %+v %v", one, err)
		}
	})
}
