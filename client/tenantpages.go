package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// TenantPage reads a tenant's private status page settings (admin); the
// URL is never in it: it is shown once, by RotateTenantPage.
func (c *TenantClient) TenantPage(ctx context.Context, ref string) (herald.TenantPage, error) {
	var out herald.TenantPage
	return out, c.do(ctx, "GET", "/api/v1/tenants/"+esc(ref)+"/page", nil, &out)
}

// RotateTenantPage makes a new URL for the tenant's private page and
// returns it (admin); the previous URL stops working.
func (c *TenantClient) RotateTenantPage(ctx context.Context, ref string) (herald.TenantPage, error) {
	var out herald.TenantPage
	return out, c.do(ctx, "POST", "/api/v1/tenants/"+esc(ref)+"/page/rotate", nil, &out)
}

// SetTenantPageSignIn turns the private page's e-mail sign-in on or off
// (admin).
func (c *TenantClient) SetTenantPageSignIn(ctx context.Context, ref string, on bool) (herald.TenantPage, error) {
	var out herald.TenantPage
	return out, c.do(ctx, "PUT", "/api/v1/tenants/"+esc(ref)+"/page/sign-in", herald.TenantPageSignIn{SignIn: &on}, &out)
}
