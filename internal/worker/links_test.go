package worker_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A page notification links to the page with the worker's link builder.
func TestDeliver_PageLinkComesFromTheLinkBuilder(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		p := f.trigger(t, "k1")
		f.tick(t)
		if f.hook.count() != 1 {
			t.Fatalf("webhook got %d", f.hook.count())
		}
		want := links.New("https://herald.example.com").Page(p.ID)
		if want != "https://herald.example.com/api/v1/pages/"+p.ID {
			t.Fatalf("builder: %q", want)
		}
		if body := f.hook.bodies[0]; !strings.Contains(body, `"url":"`+want+`"`) {
			t.Fatalf("webhook body has no link %q: %s", want, body)
		}
	})
}
