package console_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// R22 in the console: "Edit title and components" on an open status
// incident saves a correction the next update publishes; bad input is shown
// again as typed and changes nothing; a viewer gets no form and 403; a
// resolved incident has no form and refuses with 422.
func TestRule22_ConsoleEditsTitleAndComponents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := newComposeEnv(t, d)
		b := e.browser(t)
		b.signIn("responder@example.com")
		e.create(t, b)
		path := "/app/status/incidents/" + e.si
		edit := path + "/edit"

		res, page := b.get(path)
		if res.StatusCode != 200 || !strings.Contains(page, "Edit title and components") || !strings.Contains(page, `action="`+edit+`"`) {
			t.Fatalf("the edit form is missing: %d", res.StatusCode)
		}

		// Bad input: shown again with what was typed, nothing changes.
		res, page = b.post(edit, url.Values{"name": {"Checkout fails"}, "component": {"ghost"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="edit-error"`) {
			t.Fatalf("bad component: %d", res.StatusCode)
		}
		if si, _ := e.db.StatusPage.StatusIncident(e.ctx, e.si); si.PendingName != "" || si.PendingComponents != nil {
			t.Fatalf("a refused correction was kept: %+v", si)
		}

		res, _ = b.post(edit, url.Values{"name": {"Web checkout fails"}, "component": {e.web.ID}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", res.StatusCode)
		}
		si, err := e.db.StatusPage.StatusIncident(e.ctx, e.si)
		if err != nil || si.Name != "Checkout fails" || si.PendingName != "Web checkout fails" || !slices.Equal(si.PendingComponents, []string{e.web.ID}) {
			t.Fatalf("after the edit: %+v %v", si, err)
		}
		if _, page = b.get(path); !strings.Contains(page, "Waiting for the next update") || !strings.Contains(page, `value="Web checkout fails"`) {
			t.Fatal("the screen does not show the pending correction")
		}

		// A viewer sees no form and may not post it.
		v := e.browser(t)
		v.signIn("viewer@example.com")
		if _, page = v.get(path); strings.Contains(page, "Edit title and components") {
			t.Fatal("a viewer sees the edit form")
		}
		if res, _ = v.post(edit, url.Values{"name": {"Viewer"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer edits: %d", res.StatusCode)
		}

		// Resolved: no form, and refused.
		allClear(t, e.db, e.lead, e.inc.ID) // R17
		if _, err := e.db.StatusPage.PublishUpdate(e.ctx, e.lead, e.si, herald.StatusUpdateInput{Status: herald.Resolved, Body: "Fixed."}, false); err != nil {
			t.Fatal(err)
		}
		if si, _ := e.db.StatusPage.StatusIncident(e.ctx, e.si); si.Name != "Web checkout fails" {
			t.Fatalf("the update did not publish the correction: %q", si.Name)
		}
		if _, page = b.get(path); strings.Contains(page, "Edit title and components") {
			t.Fatal("a resolved incident shows the edit form")
		}
		if res, page = b.post(edit, url.Values{"name": {"Too late"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "R22") {
			t.Fatalf("edit when resolved: %d", res.StatusCode)
		}
	})
}
