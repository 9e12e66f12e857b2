package herald

import (
	"strings"
	"testing"
	"time"
)

// planFixture is a page with two components and an open status incident
// that degrades the API, investigated at S1.
func planFixture() PublishInput {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	return PublishInput{
		Incident: &StatusIncident{ID: "si1", Name: "Errors", Status: Investigating, Impact: ImpactMinor,
			Components: map[string]ComponentStatus{"api": PartialOutage}},
		Components: []Component{{ID: "api", Name: "API", Status: PartialOutage}, {ID: "web", Name: "Web", Status: Operational},
			{ID: "platform", Name: "Platform", Group: true}},
		Settings: DefaultSettings(), Severity: S1, Link: "https://status.example.com/incidents/si1", AutoImpact: true, Now: now,
	}
}

// What a published update changes, decided without a database: the
// components it names join the incident, the cadence sets the next update
// (R13), the link is appended and checked (R14), monitoring gets its period
// (R16) and resolving sets every component operational (R17).
func TestRule12_PublishPlan(t *testing.T) {
	in := planFixture()
	in.Update = StatusUpdateInput{Status: Identified, Body: "We found the cause.", Components: map[string]ComponentStatus{"web": DegradedPerformance}}
	p, err := PlanPublish(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != Identified || p.Components["api"] != PartialOutage || p.Components["web"] != DegradedPerformance {
		t.Fatalf("plan %+v", p)
	}
	if len(p.Changes) != 1 || p.Changes[0].ID != "web" || p.Changes[0].OldStatus != Operational {
		t.Fatalf("changes %+v; want web from operational", p.Changes)
	}
	if strings.Join(p.Order, ",") != "api,web" || p.Impact != ImpactOf(PartialOutage) {
		t.Fatalf("order %v impact %s", p.Order, p.Impact)
	}
	if want := in.Now.Add(in.Settings.NextUpdateAfter(Identified, S1)); p.NextUpdateDue == nil || !p.NextUpdateDue.Equal(want) {
		t.Fatalf("next update due %v; want %v (R13)", p.NextUpdateDue, want)
	}
	if !strings.HasSuffix(p.Text, " "+in.Link) || len(FailedChecks(p.Checks)) != 0 {
		t.Fatalf("text %q checks %+v (R14)", p.Text, p.Checks)
	}
	// Subscribers are told the new state and the published text (R11).
	if n := p.Notice; n.Event != "incident.update" || n.Subject != "["+in.Settings.Page.Name+"] Identified: Errors" || n.Body != p.Text || n.URL != in.Link {
		t.Fatalf("notice %+v", n)
	}

	// An announced next update replaces the cadence for one interval.
	in.Update.NextUpdateIn = 45
	if p, _ := PlanPublish(in); !p.NextUpdateDue.Equal(in.Now.Add(45 * time.Minute)) {
		t.Fatalf("announced next update: %v", p.NextUpdateDue)
	}

	// Monitoring gets its period; components stay as they are (R16).
	in.Update = StatusUpdateInput{Status: Monitoring, Body: "A fix is out; we are watching."}
	p, _ = PlanPublish(in)
	if p.MonitoringUntil == nil || !p.MonitoringUntil.Equal(in.Now.Add(in.Settings.MonitoringPeriod())) || p.Components["api"] != PartialOutage {
		t.Fatalf("monitoring: until %v, api %s", p.MonitoringUntil, p.Components["api"])
	}

	// Resolving: every component operational, no next update (R17).
	in.Update = StatusUpdateInput{Status: Resolved, Body: "Resolved."}
	p, _ = PlanPublish(in)
	if p.Components["api"] != Operational || p.NextUpdateDue != nil || p.ResolvedAt == nil || p.Impact != ImpactOf(Operational) {
		t.Fatalf("resolve: %+v", p)
	}
}

// Refusals carry what the publisher needs: the failed checks with the text
// they were made on, unless overridden (and then the override is recorded).
func TestRule14_PublishPlanRefusesWhatFailsItsChecks(t *testing.T) {
	in := planFixture()
	in.Update = StatusUpdateInput{Status: Investigating, Body: strings.Repeat("Errors everywhere. ", 20)}
	p, err := PlanPublish(in)
	if ErrorCode(err) != EUnprocessable || len(FailedChecks(p.Checks)) == 0 || p.Text == "" {
		t.Fatalf("a long update: %v, checks %+v", err, p.Checks)
	}
	// The publisher still sees what subscribers would be told, to decide
	// whether to override.
	if p.Notice.Subject != "["+in.Settings.Page.Name+"] Investigating: Errors" || p.Notice.Body != p.Text {
		t.Fatalf("notice of a refused update: %+v", p.Notice)
	}
	in.Update.OverrideChecks = true
	if p, err := PlanPublish(in); err != nil || !p.Overridden {
		t.Fatalf("overridden: %v %+v", err, p)
	}
	for name, comps := range map[string]map[string]ComponentStatus{"unknown": {"nope": MajorOutage}, "group": {"platform": MajorOutage}} {
		in.Update = StatusUpdateInput{Status: Investigating, Body: "Short.", Components: comps}
		if _, err := PlanPublish(in); ErrorCode(err) != EInvalid {
			t.Errorf("%s component: %v", name, err)
		}
	}
	in.Update = StatusUpdateInput{Status: Investigating, Template: "no-such-template"}
	if _, err := PlanPublish(in); ErrorCode(err) != EInvalid {
		t.Errorf("unknown template: %v", err)
	}
}
