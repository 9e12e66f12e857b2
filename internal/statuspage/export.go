package statuspage

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/heraldhq/herald/internal/links"
)

// FileName maps a page path to the file a static host serves for it:
// pages become folder/index.html ("/incidents/X" -> incidents/X/index.html),
// files with an extension keep their name.
func FileName(path string) string {
	switch {
	case path == "/":
		return "index.html"
	case path == "/404":
		return "404.html"
	case filepath.Ext(path) != "":
		return strings.TrimPrefix(path, "/")
	}
	return strings.TrimPrefix(path, "/") + "/index.html"
}

// pagePath is FileName's inverse: the page path a static file holds.
func pagePath(name string) string {
	switch {
	case name == "index.html":
		return "/"
	case name == "404.html":
		return "/404"
	case strings.HasSuffix(name, "/index.html"):
		return "/" + strings.TrimSuffix(name, "/index.html")
	}
	return "/" + name
}

// staticRoutes are the page paths a static copy holds files for.
var staticRoutes = []string{links.Home, links.History, links.HistoryPage, links.HistoryRSS, links.HistoryAtom,
	links.MaintenancesCalendar, links.StatusIncident, links.MaintenanceCalendar, links.Maintenance,
	links.ComponentCalendar, links.Stylesheet}

// IsStaticName reports whether name (a file name as FileName gives it,
// slash-separated) is one an export of some page could write. A copy kept
// in a shared place deletes the files of pages that no longer exist, and
// only those: whatever else lives beside them is someone else's.
func IsStaticName(name string) bool {
	p := pagePath(name)
	if p == "/404" || v2Paths()[p] {
		return true
	}
	for _, r := range staticRoutes {
		if _, ok := links.Match(r, p); ok {
			return true
		}
	}
	return false
}

// v2Paths are the paths of the /api/v2 documents.
var v2Paths = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for p := range V2Documents() {
		out[p] = true
	}
	return out
})

// File is one file of a static copy.
type File struct {
	Name        string // slash-separated, relative to the copy's root: "incidents/X/index.html"
	Body        []byte
	ContentType string
	MaxAge      int // seconds a browser or CDN may keep it, as the server says
}

// StaticFiles renders every page of s as the files of a static copy, in
// the order to publish them: the front page last, so it never links to a
// page not yet there. The HTML links relative to each file, to the file
// itself ("../../incidents/X/index.html"), so the copy works wherever it is
// served: at the root of a host, under a bucket's prefix, from a folder on
// disk. Links to what the copy does not hold (the subscription form) go to
// s.Links, the base URL.
func StaticFiles(s *Snapshot) []File {
	entries := Files(s)
	names := map[string]bool{}
	for p := range entries {
		names[FileName(p)] = true
	}
	var out []File
	for p, e := range entries {
		f := File{Name: FileName(p), Body: e.Body, ContentType: e.ContentType, MaxAge: e.MaxAge}
		if strings.HasPrefix(e.ContentType, "text/html") {
			f.Body = relativeLinks(f.Body, f.Name, names, s.Links)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b File) int {
		if (a.Name == "index.html") != (b.Name == "index.html") {
			if a.Name == "index.html" {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// rootLink is a root-relative link in an attribute: href="/history".
var rootLink = regexp.MustCompile(`(\s(?:href|src|action)=")(/[^/"][^"]*|/)"`)

// relativeLinks rewrites the root-relative links of an HTML file named
// from: to a file of the copy (names) relative to from, otherwise to base.
func relativeLinks(body []byte, from string, names map[string]bool, base links.Links) []byte {
	up := strings.Repeat("../", strings.Count(from, "/"))
	return rootLink.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := rootLink.FindSubmatch(m)
		link := string(sub[2])
		p, rest := link, ""
		if i := strings.IndexAny(link, "?#"); i >= 0 {
			p, rest = link[:i], link[i:]
		}
		var to string
		if name := FileName(path.Clean(p)); names[name] {
			to = up + name + rest
		} else {
			to = base.Base() + link
		}
		return []byte(string(sub[1]) + to + `"`)
	})
}

// Export writes every page of s under dir. Each file is written to a
// temporary name and renamed, so a web server reading dir never serves half
// a file; files whose content is unchanged are left alone. It returns how
// many files it wrote.
func Export(s *Snapshot, dir string) (int, error) {
	n := 0
	for _, f := range StaticFiles(s) {
		name := filepath.Join(dir, filepath.FromSlash(f.Name))
		if old, err := os.ReadFile(name); err == nil && string(old) == string(f.Body) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return n, fmt.Errorf("export %s: %w", f.Name, err)
		}
		tmp := name + ".tmp"
		if err := os.WriteFile(tmp, f.Body, 0o644); err != nil {
			return n, fmt.Errorf("export %s: %w", f.Name, err)
		}
		if err := os.Rename(tmp, name); err != nil {
			return n, fmt.Errorf("export %s: %w", f.Name, err)
		}
		n++
	}
	return n, nil
}
