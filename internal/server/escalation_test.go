package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Snoozing through the API: a viewer may not, bad lengths are 400 naming
// the field, and the answer is the snoozed page.
func TestAPI_SnoozePage(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setup(t, d, 0)
		ctx := context.Background()
		if _, err := e.db.Paging.CreateService(ctx, herald.ServiceInput{Name: "GDCMOC"}); err != nil {
			t.Fatal(err)
		}
		if resp, eb := e.raw(t, "POST", "/api/v1/pages", adminSecret, "application/json", `{"service":"GDCMOC","summary":"S1 complete outage"}`); resp.StatusCode != 201 {
			t.Fatalf("manual page: %d %+v", resp.StatusCode, eb)
		}
		pages, _ := e.db.Paging.Pages(ctx, "", herald.PageTriggered, 10)
		path := "/api/v1/pages/" + pages[0].ID + "/snooze"
		viewer := e.token(t, "Vera", herald.RoleViewer)
		if _, err := viewer.Paging.SnoozePage(ctx, pages[0].ID, herald.SnoozeInput{For: herald.Duration(time.Hour)}); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Fatalf("viewer: %v", err)
		}
		for body, field := range map[string]string{`{"for":"10s"}`: "for", `{"for":"soon"}`: "for", `{}`: "for", `{"until":"2000-01-01T00:00:00Z"}`: "until"} {
			resp, eb := e.raw(t, "POST", path, adminSecret, "application/json", body)
			if resp.StatusCode != 400 || (eb.Error.Fields[field] == "" && body != `{"for":"soon"}`) {
				t.Errorf("%s: %d %+v", body, resp.StatusCode, eb)
			}
		}
		if p, _ := e.db.Paging.Page(ctx, pages[0].ID); p.Status != herald.PageTriggered {
			t.Fatalf("refused snoozes changed the page: %+v", p)
		}
		p, err := e.admin.Paging.SnoozePage(ctx, pages[0].ID, herald.SnoozeInput{For: herald.Duration(90 * time.Minute)})
		if err != nil || p.Status != herald.PageAcknowledged || p.SnoozedUntil == nil || p.RetriggerAt == nil || !p.SnoozedUntil.Equal(*p.RetriggerAt) {
			t.Fatalf("snooze: %+v %v", p, err)
		}
	})
}
