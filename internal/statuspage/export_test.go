package statuspage_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/links"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// A static copy is served from wherever it is put: under a bucket's
// prefix, from a folder. Every link of every page must lead to a file of
// the copy from there, or to Herald itself (the subscription form).
func TestStaticFiles_EveryLinkResolvesUnderAnyPrefix(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		f := setup(t, d)
		c := f.component(t, "API")
		inc, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "Errors",
			StatusUpdateInput: herald.StatusUpdateInput{Body: "Looking.", Components: map[string]herald.ComponentStatus{c.ID: herald.MajorOutage}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		from, until := f.clock.Now().Add(time.Hour), f.clock.Now().Add(2*time.Hour)
		mnt, err := f.db.Maintenances.CreateMaintenance(f.ctx, f.actor, herald.MaintenanceInput{Name: ptr("Upgrade"), ScheduledFor: &from, ScheduledUntil: &until, Components: &[]string{c.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// The base URL the store was opened with: an update's text carries
		// the link to its incident, made by the store.
		base := links.DefaultBase
		snap, err := statuspage.Load(f.ctx, f.db.Services(), f.clock.Now(), links.New(base))
		if err != nil {
			t.Fatal(err)
		}
		files := statuspage.StaticFiles(snap)
		names := map[string]bool{}
		for _, file := range files {
			names[file.Name] = true
		}
		if files[len(files)-1].Name != "index.html" {
			t.Errorf("the front page is not published last: %s", files[len(files)-1].Name)
		}
		root, _ := url.Parse("https://bucket.example.net/status/site/")
		attr := regexp.MustCompile(`\s(?:href|src|action)="([^"]*)"`)
		reached := map[string]bool{}
		for _, file := range files {
			if !strings.HasPrefix(file.ContentType, "text/html") {
				continue
			}
			for _, m := range attr.FindAllSubmatch(file.Body, -1) {
				link := strings.ReplaceAll(string(m[1]), "&amp;", "&")
				if strings.HasPrefix(link, "#") {
					continue
				}
				if strings.HasPrefix(link, "/") {
					t.Errorf("%s links root-relative: %s", file.Name, link)
					continue
				}
				u, err := root.Parse(file.Name)
				if err == nil {
					u, err = u.Parse(link)
				}
				if err != nil {
					t.Fatal(err)
				}
				name, inCopy := strings.CutPrefix(u.Host+u.Path, root.Host+root.Path)
				switch {
				case inCopy && names[name]:
					reached[name] = true
				case strings.HasPrefix(link, base+"/"):
				default:
					t.Errorf("%s: %s leads to %s, which is not in the copy", file.Name, link, u)
				}
			}
		}
		for _, name := range []string{"index.html", "history/index.html", "static/style.css", "incidents/" + inc.Incident.ID + "/index.html",
			"maintenances/" + mnt.ID + "/index.html", "maintenances/" + mnt.ID + ".ics", "api/v2/summary.json", "history.rss"} {
			if !reached[name] {
				t.Errorf("no page links to %s", name)
			}
		}
		// The form posts to Herald, which the copy cannot do.
		if idx := files[len(files)-1].Body; !strings.Contains(string(idx), `action="`+base+`/subscribe"`) {
			t.Errorf("the subscription form does not post to Herald: %s", attr.FindAll(idx, -1))
		}
	})
}

func TestIsStaticName(t *testing.T) {
	for name, want := range map[string]bool{
		"index.html": true, "404.html": true, "history/index.html": true, "history/3/index.html": true,
		"history.rss": true, "history.atom": true, "maintenances.ics": true, "static/style.css": true,
		"incidents/0190/index.html": true, "maintenances/0190/index.html": true, "maintenances/0190.ics": true,
		"components/0190/maintenances.ics": true, "api/v2/summary.json": true, "api/v2/incidents/unresolved.json": true, "api/v2/incidents/other.json": false,
		"favicon.ico": false, "incidents/0190/logo.png": false, "notes/index.html": false, "incidents/a/b/index.html": false,
		"static/other.css": false, "api/v2/notes.txt": false,
	} {
		if got := statuspage.IsStaticName(name); got != want {
			t.Errorf("IsStaticName(%q) = %v, want %v", name, got, want)
		}
	}
}
