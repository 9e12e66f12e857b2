package console

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// The private status page of a tenant, on the tenant's screen (admins):
// make a new URL, shown on the answer to that request only (never in a
// redirect, which would put it in logs and history), and turn its e-mail
// sign-in on or off.

func (c *Console) rotateTenantPage(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	p, err := c.cfg.Services.TenantPages.RotateTenantPage(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	// The tenant's screen, with the URL in it: the one time it is shown.
	w.Header().Set("Cache-Control", "no-store")
	r.SetPathValue("id", p.Tenant)
	return c.tenantWithPage(w, r, a, &p)
}

func (c *Console) setTenantPageSignIn(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	on := r.PostFormValue("sign_in") == "on"
	p, err := c.cfg.Services.TenantPages.SetTenantPageSignIn(r.Context(), a, r.PathValue("id"), on)
	if err != nil {
		return err
	}
	msg := "Sign-in is off: the page's URL alone opens it."
	if on {
		msg = "Sign-in is on: the page asks for one of the tenant's operational addresses."
	}
	redirect(w, r, tenantsPath+"/"+p.Tenant, msg)
	return nil
}
