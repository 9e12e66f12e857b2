package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func apiStatus(err error) (int, *client.Error) {
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce.Status, ce
	}
	return 0, nil
}

// Tenants over the API: admins change them, viewers read them, bad fields
// are named, CSV goes out and comes back all or nothing, and incidents and
// maintenances link them by id.
func TestAPI_Tenants(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		viewer := e.token(t, "Vera", herald.RoleViewer)
		responder := e.token(t, "Remy", herald.RoleResponder)

		in := herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1", Emails: []string{"ops@acme.example"},
			Contacts: herald.TenantContacts{AccountManager: &herald.TenantContact{User: "vera@example.com"}}}
		if _, err := viewer.Tenants.CreateTenant(ctx, in); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("viewer creates: %v", err)
		}
		if _, err := responder.Tenants.CreateTenant(ctx, in); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("responder creates: %v", err)
		}
		bad := in
		bad.MaintenanceWindow = &herald.MaintenanceWindow{Weekday: "monday", Start: "02:00", Duration: herald.Duration(3600e9), TimeZone: "Europe/Nowhere"}
		bad.Emails = []string{"nope"}
		_, err := e.admin.Tenants.CreateTenant(ctx, bad)
		if s, ce := apiStatus(err); s != http.StatusBadRequest || ce.Fields["maintenance_window.time_zone"] == "" || ce.Fields["emails"] == "" {
			t.Fatalf("bad fields: %v", err)
		}
		acme, err := e.admin.Tenants.CreateTenant(ctx, in)
		if err != nil || acme.SupportRegion != "AMER" || acme.Contacts.AccountManager.Name != "Vera" {
			t.Fatalf("create: %+v %v", acme, err)
		}
		if list, err := viewer.Tenants.Tenants(ctx); err != nil || len(list) != 1 || list[0].ID != acme.ID {
			t.Fatalf("viewer lists: %+v %v", list, err)
		}
		in.ProductVersion, in.Version = "18.0", acme.Version
		if up, err := e.admin.Tenants.UpdateTenant(ctx, "Acme", in); err != nil || up.ProductVersion != "18.0" {
			t.Fatalf("update: %+v %v", up, err)
		}
		if _, err := e.admin.Tenants.UpdateTenant(ctx, acme.ID, in); func() int { s, _ := apiStatus(err); return s }() != http.StatusConflict {
			t.Fatalf("stale update: %v", err)
		}

		// CSV: export as a viewer, import as an admin, all rows or none.
		csv, err := viewer.Tenants.ExportTenants(ctx)
		if err != nil || !strings.HasPrefix(csv, strings.Join(herald.TenantCSVHeader, ",")+"\n") || !strings.Contains(csv, "Acme,18.0,us-east-1") {
			t.Fatalf("export: %v\n%s", err, csv)
		}
		if _, err := viewer.Tenants.ImportTenants(ctx, strings.NewReader(csv)); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("viewer imports: %v", err)
		}
		file := csv + "Globex,eu-west-1,false,,,it@globex.example,,,,,,standard,,\nHooli,,atlantis-1,false,,,,,,,,,,\n"
		_, err = e.admin.Tenants.ImportTenants(ctx, strings.NewReader(file))
		if s, ce := apiStatus(err); s != http.StatusBadRequest || ce.Fields["line 3: primary_region"] == "" {
			t.Fatalf("bad file: %v", err)
		}
		if list, _ := e.admin.Tenants.Tenants(ctx); len(list) != 1 {
			t.Fatalf("a refused import changed something: %+v", list)
		}
		good := csv + "Globex,,eu-west-1,false,,it@globex.example,,,,,,standard,,\n"
		if res, err := e.admin.Tenants.ImportTenants(ctx, strings.NewReader(good)); err != nil || res.Created != 1 || res.Updated != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}

		// Links: responders set them, unknown ids are 404, delete waits.
		inc, err := responder.Incidents.DeclareIncident(ctx, herald.DeclareInput{Title: "Writes fail", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := responder.Tenants.SetIncidentTenants(ctx, inc.Reference, []string{acme.ID, "no-such-tenant"}); func() int { s, _ := apiStatus(err); return s }() != http.StatusNotFound {
			t.Fatalf("unknown tenant: %v", err)
		}
		if _, err := viewer.Tenants.SetIncidentTenants(ctx, inc.Reference, []string{acme.ID}); func() int { s, _ := apiStatus(err); return s }() != http.StatusForbidden {
			t.Fatalf("viewer links: %v", err)
		}
		if list, err := responder.Tenants.SetIncidentTenants(ctx, inc.Reference, []string{acme.ID}); err != nil || len(list) != 1 {
			t.Fatalf("link: %+v %v", list, err)
		}
		if list, err := viewer.Tenants.IncidentTenants(ctx, inc.Reference); err != nil || len(list) != 1 || list[0].Name != "Acme" {
			t.Fatalf("incident tenants: %+v %v", list, err)
		}
		if _, err := viewer.Tenants.MaintenanceTenants(ctx, "no-such-maintenance"); func() int { s, _ := apiStatus(err); return s }() != http.StatusNotFound {
			t.Fatalf("unknown maintenance: %v", err)
		}
		err = e.admin.Tenants.DeleteTenant(ctx, "Acme")
		if s, ce := apiStatus(err); s != http.StatusUnprocessableEntity || !strings.Contains(ce.Message, inc.Reference) {
			t.Fatalf("delete while referenced: %v", err)
		}
		if err := e.admin.Tenants.DeleteTenant(ctx, "Globex"); err != nil {
			t.Fatal(err)
		}
		if _, err := viewer.Tenants.Tenant(ctx, "Globex"); func() int { s, _ := apiStatus(err); return s }() != http.StatusNotFound {
			t.Fatalf("deleted tenant: %v", err)
		}
	})
}
