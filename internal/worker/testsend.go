package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
)

// TestResult is what a test notification did: to whom and by which method
// it went, and whether the sender took it.
type TestResult struct {
	User   herald.User
	Method herald.ContactMethod // with its webhook secret opened: never show it
	// Failed is the sender's error: the answer to the test, which the
	// person is told, rather than an error of the request.
	Failed error
}

// SendTest sends a contact method a test notification, now, with the sender
// pages use (serve gives the console and the API the worker's notify.Router:
// the same SMTP server, phone provider, webhook signing and address checks).
// It is sent at once rather than queued, so the person sees at once whether
// it worked; and it is kept out of the page lane's deliveries, so a failing
// test neither counts against the method nor shows as a page. The console's
// button and the API's route both call it. The error is a refusal (no
// sender, unknown person or method); a failed send is TestResult.Failed.
func SendTest(ctx context.Context, s notify.Sender, svc herald.Services, lk links.Links, userRef, methodID string) (TestResult, error) {
	if s == nil {
		return TestResult{}, herald.Errorf(herald.EUnprocessable, "nothing can be sent from here: Herald has no sender configured")
	}
	var res TestResult
	var err error
	if res.User, err = svc.People.User(ctx, userRef); err != nil {
		return res, err
	}
	if res.Method, err = svc.People.ContactMethodForTest(ctx, res.User.ID, methodID); err != nil {
		return res, err
	}
	settings, err := svc.Settings.Settings(ctx)
	if err != nil {
		return res, err
	}
	n := herald.TestNotice(settings.Page.Name, res.User.Name, lk.Console()+"/me")
	id := make([]byte, 16)
	rand.Read(id)
	m := res.Method
	msg := notify.Message{ID: "test-" + hex.EncodeToString(id), Kind: m.Kind, Target: m.Target, Secret: m.Secret,
		Event: n.Event, Subject: n.Subject, Text: n.Body, URL: n.URL,
		Data: map[string]any{"event": n.Event, "subject": n.Subject, "body": n.Body, "url": n.URL, "test": true}}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// What the caller shows and logs has the URL masked, like the store.
	res.Failed = redacted(m.Kind, m.Target, s.Send(sctx, msg))
	res.Method.Target = herald.ShownTarget(m.Kind, m.Target)
	return res, nil
}
