package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// An admin adds a subscriber to a tenant's private page from the tenant's
// screen: a bad address is shown again with the reason and adds nobody;
// a good one is listed; a viewer sees no form and gets 403 on a post.
func TestConsole_TenantPageSubscribers(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		act := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		tn, err := e.db.Tenants.CreateTenant(ctx, act, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.RotateTenantPage(ctx, act, tn.ID); err != nil {
			t.Fatal(err)
		}
		path := "/app/tenants/" + tn.ID
		b := e.browser(t)
		b.signIn("admin@example.com")
		res, body := b.get(path)
		mustStatus(t, "tenant", res, body, http.StatusOK)
		if !strings.Contains(body, `action="/app/tenants/`+tn.ID+`/page/subscribers"`) || !strings.Contains(body, `<label for="ps-email">`) {
			t.Fatalf("no subscribe form:\n%s", body)
		}
		res, body = b.post(path+"/page/subscribers", url.Values{"email": {"not an address"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="not an address"`) || !strings.Contains(body, "plain e-mail address") {
			t.Fatalf("a bad address: %d\n%s", res.StatusCode, body)
		}
		if subs, _ := e.db.Tenants.TenantPageSubscribers(ctx, tn.ID); len(subs) != 0 {
			t.Fatalf("a refused form subscribed: %+v", subs)
		}
		res, body = b.post(path+"/page/subscribers", url.Values{"email": {"ann@acme.example"}, "confirmed": {"on"}})
		mustStatus(t, "subscribe", res, body, http.StatusSeeOther)
		subs, _ := e.db.Tenants.TenantPageSubscribers(ctx, tn.ID)
		if len(subs) != 1 || subs[0].Target != "ann@acme.example" || !subs[0].Confirmed {
			t.Fatalf("subscribers: %+v", subs)
		}
		if _, body = b.get(path); !strings.Contains(body, "<th scope=\"row\">ann@acme.example</th>") {
			t.Fatalf("the subscriber is not listed:\n%s", body)
		}
		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, body = v.get(path); strings.Contains(body, "page/subscribers") {
			t.Fatal("a viewer sees the subscribe form")
		}
		if res, _ = v.post(path+"/page/subscribers", url.Values{"email": {"x@acme.example"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer posts: %d", res.StatusCode)
		}
	})
}
