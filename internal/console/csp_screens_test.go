package console_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/console"
	"github.com/heraldhq/herald/internal/store"
)

// inlineRE finds what the Content-Security-Policy refuses in a page: an
// inline script, a style attribute, a <style> element, an on* handler or a
// javascript: link. The browser would silently drop them, so a screen
// relying on one breaks without an error anywhere.
var inlineRE = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

// Every screen of the screens table is sent with the console's policy and
// holds nothing the policy refuses.
func TestConsole_EveryScreenKeepsToTheContentSecurityPolicy(t *testing.T) {
	for _, bad := range []string{`<script>go()</script>`, `<p style="color:red">`, `<button onclick="x()">`, `<a href="javascript:x()">`, `<style>p{}</style>`} {
		if !inlineRE.MatchString(bad) {
			t.Fatalf("inlineRE misses %s", bad)
		}
	}
	if inlineRE.MatchString(`<script src="/app/assets/console.js?v=1" defer></script><p class="on">`) {
		t.Fatal("inlineRE refuses the console's own script")
	}
	e := newEnv(t, store.SQLite)
	browsers := map[herald.APIRole]*browser{"": e.browser(t)}
	for _, s := range screens {
		b, ok := browsers[s.as]
		if !ok {
			b = e.browser(t)
			b.signIn(string(s.as) + "@example.com")
			browsers[s.as] = b
		}
		p := s.open(t, e)
		res, body := b.get(p)
		if res.StatusCode >= 300 && res.StatusCode < 400 {
			t.Errorf("%s: %d to %s", s.name, res.StatusCode, res.Header.Get("Location"))
			continue
		}
		if got := res.Header.Get("Content-Security-Policy"); got != console.CSP {
			t.Errorf("%s: Content-Security-Policy %q", s.name, got)
		}
		if !strings.Contains(body, "<main") {
			t.Errorf("%s: not a console page:\n%s", s.name, body)
		}
		for _, m := range inlineRE.FindAllStringIndex(body, -1) {
			t.Errorf("%s: the policy refuses %q", s.name, body[max(0, m[0]-40):min(len(body), m[1]+40)])
		}
	}
}
