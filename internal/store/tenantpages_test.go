package store_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A tenant's private page URL carries 256 random bits, is stored hashed,
// is shown only by the rotation that made it, and a rotation replaces it;
// what the page is built from follows the tenant's links, and every
// change bumps the status version so the page cache rebuilds.
func TestTenantPages_RotateHashSignInAndSources(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		comp := f.component(t, "API", "")
		acme, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}, Components: []string{comp.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.RotateTenantPage(f.ctx, f.carol, "Nobody"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown tenant: %v", err)
		}
		p, err := f.db.Tenants.TenantPage(f.ctx, "Acme")
		if err != nil || p.HasURL || p.URL != "" || p.SignIn {
			t.Fatalf("before any rotation: %+v %v", p, err)
		}
		if src, _ := f.db.Tenants.TenantPageSources(f.ctx); len(src) != 0 {
			t.Fatalf("a page without a URL: %+v", src)
		}
		v0, _ := f.db.StatusPage.StatusVersion(f.ctx)
		p, err = f.db.Tenants.RotateTenantPage(f.ctx, f.carol, "Acme")
		if err != nil || !p.HasURL || p.RotatedAt == nil {
			t.Fatalf("rotate: %+v %v", p, err)
		}
		token := tokenOf(t, p.URL)
		if raw, err := base64URL(token); err != nil || len(raw) != herald.TenantPageTokenBytes {
			t.Fatalf("token %q: %d bytes, %v", token, len(raw), err)
		}
		if v1, _ := f.db.StatusPage.StatusVersion(f.ctx); v1 == v0 {
			t.Error("a rotation did not change the status version")
		}
		again, _ := f.db.Tenants.TenantPage(f.ctx, acme.ID)
		if again.URL != "" || !again.HasURL {
			t.Fatalf("the URL is shown again: %+v", again)
		}
		src, err := f.db.Tenants.TenantPageSources(f.ctx)
		sum := sha256.Sum256([]byte(token))
		if err != nil || len(src) != 1 || src[0].TokenHash != hex.EncodeToString(sum[:]) || src[0].Name != "Acme" ||
			strings.Join(src[0].Components, ",") != comp.ID || strings.Join(src[0].Emails, ",") != "ops@acme.example" {
			t.Fatalf("sources: %+v %v", src, err)
		}
		if strings.Contains(dumpTenantPages(t, f), token) {
			t.Fatal("the token is stored in the clear")
		}

		inc := f.declare(t, herald.S2)
		if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, f.alice, inc.ID, herald.TenantLinksInput{Tenants: []string{"Acme"}}); err != nil {
			t.Fatal(err)
		}
		src, _ = f.db.Tenants.TenantPageSources(f.ctx)
		if len(src) != 1 || strings.Join(src[0].Incidents, ",") != inc.ID {
			t.Fatalf("linked incident: %+v", src)
		}

		p2, err := f.db.Tenants.RotateTenantPage(f.ctx, f.carol, acme.ID)
		if err != nil || tokenOf(t, p2.URL) == token {
			t.Fatalf("second rotation: %+v %v", p2, err)
		}
		src, _ = f.db.Tenants.TenantPageSources(f.ctx)
		if len(src) != 1 || src[0].TokenHash == hex.EncodeToString(sum[:]) {
			t.Fatal("the old token's hash is still there")
		}

		if p, err := f.db.Tenants.SetTenantPageSignIn(f.ctx, f.carol, acme.ID, true); err != nil || !p.SignIn || !p.HasURL {
			t.Fatalf("sign-in on: %+v %v", p, err)
		}
		if src, _ := f.db.Tenants.TenantPageSources(f.ctx); !src[0].SignIn {
			t.Fatal("sign-in not in the sources")
		}
		if p, err := f.db.Tenants.SetTenantPageSignIn(f.ctx, f.carol, acme.ID, false); err != nil || p.SignIn {
			t.Fatalf("sign-in off: %+v %v", p, err)
		}

		// A deleted tenant has no page.
		cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: cur.Version, State: ptr(herald.Resolved)}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Tenants.DeleteTenant(f.ctx, f.carol, acme.ID); err != nil {
			t.Fatal(err)
		}
		if src, _ := f.db.Tenants.TenantPageSources(f.ctx); len(src) != 0 {
			t.Fatalf("a deleted tenant's page: %+v", src)
		}
	})
}

func tokenOf(t *testing.T, url string) string {
	t.Helper()
	_, rest, ok := strings.Cut(url, "/p/")
	if !ok || !strings.HasSuffix(rest, "/") {
		t.Fatalf("not a private page URL: %q", url)
	}
	return strings.TrimSuffix(rest, "/")
}

func base64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

func dumpTenantPages(t *testing.T, f *fixture) string {
	t.Helper()
	rows, err := f.db.SQL().QueryContext(f.ctx, `SELECT tenant_id, COALESCE(token_hash, '') FROM tenant_pages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var a, h string
		if err := rows.Scan(&a, &h); err != nil {
			t.Fatal(err)
		}
		b.WriteString(a + " " + h + "\n")
	}
	return b.String()
}
