package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Subscribers of a tenant's private page (issue 13, item 9): confirmed by
// mail like the public page's, they hear of that tenant's incidents (here
// through a component that serves it) and maintenances (linked to it)
// only; the public page's subscribers never get those copies, nor does
// another tenant's subscriber; one address may subscribe to both pages;
// an unsubscribed one hears nothing more; a tenant without a page takes
// no subscribers.
func TestTenantPages_SubscribersHearOfTheirTenantOnly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API", "")
		db := f.component(t, "Acme database", "")
		for _, in := range []herald.TenantInput{
			{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}, Components: []string{db.ID}},
			{Name: "Globex", PrimaryRegion: "eu-west-1", Emails: []string{"ops@globex.example"}},
			{Name: "Initech", PrimaryRegion: "eu-west-1", Emails: []string{"ops@initech.example"}},
		} {
			if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, in); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"Acme", "Globex"} {
			if _, err := f.db.Tenants.RotateTenantPage(f.ctx, f.carol, name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.db.Tenants.SubscribeTenantPage(f.ctx, "Initech", herald.SubscriberInput{Email: "x@initech.example"}, false); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Fatalf("a tenant without a page: %v", err)
		}
		if _, err := f.db.Tenants.SubscribeTenantPage(f.ctx, "Nobody", herald.SubscriberInput{Email: "x@example.com"}, false); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("an unknown tenant: %v", err)
		}
		if _, err := f.db.Tenants.SubscribeTenantPage(f.ctx, "Acme", herald.SubscriberInput{Email: "not an address"}, false); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("a bad address: %v", err)
		}
		if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "pat@example.com", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		// Ann subscribes to Acme's page, and confirms; she is also a public
		// subscriber, which is a subscription of its own.
		ann, err := f.db.Tenants.SubscribeTenantPage(f.ctx, "Acme", herald.SubscriberInput{Email: "ann@acme.example"}, false)
		if err != nil || ann.Confirmed || ann.Tenant == "" {
			t.Fatalf("subscribe: %+v %v", ann, err)
		}
		if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "ann@acme.example", Confirmed: true}, true); err != nil {
			t.Fatalf("the same address on the public page: %v", err)
		}
		sent := f.sendBulk(t)
		if len(sent) != 1 || !strings.HasPrefix(sent[0], "ann@acme.example: Confirm your subscription to ") || !strings.HasSuffix(sent[0], " for Acme") {
			t.Fatalf("confirmation: %q", sent)
		}
		link, err := f.db.Subscribers.SubscriberLink("confirm", ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		token := link[strings.LastIndex(link, "=")+1:]
		if _, err := f.db.Subscribers.ConfirmSubscriber(f.ctx, ann.ID, token); err != nil {
			t.Fatalf("confirm %s: %v", link, err)
		}
		if _, err := f.db.Tenants.SubscribeTenantPage(f.ctx, "Globex", herald.SubscriberInput{Email: "gus@globex.example", Confirmed: true}, true); err != nil {
			t.Fatal(err)
		}
		subs, err := f.db.Tenants.TenantPageSubscribers(f.ctx, "Acme")
		if err != nil || len(subs) != 1 || subs[0].Target != "ann@acme.example" || !subs[0].Confirmed {
			t.Fatalf("Acme's subscribers: %+v %v", subs, err)
		}
		if c, err := f.db.Subscribers.SubscriberCounts(f.ctx); err != nil || c["email"]["confirmed"] != 2 {
			t.Fatalf("the public counts take in a tenant's subscribers: %v %v", c, err)
		}
		var exported []string
		f.db.Subscribers.ExportSubscribers(f.ctx, func(s herald.Subscriber) error { exported = append(exported, s.Target); return nil })
		if slices.Contains(exported, "gus@globex.example") {
			t.Fatalf("the public export lists a tenant's subscriber: %q", exported)
		}

		// An outage of Acme's database: the public and Acme's subscribers.
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, herald.StatusIncidentInput{Name: "Database errors",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating errors.", Components: map[string]herald.ComponentStatus{db.ID: herald.PartialOutage}}}, false); err != nil {
			t.Fatal(err)
		}
		got := targets(f.sendBulk(t))
		if !slices.Equal(got, []string{"ann@acme.example", "ann@acme.example", "pat@example.com"}) {
			t.Fatalf("Acme's outage went to %q", got)
		}
		// An API outage serves no tenant's page: the public only.
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.alice, herald.StatusIncidentInput{Name: "API errors",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating errors.", Components: map[string]herald.ComponentStatus{api.ID: herald.PartialOutage}}}, false); err != nil {
			t.Fatal(err)
		}
		if got := targets(f.sendBulk(t)); !slices.Equal(got, []string{"ann@acme.example", "pat@example.com"}) {
			t.Fatalf("the API outage went to %q", got)
		}
		// A maintenance linked to Globex: the public and Globex's.
		name, from, until := "Globex upgrade", f.clock.Now().Add(time.Hour), f.clock.Now().Add(2*time.Hour)
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		f.sendBulk(t)
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{"Globex"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Body: "The upgrade is on schedule."}); err != nil {
			t.Fatal(err)
		}
		if got := targets(f.sendBulk(t)); !slices.Equal(got, []string{"ann@acme.example", "gus@globex.example", "pat@example.com"}) {
			t.Fatalf("Globex's maintenance went to %q", got)
		}
		// Unsubscribed from Acme's page, Ann hears only as a public subscriber.
		un, _ := f.db.Subscribers.SubscriberLink("unsubscribe", ann.ID)
		if err := f.db.Subscribers.Unsubscribe(f.ctx, ann.ID, un[strings.LastIndex(un, "=")+1:]); err != nil {
			t.Fatal(err)
		}
		list, _ := f.db.StatusPage.StatusIncidents(f.ctx, 10)
		for _, s := range list {
			if s.Name == "Database errors" {
				if _, err := f.db.StatusPage.PublishUpdate(f.ctx, f.alice, s.ID, herald.StatusUpdateInput{Status: herald.Identified, Body: "We found the cause."}, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := targets(f.sendBulk(t)); !slices.Equal(got, []string{"ann@acme.example", "pat@example.com"}) {
			t.Fatalf("after unsubscribing: %q", got)
		}
	})
}

// targets sorts the addresses of sendBulk's "target: subject" lines.
func targets(sent []string) []string {
	out := make([]string, len(sent))
	for i, s := range sent {
		out[i], _, _ = strings.Cut(s, ": ")
	}
	slices.Sort(out)
	return out
}
