package server

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestAPI_SetRole: only an admin changes a role; the person's sessions end,
// a role that does not exist is refused, and the last admin stays one.
func TestAPI_SetRole(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rex", herald.RoleResponder)
		rex, _, err := responder.People.Me(ctx)
		if err != nil || rex.Role != herald.RoleResponder {
			t.Fatalf("me: %+v %v", rex, err) // the user's own role, not only the token's
		}
		if _, err := responder.People.SetRole(ctx, rex.ID, herald.RoleAdmin); statusOf2(err) != 403 {
			t.Fatalf("a responder makes themselves admin: %v", err)
		}
		if _, err := e.admin.People.SetRole(ctx, rex.ID, "owner"); statusOf2(err) != 400 {
			t.Fatalf("unknown role: %v", err)
		}
		if _, err := e.admin.People.SetRole(ctx, "nobody@example.com", herald.RoleViewer); statusOf2(err) != 404 {
			t.Fatalf("unknown user: %v", err)
		}
		session, err := e.db.Auth.SignInAs(ctx, rex.ID, "password")
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.admin.People.SetRole(ctx, "rex@example.com", herald.RoleViewer)
		if err != nil || u.ID != rex.ID || u.Role != herald.RoleViewer {
			t.Fatalf("set role: %+v %v", u, err)
		}
		if got, _ := e.db.People.User(ctx, rex.ID); got.Role != herald.RoleViewer {
			t.Fatalf("stored role: %s", got.Role)
		}
		if _, _, err := e.db.Auth.Session(ctx, session); herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Fatalf("a session survived the role change: %v", err)
		}
		me, _, err := e.admin.People.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.People.SetRole(ctx, me.ID, herald.RoleResponder); statusOf2(err) != 422 || !strings.Contains(err.Error(), "last admin") {
			t.Fatalf("the last admin is demoted: %v", err)
		}
	})
}

// TestAPI_EscalationPolicies: a viewer lists every policy, by name.
func TestAPI_EscalationPolicies(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		viewer := e.token(t, "Vic", herald.RoleViewer)
		if list, err := viewer.Paging.EscalationPolicies(ctx); err != nil || len(list) != 0 {
			t.Fatalf("no policies: %+v %v", list, err)
		}
		for _, name := range []string{"Payments", "Checkout"} {
			_, err := e.db.Paging.CreateEscalationPolicy(ctx, herald.EscalationPolicyInput{Name: name, Repeat: 1,
				Levels: []herald.EscalationLevel{{TimeoutMinutes: 10, Targets: []herald.Target{{Type: "user", ID: "vic@example.com"}}}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		list, err := viewer.Paging.EscalationPolicies(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "Checkout" || list[1].Name != "Payments" ||
			len(list[0].Levels) != 1 || list[0].Levels[0].TimeoutMinutes != 10 || list[0].Repeat != 1 {
			t.Fatalf("policies: %+v %v", list, err)
		}
		p, err := viewer.Paging.EscalationPolicy(ctx, "Payments")
		if err != nil || p.ID != list[1].ID {
			t.Fatalf("one policy: %+v %v", p, err)
		}
	})
}

// TestAPI_Sessions: people list and end their own console sessions, admins
// anyone's; nobody else's.
func TestAPI_Sessions(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		responder := e.token(t, "Rex", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		rex, _, _ := responder.People.Me(ctx)
		vic, _, _ := viewer.People.Me(ctx)
		signIn := func(id string) string {
			s, err := e.db.Auth.SignInAs(ctx, id, "password")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		rexSession, vicSession := signIn(rex.ID), signIn(vic.ID)
		signIn(vic.ID)

		if list, err := viewer.People.Sessions(ctx, vic.ID); err != nil || len(list) != 2 || list[0].UserID != vic.ID || list[0].Via != "password" {
			t.Fatalf("own sessions: %+v %v", list, err)
		}
		if _, err := viewer.People.Sessions(ctx, rex.ID); statusOf2(err) != 403 {
			t.Fatalf("a viewer reads another's sessions: %v", err)
		}
		if list, err := e.admin.People.Sessions(ctx, "rex@example.com"); err != nil || len(list) != 1 {
			t.Fatalf("admin reads sessions: %+v %v", list, err)
		}
		if err := responder.People.SignOutEverywhere(ctx, vic.ID); statusOf2(err) != 403 {
			t.Fatalf("a responder signs another out: %v", err)
		}
		if _, _, err := e.db.Auth.Session(ctx, vicSession); err != nil {
			t.Fatalf("a refused sign-out ended a session: %v", err)
		}
		if err := viewer.People.SignOutEverywhere(ctx, vic.ID); err != nil {
			t.Fatalf("a viewer signs themselves out: %v", err)
		}
		if list, err := viewer.People.Sessions(ctx, vic.ID); err != nil || len(list) != 0 {
			t.Fatalf("sessions after signing out: %+v %v", list, err)
		}
		if err := e.admin.People.SignOutEverywhere(ctx, rex.ID); err != nil {
			t.Fatalf("admin signs someone out: %v", err)
		}
		if _, _, err := e.db.Auth.Session(ctx, rexSession); herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Fatalf("a session survived signing out everywhere: %v", err)
		}
		if _, _, err := responder.People.Me(ctx); err != nil {
			t.Fatalf("the API token ended with the sessions: %v", err)
		}
		if _, err := e.admin.People.Sessions(ctx, "nobody@example.com"); statusOf2(err) != 404 {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

// sentBox is a notify.Sender that keeps what it is given, or fails.
type sentBox struct {
	mu   sync.Mutex
	msgs []notify.Message
	fail error
}

func (b *sentBox) Send(ctx context.Context, m notify.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.msgs = append(b.msgs, m)
	return nil
}

func (b *sentBox) sent() []notify.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]notify.Message(nil), b.msgs...)
}

// TestAPI_TestContactMethod: the console's test notification over the API,
// by the same function: to your own methods or, as admin, anyone's; signed
// with a webhook's secret; a failed send is 422 with the sender's error.
func TestAPI_TestContactMethod(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		box := &sentBox{}
		e.http.Config.Handler = checkAnswers(t, openAPIDoc(t), New(Config{Services: e.db.Services(), Database: e.db,
			Links: links.New("http://herald.test"), Version: "test", Sender: box}))
		responder := e.token(t, "Rex", herald.RoleResponder)
		viewer := e.token(t, "Vic", herald.RoleViewer)
		rex, _, _ := responder.People.Me(ctx)
		mail, err := responder.People.CreateContactMethod(ctx, rex.ID, herald.ContactMethodInput{Kind: "email", Target: "rex@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		hook, err := e.admin.People.CreateContactMethod(ctx, rex.ID, herald.ContactMethodInput{Kind: "webhook", Target: "https://hooks.example.com/rex"})
		if err != nil {
			t.Fatal(err)
		}
		sent, err := responder.People.TestContactMethod(ctx, rex.ID, mail.ID)
		if err != nil || sent.ContactMethodID != mail.ID || sent.Kind != "email" || sent.Target != "rex@example.com" {
			t.Fatalf("test own method: %+v %v", sent, err)
		}
		msgs := box.sent()
		if len(msgs) != 1 || msgs[0].Kind != "email" || msgs[0].Target != "rex@example.com" || msgs[0].Event != "test" ||
			!strings.Contains(msgs[0].Subject, "Test notification") || msgs[0].URL != "http://herald.test/app/me" {
			t.Fatalf("sent: %+v", msgs)
		}
		if _, err := e.admin.People.TestContactMethod(ctx, "rex@example.com", hook.ID); err != nil {
			t.Fatalf("admin tests another's method: %v", err)
		}
		if msgs = box.sent(); len(msgs) != 2 || msgs[1].Secret != hook.Secret || hook.Secret == "" {
			t.Fatalf("the webhook test is not signed with its secret: %+v", msgs)
		}
		// A viewer may not test, even their own; nobody tests another's.
		if _, err := viewer.People.TestContactMethod(ctx, rex.ID, mail.ID); statusOf2(err) != 403 {
			t.Fatalf("a viewer tests: %v", err)
		}
		responder2 := e.token(t, "Ria", herald.RoleResponder)
		if _, err := responder2.People.TestContactMethod(ctx, rex.ID, mail.ID); statusOf2(err) != 403 {
			t.Fatalf("a responder tests another's method: %v", err)
		}
		ria, _, _ := responder2.People.Me(ctx)
		if _, err := responder2.People.TestContactMethod(ctx, ria.ID, mail.ID); statusOf2(err) != 404 {
			t.Fatalf("another's method through your own path: %v", err)
		}
		box.fail = errors.New("550 mailbox unavailable")
		if _, err := responder.People.TestContactMethod(ctx, rex.ID, mail.ID); statusOf2(err) != 422 || !strings.Contains(err.Error(), "550 mailbox unavailable") {
			t.Fatalf("failed send: %v", err)
		}
		if ms, _ := e.db.People.ContactMethods(ctx, rex.ID); ms[0].Failures != 0 || ms[1].Failures != 0 {
			t.Fatalf("a failed test counted against the method: %+v", ms)
		}
		if len(box.sent()) != 2 {
			t.Fatal("a message counted as sent")
		}

		// Without a sender the route says so.
		plain := httptest.NewServer(New(Config{Services: e.db.Services(), Database: e.db, Version: "test"}))
		defer plain.Close()
		_, err = client.New(plain.URL, adminSecret).People.TestContactMethod(ctx, rex.ID, mail.ID)
		if statusOf2(err) != 422 || !strings.Contains(err.Error(), "no sender") {
			t.Fatalf("no sender: %v", err)
		}
	})
}
