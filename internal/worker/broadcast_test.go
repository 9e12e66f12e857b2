package worker_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func (f *fixture) component(t *testing.T, name string) herald.Component {
	t.Helper()
	c, err := f.db.StatusPage.CreateComponent(f.ctx, herald.Actor{User: f.ann}, herald.ComponentInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) publish(t *testing.T, comp string, channels map[string]bool) *herald.StatusIncident {
	t.Helper()
	p, err := f.db.StatusPage.CreateStatusIncident(f.ctx, herald.Actor{User: f.ann}, herald.StatusIncidentInput{Name: "Errors",
		StatusUpdateInput: herald.StatusUpdateInput{Body: "We are investigating.", Components: map[string]herald.ComponentStatus{comp: herald.PartialOutage}, Channels: channels}}, false)
	if err != nil {
		t.Fatal(err)
	}
	return p.Incident
}

var linkRE = regexp.MustCompile(`https?://\S+/subscribe/confirm\?id=[^&\s]+&token=[^\s]+`)

func TestBroadcast_EmailDoubleOptInAndUnsubscribe(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		api := f.component(t, "API")
		if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "Reader@Example.com"}, false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		msgs := f.mail.Messages(t)
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Subject, "Confirm your subscription") || msgs[0].ToList() != "reader@example.com" {
			t.Fatalf("confirmation: %+v", msgs)
		}
		// Unconfirmed: nothing else.
		f.publish(t, api.ID, nil)
		f.tick(t)
		if n := len(f.mail.Messages(t)); n != 1 {
			t.Fatalf("an unconfirmed address got %d mails", n)
		}
		// Subscribing again answers the same and only re-sends the confirmation.
		if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "reader@example.com"}, false); err != nil {
			t.Fatal(err)
		}
		link := linkRE.FindString(f.mail.Text(t, msgs[0].ID))
		u, err := url.Parse(link)
		if err != nil || link == "" {
			t.Fatalf("no confirmation link in %q", f.mail.Text(t, msgs[0].ID))
		}
		if _, err := f.db.Subscribers.ConfirmSubscriber(f.ctx, u.Query().Get("id"), "forged"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("forged token: %v", err)
		}
		if s, err := f.db.Subscribers.ConfirmSubscriber(f.ctx, u.Query().Get("id"), u.Query().Get("token")); err != nil || !s.Confirmed {
			t.Fatal(s, err)
		}
		f.publish(t, api.ID, nil)
		f.tick(t)
		msgs = f.mail.Messages(t)
		var update testdb.MailMessage
		for _, m := range msgs {
			if strings.Contains(m.Subject, "Investigating: Errors") {
				update = m
			}
		}
		if update.ID == "" {
			t.Fatalf("no update mail among %+v", msgs)
		}
		h := f.mail.Headers(t, update.ID)
		if len(h["List-Unsubscribe"]) != 1 || h["List-Unsubscribe-Post"][0] != "List-Unsubscribe=One-Click" {
			t.Fatalf("headers %v", h)
		}
		unsub, _ := url.Parse(strings.Trim(h["List-Unsubscribe"][0], "<>"))
		if err := f.db.Subscribers.Unsubscribe(f.ctx, unsub.Query().Get("id"), unsub.Query().Get("token")); err != nil {
			t.Fatal(err)
		}
		before := len(f.mail.Messages(t))
		f.publish(t, api.ID, nil)
		f.tick(t)
		if len(f.mail.Messages(t)) != before {
			t.Fatal("mailed after unsubscribing")
		}
	})
}

func TestBroadcast_WebhooksByComponentAndUncheckedChannels(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.w.Public = &notify.Router{Webhook: notify.NewPublicWebhook(true)} // the receivers are on loopback
		api, web := f.component(t, "API"), f.component(t, "Web")
		onlyAPI, all := newReceiver(t), newReceiver(t)
		s1, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: onlyAPI.srv.URL, Components: []string{api.ID}}, false)
		if err != nil {
			t.Fatal(err)
		}
		onlyAPI.secret = s1.Secret
		s2, _ := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: all.srv.URL}, false)
		all.secret = s2.Secret
		f.publish(t, web.ID, nil)
		f.tick(t)
		if onlyAPI.count() != 0 || all.count() != 1 || all.bad != 0 {
			t.Fatalf("web incident: api-only %d, all %d (bad %d)", onlyAPI.count(), all.count(), all.bad)
		}
		f.publish(t, api.ID, map[string]bool{"webhook": false})
		f.tick(t)
		if onlyAPI.count() != 0 || all.count() != 1 {
			t.Fatal("an unchecked channel was used")
		}
		f.publish(t, api.ID, nil)
		f.tick(t)
		if onlyAPI.count() != 1 || all.count() != 2 {
			t.Fatalf("api incident: %d %d", onlyAPI.count(), all.count())
		}
	})
}

func TestBroadcast_SubscriberWebhooksCannotReachInternalAddresses(t *testing.T) {
	f := setup(t, store.SQLite)
	f.w.Public = &notify.Router{Webhook: notify.NewPublicWebhook(false)}
	api := f.component(t, "API")
	rx := newReceiver(t)
	s, _ := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: rx.srv.URL}, false)
	rx.secret = s.Secret
	f.publish(t, api.ID, nil)
	for i := 0; i < 5; i++ {
		f.tick(t)
		f.clock.Advance(5 * time.Minute)
	}
	if rx.count() != 0 {
		t.Fatal("a subscriber webhook reached a loopback address")
	}
	counts, _ := f.db.Subscribers.BroadcastCounts(f.ctx, "incident.update")
	if counts["failed"] != 1 {
		t.Fatalf("delivery counts %v", counts)
	}
}

func TestRule31_ReminderAndManualUpdateAreOneEmail(t *testing.T) {
	f := setup(t, store.SQLite)
	db := f.component(t, "Database")
	if _, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "ops@example.com", Confirmed: true}, true); err != nil {
		t.Fatal(err)
	}
	from, until := f.clock.Now().Add(2*time.Hour), f.clock.Now().Add(3*time.Hour)
	name := "Upgrade"
	m, err := f.db.Maintenances.CreateMaintenance(f.ctx, herald.Actor{User: f.ann}, herald.MaintenanceInput{Name: &name, ScheduledFor: &from, ScheduledUntil: &until,
		Components: &[]string{db.ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.tick(t) // "scheduled"
	text := "Reminder: Upgrade starts 2026-11-23 11:00 UTC."
	// A manual update with the reminder's very text, then the reminder.
	if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, herald.Actor{User: f.ann}, m.ID, herald.MaintenanceUpdateInput{Body: text}); err != nil {
		t.Fatal(err)
	}
	f.tick(t)
	one := time.Hour
	f.db.Maintenances.UpdateMaintenance(f.ctx, herald.Actor{User: f.ann}, m.ID, herald.MaintenanceInput{Reminders: &[]herald.Duration{herald.Duration(one)}})
	f.clock.Advance(61 * time.Minute)
	f.tick(t)
	var subjects []string
	for _, msg := range f.mail.Messages(t) {
		subjects = append(subjects, msg.Subject)
	}
	if len(subjects) != 2 {
		t.Fatalf("mails %q: want the scheduled notice and one reminder", subjects)
	}
}

func TestRule19_StakeholdersNotifiedOnceSeverityIsConfirmed(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		f.w.Public = &notify.Router{Webhook: notify.NewPublicWebhook(true)}
		stake, public := newReceiver(t), newReceiver(t)
		ch, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{WebhookURL: stake.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		stake.secret = ch.Secret
		sub, _ := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{WebhookURL: public.srv.URL}, false)
		public.secret = sub.Secret
		ann := herald.Actor{User: f.ann, Role: herald.RoleResponder}
		inc, err := f.db.Incidents.DeclareIncident(f.ctx, ann, herald.DeclareInput{Title: "Checkout down", Severity: "S1", Summary: "All payments fail.", ChatURL: "https://chat.example.com/inc-1"})
		if err != nil {
			t.Fatal(err)
		}
		confirm := herald.DecisionInput{Kind: "severity", What: "Confirm S1", Rationale: "every customer affected"}
		if _, err := f.db.Incidents.RecordDecision(f.ctx, ann, inc.ID, confirm); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		if stake.count() != 1 || public.count() != 0 {
			t.Fatalf("stakeholders %d, public %d", stake.count(), public.count())
		}
		body := stake.bodies[0]
		for _, want := range []string{"INC-1", "S1", "Checkout down", "All payments fail.", "https://chat.example.com/inc-1", "Status page"} {
			if !strings.Contains(body, want) {
				t.Errorf("notice lacks %q: %s", want, body)
			}
		}
		// Confirming the same severity again tells nobody twice.
		f.db.Incidents.RecordDecision(f.ctx, ann, inc.ID, confirm)
		if sent, _ := f.db.Subscribers.NotifyStakeholders(f.ctx, ann, inc.ID); sent {
			t.Fatal("a second notice for the same severity")
		}
		f.tick(t)
		if stake.count() != 1 {
			t.Fatalf("stakeholders got %d notices", stake.count())
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryNote)
		if len(tl) == 0 || !strings.Contains(tl[0].Text, "Stakeholders notified (S1 confirmed)") {
			t.Fatalf("timeline %+v", tl)
		}
		// Public updates do not go to stakeholder channels.
		comp := f.component(t, "Checkout")
		f.publish(t, comp.ID, nil)
		f.tick(t)
		if stake.count() != 1 || public.count() != 1 {
			t.Fatalf("after a public update: stakeholders %d, public %d", stake.count(), public.count())
		}
	})
}

func TestBroadcast_UnconfirmedSignUpsExpireAfterAWeek(t *testing.T) {
	f := setup(t, store.SQLite)
	s, err := f.db.Subscribers.Subscribe(f.ctx, herald.SubscriberInput{Email: "late@example.com"}, false)
	if err != nil {
		t.Fatal(err)
	}
	f.tick(t)
	msgs := f.mail.Messages(t)
	link, _ := url.Parse(linkRE.FindString(f.mail.Text(t, msgs[0].ID)))
	f.clock.Advance(8 * 24 * time.Hour)
	f.tick(t)
	if _, err := f.db.Subscribers.ConfirmSubscriber(f.ctx, s.ID, link.Query().Get("token")); herald.ErrorCode(err) != herald.ENotFound {
		t.Fatalf("confirming an expired sign-up: %v", err)
	}
	counts, _ := f.db.Subscribers.SubscriberCounts(f.ctx)
	if len(counts) != 0 {
		t.Fatalf("counts %v", counts)
	}
}
