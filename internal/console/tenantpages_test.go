package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// On the tenant's screen an admin makes the private page's URL (shown on
// that answer only) and turns its sign-in on and off.
func TestConsole_TenantPrivatePage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		acme, err := e.db.Tenants.CreateTenant(ctx, herald.Actor{}, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		res, body := admin.get("/app/tenants/" + acme.ID)
		mustStatus(t, "tenant", res, body, http.StatusOK)
		if !strings.Contains(body, "Private status page") || !strings.Contains(body, "No URL yet") {
			t.Fatalf("tenant screen:\n%s", body)
		}
		res, body = admin.post("/app/tenants/"+acme.ID+"/page/rotate", nil)
		mustStatus(t, "rotate", res, body, http.StatusOK)
		_, rest, ok := strings.Cut(body, `readonly value="`)
		url, _, _ := strings.Cut(rest, `"`)
		if !ok || !strings.Contains(url, "/p/") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("rotated:\n%s", body)
		}
		_, body = admin.get("/app/tenants/" + acme.ID)
		if strings.Contains(body, url) || !strings.Contains(body, "was shown then only") {
			t.Fatalf("the URL is shown again:\n%s", body)
		}
		res, body = admin.post("/app/tenants/"+acme.ID+"/page/sign-in", map[string][]string{"sign_in": {"on"}})
		mustStatus(t, "sign-in", res, body, http.StatusSeeOther)
		if p, _ := e.db.Tenants.TenantPage(ctx, acme.ID); !p.SignIn || !p.HasURL {
			t.Fatalf("after sign-in on: %+v", p)
		}
	})
}
