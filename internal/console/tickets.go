package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Support tickets (R20) on the incident screen: the incident's tag, the
// keywords and window its tickets are looked for in, a Sweep button, the
// untagged tickets the last sweep found with a box each to tag the ones
// picked (or all); and the settings screen that connects the ticket
// system (Zendesk) and sets the tags' prefixes. A sweep runs in the
// background: the screen shows it queued, and its result once the worker
// has it and the screen is loaded again.
func (c *Console) ticketsRoutes() []route {
	const inc = "/app/incidents/{ref}/tickets"
	return []route{
		{method: "POST", path: inc, role: herald.RoleResponder, serve: c.incidentAction("tickets", c.setTickets)},
		{method: "POST", path: inc + "/sweep", role: herald.RoleResponder, serve: c.incidentAction("sweep", c.sweepTickets)},
		{method: "POST", path: inc + "/tag", role: herald.RoleResponder, serve: c.incidentAction("tag-tickets", c.tagTickets)},
		{method: "GET", path: "/app/settings/tickets", role: herald.RoleAdmin, serve: c.ticketSettings},
		{method: "POST", path: "/app/settings/tickets", role: herald.RoleAdmin, serve: c.saveTicketSettings},
		{method: "POST", path: "/app/settings/tickets/connection", role: herald.RoleAdmin, serve: c.connectTickets},
		{method: "POST", path: "/app/settings/tickets/disconnect", role: herald.RoleAdmin, serve: c.disconnectTickets},
	}
}

// setTickets sets a confidential incident's tag by hand and the keywords
// (one a line or comma-separated).
func (c *Console) setTickets(r *http.Request, a herald.Actor, ref string) (string, error) {
	f := r.PostForm
	in := herald.TicketCouplingInput{}
	if _, ok := f["tag"]; ok {
		t := f.Get("tag")
		in.Tag = &t
	}
	kw := strings.FieldsFunc(f.Get("keywords"), func(r rune) bool { return r == ',' || r == '\n' })
	for _, k := range kw {
		if k = strings.TrimSpace(k); k != "" {
			in.Keywords = append(in.Keywords, k)
		}
	}
	if _, ok := f["keywords"]; ok && len(in.Keywords) == 0 {
		in.ClearKeywords = true
	}
	if _, err := c.cfg.Services.Tickets.SetIncidentTickets(r.Context(), a, ref, in); err != nil {
		return "", err
	}
	return "Support ticket settings of " + ref + " saved.", nil
}

func (c *Console) sweepTickets(r *http.Request, a herald.Actor, ref string) (string, error) {
	sw, err := c.cfg.Services.Tickets.Sweep(r.Context(), a, ref, herald.SweepInput{Apply: r.PostForm.Get("apply") == "on"})
	if err != nil {
		return "", err
	}
	msg := "Ticket sweep queued: it searches " + strings.Join(sw.Keywords, ", ") + " for tickets without " + sw.Tag
	if sw.Apply {
		msg += " and tags them"
	}
	return msg + "; the result shows here when it is done.", nil
}

func (c *Console) tagTickets(r *http.Request, a herald.Actor, ref string) (string, error) {
	in := herald.TagTicketsInput{TicketIDs: r.PostForm["ticket"], All: r.PostForm.Get("all") == "on"}
	if in.All {
		in.TicketIDs = nil // "All of them" wins over the boxes ticked
	}
	sw, err := c.cfg.Services.Tickets.TagTickets(r.Context(), a, ref, in)
	if err != nil {
		return "", err
	}
	return "Tagging " + plural(len(sw.TicketIDs), "ticket") + " " + sw.Tag + "; recorded on the timeline when done.", nil
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// ticketSettingsView is the settings screen: the connection (never its
// token) and the tag settings, with a refused form's input and errors.
type ticketSettingsView struct {
	Connection *herald.TicketConnection
	Tickets    herald.TicketSettings
	Kinds      []string
	Form       string
	Input      url.Values
	Error      *herald.Error
}

// Val is what was typed into field when form was refused, or def.
func (v ticketSettingsView) Val(form, field, def string) string {
	if v.Form == form && v.Input != nil {
		if _, ok := v.Input[field]; ok {
			return v.Input.Get(field)
		}
	}
	return def
}

// Margin is the window margin as written in settings.
func (v ticketSettingsView) Margin() string { return time.Duration(v.Tickets.WindowMargin).String() }

func (c *Console) loadTicketSettings(r *http.Request) (ticketSettingsView, error) {
	v := ticketSettingsView{Kinds: herald.TicketSystemKinds}
	s, err := c.cfg.Services.Settings.Settings(r.Context())
	if err != nil {
		return v, err
	}
	v.Tickets = s.Tickets
	conn, err := c.cfg.Services.Tickets.TicketConnection(r.Context())
	switch herald.ErrorCode(err) {
	case "":
		v.Connection = &conn
	case herald.ENotFound:
	default:
		return v, err
	}
	return v, nil
}

func (c *Console) ticketSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	v, err := c.loadTicketSettings(r)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "ticket-settings", a, v)
	return nil
}

// refuseTicketSettings shows the screen again with the refusal beside
// form and what was typed (never the token).
func (c *Console) refuseTicketSettings(w http.ResponseWriter, r *http.Request, a herald.Actor, form string, err error) error {
	herr, status, ok := refusal(err)
	if !ok {
		return err
	}
	v, lerr := c.loadTicketSettings(r)
	if lerr != nil {
		return lerr
	}
	v.Form, v.Error, v.Input = form, herr, cloneValues(r.PostForm)
	v.Input.Del("token")
	c.render(w, r, status, "ticket-settings", a, v)
	return nil
}

func (c *Console) saveTicketSettings(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	s, err := c.cfg.Services.Settings.Settings(r.Context())
	if err != nil {
		return err
	}
	s.Tickets.TagPrefix, s.Tickets.ConfidentialPrefix = f.Get("tag_prefix"), f.Get("confidential_prefix")
	if err := s.Tickets.WindowMargin.UnmarshalText([]byte(strings.TrimSpace(f.Get("window_margin")))); err != nil {
		return c.refuseTicketSettings(w, r, a, "tags", &herald.Error{Code: herald.EInvalid, Message: "tickets.window_margin: must be a duration like 24h",
			Fields: map[string]string{"tickets.window_margin": "must be a duration like 24h"}})
	}
	if _, err := c.cfg.Services.Settings.SaveSettings(r.Context(), s); err != nil {
		return c.refuseTicketSettings(w, r, a, "tags", err)
	}
	redirect(w, r, "/app/settings/tickets", "Ticket tag settings saved.")
	return nil
}

func (c *Console) connectTickets(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	in := herald.TicketConnectionInput{Kind: f.Get("kind"), URL: f.Get("url"), Email: f.Get("email"), Token: f.Get("token")}
	if _, err := c.cfg.Services.Tickets.ConnectTicketSystem(r.Context(), a, in); err != nil {
		return c.refuseTicketSettings(w, r, a, "connection", err)
	}
	redirect(w, r, "/app/settings/tickets", "Ticket system connected.")
	return nil
}

func (c *Console) disconnectTickets(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := c.cfg.Services.Tickets.DisconnectTicketSystem(r.Context(), a); err != nil {
		return err
	}
	redirect(w, r, "/app/settings/tickets", "Ticket system disconnected; its token is forgotten.")
	return nil
}

// Tagged says whether a sweep tagged the ticket.
func (v *incidentView) Tagged(sw herald.TicketSweep, id string) bool {
	return slices.Contains(sw.Tagged, id)
}
