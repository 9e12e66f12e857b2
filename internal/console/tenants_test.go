package console_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// tenantForm is the add form filled in for Acme.
func tenantForm() url.Values {
	return url.Values{"name": {"Acme"}, "product_version": {"17.4"}, "primary_region": {"eu-west-1"}, "disaster_recovery": {"1"}, "secondary_region": {"eu-central-1"},
		"emails": {"ops@acme.example\nsre@acme.example"}, "account_manager": {"admin@example.com"}, "support_engineer": {"Sam Ortiz <sam@example.com>"},
		"window_weekday": {"sunday"}, "window_start": {"01:00"}, "window_duration": {"3h"}, "window_tz": {"Europe/Dublin"},
		"hours_days": {"monday", "friday"}, "hours_start": {"08:00"}, "hours_end": {"18:00"}, "hours_tz": {"Europe/Dublin"}, "compliance": {"fedramp"}}
}

func TestConsole_TenantsAddEditShowAndRemove(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")

		res, body := admin.get("/app/tenants/new")
		mustStatus(t, "new form", res, body, http.StatusOK)
		if !strings.Contains(body, `<option value="eu-west-1">eu-west-1 (EMEA)</option>`) || !strings.Contains(body, `<label for="t-name">`) {
			t.Fatalf("form:\n%s", body)
		}

		// Bad input: shown again with the input and each field named; nothing added.
		bad := tenantForm()
		bad.Set("window_tz", "Europe/Atlantis")
		bad.Set("emails", "ops@acme.example\nnot-an-address")
		res, body = admin.post("/app/tenants", bad)
		mustStatus(t, "bad tenant", res, body, http.StatusBadRequest)
		if !strings.Contains(body, `value="Acme"`) || !strings.Contains(body, "maintenance_window.time_zone") || !strings.Contains(body, "not-an-address") || !strings.Contains(body, "IANA time zone") {
			t.Fatalf("refused form:\n%s", body)
		}
		if list, _ := e.db.Tenants.Tenants(ctx); len(list) != 0 {
			t.Fatalf("a refused form added a tenant: %+v", list)
		}
		bad = tenantForm()
		bad.Set("window_duration", "soon")
		if res, body = admin.post("/app/tenants", bad); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "a duration like 4h") {
			t.Fatalf("bad duration: %d\n%s", res.StatusCode, body)
		}

		res, body = admin.post("/app/tenants", tenantForm())
		mustStatus(t, "add", res, body, http.StatusSeeOther)
		acme, err := e.db.Tenants.Tenant(ctx, "Acme")
		if err != nil || acme.SecondaryRegion != "eu-central-1" || len(acme.Emails) != 2 || acme.Contacts.AccountManager.User != e.people[herald.RoleAdmin].ID ||
			acme.MaintenanceWindow == nil || acme.MaintenanceWindow.TimeZone != "Europe/Dublin" || strings.Join(acme.BusinessHours.Days, ",") != "monday,friday" || acme.Compliance != herald.ComplianceFedRAMP {
			t.Fatalf("added: %+v %v", acme, err)
		}
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/app/tenants/"+acme.ID) {
			t.Fatalf("redirect to %s", loc)
		}

		// The edit form starts from the tenant; a change is saved.
		res, body = admin.get("/app/tenants/" + acme.ID + "/edit")
		mustStatus(t, "edit form", res, body, http.StatusOK)
		if !strings.Contains(body, `value="admin@example.com"`) || !strings.Contains(body, `value="Sam Ortiz &lt;sam@example.com&gt;"`) || !strings.Contains(body, `name="version" value="1"`) {
			t.Fatalf("edit form:\n%s", body)
		}
		edit := tenantForm()
		edit.Set("product_version", "18.0")
		edit.Set("version", "1")
		edit.Del("disaster_recovery")
		edit.Del("secondary_region")
		res, body = admin.post("/app/tenants/"+acme.ID, edit)
		mustStatus(t, "save", res, body, http.StatusSeeOther)
		if acme, _ = e.db.Tenants.Tenant(ctx, acme.ID); acme.ProductVersion != "18.0" || acme.DisasterRecovery || acme.Version != 2 {
			t.Fatalf("saved: %+v", acme)
		}
		// A form from before that change is refused, not applied over it.
		res, body = admin.post("/app/tenants/"+acme.ID, edit)
		mustStatus(t, "stale form", res, body, http.StatusConflict)

		// Everyone reads the list and the tenant; a viewer sees no buttons
		// and is refused every change.
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		res, body = viewer.get("/app/tenants")
		mustStatus(t, "viewer list", res, body, http.StatusOK)
		if !strings.Contains(body, "Acme") || !strings.Contains(body, `href="/app/tenants" aria-current="page"`) || strings.Contains(body, "Add a tenant") || strings.Contains(body, `action="/app/tenants/import"`) {
			t.Fatalf("viewer list:\n%s", body)
		}
		res, body = viewer.get("/app/tenants/" + acme.ID)
		mustStatus(t, "viewer tenant", res, body, http.StatusOK)
		if !strings.Contains(body, "ops@acme.example") || !strings.Contains(body, "FedRAMP") || strings.Contains(body, "Remove Acme") || strings.Contains(body, "/edit") {
			t.Fatalf("viewer tenant:\n%s", body)
		}
		for _, p := range []string{"/app/tenants", "/app/tenants/" + acme.ID, "/app/tenants/" + acme.ID + "/delete"} {
			if res, body := viewer.post(p, tenantForm()); res.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer POST %s: %d\n%s", p, res.StatusCode, body)
			}
		}
		if res, _ := viewer.get("/app/tenants/new"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer add form: %d", res.StatusCode)
		}
		if acme2, _ := e.db.Tenants.Tenant(ctx, acme.ID); acme2.Version != acme.Version {
			t.Fatalf("a viewer changed the tenant")
		}

		// Removal waits for the open incident that names it.
		responder := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
		inc, err := e.db.Incidents.DeclareIncident(ctx, responder, herald.DeclareInput{Title: "Writes fail", Severity: herald.S3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Tenants.SetIncidentTenants(ctx, responder, inc.ID, herald.TenantLinksInput{Tenants: []string{acme.ID}}); err != nil {
			t.Fatal(err)
		}
		res, body = admin.post("/app/tenants/"+acme.ID+"/delete", url.Values{})
		mustStatus(t, "remove while referenced", res, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, inc.Reference) {
			t.Fatalf("refusal does not name the incident:\n%s", body)
		}
		if _, err := e.db.Tenants.SetIncidentTenants(ctx, responder, inc.ID, herald.TenantLinksInput{Tenants: []string{}}); err != nil {
			t.Fatal(err)
		}
		res, body = admin.post("/app/tenants/"+acme.ID+"/delete", url.Values{})
		mustStatus(t, "remove", res, body, http.StatusSeeOther)
		if _, err := e.db.Tenants.Tenant(ctx, acme.ID); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("removed tenant: %v", err)
		}
	})
}

func TestConsole_TenantsCSVExportAndAllOrNoneImport(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := e.browser(t)
		admin.signIn("admin@example.com")
		upload := func(b *browser, csv string) (*http.Response, string) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("file", "tenants.csv")
			fw.Write([]byte(csv))
			mw.Close()
			req, _ := http.NewRequest("POST", b.base+"/app/tenants/import", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			res, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out bytes.Buffer
			out.ReadFrom(res.Body)
			return res, out.String()
		}
		res, body := upload(admin, "name,primary_region,emails\nAcme,us-east-1,ops@acme.example\nGlobex,nowhere-1,it@globex.example\n")
		mustStatus(t, "bad import", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "Nothing was imported") || !strings.Contains(body, "line 3: primary_region") {
			t.Fatalf("bad import:\n%s", body)
		}
		if list, _ := e.db.Tenants.Tenants(ctx); len(list) != 0 {
			t.Fatalf("a refused import added: %+v", list)
		}
		res, body = upload(admin, "name,primary_region,emails\nAcme,us-east-1,ops@acme.example\nGlobex,eu-west-1,it@globex.example\n")
		mustStatus(t, "import", res, body, http.StatusSeeOther)
		viewer := e.browser(t)
		viewer.signIn("viewer@example.com")
		res, body = viewer.get("/app/tenants/export.csv")
		mustStatus(t, "export", res, body, http.StatusOK)
		if !strings.HasPrefix(body, "name,product_version,primary_region") || !strings.Contains(body, "Globex,,eu-west-1,false,,it@globex.example") || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("export:\n%s", body)
		}
		if res, _ := upload(viewer, body); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer import: %d", res.StatusCode)
		}
	})
}
