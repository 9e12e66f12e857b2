package console

import (
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// The acknowledge link: the signed link in every page notification opens a
// small page for that page, made for a phone, without signing in. It acts
// as the person notified and no one else (the token binds the notification,
// so its page and its person), and only while the page is not resolved.
//
// GET only shows: mail scanners and link previews follow links, and must
// change nothing. Acting is a POST from the page's own buttons, which the
// console's cross-origin protection guards like every form. The page is
// never cached and sends no Referer elsewhere (the console's headers), so
// the token stays in the person's hands.
func (c *Console) ackRoutes() []route {
	return []route{
		{method: "GET", path: links.Ack, serve: c.ackPage},
		{method: "POST", path: links.Ack, serve: c.ackAct},
	}
}

type ackView struct {
	Token string
	// Action is where the buttons post: the link itself.
	Action  string
	Link    *herald.AckLink
	PageURL string
	// Levels are the escalation choices (1-based); Next is the one
	// selected: the level after the current one.
	Levels []int
	Next   int
	// Level is the page's current level, 1-based.
	Level int
	// CanAct: the person's role allows acting on pages and they are not
	// a shadow.
	CanAct bool
}

// Resolved says the link acts no more.
func (v ackView) Resolved() bool { return v.Link.Page.Status == herald.PageResolved }

func (c *Console) ackView(r *http.Request) (ackView, error) {
	tok := r.PathValue("token")
	l, err := c.cfg.Services.Paging.AckLink(r.Context(), tok)
	if err != nil {
		return ackView{}, err
	}
	v := ackView{Token: tok, Action: links.Links{}.Ack(tok), Link: l, PageURL: c.cfg.Links.Page(l.Page.ID), Level: l.Page.Level + 1,
		CanAct: l.Actor.Role.Allows(herald.RoleResponder) && !l.Notification.Shadow}
	for i := 1; i <= l.Levels; i++ {
		v.Levels = append(v.Levels, i)
	}
	v.Next = min(l.Page.Level+2, l.Levels)
	return v, nil
}

// ackPage shows the page, and changes nothing.
func (c *Console) ackPage(w http.ResponseWriter, r *http.Request, _ herald.Actor) error {
	v, err := c.ackView(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if v.Resolved() {
		status = http.StatusGone
	}
	c.render(w, r, status, "ack", herald.Actor{}, v)
	return nil
}

// ackAct acknowledges, escalates or resolves the page as the person the
// link was sent to.
func (c *Console) ackAct(w http.ResponseWriter, r *http.Request, _ herald.Actor) error {
	v, err := c.ackView(r)
	if err != nil {
		return err
	}
	if v.Resolved() {
		c.render(w, r, http.StatusGone, "ack", herald.Actor{}, v)
		return nil
	}
	a, p := v.Link.Actor, v.Link.Page
	if !a.Role.Allows(herald.RoleResponder) {
		return herald.Errorf(herald.EForbidden, "acting on a page needs the responder role; %s is a %s", a.User.Name, a.Role)
	}
	paging := c.cfg.Services.Paging
	var flash string
	switch r.PostFormValue("action") {
	case "acknowledge":
		_, err = paging.AcknowledgePage(r.Context(), a, p.ID)
		flash = "Acknowledged: escalation stopped."
	case "escalate":
		level, convErr := strconv.Atoi(r.PostFormValue("level"))
		if convErr != nil {
			return &herald.Error{Code: herald.EInvalid, Message: "choose the level to escalate to", Fields: map[string]string{"level": "must be a level number"}}
		}
		_, err = paging.EscalatePage(r.Context(), a, p.ID, level)
		flash = "Escalated to level " + strconv.Itoa(level) + "."
	case "resolve":
		_, err = paging.ResolvePage(r.Context(), a, p.ID)
		flash = "Resolved."
	case "snooze":
		var sp *herald.Page
		if sp, err = paging.SnoozePage(r.Context(), a, p.ID, snoozeForm(r)); err == nil {
			flash = "Snoozed until " + sp.SnoozedUntil.UTC().Format("2006-01-02 15:04 UTC") + "."
		}
	default:
		return herald.Errorf(herald.EInvalid, "choose acknowledge, snooze, escalate or resolve")
	}
	if err != nil {
		return err
	}
	c.log.Info("page acted on from its acknowledge link", "page", p.ID, "user", a.User.ID, "action", r.PostFormValue("action"))
	redirect(w, r, v.Action, flash)
	return nil
}
