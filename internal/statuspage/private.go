package statuspage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

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
		out[key] = &tenantPage{src: src, snap: snap.ForTenant(src)}
	}
	return out, nil
}

// rendered returns the tenant's pages for token (whose hash matched),
// rendering them at the first request of the generation.
func (t *tenantPage) rendered(token string, lk links.Links) *built {
	t.once.Do(func() {
		s := *t.snap
		s.Links, s.Paths = lk.Private(token), links.Links{}.Private(token)
		b := &built{snap: &s, fixed: Render(&s), private: true}
		for _, e := range b.fixed {
			e.makePrivate()
		}
		t.page = b
	})
	return t.page
}

// makePrivate changes an entry's headers for a private page: no shared
// cache may keep it, no other site's script may read its JSON, and no
// search engine lists it.
func (e *Entry) makePrivate() {
	e.hdr["Cache-Control"] = []string{"private, max-age=" + fmt.Sprint(e.MaxAge)}
	delete(e.hdr, "Access-Control-Allow-Origin")
	e.hdr["X-Robots-Tag"] = noIndex
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
	serve(w, r, t.rendered(token, c.links), rest)
}
