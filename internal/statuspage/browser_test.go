package statuspage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// browser starts a headless Chromium for the test, or skips when there is
// none (CI installs it and sets HERALD_TEST_REQUIRE_BROWSER=1, so there it
// fails instead).
func browser(t *testing.T) context.Context {
	t.Helper()
	return testdb.Chrome(t)
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBrowser_PublicPageIsReadableAccessibleAndSafe(t *testing.T) {
	f := setup(t, store.SQLite)
	grp := "Platform"
	api, _ := f.db.StatusPage.CreateComponent(f.ctx, f.actor, herald.ComponentInput{Name: ptr("API"), Group: &grp})
	f.component(t, "Search")
	if _, err := f.db.StatusPage.CreateStatusIncident(f.ctx, f.actor, herald.StatusIncidentInput{Name: "API errors",
		StatusUpdateInput: herald.StatusUpdateInput{Body: `Errors on the API. <script>window.__xss = 1</script>`,
			Components: map[string]herald.ComponentStatus{api.ID: herald.MajorOutage}}}, false); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(90 * time.Minute)
	f.rebuild(t)
	ctx := browser(t)
	// Served under the policy the server sends, which the page must satisfy.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", statuspage.ContentSecurityPolicy)
		f.cache.ServeHTTP(w, r)
	}))
	defer srv.Close()
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	if accent := run(t, ctx, chromedp.Evaluate[string]("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")); accent != "#1f6feb" {
		t.Errorf("the inline accent style is blocked: %q", accent)
	}

	if got := run(t, ctx, chromedp.Text("h1")); got != "Major System Outage" {
		t.Errorf("overall status %q", got)
	}
	// The markup in the update is text, not code.
	if xss := run(t, ctx, chromedp.Evaluate[bool]("window.__xss === 1")); xss {
		t.Error("script from an update ran")
	}
	if got := run(t, ctx, chromedp.Text(".update-body")); got == "" || !contains(got, "<script>") {
		t.Errorf("update text %q", got)
	}
	// Status is written out, never colour alone.
	if got := run(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('.components .status')].map(e => e.textContent.trim()).join('|')`)); got != "Service Disruption|Service Disruption|Operational" {
		t.Errorf("status texts %q", got)
	}
	// Uptime bars are hidden from screen readers, which get the summary.
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.bars:not([aria-hidden="true"])').length`)); n != 0 {
		t.Errorf("%d uptime bars are exposed to screen readers", n)
	}
	if got := run(t, ctx, chromedp.Text(".uptime-summary")); !contains(got, "uptime over the last 90 days") {
		t.Errorf("uptime summary %q", got)
	}
	// Keyboard: the first Tab reaches the skip link, and following links works.
	run(t, ctx, chromedp.KeyEvent("\t"))
	if got := run(t, ctx, chromedp.Evaluate[string]("document.activeElement.textContent")); got != "Skip to content" {
		t.Errorf("first Tab focuses %q", got)
	}
	// Dark mode follows the browser's preference.
	light := run(t, ctx, chromedp.Evaluate[string]("getComputedStyle(document.body).backgroundColor"))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	dark := run(t, ctx, chromedp.Evaluate[string]("getComputedStyle(document.body).backgroundColor"))
	if light != "rgb(255, 255, 255)" || dark != "rgb(13, 17, 23)" {
		t.Errorf("backgrounds light %s, dark %s", light, dark)
	}
	// A phone: nothing wider than the screen.
	run(t, ctx, chromedp.EmulateViewport(375, 740))
	run(t, ctx, chromedp.Navigate(srv.URL+"/"))
	if wide := run(t, ctx, chromedp.Evaluate[bool]("document.documentElement.scrollWidth > window.innerWidth")); wide {
		t.Error("the page scrolls sideways on a phone")
	}
	if dir := os.Getenv("HERALD_TEST_ARTIFACTS"); dir != "" {
		png := run(t, ctx, chromedp.FullScreenshot(100))
		os.WriteFile(filepath.Join(dir, "status-page-phone-dark.png"), png, 0o644)
	}
	// The incident page, reached by its link.
	run(t, ctx, chromedp.Click("article.incident h3 a"))
	run(t, ctx, chromedp.WaitVisible("h2"))
	if got := run(t, ctx, chromedp.Text("h1")); got != "API errors" {
		t.Errorf("incident page title %q", got)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
