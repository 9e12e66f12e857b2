package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// withMail puts a console in front of e's store that sends through a real
// SMTP server (mailpit) with the sender pages use, and links under
// http://herald.test.
func (e *env) withMail(t *testing.T) *testdb.Mailpit {
	t.Helper()
	mail := testdb.StartMailpit(t)
	smtp, err := notify.NewSMTP("smtp://"+mail.SMTP, "herald@example.com")
	if err != nil {
		t.Fatal(err)
	}
	lk := links.New("http://herald.test")
	cons, err := console.New(console.Config{Services: e.db.Services(), Auth: e.db.Auth, Links: lk, Clock: e.clock, Version: "test",
		Sender: &notify.Router{Webhook: notify.NewWebhook(), Email: smtp}})
	if err != nil {
		t.Fatal(err)
	}
	e.http.Close()
	e.http = httptest.NewServer(server.New(server.Config{Services: e.db.Services(), Database: e.db, Links: lk, Version: "test", Console: cons}))
	t.Cleanup(e.http.Close)
	return mail
}

func (b *browser) signInWith(email, password string) int {
	b.t.Helper()
	res, _ := b.post("/login", url.Values{"email": {email}, "password": {password}, "next": {"/app"}})
	return res.StatusCode
}

func mustStatus(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, want, body)
	}
}

func TestPeople_AdminCreatesUserSetsPasswordAndTheySignIn(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")

		// A bad address is refused with the input kept, and nobody is added.
		res, body := admin.post("/app/people", url.Values{"name": {"Ann Example"}, "email": {"not an address"}, "role": {"viewer"}})
		mustStatus(t, "bad address", res, body, http.StatusBadRequest)
		if !strings.Contains(body, `value="Ann Example"`) || !strings.Contains(body, "plain e-mail address") {
			t.Fatalf("refused form lost the input or the reason:\n%s", body)
		}
		if _, err := e.db.People.User(ctx, "ann@example.com"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("a refused form added a user: %v", err)
		}

		res, body = admin.post("/app/people", url.Values{"name": {"Ann Example"}, "email": {"ann@example.com"}, "role": {"viewer"}, "manager": {"1"}})
		mustStatus(t, "create", res, body, http.StatusSeeOther)
		ann, err := e.db.People.User(ctx, "ann@example.com")
		if err != nil || ann.Role != herald.RoleViewer || !ann.Manager || ann.HasPassword {
			t.Fatalf("created user: %+v %v", ann, err)
		}
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/app/people/"+ann.ID) {
			t.Fatalf("after create: %s", loc)
		}
		_, body = admin.get("/app/people")
		if !strings.Contains(body, "Ann Example") || !strings.Contains(body, "(cannot be paged)") {
			t.Fatalf("people list:\n%s", body)
		}

		// The policy refuses a weak password, and the form says why.
		res, body = admin.post("/app/people/"+ann.ID+"/password", url.Values{"password": {"short"}})
		mustStatus(t, "weak password", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "at least 12 characters") || strings.Contains(body, `value="short"`) {
			t.Fatalf("weak password page:\n%s", body)
		}
		res, body = admin.post("/app/people/"+ann.ID+"/password", url.Values{"password": {"quiet meadow lantern"}})
		mustStatus(t, "set password", res, body, http.StatusSeeOther)

		b := e.browser(t)
		if code := b.signInWith("ann@example.com", "quiet meadow lantern"); code != http.StatusSeeOther {
			t.Fatalf("Ann signs in: %d", code)
		}
		if res, _ := b.get("/app/me"); res.StatusCode != 200 {
			t.Fatalf("Ann's own page: %d", res.StatusCode)
		}
	})
}

func TestPeople_RoleChangeTakesEffectAndEndsSessions(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin, resp := e.browser(t), e.browser(t)
		admin.signIn("admin@example.com")
		resp.signIn("responder@example.com")
		if res, _ := resp.get("/app/people"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("responder on people: %d", res.StatusCode)
		}
		id := e.people[herald.RoleResponder].ID

		res, body := admin.post("/app/people/"+id+"/role", url.Values{"role": {"admin"}})
		mustStatus(t, "promote", res, body, http.StatusSeeOther)
		if u, _ := e.db.People.User(ctx, id); u.Role != herald.RoleAdmin {
			t.Fatalf("role in the store: %s", u.Role)
		}
		if ss, _ := e.db.Auth.Sessions(ctx, id); len(ss) != 0 {
			t.Fatalf("sessions left after the role change: %d", len(ss))
		}
		if res, _ := resp.get("/app"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("old session still works: %d", res.StatusCode)
		}
		resp.signIn("responder@example.com")
		if res, _ := resp.get("/app/people"); res.StatusCode != http.StatusOK {
			t.Fatalf("promoted person on people: %d", res.StatusCode)
		}

		// An unknown role is refused and changes nothing.
		res, body = admin.post("/app/people/"+id+"/role", url.Values{"role": {"owner"}})
		mustStatus(t, "unknown role", res, body, http.StatusBadRequest)
		if u, _ := e.db.People.User(ctx, id); u.Role != herald.RoleAdmin {
			t.Fatalf("role after a refused change: %s", u.Role)
		}
	})
}

func TestPeople_LastAdminCannotBeDemoted(t *testing.T) {
	e := newEnv(t, store.SQLite)
	admin := e.browser(t)
	admin.signIn("admin@example.com")
	res, body := admin.post("/app/people/"+e.people[herald.RoleAdmin].ID+"/role", url.Values{"role": {"viewer"}})
	mustStatus(t, "demote the last admin", res, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "last admin") {
		t.Fatalf("no reason given:\n%s", body)
	}
	if res, _ := admin.get("/app/people"); res.StatusCode != 200 {
		t.Fatalf("admin after the refusal: %d", res.StatusCode)
	}
}

func TestPeople_NonAdminGets403(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		before, _ := e.db.Settings.Settings(ctx)
		for _, who := range []string{"viewer@example.com", "responder@example.com"} {
			b := e.browser(t)
			b.signIn(who)
			for _, path := range []string{"/app/people", "/app/settings", "/app/people/" + e.people[herald.RoleViewer].ID} {
				if res, _ := b.get(path); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s GET %s: %d", who, path, res.StatusCode)
				}
			}
			posts := map[string]url.Values{
				"/app/people":          {"name": {"Mallory"}, "email": {"mallory@example.com"}},
				"/app/settings":        {"page_name": {"Taken over"}},
				"/app/settings/tokens": {"name": {"x"}, "role": {"admin"}},
				"/app/people/" + e.people[herald.RoleViewer].ID + "/role":    {"role": {"admin"}},
				"/app/people/" + e.people[herald.RoleViewer].ID + "/manager": {"manager": {"on"}},
			}
			for path, form := range posts {
				if res, _ := b.post(path, form); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s POST %s: %d", who, path, res.StatusCode)
				}
			}
			_, body := b.get("/app")
			if strings.Contains(body, `href="/app/people"`) || strings.Contains(body, `href="/app/settings"`) {
				t.Errorf("%s sees admin links", who)
			}
			if res, _ := b.get("/app/me"); res.StatusCode != http.StatusOK {
				t.Errorf("%s on their own page: %d", who, res.StatusCode)
			}
		}
		if _, err := e.db.People.User(ctx, "mallory@example.com"); herald.ErrorCode(err) != herald.ENotFound {
			t.Errorf("a refused post added a user: %v", err)
		}
		if u, _ := e.db.People.User(ctx, e.people[herald.RoleViewer].ID); u.Role != herald.RoleViewer {
			t.Errorf("a refused post changed a role: %s", u.Role)
		}
		after, _ := e.db.Settings.Settings(ctx)
		if after.Page.Name != before.Page.Name {
			t.Errorf("a refused post changed the settings: %q", after.Page.Name)
		}
		if toks, _ := e.db.People.Tokens(ctx); len(toks) != 0 {
			t.Errorf("a refused post created a token: %d", len(toks))
		}
		// A viewer's own page offers no contact method or rule forms (the
		// API's responder role), and posting anyway is refused.
		b := e.browser(t)
		b.signIn("viewer@example.com")
		_, body := b.get("/app/me")
		if strings.Contains(body, `action="/app/me/methods"`) || !strings.Contains(body, `action="/app/me/password"`) {
			t.Errorf("viewer's own page forms:\n%s", body)
		}
		if res, _ := b.post("/app/me/methods", url.Values{"kind": {"email"}, "target": {"v@example.com"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer adds a contact method: %d", res.StatusCode)
		}
	})
}

var secretRE = regexp.MustCompile(`hrd_[A-Za-z0-9_-]{20,}`)

func TestSettings_TokenSecretShownOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		res, body := admin.post("/app/settings/tokens", url.Values{"name": {"deploy bot"}, "role": {"responder"}, "user": {e.people[herald.RoleResponder].ID}})
		mustStatus(t, "create token", res, body, http.StatusCreated)
		secret := secretRE.FindString(body)
		if secret == "" || !strings.Contains(body, "shown <strong>once</strong>") {
			t.Fatalf("no secret on the answer:\n%s", body)
		}
		a, err := e.db.People.Authenticate(ctx, secret)
		if err != nil || a.Role != herald.RoleResponder || a.User.ID != e.people[herald.RoleResponder].ID {
			t.Fatalf("the shown secret: %+v %v", a, err)
		}
		_, body = admin.get("/app/settings")
		if strings.Contains(body, secret) || secretRE.MatchString(body) || !strings.Contains(body, "deploy bot") {
			t.Fatalf("the settings page shows a secret again or lacks the token:\n%s", body)
		}
		toks, _ := e.db.People.Tokens(ctx)
		if len(toks) != 1 {
			t.Fatalf("tokens: %d", len(toks))
		}
		res, body = admin.post("/app/settings/tokens/"+toks[0].ID+"/revoke", url.Values{})
		mustStatus(t, "revoke", res, body, http.StatusSeeOther)
		if _, err := e.db.People.Authenticate(ctx, secret); herald.ErrorCode(err) != herald.EUnauthenticated {
			t.Fatalf("revoked token still works: %v", err)
		}
		// A nameless token is refused with the form shown again.
		res, body = admin.post("/app/settings/tokens", url.Values{"name": {""}, "role": {"viewer"}})
		mustStatus(t, "nameless token", res, body, http.StatusBadRequest)
		if secretRE.MatchString(body) {
			t.Fatalf("a refused token shows a secret")
		}
	})
}

func TestSettings_SaveOrganisationSettings(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		_, page := admin.get("/app/settings")
		form := formValues(t, page, `action="/app/settings"`)
		form.Set("page_name", "Acme Status")
		form.Set("page_time_zone", "Europe/Berlin")
		form.Set("incident_link", "require")
		form.Set("monitoring_minutes", "45")
		form.Set("cadence.investigating.S1", "5")
		form.Set("session_idle", "30m")
		form.Set("session_max", "24h")
		form.Set("template.resolved", "All good.")
		form.Set("new_template_name", "degraded")
		form.Set("new_template_text", "Some requests to {components} are slow.")
		res, body := admin.post("/app/settings", form)
		mustStatus(t, "save", res, body, http.StatusSeeOther)
		s, _ := e.db.Settings.Settings(ctx)
		if s.Page.Name != "Acme Status" || s.Page.TimeZone != "Europe/Berlin" || s.IncidentLink != "require" || s.MonitoringPeriod() != 45*time.Minute ||
			time.Duration(s.Cadence[herald.Investigating][herald.S1]) != 5*time.Minute || time.Duration(s.Cadence[herald.Monitoring][herald.S2]) != time.Hour ||
			time.Duration(s.Sessions.Idle) != 30*time.Minute || time.Duration(s.Sessions.Max) != 24*time.Hour {
			t.Fatalf("saved settings: %+v", s)
		}
		if s.StatusTemplates["resolved"] != "All good." || s.StatusTemplates["degraded"] == "" || s.StatusTemplates["investigating"] == "" {
			t.Fatalf("templates: %v", s.StatusTemplates)
		}
		// An emptied template is removed; a built-in one returns to its
		// default text.
		_, page = admin.get("/app/settings")
		form = formValues(t, page, `action="/app/settings"`)
		form.Set("template.degraded", "")
		form.Set("template.resolved", "")
		res, body = admin.post("/app/settings", form)
		mustStatus(t, "empty templates", res, body, http.StatusSeeOther)
		s, _ = e.db.Settings.Settings(ctx)
		if _, ok := s.StatusTemplates["degraded"]; ok || s.StatusTemplates["resolved"] != herald.DefaultSettings().StatusTemplates["resolved"] {
			t.Fatalf("templates after emptying: %v", s.StatusTemplates)
		}
		_, body = admin.get("/app/settings")
		if !strings.Contains(body, `value="30m"`) || !strings.Contains(body, `value="24h"`) {
			t.Fatalf("durations are not shown as written:\n%s", body)
		}

		// A bad duration is refused, the input is kept, nothing changes.
		form.Set("page_name", "Other Name")
		form.Set("session_idle", "soon")
		res, body = admin.post("/app/settings", form)
		mustStatus(t, "bad duration", res, body, http.StatusBadRequest)
		if !strings.Contains(body, `value="soon"`) || !strings.Contains(body, "sessions.idle") {
			t.Fatalf("refused settings form:\n%s", body)
		}
		// The store's own validation is shown the same way.
		form.Set("session_idle", "1m")
		res, body = admin.post("/app/settings", form)
		mustStatus(t, "idle below the minimum", res, body, http.StatusBadRequest)
		if after, _ := e.db.Settings.Settings(ctx); after.Page.Name != "Acme Status" {
			t.Fatalf("a refused form changed the settings: %q", after.Page.Name)
		}
	})
}

// formValues reads the named inputs, selected options and textareas of
// the form whose opening tag contains marker: what a browser would send.
func formValues(t *testing.T, page, marker string) url.Values {
	t.Helper()
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no form %s", marker)
	}
	form := page[i : i+strings.Index(page[i:], "</form>")]
	v := url.Values{}
	attr := func(tag, name string) string {
		m := regexp.MustCompile(name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return ""
		}
		return htmlUnescape(m[1])
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(form, -1) {
		if n := attr(tag, "name"); n != "" {
			v.Set(n, attr(tag, "value"))
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		if o := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); o != nil {
			v.Set(m[1], htmlUnescape(o[1]))
		}
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&#43;", "+").Replace(s)
}

// hookID is the responder's webhook contact method.
func hookID(ctx context.Context, t *testing.T, e *env) string {
	ms, err := e.db.People.ContactMethods(ctx, e.people[herald.RoleResponder].ID)
	if err != nil {
		t.Error(err)
	}
	for _, m := range ms {
		if m.Kind == "webhook" {
			return m.ID
		}
	}
	return ""
}

// waitMails waits until mailpit holds n messages (the reset mail leaves
// after the answer), then a little longer to see that no more come.
func waitMails(t *testing.T, mail *testdb.Mailpit, n int) []testdb.MailMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(mail.Messages(t)) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	return mail.Messages(t)
}

var resetLinkRE = regexp.MustCompile(`http://herald\.test(/login/reset/[A-Za-z0-9_-]+)`)

func TestPasswordReset_ByMailEndToEnd(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		mail := e.withMail(t)
		ctx := context.Background()
		b := e.browser(t)
		if _, body := b.get("/login"); !strings.Contains(body, `href="/login/reset"`) {
			t.Fatalf("no forgot-password link on the sign-in page")
		}
		other := e.browser(t)
		other.signIn("responder@example.com")

		// The same answer whether or not the address has an account.
		res, unknown := b.post("/login/reset", url.Values{"email": {"nobody@example.com"}})
		mustStatus(t, "unknown address", res, unknown, http.StatusOK)
		res, known := b.post("/login/reset", url.Values{"email": {"responder@example.com"}})
		mustStatus(t, "known address", res, known, http.StatusOK)
		if strings.ReplaceAll(unknown, "nobody@example.com", "X") != strings.ReplaceAll(known, "responder@example.com", "X") {
			t.Fatalf("the answers differ:\n%s\n---\n%s", unknown, known)
		}
		msgs := waitMails(t, mail, 1)
		if len(msgs) != 1 || msgs[0].ToList() != "responder@example.com" {
			t.Fatalf("mails: %+v", msgs)
		}
		m := resetLinkRE.FindStringSubmatch(mail.Text(t, msgs[0].ID))
		if m == nil {
			t.Fatalf("no reset link in the mail:\n%s", mail.Text(t, msgs[0].ID))
		}
		link := m[1]
		token := strings.TrimPrefix(link, "/login/reset/")
		var stored int
		if err := e.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM password_resets WHERE id = $1`, token).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("the token itself is stored: %d %v", stored, err)
		}

		// Opening the link uses nothing up; a weak password is refused.
		res, body := b.get(link)
		mustStatus(t, "open link", res, body, http.StatusOK)
		res, body = b.get(link)
		mustStatus(t, "open link again", res, body, http.StatusOK)
		res, body = b.post(link, url.Values{"password": {"password1234"}})
		mustStatus(t, "common password", res, body, http.StatusBadRequest)
		res, body = b.post(link, url.Values{"password": {"copper kettle sunrise"}})
		mustStatus(t, "reset", res, body, http.StatusSeeOther)

		if res, _ := other.get("/app"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a session survived the reset: %d", res.StatusCode)
		}
		if code := b.signInWith("responder@example.com", pw); code != http.StatusUnauthorized {
			t.Fatalf("old password after the reset: %d", code)
		}
		if code := b.signInWith("responder@example.com", "copper kettle sunrise"); code != http.StatusSeeOther {
			t.Fatalf("new password after the reset: %d", code)
		}

		// Single use.
		if res, _ := b.get(link); res.StatusCode != http.StatusNotFound {
			t.Fatalf("used link opens: %d", res.StatusCode)
		}
		res, _ = b.post(link, url.Values{"password": {"another long passphrase"}})
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("used link sets a password: %d", res.StatusCode)
		}

		// A link expires after an hour.
		b.post("/login/reset", url.Values{"email": {"viewer@example.com"}})
		msgs = waitMails(t, mail, 2)
		if len(msgs) != 2 {
			t.Fatalf("mails: %d", len(msgs))
		}
		link = resetLinkRE.FindStringSubmatch(mail.Text(t, msgs[0].ID))[1]
		e.clock.Advance(59 * time.Minute)
		if res, _ := b.get(link); res.StatusCode != http.StatusOK {
			t.Fatalf("link at 59 min: %d", res.StatusCode)
		}
		e.clock.Advance(time.Minute)
		if res, _ := b.get(link); res.StatusCode != http.StatusNotFound {
			t.Fatalf("link at 60 min: %d", res.StatusCode)
		}
		res, _ = b.post(link, url.Values{"password": {"another long passphrase"}})
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("expired link sets a password: %d", res.StatusCode)
		}
		if code := b.signInWith("viewer@example.com", pw); code != http.StatusSeeOther {
			t.Fatalf("viewer's password changed by an expired link: %d", code)
		}

		// At most three links an hour to one person: the form answers the
		// same, and no more mail goes out.
		for range 4 {
			res, body := b.post("/login/reset", url.Values{"email": {"admin@example.com"}})
			mustStatus(t, "repeat", res, body, http.StatusOK)
		}
		if n := len(waitMails(t, mail, 5)); n != 5 {
			t.Fatalf("mails after four requests for one person: %d, want 5", n)
		}
	})
}

func TestPeople_TestNotificationAndOwnAccount(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		mail := e.withMail(t)
		ctx := context.Background()
		me, other := e.browser(t), e.browser(t)
		me.signIn("responder@example.com")
		other.signIn("responder@example.com")

		res, body := me.post("/app/me/methods", url.Values{"kind": {"email"}, "target": {"pager@example.com"}})
		mustStatus(t, "add method", res, body, http.StatusSeeOther)
		ms, _ := e.db.People.ContactMethods(ctx, e.people[herald.RoleResponder].ID)
		if len(ms) != 1 {
			t.Fatalf("methods: %+v", ms)
		}
		res, body = me.post("/app/me/methods", url.Values{"kind": {"sms"}, "target": {"call me"}})
		mustStatus(t, "bad phone number", res, body, http.StatusBadRequest)
		if !strings.Contains(body, `value="call me"`) {
			t.Fatalf("refused method lost its input")
		}
		res, body = me.post("/app/me/rules", url.Values{"method": {ms[0].ID}, "delay": {"5"}})
		mustStatus(t, "add rule", res, body, http.StatusSeeOther)
		_, body = me.get("/app/me")
		if !strings.Contains(body, "5 min") || !strings.Contains(body, "Send a test notification") {
			t.Fatalf("own page:\n%s", body)
		}

		res, body = me.post("/app/me/methods/"+ms[0].ID+"/test", url.Values{})
		mustStatus(t, "test notification", res, body, http.StatusSeeOther)
		if !strings.Contains(res.Header.Get("Location"), "was+sent") {
			t.Fatalf("test flash: %s", res.Header.Get("Location"))
		}
		msgs := mail.Messages(t)
		if len(msgs) != 1 || msgs[0].ToList() != "pager@example.com" || !strings.Contains(msgs[0].Subject, "Test notification") {
			t.Fatalf("mails: %+v", msgs)
		}
		// Someone else's method cannot be tested through your own page.
		admID := e.people[herald.RoleAdmin].ID
		am, err := e.db.People.CreateContactMethod(ctx, admID, herald.ContactMethodInput{Kind: "email", Target: "adm@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := me.post("/app/me/methods/"+am.ID+"/test", url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("testing another's method: %d", res.StatusCode)
		}
		// An admin tests anyone's from their page.
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		res, body = admin.post("/app/people/"+admID+"/methods/"+am.ID+"/test", url.Values{})
		mustStatus(t, "admin test", res, body, http.StatusSeeOther)
		if n := len(mail.Messages(t)); n != 2 {
			t.Fatalf("mails after the admin's test: %d", n)
		}

		// A webhook's test is signed with its secret, like a page.
		got := make(chan error, 1)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			secret := ""
			if m, err := e.db.People.ContactMethodForTest(ctx, e.people[herald.RoleResponder].ID, hookID(ctx, t, e)); err == nil {
				secret = m.Secret
			}
			got <- notify.Verify(r.Header, body, secret, time.Now(), 5*time.Minute)
		}))
		defer hook.Close()
		res, body = me.post("/app/me/methods", url.Values{"kind": {"webhook"}, "target": {hook.URL}})
		mustStatus(t, "add webhook", res, body, http.StatusCreated)
		if !strings.Contains(body, "whsec_") {
			t.Fatalf("the signing secret is not shown once:\n%s", body)
		}
		res, body = me.post("/app/me/methods/"+hookID(ctx, t, e)+"/test", url.Values{})
		mustStatus(t, "webhook test", res, body, http.StatusSeeOther)
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("webhook test signature: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the webhook test did not arrive")
		}
		if _, body = me.get("/app/me"); strings.Contains(body, "whsec_") {
			t.Fatal("the signing secret is shown again")
		}

		// Changing your password needs the current one.
		res, body = me.post("/app/me/password", url.Values{"current_password": {"not it at all"}, "new_password": {"violet harbor engine"}})
		mustStatus(t, "wrong current password", res, body, http.StatusBadRequest)
		if code := e.browser(t).signInWith("responder@example.com", pw); code != http.StatusSeeOther {
			t.Fatalf("password changed without the current one: %d", code)
		}
		// A weak new password is refused before anything happens: no
		// session is left behind by checking the current one.
		before, _ := e.db.Auth.Sessions(ctx, e.people[herald.RoleResponder].ID)
		res, body = me.post("/app/me/password", url.Values{"current_password": {pw}, "new_password": {"short"}})
		mustStatus(t, "weak new password", res, body, http.StatusBadRequest)
		if after, _ := e.db.Auth.Sessions(ctx, e.people[herald.RoleResponder].ID); len(after) != len(before) {
			t.Fatalf("sessions %d before a refused change, %d after", len(before), len(after))
		}
		res, body = me.post("/app/me/password", url.Values{"current_password": {pw}, "new_password": {"violet harbor engine"}})
		mustStatus(t, "change password", res, body, http.StatusSeeOther)
		if res, _ := me.get("/app/me"); res.StatusCode != 200 {
			t.Fatalf("this browser was signed out: %d", res.StatusCode)
		}
		if res, _ := other.get("/app"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("another session survived: %d", res.StatusCode)
		}

		// Sign out everywhere ends this session too.
		res, _ = me.post("/app/me/signout", url.Values{})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: %d", res.StatusCode)
		}
		if ss, _ := e.db.Auth.Sessions(ctx, e.people[herald.RoleResponder].ID); len(ss) != 0 {
			t.Fatalf("sessions left: %d", len(ss))
		}
	})
}
