package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// configDoc is a document touching every kind: secrets already resolved,
// as herald apply sends them.
const configDoc = `version: 1
users:
  - email: ada@example.com
    name: Ada Lovelace
    role: admin
    manager: true
    contacts:
      - kind: email
        target: ada@example.com
      - kind: slack
        target_env: ADA_SLACK
    rules:
      - contact: email:ada@example.com
        delay_minutes: 0
      - contact: slack:$ADA_SLACK
        delay_minutes: 5
  - email: bob@example.com
    name: Bob
    contacts:
      - kind: sms
        target: "+4915112345678"
teams:
  - name: Payments
    members: [ada@example.com, bob@example.com]
schedules:
  - name: Primary
    team: Payments
    time_zone: Europe/Berlin
    layers:
      - rotation: weekly
        handoff_time: "10:00"
        start: 2026-11-02T09:00:00Z
        users: [ada@example.com, bob@example.com]
      - name: Nights
        rotation: custom
        length: 12h
        start: 2026-11-02T20:00:00Z
        users: [bob@example.com]
    shadows: [bob@example.com]
    overrides:
      - user: ada@example.com
        start: 2026-11-30T09:00:00Z
        end: 2026-12-01T09:00:00Z
escalation_policies:
  - name: Payments
    team: Payments
    repeat: 2
    ack_expiry: 30m
    levels:
      - timeout: 15m
        targets: [{schedule: Primary}]
      - timeout: 1h
        targets: [{user: ada@example.com}, {colleague: Primary}, {managers: true}]
components:
  - name: API
    group: Platform
  - name: Checkout
    description: Paying for things
services:
  - name: Checkout
    team: Payments
    description: The checkout service
    escalation_policy: Payments
    components: [Checkout]
    grouping: {threshold: 5, window: 10m}
stakeholder_channels:
  - name: Executives
    kind: email
    target: execs@example.com
  - name: Leadership chat
    kind: slack
    target_env: LEAD_SLACK
    components: [API]
settings:
  reference_prefix: PAY
`

func resolved(t *testing.T, doc string) *config.Document {
	t.Helper()
	d, err := config.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Users {
		for j := range d.Users[i].Contacts {
			if c := &d.Users[i].Contacts[j]; c.TargetEnv != "" {
				c.Target = "https://hooks.slack.com/services/T0/B0/" + c.TargetEnv
			}
		}
	}
	for i := range d.StakeholderChannels {
		if c := &d.StakeholderChannels[i]; c.TargetEnv != "" {
			c.Target = "https://hooks.slack.com/services/T0/B0/" + c.TargetEnv
		}
	}
	return d
}

func configAdmin(t *testing.T, db *store.DB) herald.Actor {
	t.Helper()
	u, err := db.People.CreateUser(context.Background(), herald.UserInput{Name: "Root", Email: "root@example.com", Role: herald.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	return herald.Actor{User: u, Role: herald.RoleAdmin}
}

func exported(t *testing.T, db *store.DB) string {
	t.Helper()
	d, err := db.ExportConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := config.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A plan changes nothing; the apply makes Herald match; the same document
// again plans nothing.
func TestConfig_PlanApplyIdempotent(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		admin := configAdmin(t, db)
		before := exported(t, db)
		plan, err := db.PlanConfig(ctx, admin, resolved(t, configDoc), false)
		if err != nil {
			t.Fatal(err)
		}
		if cr, up, de := plan.Counts(); cr != 10 || up != 1 || de != 0 || plan.Applied {
			var b strings.Builder
			plan.Write(&b)
			t.Fatalf("plan: %d create, %d update, %d delete, applied %v\n%s", cr, up, de, plan.Applied, b.String())
		}
		if after := exported(t, db); after != before {
			t.Fatalf("the plan changed Herald:\n%s", after)
		}
		if plan, err = db.ApplyConfig(ctx, admin, resolved(t, configDoc), false); err != nil || !plan.Applied {
			t.Fatalf("apply: %v %+v", err, plan)
		}
		again, err := db.PlanConfig(ctx, admin, resolved(t, configDoc), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Changes) != 0 {
			var b strings.Builder
			again.Write(&b)
			t.Fatalf("second plan is not empty:\n%s", b.String())
		}
		// What the document said is what Herald holds.
		team, err := db.Teams.Team(ctx, "Payments")
		if err != nil || len(team.Members) != 2 || len(team.Schedules) != 1 || len(team.Policies) != 1 || len(team.Services) != 1 {
			t.Fatalf("team: %+v %v", team, err)
		}
		svc, err := db.Paging.Service(ctx, "Checkout")
		if err != nil || svc.Grouping.Threshold != 5 || svc.Grouping.WindowMinutes != 10 || svc.IntegrationKey == "" || len(svc.Components) != 1 {
			t.Fatalf("service: %+v %v", svc, err)
		}
		rules, err := db.People.NotificationRules(ctx, "ada@example.com")
		if err != nil || len(rules) != 2 {
			t.Fatalf("rules: %+v %v", rules, err)
		}
		s, _ := db.Settings.Settings(ctx)
		if s.ReferencePrefix != "PAY" {
			t.Fatalf("settings: %q", s.ReferencePrefix)
		}
		// A change shows as an update of that field only.
		changed := strings.Replace(configDoc, "threshold: 5", "threshold: 7", 1)
		plan, err = db.ApplyConfig(ctx, admin, resolved(t, changed), false)
		if err != nil || len(plan.Changes) != 1 || plan.Changes[0].Kind != config.KindService || plan.Changes[0].Fields[0].Field != "grouping" ||
			plan.Changes[0].Fields[0].Old != "5 within 10m" || plan.Changes[0].Fields[0].New != "7 within 10m" {
			t.Fatalf("update: %v %+v", err, plan)
		}
	})
}

// Without prune nothing is deleted; with prune what the document's lists
// leave out is, and kinds the document leaves out stay.
func TestConfig_Prune(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		admin := configAdmin(t, db)
		if _, err := db.ApplyConfig(ctx, admin, resolved(t, configDoc), false); err != nil {
			t.Fatal(err)
		}
		smaller := `version: 1
users:
  - email: ada@example.com
    name: Ada Lovelace
    role: admin
    manager: true
stakeholder_channels: []
services: []
`
		plan, err := db.ApplyConfig(ctx, admin, resolved(t, smaller), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range plan.Changes {
			if c.Action == config.Delete {
				t.Fatalf("deleted without prune: %+v", c)
			}
		}
		// Bob is in Primary's layers: deleting him while the schedule
		// stays is refused, and nothing changes.
		before := exported(t, db)
		if _, err := db.ApplyConfig(ctx, admin, resolved(t, smaller), true); herald.ErrorCode(err) != herald.EUnprocessable || !strings.Contains(err.Error(), "schedules[Primary]") {
			t.Fatalf("prune leaving a schedule without its user: %v", err)
		}
		if exported(t, db) != before {
			t.Fatal("a refused prune changed Herald")
		}
		smaller += "schedules: []\nescalation_policies: []\nteams: []\n"
		plan, err = db.ApplyConfig(ctx, admin, resolved(t, smaller), true)
		if err != nil {
			t.Fatal(err)
		}
		_, _, del := plan.Counts()
		if del != 7 { // Bob, Payments team, Primary, the policy, Checkout, two channels
			var b strings.Builder
			plan.Write(&b)
			t.Fatalf("deleted %d:\n%s", del, b.String())
		}
		if _, err := db.People.User(ctx, "bob@example.com"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("bob: %v", err)
		}
		if _, err := db.People.User(ctx, "root@example.com"); err != nil {
			t.Fatalf("prune deleted the person applying: %v", err)
		}
		if list, _ := db.Subscribers.StakeholderChannels(ctx); len(list) != 0 {
			t.Fatalf("channels: %+v", list)
		}
		// Components were left out of the document: they stay.
		if comps, _ := db.StatusPage.Components(ctx); len(comps) != 3 {
			t.Fatalf("components: %+v", comps)
		}
	})
}

// A document with mistakes changes nothing, and every mistake is named at
// its place.
func TestConfig_BadDocumentChangesNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		admin := configAdmin(t, db)
		before := exported(t, db)
		bad := strings.Replace(configDoc, "users: [ada@example.com, bob@example.com]", "users: [ada@example.com, eve@example.com]", 1)
		bad = strings.Replace(bad, "timeout: 1h", "timeout: 90s", 1)
		_, err := db.ApplyConfig(ctx, admin, resolved(t, bad), false)
		if herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("apply: %v", err)
		}
		for _, want := range []string{"schedules[0].layers[0].users[1]: no user eve@example.com in the document or in Herald", "escalation_policies[0].levels[1].timeout"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		// A mistake only the apply finds (a bad phone number) also changes
		// nothing: the users before it were written in the same
		// transaction.
		bad = strings.Replace(configDoc, `"+4915112345678"`, `"call me"`, 1)
		if _, err := db.ApplyConfig(ctx, admin, resolved(t, bad), false); err == nil || !strings.Contains(err.Error(), "users[1].contacts[0]") {
			t.Fatalf("bad phone number: %v", err)
		}
		if after := exported(t, db); after != before {
			t.Fatalf("a refused document changed Herald:\n%s", after)
		}
	})
}

// Export, apply on a fresh database, export again: the same document, and
// no secret in it.
func TestConfig_RoundTripWithoutSecrets(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		db := testdb.Open(t, d, testdb.NewClock())
		admin := configAdmin(t, db)
		if _, err := db.ApplyConfig(ctx, admin, resolved(t, configDoc), false); err != nil {
			t.Fatal(err)
		}
		first := exported(t, db)
		if strings.Contains(first, "hooks.slack.com") {
			t.Fatalf("the export holds a secret:\n%s", first)
		}
		for _, want := range []string{"target_env: HERALD_ADA_EXAMPLE_COM_SLACK", "contact: slack:$HERALD_ADA_EXAMPLE_COM_SLACK", "target_env: HERALD_CHANNEL_LEADERSHIP_CHAT"} {
			if !strings.Contains(first, want) {
				t.Fatalf("export lacks %q:\n%s", want, first)
			}
		}
		fresh := testdb.Open(t, d, testdb.NewClock())
		freshAdmin := configAdmin(t, fresh)
		if _, err := fresh.ApplyConfig(ctx, freshAdmin, resolved(t, first), false); err != nil {
			t.Fatal(err)
		}
		if second := exported(t, fresh); second != first {
			t.Fatalf("round trip differs:\n--- first\n%s\n--- second\n%s", first, second)
		}
	})
}
