package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/password"
	"github.com/heraldhq/herald/internal/worker"
)

// People, your own account, organisation settings and password resets:
// the screens where an admin lets people in and decides how they are
// reached, and where everyone looks after their own sign-in.
func (c *Console) peopleRoutes() []route {
	admin, responder, viewer := herald.RoleAdmin, herald.RoleResponder, herald.RoleViewer
	return slices.Concat([]route{
		{method: "GET", path: "/app/people", role: admin, serve: c.people},
		{method: "POST", path: "/app/people", role: admin, serve: c.createPerson},
		{method: "GET", path: "/app/people/{id}", role: admin, serve: c.person},
		{method: "POST", path: "/app/people/{id}/role", role: admin, serve: c.setRole},
		{method: "POST", path: "/app/people/{id}/manager", role: admin, serve: c.setManager},
		{method: "POST", path: "/app/people/{id}/password", role: admin, serve: c.setPassword},
		{method: "POST", path: "/app/people/{id}/reset-link", role: admin, serve: c.sendResetLink},
		{method: "POST", path: "/app/people/{id}/methods", role: admin, serve: c.addMethod},
		{method: "POST", path: "/app/people/{id}/methods/{method}/test", role: admin, serve: c.testMethod},
		{method: "POST", path: "/app/people/{id}/rules", role: admin, serve: c.addRule},
		{method: "POST", path: "/app/people/{id}/signout", role: admin, serve: c.signOutEverywhere},
		{method: "POST", path: "/app/people/{id}/calendar", role: admin, serve: c.newCalendarFeed},
		{method: "POST", path: "/app/people/{id}/calendar/revoke", role: admin, serve: c.revokeCalendarFeed},

		// Your own account. Contact methods and rules need the responder
		// role, as in the API; your password and sessions are yours.
		{method: "GET", path: "/app/me", role: viewer, serve: c.person},
		{method: "POST", path: "/app/me/password", role: viewer, serve: c.changeOwnPassword},
		{method: "POST", path: "/app/me/methods", role: responder, serve: c.addMethod},
		{method: "POST", path: "/app/me/methods/{method}/test", role: responder, serve: c.testMethod},
		{method: "POST", path: "/app/me/rules", role: responder, serve: c.addRule},
		{method: "POST", path: "/app/me/signout", role: viewer, serve: c.signOutEverywhere},
		{method: "POST", path: "/app/me/calendar", role: viewer, serve: c.newCalendarFeed},
		{method: "POST", path: "/app/me/calendar/revoke", role: viewer, serve: c.revokeCalendarFeed},
	}, c.settingsRoutes(), c.resetRoutes())
}

// contactKinds are the kinds of contact method, in the order the form
// offers them.
var contactKinds = []string{"email", "sms", "voice", "slack", "teams", "mattermost", "webhook"}

type peopleView struct {
	People []personRow
	// Input and Error are the create form's, when it was refused.
	Input url.Values
	Error *herald.Error
	Roles []herald.APIRole
}

type personRow struct {
	herald.User
	Methods int
}

func (c *Console) people(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderPeople(w, r, a, http.StatusOK, nil, nil)
}

func (c *Console) renderPeople(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, input url.Values, herr *herald.Error) error {
	ctx := r.Context()
	users, err := c.cfg.Services.People.Users(ctx)
	if err != nil {
		return err
	}
	v := peopleView{Input: input, Error: herr, Roles: herald.APIRoles}
	if v.Input == nil {
		v.Input = url.Values{"role": {string(herald.RoleResponder)}}
	}
	for _, u := range users {
		ms, err := c.cfg.Services.People.ContactMethods(ctx, u.ID)
		if err != nil {
			return err
		}
		v.People = append(v.People, personRow{User: u, Methods: len(ms)})
	}
	c.render(w, r, status, "people", a, v)
	return nil
}

func (c *Console) createPerson(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	in := herald.UserInput{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"),
		Manager: r.PostForm.Get("manager") != "", Role: herald.APIRole(r.PostForm.Get("role"))}
	u, err := c.cfg.Services.People.CreateUser(r.Context(), in)
	if err != nil {
		if herr, status, ok := refusal(err); ok {
			return c.renderPeople(w, r, a, status, r.PostForm, herr)
		}
		return err
	}
	c.log.Info("user created", "user", u.ID, "by", a.User.ID)
	redirect(w, r, "/app/people/"+u.ID, u.Name+" was added. Set a password or send a reset link so they can sign in.")
	return nil
}

// refusal reports whether err is the person's input being refused (shown
// again with the form) rather than something to show as an error page.
func refusal(err error) (*herald.Error, int, bool) {
	he, status, _ := httperr.Of(err)
	switch he.Code {
	case herald.EInvalid, herald.EUnprocessable, herald.EConflict, herald.EApprovalRequired:
		return he, status, true
	}
	return nil, 0, false
}

// personView is one person's screen: an admin's view of anyone at
// /app/people/{id}, or your own at /app/me.
type personView struct {
	User herald.User
	// Self: the screen is /app/me. Base is the screen's path, which the
	// forms post under.
	Self bool
	Base string
	// CanEdit: the viewer may change contact methods and rules here.
	CanEdit  bool
	Methods  []herald.ContactMethod
	Rules    []ruleRow
	Sessions []herald.Session
	Roles    []herald.APIRole
	Kinds    []string
	// CanSend: the console has a sender for test notifications and mail.
	CanSend   bool
	MinLength int
	// Form names the form that was refused, with its input and error.
	Form  string
	Input url.Values
	Error *herald.Error
	// Qualifications are what the person is trained for, from when (R56).
	Qualifications []herald.Qualification
	// Calendar says whether the person has a calendar feed link.
	Calendar herald.CalendarFeed
}

type ruleRow struct {
	herald.NotificationRule
	Method string
}

// target is whose screen a request is on: /app/me is the actor's own.
func target(r *http.Request, a herald.Actor) (ref, base string, self bool) {
	if r.URL.Path == "/app/me" || strings.HasPrefix(r.URL.Path, "/app/me/") {
		return a.User.ID, "/app/me", true
	}
	id := r.PathValue("id")
	return id, "/app/people/" + url.PathEscape(id), id == a.User.ID
}

func (c *Console) person(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderPerson(w, r, a, http.StatusOK, "", nil, nil)
}

func (c *Console) renderPerson(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, form string, input url.Values, herr *herald.Error) error {
	ctx := r.Context()
	ref, base, self := target(r, a)
	people := c.cfg.Services.People
	u, err := people.User(ctx, ref)
	if err != nil {
		return err
	}
	v := personView{User: u, Self: base == "/app/me", Base: base, Roles: herald.APIRoles, Kinds: contactKinds,
		CanSend: c.cfg.Sender != nil, MinLength: password.MinLength, Form: form, Input: input, Error: herr}
	v.CanEdit = a.Role.Allows(herald.RoleAdmin) || (self && a.Role.Allows(herald.RoleResponder))
	if v.Input == nil {
		v.Input = url.Values{}
	}
	if v.Methods, err = people.ContactMethods(ctx, u.ID); err != nil {
		return err
	}
	rules, err := people.NotificationRules(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, rl := range rules {
		row := ruleRow{NotificationRule: rl, Method: rl.ContactMethodID}
		for _, m := range v.Methods {
			if m.ID == rl.ContactMethodID {
				row.Method = m.Kind + " " + m.Target
			}
		}
		v.Rules = append(v.Rules, row)
	}
	if v.Sessions, err = c.cfg.Auth.Sessions(ctx, u.ID); err != nil {
		return err
	}
	if v.Qualifications, err = people.Qualifications(ctx, u.ID); err != nil {
		return err
	}
	if v.Calendar, err = people.CalendarFeed(ctx, u.ID); err != nil {
		return err
	}
	screen := "person"
	if v.Self {
		screen = "me"
	}
	c.render(w, r, status, screen, a, v)
	return nil
}

// formFail shows the person's screen again with a refused form's input and
// error, or returns err when it is not a refusal of the input.
func (c *Console) formFail(w http.ResponseWriter, r *http.Request, a herald.Actor, form string, err error) error {
	herr, status, ok := refusal(err)
	if !ok {
		return err
	}
	in := url.Values{}
	for k, vs := range r.PostForm {
		if !strings.Contains(k, "password") {
			in[k] = vs // passwords are never written back into a page
		}
	}
	return c.renderPerson(w, r, a, status, form, in, herr)
}

func (c *Console) setRole(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	u, err := c.cfg.Services.People.SetRole(r.Context(), ref, herald.APIRole(r.PostFormValue("role")))
	if err != nil {
		return c.formFail(w, r, a, "role", err)
	}
	c.log.Info("role changed", "user", u.ID, "role", u.Role, "by", a.User.ID)
	if u.ID == a.User.ID {
		// Your own sessions ended with the change, this one too.
		c.setCookie(w, "", -1)
		redirect(w, r, "/login", "Your role is now "+string(u.Role)+"; sign in again.")
		return nil
	}
	redirect(w, r, base, u.Name+" is now "+string(u.Role)+"; their sessions have ended.")
	return nil
}

func (c *Console) setManager(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	u, err := c.cfg.Services.People.SetManager(r.Context(), ref, r.PostFormValue("manager") == "on")
	if err != nil {
		return c.formFail(w, r, a, "manager", err)
	}
	c.log.Info("manager flag changed", "user", u.ID, "manager", u.Manager, "by", a.User.ID)
	if u.Manager {
		redirect(w, r, base, u.Name+" is now marked as an engineering manager or above.")
	} else {
		redirect(w, r, base, u.Name+" is no longer marked as an engineering manager.")
	}
	return nil
}

func (c *Console) setPassword(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	if err := c.cfg.Auth.SetPassword(r.Context(), ref, r.PostFormValue("password")); err != nil {
		return c.formFail(w, r, a, "password", err)
	}
	c.log.Info("password set by an admin", "user", ref, "by", a.User.ID)
	if ref == a.User.ID {
		c.setCookie(w, "", -1)
		redirect(w, r, "/login", "Your password is set; sign in with it.")
		return nil
	}
	redirect(w, r, base, "The password is set and their sessions have ended. Tell them the password by a safe channel.")
	return nil
}

// changeOwnPassword needs the current password: a browser left signed in
// must not let a passer-by lock its owner out. Every other session ends;
// this browser stays signed in with a new session.
func (c *Console) changeOwnPassword(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	if current == "" {
		return c.formFail(w, r, a, "password", herald.Errorf(herald.EInvalid, "enter your current password"))
	}
	if err := password.Check(next, a.User.Email); err != nil {
		return c.formFail(w, r, a, "password", err)
	}
	// The current password is checked by signing in with it, so wrong
	// guesses count against the sign-in limits; the session that opens is
	// ended at once.
	check, _, err := c.cfg.Auth.SignIn(ctx, a.User.Email, current, clientAddr(r))
	if err != nil {
		if herald.ErrorCode(err) == herald.EUnauthenticated {
			err = herald.Errorf(herald.EInvalid, "your current password is not right")
		}
		return c.formFail(w, r, a, "password", err)
	}
	if err := c.cfg.Auth.SignOut(ctx, check); err != nil {
		return err
	}
	if err := c.cfg.Auth.SetPassword(ctx, a.User.ID, next); err != nil {
		return c.formFail(w, r, a, "password", err)
	}
	secret, err := c.cfg.Auth.SignInAs(ctx, a.User.ID, "password")
	if err != nil {
		return err
	}
	c.setCookie(w, secret, 0)
	redirect(w, r, "/app/me", "Your password is changed. You were signed out everywhere else.")
	return nil
}

func (c *Console) sendResetLink(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	ref, base, _ := target(r, a)
	u, err := c.cfg.Services.People.User(ctx, ref)
	if err != nil {
		return err
	}
	token, _, err := c.cfg.Auth.RequestPasswordReset(ctx, u.Email)
	if err != nil {
		return err
	}
	if token == "" {
		return herald.Errorf(herald.ETooMany, "%s was sent several reset links in the last hour; ask them to use one of those", u.Name)
	}
	if err := c.sendReset(ctx, u, token); err != nil {
		return err
	}
	redirect(w, r, base, "A reset link was sent to "+u.Email+"; it works once, for an hour.")
	return nil
}

// sendReset mails a reset link, now, through the sender a page's e-mail
// takes. It is sent at once rather than through the outbox: the outbox's
// lanes carry pages to contact methods and broadcasts to subscribers, and
// a reset link is neither; a failed send is told to the admin who sent it
// (and logged for a person who asked themselves), who can send another.
func (c *Console) sendReset(ctx context.Context, u herald.User, token string) error {
	if c.cfg.Sender == nil {
		return herald.Errorf(herald.EUnprocessable, "no e-mail can be sent: Herald has no SMTP server configured (--smtp-url)")
	}
	page, err := c.pageName(ctx)
	if err != nil {
		return err
	}
	link := c.cfg.Links.SignIn() + "/reset/" + token
	n := herald.PasswordResetNotice(page, u.Name, link)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = c.cfg.Sender.Send(ctx, notify.Message{ID: messageID(), Kind: "email", Target: u.Email,
		Event: n.Event, Subject: n.Subject, Text: n.Body, URL: n.URL})
	if err != nil {
		c.log.Warn("password reset mail not sent", "user", u.ID, "err", err)
		return herald.Errorf(herald.EUnprocessable, "the mail could not be sent (%v); try again", err)
	}
	c.log.Info("password reset mail sent", "user", u.ID)
	return nil
}

func (c *Console) pageName(ctx context.Context) (string, error) {
	s, err := c.cfg.Services.Settings.Settings(ctx)
	if err != nil {
		return "", err
	}
	return s.Page.Name, nil
}

func messageID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "console-" + hex.EncodeToString(b)
}

func (c *Console) addMethod(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	m, err := c.cfg.Services.People.CreateContactMethod(r.Context(), ref,
		herald.ContactMethodInput{Kind: r.PostFormValue("kind"), Target: r.PostFormValue("target")})
	if err != nil {
		return c.formFail(w, r, a, "method", err)
	}
	msg := "Contact method added: " + m.Kind + " " + m.Target + "."
	if m.Warning != "" {
		msg += " Warning: " + m.Warning + "."
	}
	if m.Secret != "" {
		// A webhook's signing secret: shown once, on this answer, as the
		// API does; never in a redirect's URL.
		v := struct {
			Method herald.ContactMethod
			Base   string
		}{m, base}
		c.render(w, r, http.StatusCreated, "secret", a, v)
		return nil
	}
	redirect(w, r, base, msg+" Send a test notification to check it reaches you.")
	return nil
}

// testMethod sends a test notification to one contact method, now
// (worker.SendTest, which the API's route calls too). A failed send is the
// test's answer, told on the screen, not an error of the request.
func (c *Console) testMethod(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	res, err := worker.SendTest(r.Context(), c.cfg.Sender, c.cfg.Services, c.cfg.Links, ref, r.PathValue("method"))
	if err != nil {
		return err
	}
	m := res.Method
	if res.Failed != nil {
		c.log.Warn("test notification failed", "user", res.User.ID, "method", m.ID, "err", res.Failed)
		redirect(w, r, base, "The test notification to "+m.Kind+" "+shownTarget(m.Kind, m.Target)+" failed; the server log has the reason.")
		return nil
	}
	c.log.Info("test notification sent", "user", res.User.ID, "method", m.ID, "by", a.User.ID)
	redirect(w, r, base, "A test notification was sent to "+m.Kind+" "+shownTarget(m.Kind, m.Target)+". Check that it arrived.")
	return nil
}

func (c *Console) addRule(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	delay, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("delay")))
	if err != nil || delay < 0 {
		fe := herald.FieldErrors{}
		fe.Add("delay", "must be a whole number of minutes, 0 or more")
		return c.formFail(w, r, a, "rule", fe.Err())
	}
	if _, err := c.cfg.Services.People.AddNotificationRule(r.Context(), ref, r.PostFormValue("method"), delay); err != nil {
		return c.formFail(w, r, a, "rule", err)
	}
	redirect(w, r, base, "Notification rule added.")
	return nil
}

func (c *Console) signOutEverywhere(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	u, err := c.cfg.Services.People.User(r.Context(), ref)
	if err != nil {
		return err
	}
	if err := c.cfg.Auth.SignOutEverywhere(r.Context(), u.ID); err != nil {
		return err
	}
	if u.ID == a.User.ID {
		c.setCookie(w, "", -1)
		redirect(w, r, "/login", "You are signed out everywhere.")
		return nil
	}
	redirect(w, r, base, u.Name+" is signed out everywhere.")
	return nil
}

// shownTarget is a contact method's target as a redirect's message may
// carry it: an e-mail address whole, anything else (a chat webhook URL is
// a credential; a phone number is private) masked, since the message
// travels in the URL.
func shownTarget(kind, target string) string {
	if kind == "email" {
		return target
	}
	return herald.Mask(target)
}

// newCalendarFeed makes the person's calendar feed link and shows it once,
// on this answer only: the link is the credential, so it never goes into
// a redirect's URL.
func (c *Console) newCalendarFeed(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	u, err := c.cfg.Services.People.User(r.Context(), ref)
	if err != nil {
		return err
	}
	f, err := c.cfg.Services.People.NewCalendarFeed(r.Context(), u.ID)
	if err != nil {
		return err
	}
	f.URL, f.SchedulesURL = c.cfg.Links.CalendarFeed(f.Token), c.cfg.Links.ScheduleFeeds(f.Token)
	v := struct {
		Feed       herald.CalendarFeed
		Name, Base string
	}{f, u.Name, base}
	c.render(w, r, http.StatusCreated, "calendar", a, v)
	return nil
}

// revokeCalendarFeed ends the person's calendar feed link.
func (c *Console) revokeCalendarFeed(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ref, base, _ := target(r, a)
	u, err := c.cfg.Services.People.User(r.Context(), ref)
	if err != nil {
		return err
	}
	if err := c.cfg.Services.People.RevokeCalendarFeed(r.Context(), u.ID); err != nil {
		return err
	}
	redirect(w, r, base, "The calendar link no longer works.")
	return nil
}
