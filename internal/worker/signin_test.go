package worker_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A private page's sign-in link reaches the tenant's address by real SMTP
// through the outbox's signin lane; an address not the tenant's gets
// nothing.
func TestSignIn_LinkMailedToTheTenantsAddressOnly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		actor := herald.Actor{User: f.ann, Role: herald.RoleAdmin}
		tn, err := f.db.Tenants.CreateTenant(f.ctx, actor, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.db.Tenants.RotateTenantPage(f.ctx, actor, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, addr := range []string{"mallory@example.com", "OPS@acme.example"} {
			if err := f.db.Tenants.RequestTenantPageSignIn(f.ctx, tn.ID, addr, p.URL); err != nil {
				t.Fatal(err)
			}
		}
		f.tick(t)
		msgs := f.mail.Messages(t)
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Subject, "Sign in to ") || msgs[0].ToList() != "ops@acme.example" {
			t.Fatalf("mails: %+v", msgs)
		}
		if text := f.mail.Text(t, msgs[0].ID); !strings.Contains(text, p.URL+"sign-in?token=") || !strings.Contains(text, "15 minutes") {
			t.Fatalf("mail text:\n%s", text)
		}
	})
}
