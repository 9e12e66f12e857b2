package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestPageLink_DeclareFromThePageAttachDetachAndTheIncidentListsItsPages(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		svc := pagedService(t, e)
		p := trigger(t, e, svc, "db-down", "Database down")
		e.clock.Advance(4 * time.Minute)
		responder := herald.Actor{User: e.people[herald.RoleResponder], Role: herald.RoleResponder}
		if _, err := e.db.Paging.AcknowledgePage(ctx, responder, p.ID); err != nil {
			t.Fatal(err)
		}
		path := "/app/pages/" + p.ID

		// A viewer sees no incident forms and cannot post them.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, body := v.get(path); strings.Contains(body, "/declare") || strings.Contains(body, "/attach") {
			t.Fatal("a viewer is offered the incident forms")
		}
		if res, _ := v.post(path+"/declare", url.Values{"title": {"x"}, "severity": {"S3"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer declare: %d", res.StatusCode)
		}

		b := e.browser(t)
		b.signIn("responder@example.com")
		_, body := b.get(path)
		if !strings.Contains(body, `action="/app/pages/`+p.ID+`/declare"`) || !strings.Contains(body, `value="Database down"`) {
			t.Fatalf("the declare form, prefilled with the summary:\n%s", body)
		}
		// Without a severity nothing is declared and the input is kept.
		res, body := b.post(path+"/declare", url.Values{"title": {"Orders lost"}, "severity": {""}, "summary": {"since 10:02"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="Orders lost"`) || !strings.Contains(body, "since 10:02") {
			t.Fatalf("invalid declare: %d\n%s", res.StatusCode, body)
		}
		if list, _ := e.db.Incidents.Incidents(ctx, herald.ListFilter{}); len(list) != 0 {
			t.Fatalf("declared anyway: %+v", list)
		}
		res, _ = b.post(path+"/declare", url.Values{"title": {"Orders lost"}, "severity": {"S3"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/app/incidents/INC-1") {
			t.Fatalf("declare: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if got, _ := e.db.Paging.Page(ctx, p.ID); got.IncidentID == "" {
			t.Fatal("the page is not linked")
		}
		_, body = b.get("/app/incidents/INC-1")
		i := strings.Index(body, `id="inc-pages"`)
		if i < 0 {
			t.Fatalf("no pages section:\n%s", body)
		}
		section := body[i:]
		section = section[:strings.Index(section, "</section>")]
		for _, want := range []string{"Database down", "<td>Checkout</td>", "acknowledged", "4 min", "Level 1: paged"} {
			if !strings.Contains(section, want) {
				t.Fatalf("pages section lacks %q:\n%s", want, section)
			}
		}
		if !strings.Contains(body, "declared the incident from page") {
			t.Fatal("the timeline does not say the incident was declared from the page")
		}

		// Detach, then attach to another incident by its reference.
		res, _ = b.post(path+"/detach", url.Values{})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("detach: %d", res.StatusCode)
		}
		if got, _ := e.db.Paging.Page(ctx, p.ID); got.IncidentID != "" {
			t.Fatal("still linked after detaching")
		}
		other, err := e.db.Incidents.DeclareIncident(ctx, responder, herald.DeclareInput{Title: "Other", Severity: herald.S4})
		if err != nil {
			t.Fatal(err)
		}
		res, body = b.post(path+"/attach", url.Values{"incident": {"INC-99"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="INC-99"`) {
			t.Fatalf("attach to nothing: %d\n%s", res.StatusCode, body)
		}
		res, _ = b.post(path+"/attach", url.Values{"incident": {other.Reference}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("attach: %d", res.StatusCode)
		}
		if got, _ := e.db.Paging.Page(ctx, p.ID); got.IncidentID != other.ID {
			t.Fatalf("attached to %q", got.IncidentID)
		}
		if _, body = b.get(path); !strings.Contains(body, "Detach from "+other.Reference) {
			t.Fatalf("the page does not offer to detach:\n%s", body)
		}
	})
}

func TestPageLink_MutedPageSaysWhichMaintenanceAndTheFormSetsMutePaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newEnv(t, d)
		ctx := context.Background()
		admin := herald.Actor{User: e.people[herald.RoleAdmin], Role: herald.RoleAdmin}
		comp, err := e.db.StatusPage.CreateComponent(ctx, admin, herald.ComponentInput{Name: ptrTo("API")})
		if err != nil {
			t.Fatal(err)
		}
		svc := pagedService(t, e)
		if _, err := e.db.Paging.SetServiceComponents(ctx, svc.ID, herald.ServiceComponentsInput{Components: []string{comp.ID}}); err != nil {
			t.Fatal(err)
		}
		b := e.browser(t)
		b.signIn("responder@example.com")
		now := e.clock.Now().UTC()
		form := url.Values{"name": {"Upgrade"}, "scheduled_for": {now.Format("2006-01-02T15:04:05")}, "scheduled_until": {now.Add(time.Hour).Format("2006-01-02T15:04:05")},
			"components": {comp.ID}, "auto_transition": {"on"}, "mute_paging_shown": {"1"}, "mute_paging": {"on"}}
		res, body := b.post("/app/status/maintenances", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.StatusCode, body)
		}
		ms, _ := e.db.Maintenances.Maintenances(ctx, 10)
		if len(ms) != 1 || !ms[0].MutePaging {
			t.Fatalf("maintenances %+v", ms)
		}
		m := ms[0]
		if _, err := e.db.Work.RunMaintenanceAutomation(ctx); err != nil {
			t.Fatal(err)
		}
		p := trigger(t, e, svc, "slow", "API slow")
		if !p.Muted {
			t.Fatalf("not muted: %+v", p)
		}
		_, body = b.get("/app/pages/" + p.ID)
		if !strings.Contains(body, "During maintenance") || !strings.Contains(body, `href="/app/status/maintenances/`+m.ID+`">Upgrade</a>`) || !strings.Contains(body, "paging muted") || !strings.Contains(body, "Muted: maintenance") {
			t.Fatalf("muted page:\n%s", body)
		}
		for _, screen := range []string{"/app/pages", "/app"} {
			if _, body = b.get(screen); !strings.Contains(body, "muted: during maintenance") {
				t.Fatalf("%s does not mark the muted page:\n%s", screen, body)
			}
		}
		if _, body = b.get("/app/status/maintenances/" + m.ID); !strings.Contains(body, `name="mute_paging" value="on" checked`) {
			t.Fatalf("the edit form does not show mute paging on:\n%s", body)
		}
		// Unticking it in the edit form stops muting: the page pages now.
		res, _ = b.post("/app/status/maintenances/"+m.ID, url.Values{"name": {"Upgrade"}, "mute_paging_shown": {"1"}, "components": {comp.ID}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", res.StatusCode)
		}
		if got, _ := e.db.Maintenances.Maintenance(ctx, m.ID); got.MutePaging {
			t.Fatal("mute_paging still on")
		}
		if got, _ := e.db.Paging.Page(ctx, p.ID); got.Muted || got.NextEscalation == nil {
			t.Fatalf("the page was not released: %+v", got)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
