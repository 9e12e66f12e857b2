package links

import (
	"net/url"
	"strings"
	"testing"
)

// every builds one link of each kind, named by its route's pattern, so the
// tests below cover every method.
func every(l Links, id, token string) map[string]string {
	return map[string]string{
		Home:                 l.Home(),
		History:              l.History(1),
		HistoryPage:          l.History(2),
		HistoryRSS:           l.HistoryRSS(),
		HistoryAtom:          l.HistoryAtom(),
		MaintenancesCalendar: l.MaintenancesCalendar(),
		StatusIncident:       l.StatusIncident(id),
		MaintenanceCalendar:  l.MaintenanceCalendar(id),
		Maintenance:          l.Maintenance(id),
		ComponentCalendar:    l.ComponentCalendar(id),
		StatusJSON:           l.StatusJSON(),
		Stylesheet:           l.Stylesheet(),
		PrivatePage:          l.PrivatePage(token),
		Subscribe:            l.Subscribe(),
		SubscribeConfirm:     l.SubscribeConfirm(id, token),
		Unsubscribe:          l.Unsubscribe(id, token),
		Page:                 l.Page(id),
		Incident:             l.Incident(id),
		NoMaterialUpdates:    l.NoMaterialUpdates(id),
		InternalUpdate:       l.InternalUpdate(id),
		Console:              l.Console(),
		SignIn:               l.SignIn(),
	}
}

func TestLinks_EveryLink(t *testing.T) {
	const base = "https://status.example.com"
	id := "0193a6f4-7b7e-7d2c-9c1e-2f1a0b3c4d5e"
	want := map[string]string{
		Home:                 base + "/",
		History:              base + "/history",
		HistoryPage:          base + "/history/2",
		HistoryRSS:           base + "/history.rss",
		HistoryAtom:          base + "/history.atom",
		MaintenancesCalendar: base + "/maintenances.ics",
		StatusIncident:       base + "/incidents/" + id,
		MaintenanceCalendar:  base + "/maintenances/" + id + ".ics",
		Maintenance:          base + "/maintenances/" + id,
		ComponentCalendar:    base + "/components/" + id + "/maintenances.ics",
		StatusJSON:           base + "/api/v2/summary.json",
		Stylesheet:           base + "/static/style.css",
		PrivatePage:          base + "/p/tok-_0/",
		Subscribe:            base + "/subscribe",
		SubscribeConfirm:     base + "/subscribe/confirm?id=" + id + "&token=tok-_0",
		Unsubscribe:          base + "/unsubscribe?id=" + id + "&token=tok-_0",
		Page:                 base + "/app/pages/" + id,
		Incident:             base + "/app/incidents/" + id,
		NoMaterialUpdates:    base + "/app/incidents/" + id + "/no-material-updates",
		InternalUpdate:       base + "/app/incidents/" + id + "/internal-update",
		Console:              base + "/app",
		SignIn:               base + "/login",
	}
	got := every(New(base), id, "tok-_0")
	if len(got) != len(Routes) {
		t.Errorf("%d links built, %d routes in the table", len(got), len(Routes))
	}
	for pattern, w := range want {
		if got[pattern] != w {
			t.Errorf("%s: got %q, want %q", pattern, got[pattern], w)
		}
	}
	if got := New(base).Incident("INC-42"); got != base+"/app/incidents/INC-42" {
		t.Errorf("incident by reference: %q", got)
	}
	// Notifications point at the console: its paths, and the signed
	// acknowledge link, are the console's to serve.
	for _, link := range []string{New(base).Page(id), New(base).Incident("INC-42"), New(base).Ack("n1.sig")} {
		if p := strings.TrimPrefix(link, base); !IsConsole(p) {
			t.Errorf("%q is not a console path", p)
		}
	}
	if got := New(base).Ack("n1.sig-_"); got != base+"/ack/n1.sig-_" {
		t.Errorf("ack link: %q", got)
	}
	if got := New(base).Base(); got != base {
		t.Errorf("Base: %q", got)
	}
	// A private page's links are the public page's below its token.
	p := New(base).Private("tok-_0")
	if p.Home() != base+"/p/tok-_0/" || p.StatusIncident(id) != base+"/p/tok-_0/incidents/"+id || p.StatusJSON() != base+"/p/tok-_0/api/v2/summary.json" ||
		(Links{}).Private("t").History(2) != "/p/t/history/2" || New(base).Private("a/b").Home() != base+"/p/a%2Fb/" {
		t.Errorf("private links: %q %q %q", p.Home(), p.StatusIncident(id), p.StatusJSON())
	}
}

func TestLinks_HistoryPageOneIsHistory(t *testing.T) {
	l := New("https://s.example.com")
	for n, want := range map[int]string{0: "/history", 1: "/history", 2: "/history/2", 12: "/history/12"} {
		if got := l.History(n); got != "https://s.example.com"+want {
			t.Errorf("History(%d) = %q", n, got)
		}
	}
}

// A base given with or without a trailing slash, or under a path, builds
// the same links; the zero Links builds root-relative paths.
func TestLinks_BaseTrailingSlashAndPath(t *testing.T) {
	for _, base := range []string{"https://s.example.com", "https://s.example.com/", "https://s.example.com//"} {
		l := New(base)
		if l.Base() != "https://s.example.com" || l.Home() != "https://s.example.com/" || l.StatusIncident("a") != "https://s.example.com/incidents/a" {
			t.Errorf("New(%q): base %q, home %q, incident %q", base, l.Base(), l.Home(), l.StatusIncident("a"))
		}
	}
	under := New("https://example.com/herald/")
	if got := under.Page("p1"); got != "https://example.com/herald/app/pages/p1" {
		t.Errorf("under a path: %q", got)
	}
	if got := under.Home(); got != "https://example.com/herald/" {
		t.Errorf("home under a path: %q", got)
	}
	var zero Links
	if !zero.IsZero() || New("").IsZero() != true || New("https://x").IsZero() {
		t.Error("IsZero")
	}
	for pattern, link := range every(zero, "x", "t") {
		if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
			t.Errorf("zero Links, %s: %q is not root-relative", pattern, link)
		}
	}
	if zero.Home() != "/" || zero.Maintenance("m") != "/maintenances/m" || zero.Base() != "" {
		t.Errorf("zero Links: %q %q", zero.Home(), zero.Maintenance("m"))
	}
}

// Values are escaped as one path segment or one query value: whatever an
// id holds, the link parses back to it and cannot reach another route.
func TestLinks_Escaping(t *testing.T) {
	l := New("https://s.example.com")
	odd := []string{"a/b", "a b", "a?b=c", "a#b", "100%", "a&token=x", "../admin", "é+ü", ".ics"}
	for _, id := range odd {
		for pattern, link := range every(l, id, id) {
			u, err := url.Parse(link)
			if err != nil {
				t.Errorf("%s(%q): %q does not parse: %v", pattern, id, link, err)
				continue
			}
			if u.Fragment != "" || u.Host != "s.example.com" {
				t.Errorf("%s(%q): %q has host %q, fragment %q", pattern, id, link, u.Host, u.Fragment)
			}
			r := Route{}
			for _, rt := range Routes {
				if rt.Pattern == pattern {
					r = rt
				}
			}
			if len(r.Query) > 0 {
				q := u.Query()
				if q.Get("id") != id || q.Get("token") != id || len(q) != 2 || u.Path != pattern {
					t.Errorf("%s(%q): %q reads back as %v, path %q", pattern, id, link, q, u.Path)
				}
				continue
			}
			i := strings.IndexByte(pattern, '{')
			if i < 0 || pattern == HistoryPage {
				continue
			}
			// The escaped path (what goes on the wire) holds the value in
			// one segment; decoded, it is the id again.
			j := strings.IndexByte(pattern, '}')
			esc := u.EscapedPath()
			if !strings.HasPrefix(esc, pattern[:i]) || !strings.HasSuffix(esc, pattern[j+1:]) {
				t.Errorf("%s(%q): %q", pattern, id, esc)
				continue
			}
			seg := esc[i : len(esc)-len(pattern)+j+1]
			if strings.Contains(seg, "/") {
				t.Errorf("%s(%q): value %q spans segments", pattern, id, seg)
			}
			if v, err := url.PathUnescape(seg); err != nil || v != id {
				t.Errorf("%s(%q): value reads back as %q (%v)", pattern, id, v, err)
			}
		}
	}
	if got := l.Unsubscribe("a b&c", "t+/="); got != "https://s.example.com/unsubscribe?id=a+b%26c&token=t%2B%2F%3D" {
		t.Errorf("query escaping: %q", got)
	}
	if got := l.StatusIncident("a/b c"); got != "https://s.example.com/incidents/a%2Fb%20c" {
		t.Errorf("path escaping: %q", got)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, path, value string
		ok                   bool
	}{
		{Home, "/", "", true},
		{Home, "/x", "", false},
		{History, "/history", "", true},
		{HistoryPage, "/history/3", "3", true},
		{HistoryPage, "/history/", "", false},
		{HistoryPage, "/history/3/", "", false},
		{StatusIncident, "/incidents/abc", "abc", true},
		{StatusIncident, "/incidents/", "", false},
		{StatusIncident, "/incidents/a/b", "", false},
		{StatusIncident, "/incidentsabc", "", false},
		{MaintenanceCalendar, "/maintenances/m1.ics", "m1", true},
		{MaintenanceCalendar, "/maintenances/.ics", "", false},
		{MaintenanceCalendar, "/maintenances/m1", "", false},
		{Maintenance, "/maintenances/m1", "m1", true},
		{ComponentCalendar, "/components/c1/maintenances.ics", "c1", true},
		{ComponentCalendar, "/components//maintenances.ics", "", false},
		{ComponentCalendar, "/components/a/b/maintenances.ics", "", false},
		{ComponentCalendar, "/components/c1/maintenances", "", false},
	} {
		v, ok := Match(c.pattern, c.path)
		if v != c.value || ok != c.ok {
			t.Errorf("Match(%q, %q) = %q, %v; want %q, %v", c.pattern, c.path, v, ok, c.value, c.ok)
		}
	}
}

// The table names each route once, and every link the builder makes has
// the shape of its route: the table is the truth the links are made from.
func TestRoutes_TableMatchesTheLinks(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Routes {
		if r.Name == "" || !strings.HasPrefix(r.Pattern, "/") || seen[r.Pattern] || seen[r.Name] {
			t.Errorf("route %+v: empty, not a path, or twice", r)
		}
		seen[r.Pattern], seen[r.Name] = true, true
		if strings.Count(r.Pattern, "{") > 1 {
			t.Errorf("route %q: at most one value per pattern (fill and Match take one)", r.Pattern)
		}
	}
	for pattern, link := range every(Links{}, "v1", "t") {
		if !seen[pattern] {
			t.Errorf("link for %q has no route in the table", pattern)
		}
		path, _, _ := strings.Cut(link, "?")
		if _, ok := Match(pattern, path); !ok {
			t.Errorf("link %q does not match its route %q", link, pattern)
		}
	}
}

func TestMatch_DoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Match(ComponentCalendar, "/components/c1/maintenances.ics") }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}
