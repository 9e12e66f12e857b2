package herald

import (
	"context"
	"time"
)

// Private status pages (issue 13, item 9): each tenant may have a status
// page of its own, showing only its components, the incidents and
// maintenances that concern it, with the public page's JSON and feeds.
// It is reached by a URL carrying a token of 256 bits; Herald keeps only
// the token's SHA-256, so the URL is shown once, when it is made (rotate),
// and rotating makes the old URL stop at once. With sign-in on, the page
// also asks for one of the tenant's operational addresses first.

// TenantPage is a tenant's private status page, as an admin sees it.
type TenantPage struct {
	Tenant     string `json:"tenant"` // id
	TenantName string `json:"tenant_name"`
	// HasURL says whether a URL was made (and not since replaced): the
	// page exists only then.
	HasURL bool `json:"has_url"`
	// URL is set only in the answer to a rotation: Herald keeps the
	// token hashed and cannot show it again.
	URL string `json:"url,omitempty"`
	// SignIn, when on, makes the page ask for one of the tenant's
	// operational addresses and mail a one-time sign-in link to it.
	SignIn    bool       `json:"sign_in"`
	RotatedAt *time.Time `json:"rotated_at"`
}

// TenantPageSignIn is the body that turns a private page's sign-in on or
// off.
type TenantPageSignIn struct {
	SignIn *bool `json:"sign_in"`
}

// Normalize checks that the setting is given.
func (in *TenantPageSignIn) Normalize() error {
	if in.SignIn == nil {
		return &Error{Code: EInvalid, Message: "sign_in is required", Fields: map[string]string{"sign_in": "is required (true or false)"}}
	}
	return nil
}

// TenantPageSource is what the status page cache needs to build one
// tenant's private page: the tenant, the hash of its page token, and what
// links the tenant to the public state.
type TenantPageSource struct {
	Tenant    string
	Name      string
	TokenHash string // hex SHA-256 of the token in the URL
	SignIn    bool
	// Emails are the tenant's operational addresses: the only ones a
	// sign-in link is mailed to.
	Emails     []string
	Components []string // tenant_components
	// Incidents are the ids of the incidents linked to the tenant
	// (incident_tenants); their status incidents are shown.
	Incidents    []string
	Maintenances []string // maintenance_tenants
	// SessionKey signs the sign-in cookies of the page: derived from the
	// server key and the token's hash, so a rotation signs everyone out.
	// Empty when no server key is configured (no one can sign in).
	SessionKey []byte
}

// TenantPageTokenBytes is the size of a private page token: 256 bits.
const TenantPageTokenBytes = 32

// TenantPageService keeps the private status pages of tenants.
type TenantPageService interface {
	// TenantPage reads a tenant's private page settings (never its URL).
	TenantPage(ctx context.Context, ref string) (TenantPage, error)

	// RotateTenantPage makes a new URL for the tenant's private page and
	// returns it, once; the previous URL stops working when it returns.
	RotateTenantPage(ctx context.Context, actor Actor, ref string) (TenantPage, error)

	// SetTenantPageSignIn turns the e-mail sign-in of the page on or off.
	SetTenantPageSignIn(ctx context.Context, actor Actor, ref string, on bool) (TenantPage, error)

	// TenantPageSources lists every tenant that has a private page, with
	// what the status page cache builds it from.
	TenantPageSources(ctx context.Context) ([]TenantPageSource, error)

	// RequestTenantPageSignIn queues a mail with a one-time sign-in link
	// (valid TenantPageSignInTTL) to address if it is one of the tenant's
	// operational addresses, and does nothing otherwise: the caller
	// answers the same either way, so addresses cannot be probed. pageURL
	// is the page's URL, which the link is below.
	RequestTenantPageSignIn(ctx context.Context, tenant, address, pageURL string) error

	// SubscribeTenantPage subscribes an address (confirmed by a mail, as
	// on the public page, unless admin adds it confirmed) or a webhook to
	// the tenant's private page: it hears of that tenant's incidents and
	// maintenances only. EUnprocessable when the tenant has no page.
	SubscribeTenantPage(ctx context.Context, ref string, in SubscriberInput, admin bool) (Subscriber, error)

	// TenantPageSubscribers lists the subscribers of the tenant's page.
	TenantPageSubscribers(ctx context.Context, ref string) ([]Subscriber, error)

	// UseTenantPageSignIn spends a sign-in token of the tenant: true when
	// it was the tenant's, unused and not expired.
	UseTenantPageSignIn(ctx context.Context, tenant, token string) (bool, error)
}

// TenantPageSignInTTL is how long a mailed sign-in link works.
const TenantPageSignInTTL = 15 * time.Minute
