package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Secret URLs of the fixtures: each carries a path that must appear in no
// column once Herald has it.
const (
	oldHookURL   = "https://hooks.example.com/in/OLDHOOKSECRET0001"
	oldSlackURL  = "https://hooks.slack.com/services/T0/B0/OLDSLACKSECRET02"
	oldTeamsURL  = "https://acme.logic.azure.com/workflows/OLDTEAMSSECRET03"
	oldSubHook   = "https://subscriber.example.com/hook/OLDSUBSECRET0004"
	oldSubSlack  = "https://hooks.slack.com/services/T1/B1/OLDSUBSLACK0005"
	oldChanTeams = "https://acme.logic.azure.com/workflows/OLDCHANSECRET006"
)

var oldSecrets = []string{"OLDHOOKSECRET", "OLDSLACKSECRET", "OLDTEAMSSECRET", "OLDSUBSECRET", "OLDSUBSLACK", "OLDCHANSECRET"}

// rowsText is every text column of every row a query selects, as one
// string: what a look into the database would show.
func rowsText(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%s\n", cols[i], v)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSecretTargets_OldPlainRowsAreSealedAtStartAndKeepDelivering builds a
// database as migration 0045 left it, with webhook, Slack and Teams URLs
// of contact methods, subscribers and a stakeholder channel written in the
// clear as that schema did, then starts two instances on it at once. After
// the start no column holds a URL; each row holds its masked form, the
// services show only that, a page is delivered to the full URLs, the same
// webhook subscribed again is the same subscription, and a third start
// changes nothing.
func TestSecretTargets_OldPlainRowsAreSealedAtStartAndKeepDelivering(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		url, dir := testdb.URL(t, d), t.TempDir()
		open := func() *store.DB {
			db, err := store.Open(ctx, store.Config{URL: url, DataDir: dir, SecretKey: testdb.TestSecretKey, WebhookAllowPrivate: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		db := open()
		if _, err := db.MigrateTo(ctx, 45); err != nil {
			t.Fatal(err)
		}
		ann, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		us := time.Now().UnixMicro()
		for _, q := range []string{
			fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('m-hook', '%s', 'webhook', '%s', '', %d)`, ann.ID, oldHookURL, us),
			fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('m-slack', '%s', 'slack', '%s', '', %d)`, ann.ID, oldSlackURL, us+1),
			fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('m-teams', '%s', 'teams', '%s', '', %d)`, ann.ID, oldTeamsURL, us+2),
			fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('m-dm', '%s', 'slack', 'U0123ABCD', '', %d)`, ann.ID, us+3),
			fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('m-mail', '%s', 'email', 'ann@example.com', '', %d)`, ann.ID, us+4),
			fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, created_at) VALUES ('s-hook', 'webhook', '%s', '[]', '', TRUE, %d)`, oldSubHook, us),
			fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, created_at) VALUES ('s-slack', 'slack', '%s', '[]', '', TRUE, %d)`, oldSubSlack, us),
			fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, created_at, unsubscribed_at) VALUES ('s-gone', 'slack', '%s', '[]', '', TRUE, %d, %d)`, oldSubSlack, us, us),
			fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, internal, created_at) VALUES ('s-chan', 'teams', '%s', '[]', '', TRUE, TRUE, %d)`, oldChanTeams, us),
			fmt.Sprintf(`INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, created_at) VALUES ('s-mail', 'email', 'bob@example.com', '[]', '', TRUE, %d)`, us),
		} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("fixture: %v\n%s", err, q)
			}
		}

		// Two instances start at once.
		other := open()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, inst := range []*store.DB{db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = inst.Migrate(ctx)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("start: %v / %v", errs[0], errs[1])
		}

		raw := rowsText(t, db.SQL(), `SELECT * FROM contact_methods ORDER BY id`) + rowsText(t, db.SQL(), `SELECT * FROM subscribers ORDER BY id`)
		for _, s := range oldSecrets {
			if strings.Contains(raw, s) {
				t.Errorf("after the start a column still holds %s:\n%s", s, raw)
			}
		}
		for _, want := range []string{herald.MaskURL(oldHookURL), herald.MaskURL(oldSlackURL), "U0123ABCD", "ann@example.com", "bob@example.com"} {
			if !strings.Contains(raw, want) {
				t.Errorf("after the start no column holds %q:\n%s", want, raw)
			}
		}
		before := raw

		ms, err := db.People.ContactMethods(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]string{}
		for _, m := range ms {
			shown[m.ID] = m.Target
		}
		if shown["m-hook"] != "https://hooks.example.com/…/0001" || shown["m-slack"] != "https://hooks.slack.com/…/ET02" ||
			shown["m-teams"] != "https://acme.logic.azure.com/…/ET03" || shown["m-dm"] != "U0123ABCD" || shown["m-mail"] != "ann@example.com" {
			t.Errorf("contact methods shown: %v", shown)
		}
		chans, err := db.Subscribers.StakeholderChannels(ctx)
		if err != nil || len(chans) != 1 || chans[0].Target != herald.MaskURL(oldChanTeams) {
			t.Errorf("stakeholder channels: %+v %v", chans, err)
		}

		// Subscribing the old webhook again finds it by its hash.
		again, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{WebhookURL: oldSubHook}, true)
		if err != nil || again.ID != "s-hook" || again.Target != herald.MaskURL(oldSubHook) {
			t.Errorf("subscribing the old webhook again: %+v %v", again, err)
		}

		// A page reaches every method at its full URL.
		pol, err := db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "p", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: ann.ID}}}}})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "API", EscalationPolicyID: pol.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", Payload: &herald.EventPayload{Summary: "down", Source: "x", Severity: "critical"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Work.RunEscalations(ctx); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for {
			o, err := db.Work.Claim(ctx, store.LanePage)
			if err != nil {
				t.Fatal(err)
			}
			if o == nil {
				break
			}
			if o.Err != nil {
				t.Errorf("claim %s: %v", o.Kind, o.Err)
			}
			got[o.Target] = o.Kind
			if err := db.Work.Complete(ctx, o, store.Result{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []string{oldHookURL, oldSlackURL, oldTeamsURL, "U0123ABCD", "ann@example.com"} {
			if got[u] == "" {
				t.Errorf("no delivery claimed for %s: %v", u, got)
			}
		}

		// A later start changes nothing.
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if after := rowsText(t, db.SQL(), `SELECT * FROM contact_methods ORDER BY id`); !strings.HasPrefix(before, after) {
			t.Errorf("a second start rewrote the contact methods:\n%s\nwas\n%s", after, before)
		}
	})
}

// TestSecretTargets_WithoutAKeyURLsAreRefusedAndOldRowsKeepWorking: a
// server started without HERALD_SECRET_KEY cannot seal, so it refuses to
// store a new URL (rather than store it in the clear), leaves old rows as
// they are, still delivers to them, and shows them masked.
func TestSecretTargets_WithoutAKeyURLsAreRefusedAndOldRowsKeepWorking(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock(), func(c *store.Config) { c.SecretKey = nil })
		ann, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.People.CreateContactMethod(ctx, ann.ID, herald.ContactMethodInput{Kind: "slack", Target: oldSlackURL}); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Errorf("a Slack URL without a key: %v", err)
		}
		if _, err := db.Subscribers.Subscribe(ctx, herald.SubscriberInput{TeamsURL: oldTeamsURL}, true); herald.ErrorCode(err) != herald.EUnprocessable {
			t.Errorf("a Teams subscriber without a key: %v", err)
		}
		if _, err := db.People.CreateContactMethod(ctx, ann.ID, herald.ContactMethodInput{Kind: "slack", Target: "U0123ABCD"}); err != nil {
			t.Errorf("a Slack member id needs no key: %v", err)
		}
		if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf(`INSERT INTO contact_methods (id, user_id, kind, target, secret_enc, created_at) VALUES ('m-old', '%s', 'slack', '%s', '', %d)`,
			ann.ID, oldSlackURL, time.Now().UnixMicro())); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("a start without a key fails: %v", err)
		}
		ms, err := db.People.ContactMethods(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ID == "m-old" && m.Target != herald.MaskURL(oldSlackURL) {
				t.Errorf("an old row is shown %q", m.Target)
			}
		}
		pol, err := db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: "p", Levels: []herald.EscalationLevel{
			{TimeoutMinutes: 30, Targets: []herald.Target{{Type: "user", ID: ann.ID}}}}})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := db.Paging.CreateService(ctx, herald.ServiceInput{Name: "API", EscalationPolicyID: pol.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Paging.Enqueue(ctx, herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", Payload: &herald.EventPayload{Summary: "down", Source: "x", Severity: "critical"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Work.RunEscalations(ctx); err != nil {
			t.Fatal(err)
		}
		reached := false
		for {
			o, err := db.Work.Claim(ctx, store.LanePage)
			if err != nil {
				t.Fatal(err)
			}
			if o == nil {
				break
			}
			reached = reached || o.Target == oldSlackURL
			db.Work.Complete(ctx, o, store.Result{})
		}
		if !reached {
			t.Error("the old Slack URL is not delivered to without a key")
		}
	})
}
