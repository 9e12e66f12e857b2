package worker_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// pathRecorder is a chat or webhook endpoint that records the path and
// query each request came to: the URL's secret part must arrive whole.
type pathRecorder struct {
	mu  sync.Mutex
	got []string
	srv *httptest.Server
}

func newPathRecorder(t *testing.T) *pathRecorder {
	p := &pathRecorder{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.got = append(p.got, r.URL.RequestURI())
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pathRecorder) has(path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range p.got {
		if g == path {
			return true
		}
	}
	return false
}

// dump is every text column of every row of the tables, as one string:
// what a look into the database would show.
func dump(t *testing.T, db *sql.DB, tables ...string) string {
	t.Helper()
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
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
				fmt.Fprintf(&b, "%s.%s=%s\n", table, cols[i], v)
			}
		}
		rows.Close()
	}
	return b.String()
}

// lockedBuffer is a log sink the worker's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretTargets_DeliveriesReachTheFullURLAndNoRowOrLogHoldsIt adds
// webhook, Slack and Teams contact methods and subscribers, some at a
// local server and some at an address nobody answers, then pages and
// publishes until every failing delivery is given up. The working ones
// arrive at their full URL (path and query); no column of the contact
// methods, subscribers, their outbox rows (with their last_error) or the
// page's log, and no line of the worker's log, holds a secret path.
func TestSecretTargets_DeliveriesReachTheFullURLAndNoRowOrLogHoldsIt(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		var logs lockedBuffer
		f.w.Log = slog.New(slog.NewTextHandler(&logs, nil))
		rec := newPathRecorder(t)
		const dead = "http://127.0.0.1:1" // nobody answers there
		secrets := []string{"PAGESLACKSECRET", "PAGEHOOKDEADSECRET", "SUBHOOKSECRET", "SUBTEAMSSECRET", "SUBSLACKDEADSECRET", "CHANSLACKSECRET"}
		for _, in := range []herald.ContactMethodInput{
			{Kind: "slack", Target: rec.srv.URL + "/services/T9/B9/PAGESLACKSECRET?x=1"},
			{Kind: "webhook", Target: dead + "/hooks/PAGEHOOKDEADSECRET"},
		} {
			m, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if m.Target != herald.MaskURL(in.Target) {
				t.Errorf("the new method is shown %q", m.Target)
			}
		}
		for _, in := range []herald.SubscriberInput{
			{WebhookURL: rec.srv.URL + "/in/SUBHOOKSECRET"},
			{TeamsURL: rec.srv.URL + "/workflows/SUBTEAMSSECRET"},
			{SlackURL: dead + "/services/SUBSLACKDEADSECRET"},
		} {
			if _, err := f.db.Subscribers.Subscribe(f.ctx, in, true); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.db.Subscribers.AddStakeholderChannel(f.ctx, herald.SubscriberInput{SlackURL: rec.srv.URL + "/services/CHANSLACKSECRET"}); err != nil {
			t.Fatal(err)
		}
		api := f.component(t, "API")

		p := f.trigger(t, "secret")
		f.publish(t, api.ID, nil)
		for range store.MaxAttempts + 1 {
			f.tick(t)
			f.clock.Advance(time.Hour)
		}
		for _, path := range []string{"/services/T9/B9/PAGESLACKSECRET?x=1", "/in/SUBHOOKSECRET", "/workflows/SUBTEAMSSECRET"} {
			if !rec.has(path) {
				t.Errorf("nothing arrived at %s; got %v", path, rec.got)
			}
		}
		ds, err := f.db.Paging.Deliveries(f.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, dl := range ds {
			if dl.Status == "failed" {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("want the dead webhook's delivery failed: %+v", ds)
		}
		raw := dump(t, f.db.SQL(), "contact_methods", "subscribers", "deliveries", "broadcast_deliveries", "page_log")
		if !strings.Contains(raw, "last_error=webhook") {
			t.Errorf("no last_error recorded the failure:\n%s", raw)
		}
		for _, s := range secrets {
			if strings.Contains(raw, s) {
				t.Errorf("the database holds %s:\n%s", s, raw)
			}
			if strings.Contains(logs.String(), s) {
				t.Errorf("the log holds %s:\n%s", s, logs.String())
			}
		}
	})
}

// rawHTTP is a sender whose error is net/http's own: a *url.Error that
// quotes the whole URL it posted to.
type rawHTTP struct{}

func (rawHTTP) Send(ctx context.Context, m notify.Message) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Target, strings.NewReader("{}"))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// TestSecretTargets_AnHTTPErrorQuotingTheURLIsStoredAndLoggedMasked: a
// sender's error that quotes the URL (net/http's does) reaches last_error
// and the log with the URL masked.
func TestSecretTargets_AnHTTPErrorQuotingTheURLIsStoredAndLoggedMasked(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		var logs lockedBuffer
		f.w.Log = slog.New(slog.NewTextHandler(&logs, nil))
		f.w.Sender = rawHTTP{}
		target := "http://127.0.0.1:1/services/T1/B1/QUOTEDSECRET1234"
		if _, err := f.db.People.CreateContactMethod(f.ctx, f.ann.ID, herald.ContactMethodInput{Kind: "slack", Target: target}); err != nil {
			t.Fatal(err)
		}
		f.trigger(t, "quoted")
		f.tick(t)
		raw := dump(t, f.db.SQL(), "deliveries")
		if !strings.Contains(raw, herald.MaskURL(target)) {
			t.Errorf("last_error does not name the masked URL %s:\n%s", herald.MaskURL(target), raw)
		}
		for _, where := range []string{raw, logs.String()} {
			if strings.Contains(where, "QUOTEDSECRET") {
				t.Errorf("the URL's secret path is kept:\n%s", where)
			}
		}
	})
}
