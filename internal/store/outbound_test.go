package store_test

import (
	"context"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Webhook and chat URLs that reach internal addresses are refused when they
// are given, naming the field, unless the store allows private addresses.
func TestOutboundURLs_RefusedAtCreation(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		strict := testdb.Open(t, d, testdb.NewClock(), func(c *store.Config) { c.WebhookAllowPrivate = false })
		open := testdb.Open(t, d, testdb.NewClock())
		for _, db := range []*store.DB{strict, open} {
			if _, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"}); err != nil {
				t.Fatal(err)
			}
		}
		refusedAs := func(t *testing.T, err error, field string) {
			t.Helper()
			he, ok := err.(*herald.Error)
			if !ok || he.Code != herald.EUnprocessable || he.Fields[field] == "" {
				t.Fatalf("got %v, want unprocessable naming %s", err, field)
			}
		}
		for _, u := range []string{"http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "https://198.18.0.1/", "https://240.0.0.1/", "https://[64:ff9b::a00:1]/", "http://169.254.169.254/"} {
			_, err := strict.People.CreateContactMethod(ctx, "ann@example.com", herald.ContactMethodInput{Kind: "webhook", Target: u})
			refusedAs(t, err, "target")
			_, err = strict.People.CreateContactMethod(ctx, "ann@example.com", herald.ContactMethodInput{Kind: "slack", Target: u})
			refusedAs(t, err, "target")
			// A Teams URL must be a Workflows host's first: 400, naming it.
			_, err = strict.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{TeamsURL: u})
			if he, ok := err.(*herald.Error); !ok || he.Code != herald.EInvalid || he.Fields["teams_url"] == "" {
				t.Fatalf("teams %s: %v", u, err)
			}
			_, err = strict.Subscribers.Subscribe(ctx, herald.SubscriberInput{WebhookURL: u}, false)
			refusedAs(t, err, "webhook_url")
			if _, _, err := strict.Subscribers.ImportSubscribers(ctx, []herald.SubscriberInput{{SlackURL: u}}); herald.ErrorCode(err) != herald.EInvalid {
				t.Fatalf("import %s: %v", u, err)
			}
		}
		// E-mail and phone numbers are not URLs; public addresses pass.
		for _, in := range []herald.ContactMethodInput{{Kind: "email", Target: "ann@example.com"}, {Kind: "sms", Target: "+15551234567"}, {Kind: "webhook", Target: "https://93.184.216.34/hook"}} {
			if _, err := strict.People.CreateContactMethod(ctx, "ann@example.com", in); err != nil {
				t.Fatalf("%v: %v", in, err)
			}
		}
		// --webhook-allow-private: loopback is fine.
		if _, err := open.People.CreateContactMethod(ctx, "ann@example.com", herald.ContactMethodInput{Kind: "webhook", Target: "http://127.0.0.1:9/hook"}); err != nil {
			t.Fatal(err)
		}
		if _, err := open.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{SlackURL: "http://localhost:9/hook"}); err != nil {
			t.Fatal(err)
		}
	})
}
