package statuspage_test

import (
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// Feed readers render an RSS description as HTML, so markup in an update
// must arrive there as text: what a reader renders holds no tags.
func TestFeeds_RSSDescriptionIsTextNotMarkup(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		c := f.component(t, "API")
		evil := `<script>alert(1)</script><img src=x onerror=alert(2)> Tom & Jerry`
		if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Errors",
			StatusUpdateInput: herald.StatusUpdateInput{Body: evil, Components: map[string]herald.ComponentStatus{c.ID: herald.MajorOutage}}}, false); err != nil {
			t.Fatal(err)
		}
		f.rebuild(t)
		_, body := f.get(t, "/history.rss")
		feed, err := gofeed.NewParser().ParseString(string(body))
		if err != nil || len(feed.Items) != 1 {
			t.Fatalf("rss: %v %s", err, body)
		}
		html := feed.Items[0].Description // what the reader renders as HTML
		for _, bad := range []string{"<script", "<img", "Tom & Jerry"} {
			if strings.Contains(html, bad) {
				t.Errorf("description carries %q: %s", bad, html)
			}
		}
		if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(html, "Tom &amp; Jerry") {
			t.Errorf("description does not show the text: %s", html)
		}
	})
}
