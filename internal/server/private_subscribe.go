package server

import (
	"net/http"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
)

// The subscribe form of a tenant's private status page: like the public
// page's, an address is sent a confirmation first, and the answer is the
// same whatever the address. The subscription is the tenant's (its
// subscribers hear of its incidents and maintenances only). A page whose
// sign-in is on takes it only from a signed-in reader.

// privateSubscribe is the mux pattern of the form, below a page's token.
const privateSubscribe = "/p/{token}/subscribe"

func (s *Server) privateSubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	src, ok := s.cfg.Pages.PrivatePage(token)
	if !ok {
		s.cfg.Pages.ServeHTTP(w, r) // no such page: the page's 404
		return
	}
	pages := s.cfg.Pages
	if src.SignIn && !statuspage.SignedIn(src, r, s.db.Now()) {
		pages.SignInMessage(w, token, http.StatusForbidden, statuspage.Message{Heading: "Sign in first",
			Text:   "This page asks you to sign in before subscribing: enter your address, and if it is one this page is for, we mail you a link that signs you in.",
			Action: links.Links{}.Private(token).Home() + "sign-in", Button: "Mail me a sign-in link", Email: true})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		pages.SignInMessage(w, token, http.StatusBadRequest, statuspage.Message{Heading: "That did not work", Text: "The form could not be read. Please try again."})
		return
	}
	if ok, retry := s.signups.allow(s.clientIP(r), time.Now()); !ok {
		httperr.SetRetryAfter(w, retry)
		pages.SignInMessage(w, token, http.StatusTooManyRequests, statuspage.Message{Heading: "Too many requests", Text: "Too many sign-ups from your address in the last hour. Please try again later."})
		return
	}
	if _, err := s.app.TenantPages.SubscribeTenantPage(r.Context(), src.Tenant, herald.SubscriberInput{Email: r.PostForm.Get("email")}, false); err != nil {
		if he, ok := err.(*herald.Error); ok && he.Code == herald.EInvalid {
			pages.SignInMessage(w, token, http.StatusBadRequest, statuspage.Message{Heading: "Check the address", Text: "Please enter a plain e-mail address, like ada@example.com."})
			return
		}
		if he, ok := err.(*herald.Error); ok && he.Code == herald.ETooMany {
			httperr.SetRetryAfter(w, he.RetryAfter)
			pages.SignInMessage(w, token, http.StatusTooManyRequests, statuspage.Message{Heading: "Too many requests",
				Text: "This address was sent several confirmation mails today. Please use one of them, or try again tomorrow."})
			return
		}
		s.log.Error("private page subscribe", "tenant", src.Tenant, "err", err)
		pages.SignInMessage(w, token, http.StatusServiceUnavailable, statuspage.Message{Heading: "That did not work", Text: "Please try again in a minute."})
		return
	}
	pages.SignInMessage(w, token, http.StatusOK, statuspage.Message{Heading: "Check your inbox",
		Text: "If the address can receive mail, a message asking you to confirm is on its way. Nothing else is sent until you confirm."})
}
