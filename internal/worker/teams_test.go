package worker_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

const teamsBase = "https://herald.example.com"

type sentCard struct {
	Subject string
	Facts   map[string]string
	Buttons map[string]string // title: URL
}

// readCards checks every body a Teams receiver got against the card's
// limits and reads its subject, facts and buttons.
func readCards(t *testing.T, bodies []string, bases ...string) []sentCard {
	t.Helper()
	var out []sentCard
	for _, b := range bodies {
		if err := notify.CheckTeamsCard([]byte(b), bases...); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		var env struct {
			Attachments []struct {
				Content struct {
					Body []struct {
						Type, Text string
						Facts      []struct{ Title, Value string }
					}
					Actions []struct{ Title, URL string }
				}
			}
		}
		if err := json.Unmarshal([]byte(b), &env); err != nil {
			t.Fatal(err)
		}
		c := env.Attachments[0].Content
		s := sentCard{Subject: c.Body[0].Text, Facts: map[string]string{}, Buttons: map[string]string{}}
		for _, el := range c.Body {
			for _, f := range el.Facts {
				s.Facts[f.Title] = f.Value
			}
		}
		for _, a := range c.Actions {
			s.Buttons[a.Title] = a.URL
		}
		out = append(out, s)
	}
	return out
}

// Every kind of message a Teams webhook gets is a valid Adaptive Card 1.4
// with its facts and signed console buttons: the page (Acknowledge opens
// the person's signed link, usable from a phone without signing in), the
// playbook prompt, the stakeholder notice and the internal update (the
// incident's severity, state and roles, and a button to the incident).
func TestTeamsCardsForEveryMessageKind(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		r := runRule46(t, d, herald.ComplianceStandard)
		inc, lk := r.inc, r.f.w.Links
		var page, prompt *sentCard
		person := readCards(t, r.channels["teams"], teamsBase, r.f.db.Links().Base())
		for i := range person {
			if strings.HasPrefix(person[i].Buttons["Acknowledge"], teamsBase+"/ack/") {
				page = &person[i]
			} else {
				prompt = &person[i]
			}
		}
		if page == nil || prompt == nil {
			t.Fatalf("no page or prompt card: %+v", person)
		}
		if page.Facts["Service"] != r.f.svc.Name || page.Facts["Escalation"] != "level 1" || page.Facts["Alert severity"] != "critical" ||
			page.Buttons["Open the page"] != lk.Page(r.page.ID) {
			t.Errorf("page card %+v", page)
		}
		wantIncident := func(name string, c sentCard) {
			t.Helper()
			if c.Facts["Incident"] != inc.Reference || c.Facts["Severity"] != "S1" || c.Facts["State"] != string(herald.Investigating) ||
				c.Facts[herald.RoleCommunications] != r.f.ann.Name || c.Buttons["Incident "+inc.Reference] != lk.Incident(inc.Reference) {
				t.Errorf("%s card %+v", name, c)
			}
		}
		wantIncident("prompt", *prompt)
		if len(prompt.Buttons) < 2 {
			t.Errorf("the prompt card has no button to act on it: %+v", prompt)
		}
		stake := readCards(t, r.channels["stakeholder teams"], teamsBase, r.f.db.Links().Base())
		if len(stake) != 2 {
			t.Fatalf("stakeholder cards %+v", stake)
		}
		for _, c := range stake {
			wantIncident("stakeholder", c)
		}
	})
}

// R46 on Teams: a FedRAMP tenant's card has the reference as its only fact
// and only the acknowledge and console links as buttons.
func TestRule46_TeamsCardCarriesOnlyReferenceAndLinks(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		r := runRule46(t, d, herald.ComplianceFedRAMP)
		for _, ch := range []string{"teams", "stakeholder teams"} {
			for _, c := range readCards(t, r.channels[ch], teamsBase, r.f.db.Links().Base()) {
				ref := c.Facts["Reference"]
				if len(c.Facts) != 1 || !strings.Contains(ref, r.inc.Reference) && ref != "page "+r.page.ID {
					t.Errorf("%s card facts %v", ch, c.Facts)
				}
				for title, u := range c.Buttons {
					if title != "Acknowledge" && title != "Open in Herald" {
						t.Errorf("%s card button %q to %s", ch, title, u)
					}
					if !strings.HasPrefix(u, teamsBase+"/") && !strings.HasPrefix(u, r.f.db.Links().Base()+"/") {
						t.Errorf("%s card button to %s", ch, u)
					}
				}
				if len(c.Buttons) == 0 {
					t.Errorf("%s card has no link", ch)
				}
			}
		}
	})
}

// R63 on Teams: a practice's stakeholder notice reaches the sandbox's
// Teams channel as a valid card marked practice, and the real Teams
// stakeholder channel gets nothing, even when someone notifies the
// stakeholders of the practice incident.
func TestRule63_TeamsCardStaysInTheSandbox(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		pia, err := f.db.People.CreateUser(f.ctx, herald.UserInput{Name: "Pia", Email: "pia@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		piaA := herald.Actor{User: pia, Role: herald.RoleResponder}
		realTeams, sandboxTeams := newChat(t), newChat(t)
		if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{TeamsURL: realTeams.srv.URL}); err != nil {
			t.Fatal(err)
		}
		scenario := `
title: Teams drill
severity: S3
summary: The queue is stuck.
subscribers:
  - {kind: teams, target: "` + sandboxTeams.srv.URL + `", internal: true}
steps:
  - {at: 0s, kind: stakeholder_notice, text: "Failover under way."}
`
		run, err := f.db.Practice.StartPractice(f.ctx, piaA, herald.PracticeStartInput{Scenario: scenario})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Subscribers.NotifyStakeholders(f.ctx, piaA, run.IncidentID); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			f.tick(t)
		}
		if b := realTeams.bodies(); len(b) != 0 {
			t.Errorf("the real Teams channel got %q", b)
		}
		cards := readCards(t, sandboxTeams.bodies(), teamsBase, f.db.Links().Base())
		if len(cards) == 0 {
			t.Fatal("the sandbox's Teams channel got nothing")
		}
		for _, c := range cards {
			if !strings.HasPrefix(c.Subject, herald.PracticeMark) || c.Facts["Practice"] != herald.PracticeMark {
				t.Errorf("sandbox card %+v", c)
			}
		}
	})
}
