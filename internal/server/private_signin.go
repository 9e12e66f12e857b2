package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
)

// The sign-in of a tenant's private status page whose sign-in is on
// (tenantpage.go): the page asks for an address; POSTed here, a one-time
// link is mailed (through the outbox) if it is one of the tenant's
// operational addresses, and the answer is the same whatever the address.
// The link opens a page with a button (so that a mail scanner following it
// spends nothing), whose POST spends the token and sets the page's signed
// cookie, scoped to the page's path.

// privateSignIn is the mux pattern of the sign-in, below a page's token.
const privateSignIn = "/p/{token}/sign-in"

func isPrivateSignIn(path string) bool {
	return strings.HasPrefix(path, links.PrivatePrefix) && strings.HasSuffix(path, "/sign-in") && strings.Count(path, "/") == 3
}

func (s *Server) privateSignIn(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	src, ok := s.cfg.Pages.PrivatePage(token)
	if !ok || !src.SignIn {
		s.cfg.Pages.ServeHTTP(w, r) // no such page, or no sign-in: the page's 404
		return
	}
	pages := s.cfg.Pages
	action := links.Links{}.Private(token).Home() + "sign-in"
	form := statuspage.Message{Action: action, Button: "Mail me a sign-in link", Email: true}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	r.ParseForm()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if tok := r.Form.Get("token"); tok != "" {
			pages.SignInMessage(w, token, http.StatusOK, statuspage.Message{Heading: "Sign in", Text: "Press Sign in to open the page.",
				Action: action, Button: "Sign in", Hidden: map[string]string{"token": tok}})
			return
		}
		form.Heading, form.Text = "Sign in", "Enter your address: if it is one this page is for, we mail you a link that signs you in. It works once, for 15 minutes."
		pages.SignInMessage(w, token, http.StatusOK, form)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed; this page takes GET, HEAD, POST", http.StatusMethodNotAllowed)
		return
	}
	if tok := r.PostForm.Get("token"); tok != "" {
		ok, err := s.app.TenantPages.UseTenantPageSignIn(r.Context(), src.Tenant, tok)
		if err != nil {
			s.log.Error("private page sign-in", "err", err)
			pages.SignInMessage(w, token, http.StatusServiceUnavailable, statuspage.Message{Heading: "That did not work", Text: "Please try again in a minute."})
			return
		}
		if !ok {
			form.Heading, form.Text = "This link does not work", "It was used already, or is older than 15 minutes. Ask for a new one."
			pages.SignInMessage(w, token, http.StatusBadRequest, form)
			return
		}
		http.SetCookie(w, statuspage.NewSession(src, token, s.db.Now(), strings.HasPrefix(s.cfg.Links.Base(), "https://")))
		http.Redirect(w, r, links.Links{}.Private(token).Home(), http.StatusSeeOther)
		return
	}
	if ok, retry := s.signups.allow(s.clientIP(r), time.Now()); !ok {
		httperr.SetRetryAfter(w, retry)
		pages.SignInMessage(w, token, http.StatusTooManyRequests, statuspage.Message{Heading: "Too many requests", Text: "Too many requests from your address in the last hour. Please try again later."})
		return
	}
	if err := s.app.TenantPages.RequestTenantPageSignIn(r.Context(), src.Tenant, r.PostForm.Get("email"), s.cfg.Links.PrivatePage(token)); err != nil {
		// What fails here (the server key, the database) fails whatever
		// the address: this answer says nothing of it either.
		s.log.Error("private page sign-in mail", "tenant", src.Tenant, "err", err)
		pages.SignInMessage(w, token, http.StatusServiceUnavailable, statuspage.Message{Heading: "That did not work", Text: "Please try again in a minute."})
		return
	}
	pages.SignInMessage(w, token, http.StatusOK, statuspage.Message{Heading: "Check your mail",
		Text: "If the address is one this page is for, a sign-in link is on its way. It works once, for 15 minutes."})
}
