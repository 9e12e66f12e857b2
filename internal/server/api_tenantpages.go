package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// The private status pages of tenants (tenantpage.go): admins make and
// rotate their URLs and turn their e-mail sign-in on or off. The pages
// themselves are served by the status page cache, below /p/{token}/.

func (s *Server) getTenantPage(r *http.Request, a herald.Actor, _ noBody) (herald.TenantPage, error) {
	return s.app.TenantPages.TenantPage(r.Context(), r.PathValue("id"))
}

func (s *Server) rotateTenantPage(r *http.Request, a herald.Actor, _ noBody) (herald.TenantPage, error) {
	return s.app.TenantPages.RotateTenantPage(r.Context(), a, r.PathValue("id"))
}

func (s *Server) setTenantPageSignIn(r *http.Request, a herald.Actor, in herald.TenantPageSignIn) (herald.TenantPage, error) {
	if err := in.Normalize(); err != nil {
		return herald.TenantPage{}, err
	}
	return s.app.TenantPages.SetTenantPageSignIn(r.Context(), a, r.PathValue("id"), *in.SignIn)
}

func (s *Server) subscribeTenantPage(r *http.Request, a herald.Actor, in herald.SubscriberInput) (herald.Subscriber, error) {
	return s.app.TenantPages.SubscribeTenantPage(r.Context(), r.PathValue("id"), in, true)
}

func (s *Server) tenantPageSubscribers(r *http.Request, a herald.Actor, _ noBody) ([]herald.Subscriber, error) {
	return s.app.TenantPages.TenantPageSubscribers(r.Context(), r.PathValue("id"))
}
