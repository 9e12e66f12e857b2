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

// SubscribeTenantPage subscribes an address or a webhook to the tenant's
// private page (admin): it hears of that tenant's incidents and
// maintenances only; an address is sent a confirmation unless Confirmed.
func (c *TenantClient) SubscribeTenantPage(ctx context.Context, ref string, in herald.SubscriberInput) (herald.Subscriber, error) {
	var out herald.Subscriber
	return out, c.do(ctx, "POST", "/api/v1/tenants/"+esc(ref)+"/page/subscribers", in, &out)
}

// TenantPageSubscribers lists the subscribers of the tenant's private page
// (admin).
func (c *TenantClient) TenantPageSubscribers(ctx context.Context, ref string) ([]herald.Subscriber, error) {
	var out []herald.Subscriber
	return out, c.do(ctx, "GET", "/api/v1/tenants/"+esc(ref)+"/page/subscribers", nil, &out)
}
