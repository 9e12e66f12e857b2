package store_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// acmeInput is a tenant with every field set.
func acmeInput(comp, svc string) herald.TenantInput {
	return herald.TenantInput{Name: "Acme", ProductVersion: "17.4", PrimaryRegion: "us-east-1", DisasterRecovery: true, SecondaryRegion: "us-west-2",
		Emails:            []string{"ops@acme.example", "sre@acme.example"},
		Contacts:          herald.TenantContacts{AccountManager: &herald.TenantContact{User: "carol@example.com"}, SupportEngineer: &herald.TenantContact{Name: "Sam Ortiz", Email: "sam@example.com"}},
		MaintenanceWindow: &herald.MaintenanceWindow{Weekday: "Sat", Start: "02:00", Duration: herald.Duration(4 * time.Hour), TimeZone: "America/New_York"},
		Compliance:        herald.ComplianceFedRAMP, Components: []string{comp}, Services: []string{svc}}
}

func TestRule40_TenantCreateUpdateAndEachBadFieldNamed(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		comp := f.component(t, "API", "")
		svc := f.service(t, "api", "", nil)
		tn, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, acmeInput(comp.ID, "api"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.db.Tenants.Tenant(f.ctx, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		am := got.Contacts.AccountManager
		if got.ID != tn.ID || got.SupportRegion != "AMER" || got.SecondaryRegion != "us-west-2" || strings.Join(got.Emails, ",") != "ops@acme.example,sre@acme.example" ||
			am == nil || am.User != f.carol.User.ID || am.Email != "carol@example.com" || got.Contacts.SupportEngineer.Name != "Sam Ortiz" ||
			got.MaintenanceWindow.Weekday != "saturday" || got.BusinessHours.TimeZone != "America/New_York" || len(got.BusinessHours.Days) != 5 ||
			got.Compliance != herald.ComplianceFedRAMP || strings.Join(got.Components, ",") != comp.ID || strings.Join(got.Services, ",") != svc.ID || got.Version != 1 {
			t.Fatalf("tenant: %+v contacts %+v", got, got.Contacts)
		}

		// An address of a Herald user links the contact to the user.
		in := acmeInput(comp.ID, svc.ID)
		in.Contacts.CustomerSuccess = &herald.TenantContact{Name: "B.", Email: "bob@example.com"}
		in.Version = 1
		up, err := f.db.Tenants.UpdateTenant(f.ctx, f.carol, tn.ID, in)
		if err != nil || up.Version != 2 || up.Contacts.CustomerSuccess.User != f.bob.User.ID || up.Contacts.CustomerSuccess.Name != "Bob" {
			t.Fatalf("update: %+v %v", up.Contacts.CustomerSuccess, err)
		}
		if _, err := f.db.Tenants.UpdateTenant(f.ctx, f.carol, tn.ID, in); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("a stale version: %v", err)
		}
		dup := acmeInput(comp.ID, svc.ID)
		if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, dup); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("a second Acme: %v", err)
		}

		bad := []struct {
			field string
			edit  func(in *herald.TenantInput)
		}{
			{"name", func(in *herald.TenantInput) { in.Name = " " }},
			{"primary_region", func(in *herald.TenantInput) { in.PrimaryRegion = "mars-north-1" }},
			{"primary_region", func(in *herald.TenantInput) { in.PrimaryRegion = "" }},
			{"secondary_region", func(in *herald.TenantInput) { in.DisasterRecovery = false }},
			{"secondary_region", func(in *herald.TenantInput) { in.SecondaryRegion = "" }},
			{"secondary_region", func(in *herald.TenantInput) { in.SecondaryRegion = "moon-1" }},
			{"secondary_region", func(in *herald.TenantInput) { in.SecondaryRegion = "us-east-1" }},
			{"emails", func(in *herald.TenantInput) { in.Emails = []string{"ops@acme.example", "not an address"} }},
			{"contacts.account_manager", func(in *herald.TenantInput) {
				in.Contacts.AccountManager = &herald.TenantContact{User: "nobody@example.com"}
			}},
			{"contacts.support_engineer", func(in *herald.TenantInput) {
				in.Contacts.SupportEngineer = &herald.TenantContact{Name: "Sam", Email: "sam"}
			}},
			{"contacts.customer_success", func(in *herald.TenantInput) {
				in.Contacts.CustomerSuccess = &herald.TenantContact{Email: "cs@example.com"}
			}},
			{"maintenance_window.weekday", func(in *herald.TenantInput) { in.MaintenanceWindow.Weekday = "someday" }},
			{"maintenance_window.start", func(in *herald.TenantInput) { in.MaintenanceWindow.Start = "25:00" }},
			{"maintenance_window.duration", func(in *herald.TenantInput) { in.MaintenanceWindow.Duration = herald.Duration(time.Minute) }},
			{"maintenance_window.time_zone", func(in *herald.TenantInput) { in.MaintenanceWindow.TimeZone = "Mars/Olympus" }},
			{"business_hours.days", func(in *herald.TenantInput) {
				in.BusinessHours = &herald.BusinessHours{Days: []string{"funday"}, Start: "09:00", End: "17:00", TimeZone: "UTC"}
			}},
			{"business_hours.end", func(in *herald.TenantInput) {
				in.BusinessHours = &herald.BusinessHours{Days: []string{"mon"}, Start: "09:00", End: "08:00", TimeZone: "UTC"}
			}},
			{"business_hours.time_zone", func(in *herald.TenantInput) {
				in.BusinessHours = &herald.BusinessHours{Days: []string{"mon"}, Start: "09:00", End: "17:00", TimeZone: "Nowhere/Else"}
			}},
			{"compliance", func(in *herald.TenantInput) { in.Compliance = "hipaa" }},
			{"components", func(in *herald.TenantInput) { in.Components = []string{"no-such-component"} }},
			{"services", func(in *herald.TenantInput) { in.Services = []string{"no-such-service"} }},
		}
		for _, b := range bad {
			in := acmeInput(comp.ID, svc.ID)
			in.Name = "Globex"
			b.edit(&in)
			_, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, in)
			e, ok := err.(*herald.Error)
			if !ok || e.Code != herald.EInvalid || e.Fields[b.field] == "" {
				t.Errorf("%s: %v (fields %v)", b.field, err, e)
			}
			in2 := acmeInput(comp.ID, svc.ID)
			b.edit(&in2)
			if _, err := f.db.Tenants.UpdateTenant(f.ctx, f.carol, tn.ID, in2); herald.ErrorCode(err) != herald.EInvalid {
				t.Errorf("update %s: %v", b.field, err)
			}
		}
		list, err := f.db.Tenants.Tenants(f.ctx)
		if err != nil || len(list) != 1 || list[0].Version != 2 {
			t.Fatalf("bad input changed something: %+v %v", list, err)
		}
		if _, err := f.db.Tenants.Tenant(f.ctx, "nope"); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown tenant: %v", err)
		}
	})
}

// The region table is a setting: a region it does not list is refused,
// one added to it is taken, and a table with a bad entry is not saved.
func TestTenants_RegionTableIsASetting(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		in := herald.TenantInput{Name: "Initech", PrimaryRegion: "on-prem-1"}
		if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, in); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("unknown region: %v", err)
		}
		s, _ := f.db.Settings.Settings(f.ctx)
		s.SupportRegions = herald.RegionTable{"on-prem-1": "LATAM"}
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err != nil {
			t.Fatal(err)
		}
		tn, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, in)
		if err != nil || tn.SupportRegion != "LATAM" || tn.BusinessHours.TimeZone != "UTC" || tn.Compliance != herald.ComplianceStandard {
			t.Fatalf("tenant %+v %v", tn, err)
		}
		if s, _ = f.db.Settings.Settings(f.ctx); len(s.SupportRegions) != 1 {
			t.Fatalf("the saved table is not whole: %v", s.SupportRegions)
		}
		s.SupportRegions["Bad Region"] = "emea"
		if _, err := f.db.Settings.SaveSettings(f.ctx, s); err == nil || !strings.Contains(err.Error(), "support_regions") {
			t.Fatalf("bad table: %v", err)
		}
	})
}

func TestTenants_CSVRoundTripAndAllOrNoneImport(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		comp := f.component(t, "API", "")
		f.service(t, "api", "", nil)
		if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, acmeInput(comp.ID, "api")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: "Globex, Inc.", PrimaryRegion: "europe-west1", Emails: []string{"it@globex.example"}}); err != nil {
			t.Fatal(err)
		}
		export := func(f *fixture) string {
			list, err := f.db.Tenants.Tenants(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			svcs, _ := f.db.Paging.Services(f.ctx)
			names := map[string]string{}
			for _, s := range svcs {
				names[s.ID] = s.Name
			}
			var b bytes.Buffer
			if err := herald.WriteTenantsCSV(&b, list, func(id string) string { return names[id] }); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		first := export(f)
		if !strings.Contains(first, `"Globex, Inc."`) || !strings.Contains(first, "Carol <carol@example.com>") || !strings.Contains(first, "saturday 02:00 4h America/New_York") {
			t.Fatalf("export:\n%s", first)
		}
		// Into another Herald with the same people, component and service.
		g := setup(t, d)
		comp2 := g.component(t, "API", "")
		g.service(t, "api", "", nil)
		rows, err := herald.ReadTenantsCSV(strings.NewReader(strings.ReplaceAll(first, comp.ID, comp2.ID)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := g.db.Tenants.ImportTenants(g.ctx, g.carol, rows)
		if err != nil || res.Created != 2 || res.Updated != 0 {
			t.Fatalf("import: %+v %v", res, err)
		}
		second := export(g)
		if strings.ReplaceAll(second, comp2.ID, comp.ID) != first {
			t.Fatalf("round trip:\n%s\n---\n%s", first, second)
		}
		// Importing the same file again updates both.
		if res, err := g.db.Tenants.ImportTenants(g.ctx, g.carol, rows); err != nil || res.Updated != 2 || res.Created != 0 {
			t.Fatalf("import again: %+v %v", res, err)
		}

		// One bad row refuses the whole file, naming its line and field.
		file := "name,primary_region,emails\nInitech,us-east-1,it@initech.example\nAcme,us-east-1,ops@acme.example\nHooli,atlantis-1,x@hooli.example\n"
		rows, err = herald.ReadTenantsCSV(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = g.db.Tenants.ImportTenants(g.ctx, g.carol, rows)
		if e, ok := err.(*herald.Error); !ok || e.Code != herald.EInvalid || e.Fields["line 4: primary_region"] == "" {
			t.Fatalf("bad row: %v %+v", err, e)
		}
		if after := export(g); after != second {
			t.Fatalf("a refused import changed something:\n%s", after)
		}
		for _, c := range []struct{ file, want string }{
			{"name,primary_region,colour\nX,us-east-1,red\n", "line 1: colour"},
			{"name,emails\nX,a@b.example\n", "line 1: primary_region"},
			{"name,primary_region,maintenance_window\nX,us-east-1,monday 02:00\n", "line 2: maintenance_window"},
			{"name,primary_region,account_manager\nX,us-east-1,Ann <<\n", "line 2: contacts.account_manager"},
			{"name,primary_region,disaster_recovery\nX,us-east-1,maybe\n", "line 2: disaster_recovery"},
		} {
			if _, err := herald.ReadTenantsCSV(strings.NewReader(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%q: %v", c.file, err)
			}
		}
		rows, _ = herald.ReadTenantsCSV(strings.NewReader("name,primary_region\nX,us-east-1\nY,us-east-1\nX,eu-west-1\n"))
		if _, err := g.db.Tenants.ImportTenants(g.ctx, g.carol, rows); err == nil || !strings.Contains(err.Error(), "line 4: name") {
			t.Fatalf("a name twice: %v", err)
		}
	})
}

func TestTenants_IncidentAndMaintenanceLinks(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		acme, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		globex, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: "Globex", PrimaryRegion: "eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
		inc := f.declare(t, herald.S3)
		if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, f.alice, inc.ID, herald.TenantLinksInput{Tenants: []string{acme.ID, "no-such-tenant"}}); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown tenant: %v", err)
		}
		if _, err := f.db.Tenants.SetIncidentTenants(f.ctx, f.alice, "INC-999", herald.TenantLinksInput{Tenants: []string{acme.ID}}); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown incident: %v", err)
		}
		if list, _ := f.db.Tenants.IncidentTenants(f.ctx, inc.ID); len(list) != 0 {
			t.Fatalf("a refused link was kept: %v", list)
		}
		list, err := f.db.Tenants.SetIncidentTenants(f.ctx, f.alice, inc.Reference, herald.TenantLinksInput{Tenants: []string{globex.ID, "Acme"}})
		if err != nil || len(list) != 2 || list[0].Name != "Acme" || list[1].Name != "Globex" {
			t.Fatalf("linked: %+v %v", list, err)
		}
		tl, _ := f.db.Incidents.Timeline(f.ctx, inc.ID, herald.EntryUpdate)
		if len(tl) != 1 || tl[0].Text != "Affected tenants: Acme, Globex" || !strings.Contains(string(tl[0].Data), acme.ID) {
			t.Fatalf("timeline: %+v", tl)
		}

		from := f.clock.Now().Add(time.Hour)
		until := from.Add(time.Hour)
		m, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.alice, herald.MaintenanceInput{Name: ptr("Database upgrade"), ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{"Nobody"}}); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown tenant: %v", err)
		}
		if _, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, "no-such-maintenance", herald.TenantLinksInput{Tenants: []string{acme.ID}}); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown maintenance: %v", err)
		}
		if ml, err := f.db.Tenants.SetMaintenanceTenants(f.ctx, f.alice, m.ID, herald.TenantLinksInput{Tenants: []string{globex.ID}}); err != nil || len(ml) != 1 || ml[0].ID != globex.ID {
			t.Fatalf("maintenance tenants: %+v %v", ml, err)
		}

		// Delete is refused while an open incident or maintenance refers.
		if err := f.db.Tenants.DeleteTenant(f.ctx, f.carol, acme.ID); herald.ErrorCode(err) != herald.EUnprocessable || !strings.Contains(err.Error(), inc.Reference) {
			t.Fatalf("delete with an open incident: %v", err)
		}
		cur, _ := f.db.Incidents.Incident(f.ctx, inc.ID)
		if _, err := f.db.Incidents.UpdateIncident(f.ctx, f.alice, inc.ID, herald.UpdateInput{Version: cur.Version, State: ptr(herald.Resolved)}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Tenants.DeleteTenant(f.ctx, f.carol, acme.ID); err != nil {
			t.Fatalf("delete after resolving: %v", err)
		}
		if err := f.db.Tenants.DeleteTenant(f.ctx, f.carol, globex.ID); herald.ErrorCode(err) != herald.EUnprocessable || !strings.Contains(err.Error(), "Database upgrade") {
			t.Fatalf("delete with a scheduled maintenance: %v", err)
		}
		if _, err := f.db.Maintenances.PostMaintenanceUpdate(f.ctx, f.alice, m.ID, herald.MaintenanceUpdateInput{Body: "Not needed.", Status: herald.MaintenanceCancelled}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.Tenants.DeleteTenant(f.ctx, f.carol, globex.ID); err != nil {
			t.Fatalf("delete after cancelling: %v", err)
		}
		// The past incident still names them; the list and new links do not.
		if list, _ := f.db.Tenants.IncidentTenants(f.ctx, inc.ID); len(list) != 2 || list[0].DeletedAt == nil {
			t.Fatalf("past incident: %+v", list)
		}
		if all, _ := f.db.Tenants.Tenants(f.ctx); len(all) != 0 {
			t.Fatalf("deleted tenants listed: %+v", all)
		}
		if _, err := f.db.Tenants.CreateTenant(f.ctx, f.carol, herald.TenantInput{Name: "Acme", PrimaryRegion: "us-east-1"}); err != nil {
			t.Fatalf("the name of a deleted tenant: %v", err)
		}
	})
}
