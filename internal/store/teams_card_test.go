package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const (
	workflowURL  = "https://prod-12.westus.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t"
	connectorURL = "https://contoso.webhook.office.com/webhookb2/1111@2222/IncomingWebhook/3333/4444"
)

// A Teams contact method or channel must be a Workflows webhook (or an
// old connector's, accepted with a warning): anything else is refused
// with the field named, and nothing is stored. The doctor names each old
// connector's owner, never the URL (it is a secret).
func TestTeamsWebhookURLs(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock(), func(c *store.Config) { c.WebhookAllowPrivate = false })
		u, err := db.People.CreateUser(ctx, herald.UserInput{Name: "Ann", Email: "ann@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://prod-12.westus.logic.azure.com/workflows/x", "https://hooks.example.com/teams", "https://logic.azure.com.example.com/x"} {
			_, err := db.People.CreateContactMethod(ctx, u.ID, herald.ContactMethodInput{Kind: "teams", Target: bad})
			var he *herald.Error
			if herald.ErrorCode(err) != herald.EInvalid || !asError(err, &he) || he.Fields["target"] == "" {
				t.Errorf("contact method %s: %v", bad, err)
			}
			_, err = db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{TeamsURL: bad})
			if herald.ErrorCode(err) != herald.EInvalid || !asError(err, &he) || he.Fields["teams_url"] == "" || strings.Contains(err.Error(), bad) {
				t.Errorf("channel %s: %v", bad, err)
			}
		}
		if ms, _ := db.People.ContactMethods(ctx, u.ID); len(ms) != 0 {
			t.Fatalf("refused URLs were stored: %v", ms)
		}
		if chs, _ := db.Subscribers.StakeholderChannels(ctx); len(chs) != 0 {
			t.Fatalf("refused URLs were stored: %v", chs)
		}

		m, err := db.People.CreateContactMethod(ctx, u.ID, herald.ContactMethodInput{Kind: "teams", Target: workflowURL})
		if err != nil || m.Warning != "" {
			t.Fatalf("workflow: %+v %v", m, err)
		}
		m, err = db.People.CreateContactMethod(ctx, u.ID, herald.ContactMethodInput{Kind: "teams", Target: connectorURL})
		if err != nil || m.Warning != herald.TeamsLegacyWarning {
			t.Fatalf("connector: %+v %v", m, err)
		}
		ch, err := db.Subscribers.AddStakeholderChannel(ctx, herald.SubscriberInput{TeamsURL: connectorURL})
		if err != nil || ch.Warning != herald.TeamsLegacyWarning {
			t.Fatalf("connector channel: %+v %v", ch, err)
		}
		ms, _ := db.People.ContactMethods(ctx, u.ID)
		if len(ms) != 2 || ms[0].Warning != "" || ms[1].Warning != herald.TeamsLegacyWarning {
			t.Fatalf("listed %+v", ms)
		}
		chs, _ := db.Subscribers.StakeholderChannels(ctx)
		if len(chs) != 1 || chs[0].Warning != herald.TeamsLegacyWarning {
			t.Fatalf("listed channels %+v", chs)
		}

		r, err := db.Doctor(ctx, store.DoctorOptions{SMTP: true})
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, f := range r.Findings {
			if f.Kind == herald.FindingTeamsConnector {
				found = append(found, f.Message)
				if f.Severity != herald.SeverityWarning || strings.Contains(f.Message+f.Fix, "webhookb2") {
					t.Errorf("finding %+v", f)
				}
			}
		}
		if len(found) != 2 || !strings.Contains(found[0], "ann@example.com") || !strings.Contains(found[1], "stakeholder channel "+ch.ID) {
			t.Fatalf("doctor found %q", found)
		}
	})
}
