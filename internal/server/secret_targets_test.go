package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// rowText is every text column of the rows a query selects, as one string.
func rowText(t *testing.T, db *sql.DB, query string, args ...any) string {
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
	return b.String()
}

// TestSecretTargets_APIStoresURLsEncryptedAndShowsThemOnlyMasked adds a
// webhook contact method (as its owner), webhook, Slack, Teams and
// Mattermost subscribers, a stakeholder channel and a tenant page's subscriber
// through the API. No text column of their rows holds the URL or its
// secret path; every answer, to the owner and to an admin alike, has the
// URL masked; the same webhook subscribed twice is one subscription, and
// as a stakeholder channel it is refused the second time.
func TestSecretTargets_APIStoresURLsEncryptedAndShowsThemOnlyMasked(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		owner := e.token(t, "Olga", herald.RoleResponder)
		me, _, err := owner.People.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const hook = "https://hooks.example.com/in/METHODSECRETPATH9f3a"
		m, err := owner.People.CreateContactMethod(ctx, me.ID, herald.ContactMethodInput{Kind: "webhook", Target: hook})
		if err != nil {
			t.Fatal(err)
		}
		if m.Target != "https://hooks.example.com/…/9f3a" || m.Secret == "" {
			t.Errorf("the answer that creates the method: %+v", m)
		}
		for who, c := range map[string]interface {
			ContactMethods(context.Context, string) ([]herald.ContactMethod, error)
		}{"owner": owner.People, "admin": e.admin.People} {
			list, err := c.ContactMethods(ctx, me.ID)
			if err != nil || len(list) != 1 || list[0].Target != "https://hooks.example.com/…/9f3a" {
				t.Errorf("the %s lists %+v %v", who, list, err)
			}
		}
		raw := rowText(t, e.db.SQL(), `SELECT * FROM contact_methods WHERE id = $1`, m.ID)
		if strings.Contains(raw, hook) || strings.Contains(raw, "METHODSECRETPATH") || !strings.Contains(raw, "https://hooks.example.com/…/9f3a") {
			t.Errorf("the contact method's row:\n%s", raw)
		}

		subs := map[string]string{ // JSON field -> URL
			"webhook_url":    "https://status-hooks.example.com/in/SUBWEBHOOKSECRET1",
			"slack_url":      "https://hooks.slack.com/services/T00/B00/SUBSLACKSECRET22",
			"teams_url":      "https://acme.logic.azure.com/workflows/SUBTEAMSSECRET33",
			"mattermost_url": "https://chat.example.org/hooks/SUBMMSECRET66",
		}
		ids := map[string]string{}
		for field, u := range subs {
			for round := range 2 {
				resp, body := e.rawBody(t, "POST", "/api/v1/subscribers", adminSecret, "application/json", `{"`+field+`":"`+u+`"}`)
				var s herald.Subscriber
				if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &s) != nil {
					t.Fatalf("subscribe %s: %d %s", field, resp.StatusCode, body)
				}
				if s.Target != herald.MaskURL(u) || strings.Contains(body, u) {
					t.Errorf("subscribe %s: the answer shows %q\n%s", field, s.Target, body)
				}
				if round == 1 && s.ID != ids[field] {
					t.Errorf("subscribing %s again made another subscription: %s and %s", field, ids[field], s.ID)
				}
				ids[field] = s.ID
			}
		}
		var n int
		if err := e.db.SQL().QueryRow(`SELECT count(*) FROM subscribers WHERE unsubscribed_at IS NULL`).Scan(&n); err != nil || n != len(subs) {
			t.Errorf("%d subscriptions for %d URLs subscribed twice (%v)", n, len(subs), err)
		}

		const chanURL = "https://hooks.slack.com/services/T00/B00/CHANNELSECRET44"
		ch, err := e.admin.StatusPage.AddStakeholderChannel(ctx, herald.SubscriberInput{SlackURL: chanURL})
		if err != nil || ch.Target != herald.MaskURL(chanURL) {
			t.Errorf("stakeholder channel: %+v %v", ch, err)
		}
		if _, err := e.admin.StatusPage.AddStakeholderChannel(ctx, herald.SubscriberInput{SlackURL: chanURL}); statusOf2(err) != http.StatusConflict ||
			strings.Contains(err.Error(), "CHANNELSECRET") {
			t.Errorf("the same channel again: %v", err)
		}
		chans, err := e.admin.StatusPage.StakeholderChannels(ctx)
		if err != nil || len(chans) != 1 || chans[0].Target != herald.MaskURL(chanURL) {
			t.Errorf("the admin lists the channels %+v %v", chans, err)
		}

		if _, err := e.admin.Tenants.CreateTenant(ctx, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.Tenants.RotateTenantPage(ctx, "Acme"); err != nil {
			t.Fatal(err)
		}
		const tenantHook = "https://acme-hooks.example.com/in/TENANTSECRET55"
		ts, err := e.admin.Tenants.SubscribeTenantPage(ctx, "Acme", herald.SubscriberInput{WebhookURL: tenantHook})
		if err != nil || ts.Target != herald.MaskURL(tenantHook) {
			t.Errorf("tenant page subscriber: %+v %v", ts, err)
		}
		tlist, err := e.admin.Tenants.TenantPageSubscribers(ctx, "Acme")
		if err != nil || len(tlist) != 1 || tlist[0].Target != herald.MaskURL(tenantHook) {
			t.Errorf("the admin lists the tenant's subscribers %+v %v", tlist, err)
		}

		csv, err := e.admin.StatusPage.ExportSubscribers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw = rowText(t, e.db.SQL(), `SELECT * FROM subscribers`)
		for _, secret := range []string{"SUBWEBHOOKSECRET", "SUBSLACKSECRET", "SUBTEAMSSECRET", "CHANNELSECRET", "TENANTSECRET"} {
			if strings.Contains(raw, secret) {
				t.Errorf("a subscriber's row holds %s:\n%s", secret, raw)
			}
			if strings.Contains(csv, secret) {
				t.Errorf("the export holds %s:\n%s", secret, csv)
			}
		}
		for _, u := range subs {
			if !strings.Contains(raw, herald.MaskURL(u)) {
				t.Errorf("no row holds the masked %s:\n%s", herald.MaskURL(u), raw)
			}
		}
	})
}

// TestSecretTargets_OpenAPIDescribesTheMaskedTargets: the document says
// that a target URL is shown masked.
func TestSecretTargets_OpenAPIDescribesTheMaskedTargets(t *testing.T) {
	doc := openAPIDoc(t)
	for _, schema := range []string{"ContactMethod", "Subscriber"} {
		desc, _ := at(doc, "components", "schemas", schema, "properties", "target", "description").(string)
		if !strings.Contains(desc, "masked") || !strings.Contains(desc, "https://hooks.slack.com/…/a1b2") {
			t.Errorf("%s.target is described %q", schema, desc)
		}
	}
}
