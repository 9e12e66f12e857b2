package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
)

// The contact request screens (R61): the list (open ones first, by due
// time), one request with its notes and the forms to note, complete or
// cancel it, and the form that opens one.
func (c *Console) requestsRoutes() []route {
	return []route{
		{method: "GET", path: "/app/requests", role: herald.RoleViewer, serve: c.requests},
		{method: "POST", path: "/app/requests", role: herald.RoleResponder, serve: c.openRequest},
		{method: "GET", path: "/app/requests/{id}", role: herald.RoleViewer, serve: c.request},
		{method: "POST", path: "/app/requests/{id}/notes", role: herald.RoleResponder, serve: c.requestAction("note")},
		{method: "POST", path: "/app/requests/{id}/complete", role: herald.RoleResponder, serve: c.requestAction("complete")},
		{method: "POST", path: "/app/requests/{id}/cancel", role: herald.RoleResponder, serve: c.requestAction("cancel")},
	}
}

type requestsView struct {
	// Show is "open" (the default), "mine" or "closed".
	Show  string
	List  []herald.ContactRequest
	Shows []followUpShow
	// Input and Error are the open form's, when it was refused.
	Input url.Values
	Error *herald.Error
}

func (c *Console) requests(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderRequests(w, r, a, http.StatusOK, nil, nil)
}

func (c *Console) renderRequests(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	v := requestsView{Show: r.URL.Query().Get("show"), Input: in, Error: herr,
		Shows: []followUpShow{{"open", "Open"}, {"mine", "Mine"}, {"closed", "Closed"}}}
	if v.Input == nil {
		v.Input = url.Values{}
	}
	f := herald.ContactRequestFilter{Status: herald.RequestOpen}
	switch v.Show {
	case "mine":
		f.Owner = a.User.ID
	case "closed":
		f.Status = ""
	default:
		v.Show = "open"
	}
	list, err := c.cfg.Services.Requests.ContactRequests(r.Context(), f)
	if err != nil {
		return err
	}
	for _, cr := range list {
		if v.Show != "closed" || cr.Status != herald.RequestOpen {
			v.List = append(v.List, cr)
		}
	}
	c.render(w, r, status, "requests", a, v)
	return nil
}

func (c *Console) openRequest(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	fe := herald.FieldErrors{}
	in := herald.ContactRequestInput{From: r.PostFormValue("from"), Reason: r.PostFormValue("reason"), Message: r.PostFormValue("message"),
		Incident: r.PostFormValue("incident"), Owner: r.PostFormValue("owner"),
		Recipients: strings.FieldsFunc(r.PostFormValue("recipients"), func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }),
		DueAt:      parseUTC(fe, "due_at", r.PostFormValue("due_at"))}
	err := fe.Err()
	var cr herald.ContactRequest
	if err == nil {
		cr, err = c.cfg.Services.Requests.OpenContactRequest(r.Context(), a, in)
	}
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderRequests(w, r, a, status, r.PostForm, herr)
	}
	redirect(w, r, "/app/requests/"+url.PathEscape(cr.ID), "Contact request opened; it is "+cr.Owner+"'s until it is done.")
	return nil
}

type requestView struct {
	Request herald.ContactRequest
	Form    string
	Input   url.Values
	Error   *herald.Error
}

func (c *Console) request(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderRequest(w, r, a, http.StatusOK, "", nil, nil)
}

func (c *Console) renderRequest(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, form string, in url.Values, herr *herald.Error) error {
	cr, err := c.cfg.Services.Requests.ContactRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if in == nil {
		in = url.Values{}
	}
	c.render(w, r, status, "request", a, requestView{Request: cr, Form: form, Input: in, Error: herr})
	return nil
}

// requestAction notes, completes or cancels a request; a refused form is
// shown again with what was typed.
func (c *Console) requestAction(action string) func(http.ResponseWriter, *http.Request, herald.Actor) error {
	return func(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
		s, id := c.cfg.Services.Requests, r.PathValue("id")
		var err error
		var msg string
		switch action {
		case "note":
			_, err = s.NoteContactRequest(r.Context(), a, id, r.PostFormValue("text"))
			msg = "Note added."
		case "complete":
			_, err = s.CompleteContactRequest(r.Context(), a, id, herald.ContactRequestClose{Sent: r.PostFormValue("sent"), Reply: r.PostFormValue("reply")})
			msg = "Contact request done."
		case "cancel":
			_, err = s.CancelContactRequest(r.Context(), a, id, herald.ContactRequestClose{Reason: r.PostFormValue("reason")})
			msg = "Contact request cancelled."
		}
		if err != nil {
			herr, status, ok := refusal(err)
			if !ok {
				return err
			}
			return c.renderRequest(w, r, a, status, action, r.PostForm, herr)
		}
		redirect(w, r, "/app/requests/"+url.PathEscape(id), msg)
		return nil
	}
}
