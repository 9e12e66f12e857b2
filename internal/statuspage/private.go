package statuspage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
)

// Private status pages: one per tenant that has a page URL (tenantpage.go
// in package herald). Each is the public page filtered to what concerns
// the tenant, built with the public one on every change (Cache.rebuild)
// and served from memory the same way, below /p/{token}/.
//
// What a tenant's page shows:
//   - components: the tenant's (tenant_components); a group listed brings
//     its members, a member listed brings its group (showing only the
//     tenant's members);
//   - status incidents whose incident is linked to the tenant
//     (incident_tenants), and status incidents that affect one of its
//     components: a customer whose component is down is told even before
//     anyone links the incident to it;
//   - maintenances linked to the tenant (maintenance_tenants) or
//     affecting one of its components.
//
// Of each incident and maintenance, only the tenant's components are
// named: the affected components of an update, an incident's components
// and a maintenance's are filtered to them, so nothing of another tenant
// appears, neither its name nor a component serving only it.
//
// The store keeps only the token's SHA-256, so the pages cannot be
// rendered before someone brings the token: a generation holds each
// tenant's filtered snapshot, and renders its pages, with links carrying
// the token, at the first request of that generation that presents it.
// An unknown token (or one rotated away) is answered like any unknown
// page, 404, after the same hashing and one map lookup.

// tenantPage is one tenant's private page in one generation.
type tenantPage struct {
	src  herald.TenantPageSource
	snap *Snapshot // filtered; no token in its links yet
	once sync.Once
	page *built // rendered for the token, at first use
	// public is the public page's settings (its name, not the tenant's,
	// heads the sign-in form).
	public herald.PageSettings
	// signIn is the sign-in form, for a page whose sign-in is on: it
	// shows nothing of the tenant, not even its name.
	signIn *Entry
}

// ForTenant returns the snapshot filtered to what the tenant sees (see
// above). Incidents and maintenances are copies: the public snapshot is
// not changed.
func (s *Snapshot) ForTenant(src herald.TenantPageSource) *Snapshot {
	want := map[string]bool{}
	for _, id := range src.Components {
		want[id] = true
	}
	for _, c := range s.Components {
		if want[c.ID] && c.Group {
			for _, m := range s.Members(c.ID) {
				want[m.ID] = true
			}
		}
	}
	for _, c := range s.Components {
		if want[c.ID] && c.GroupID != "" {
			want[c.GroupID] = true
		}
	}
	out := &Snapshot{Now: s.Now, Version: s.Version, Links: s.Links, Paths: s.Paths, Tenant: src.Name, Page: s.Page, Uptime: s.Uptime}
	out.Page.Name = s.Page.Name + " for " + src.Name
	for _, c := range s.Components {
		if want[c.ID] {
			out.Components = append(out.Components, c)
		}
	}
	linked := map[string]bool{}
	for _, id := range src.Incidents {
		linked[id] = true
	}
	for _, i := range s.Incidents {
		mine := i.IncidentID != "" && linked[i.IncidentID]
		for id := range i.Components {
			mine = mine || want[id]
		}
		if !mine {
			continue
		}
		c := *i
		c.Components = maps.Clone(i.Components)
		maps.DeleteFunc(c.Components, func(id string, _ herald.ComponentStatus) bool { return !want[id] })
		c.PendingComponents = nil
		c.PendingName = ""
		c.URL = ""
		c.Updates = make([]herald.StatusUpdate, len(i.Updates))
		for n, u := range i.Updates {
			u.Components = slices.DeleteFunc(slices.Clone(u.Components), func(a herald.ComponentChange) bool { return !want[a.ID] })
			c.Updates[n] = u
		}
		out.Incidents = append(out.Incidents, &c)
	}
	mlinked := map[string]bool{}
	for _, id := range src.Maintenances {
		mlinked[id] = true
	}
	for _, m := range s.Maintenances {
		mine := mlinked[m.ID]
		for _, id := range m.Components {
			mine = mine || want[id]
		}
		if !mine {
			continue
		}
		c := *m
		c.Components = slices.DeleteFunc(slices.Clone(m.Components), func(id string) bool { return !want[id] })
		out.Maintenances = append(out.Maintenances, &c)
	}
	return out
}

// loadTenants builds the private pages of a generation from its public
// snapshot, keyed by the SHA-256 of their tokens.
func loadTenants(ctx context.Context, db herald.Services, snap *Snapshot) (map[[32]byte]*tenantPage, error) {
	if db.TenantPages == nil {
		return nil, nil
	}
	list, err := db.TenantPages.TenantPageSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenant pages: %w", err)
	}
	out := make(map[[32]byte]*tenantPage, len(list))
	for _, src := range list {
		var key [32]byte
		if b, err := hex.DecodeString(src.TokenHash); err != nil || len(b) != len(key) {
			continue // not a token Herald made: no page
		} else {
			copy(key[:], b)
		}
		out[key] = &tenantPage{src: src, snap: snap.ForTenant(src), public: snap.Page}
	}
	return out, nil
}

// rendered returns the tenant's pages for token (whose hash matched),
// rendering them at the first request of the generation.
func (t *tenantPage) rendered(token string, lk links.Links) *built {
	t.once.Do(func() {
		s := *t.snap
		s.Links, s.Paths = lk.Private(token), links.Links{}.Private(token)
		b := &built{snap: &s, fixed: Render(&s), private: true, signIn: t.src.SignIn}
		for _, e := range b.fixed {
			e.makePrivate(b.signIn)
		}
		t.page = b
		if t.src.SignIn {
			form := &Snapshot{Now: s.Now, Page: t.public, Links: s.Links, Paths: s.Paths}
			t.signIn = newEntry(form.SignInHTML(), "text/html; charset=utf-8", 0)
			t.signIn.hdr["Cache-Control"] = noStore
			t.signIn.hdr["X-Robots-Tag"] = noIndex
		}
	})
	return t.page
}

// SignInHTML is a private page's sign-in form.
func (s *Snapshot) SignInHTML() []byte {
	return s.messageHTML(Message{Heading: "Sign in", Text: "This page is for the addresses it was set up for. Enter yours: if it is one of them, we mail you a link that signs you in. It works once, for 15 minutes.",
		Action: s.Paths.Home() + "sign-in", Button: "Mail me a sign-in link", Email: true})
}

// SignInMessage writes a short page of a private page's sign-in flow
// (internal/server), as the public page's messages are written: with the
// public page's name, nothing of the tenant.
func (c *Cache) SignInMessage(w http.ResponseWriter, token string, status int, m Message) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s := &Snapshot{Now: c.clock.Now(), Paths: links.Links{}.Private(token)}
	if snap := c.Snapshot(); snap != nil {
		s.Page = snap.Page
	}
	w.Write(s.messageHTML(m))
}

// makePrivate changes an entry's headers for a private page: no shared
// cache may keep it (nor the browser without asking, behind sign-in), no
// other site's script may read its JSON, and no search engine lists it.
func (e *Entry) makePrivate(signIn bool) {
	e.hdr["Cache-Control"] = []string{"private, max-age=" + fmt.Sprint(e.MaxAge)}
	if signIn {
		e.hdr["Cache-Control"] = privateNoCache
		e.hdr["Vary"] = []string{"Accept-Encoding, Cookie"}
	}
	delete(e.hdr, "Access-Control-Allow-Origin")
	e.hdr["X-Robots-Tag"] = noIndex
}

var (
	privateNoCache = []string{"private, no-cache"}
	noStore        = []string{"no-store"}
)

// SessionCookie is the cookie that signs a reader in to a private page,
// scoped to the page's path.
const SessionCookie = "herald_page"

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 12 * time.Hour

// NewSession is the cookie that signs a reader in to the page of token:
// its expiry and an HMAC of it and the tenant under the page's session
// key, which a rotation of the URL changes.
func NewSession(src herald.TenantPageSource, token string, now time.Time, secure bool) *http.Cookie {
	exp := now.Add(SessionTTL).Unix()
	return &http.Cookie{Name: SessionCookie, Value: strconv.FormatInt(exp, 10) + "." + sessionMAC(src.SessionKey, src.Tenant, exp),
		Path: links.Links{}.Private(token).Home(), MaxAge: int(SessionTTL / time.Second), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

func sessionMAC(key []byte, tenant string, exp int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tenant + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signedIn reports whether the request carries a valid, unexpired
// session cookie of this page.
func (t *tenantPage) signedIn(r *http.Request, now time.Time) bool {
	if len(t.src.SessionKey) == 0 {
		return false
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return false
	}
	v, sig, ok := strings.Cut(c.Value, ".")
	exp, err := strconv.ParseInt(v, 10, 64)
	if !ok || err != nil || exp <= now.Unix() {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(sessionMAC(t.src.SessionKey, t.src.Tenant, exp)))
}

// SignedIn reports whether the request carries a valid, unexpired session
// cookie of src's page (the form posts below a page check it).
func SignedIn(src herald.TenantPageSource, r *http.Request, now time.Time) bool {
	return (&tenantPage{src: src}).signedIn(r, now)
}

// PrivatePage returns the tenant page whose token this is, if any.
func (c *Cache) PrivatePage(token string) (herald.TenantPageSource, bool) {
	b := c.cur.Load()
	if b == nil {
		return herald.TenantPageSource{}, false
	}
	t := b.tenants[sha256.Sum256([]byte(token))]
	if t == nil {
		return herald.TenantPageSource{}, false
	}
	return t.src, true
}

var noIndex = []string{"noindex, nofollow"}

// splitPrivate splits /p/{token}/rest into the token and /rest.
func splitPrivate(path string) (token, rest string, ok bool) {
	tail, ok := strings.CutPrefix(path, links.PrivatePrefix)
	if !ok {
		return "", "", false
	}
	i := strings.IndexByte(tail, '/')
	if i < 0 {
		return tail, "/", tail != "" // /p/{token} is the front page too
	}
	return tail[:i], tail[i:], i > 0
}

// servePrivate serves a path below /p/: the tenant's page whose token's
// hash matches, or the public 404.
func (c *Cache) servePrivate(w http.ResponseWriter, r *http.Request, b *built) {
	token, rest, _ := splitPrivate(r.URL.Path)
	t := b.tenants[sha256.Sum256([]byte(token))]
	if t == nil {
		serve(w, r, b, "\x00") // no page has that path: the public 404
		return
	}
	page := t.rendered(token, c.links)
	if t.src.SignIn && !t.signedIn(r, c.clock.Now()) {
		h := w.Header()
		for k, v := range t.signIn.hdr {
			h[k] = v
		}
		h["Content-Length"] = t.signIn.bodyLen
		w.WriteHeader(http.StatusUnauthorized)
		if r.Method != http.MethodHead {
			w.Write(t.signIn.Body)
		}
		return
	}
	serve(w, r, page, rest)
}
