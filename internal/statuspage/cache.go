package statuspage

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// Entry is one rendered response, ready to serve: the bytes, their gzip,
// and the ETag.
type Entry struct {
	Body        []byte
	ETag        string
	ContentType string
	MaxAge      int

	gzipOnce sync.Once
	gz       []byte
	// Header values built once, so serving allocates nothing for them.
	hdr              map[string][]string
	bodyLen, gzipLen []string
	gzipEncoding     []string
}

func newEntry(body []byte, ctype string, maxAge int) *Entry {
	sum := sha256.Sum256(body)
	e := &Entry{Body: body, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, ContentType: ctype, MaxAge: maxAge}
	e.hdr = map[string][]string{
		"Content-Type":           {ctype},
		"Etag":                   {e.ETag},
		"Cache-Control":          {"public, max-age=" + strconv.Itoa(maxAge)},
		"Vary":                   {"Accept-Encoding"},
		"X-Content-Type-Options": {"nosniff"},
	}
	if strings.HasPrefix(ctype, "application/json") {
		e.hdr["Access-Control-Allow-Origin"] = []string{"*"} // widgets read it from other sites
	}
	e.bodyLen = []string{strconv.Itoa(len(body))}
	e.gzipEncoding = []string{"gzip"}
	return e
}

// Gzip returns the compressed body, compressing on first use (most pages
// of a generation are never asked for compressed), or nil when compression
// does not make it smaller.
func (e *Entry) Gzip() []byte {
	e.gzipOnce.Do(func() {
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
		w.Write(e.Body)
		w.Close()
		if gz.Len() < len(e.Body) {
			e.gz = gz.Bytes()
			e.gzipLen = []string{strconv.Itoa(gz.Len())}
		}
	})
	return e.gz
}

// built is one generation of the page: a snapshot and what was rendered
// from it. A new generation replaces it whole, so a reader never sees half
// of an update.
type built struct {
	snap  *Snapshot
	fixed map[string]*Entry
	lazy  sync.Map // path -> *Entry, rendered on first request
	at    time.Time
}

// Cache keeps the public page rendered in memory and serves it. It
// rebuilds when the store's status version changes (every instance polls
// it, so all pick a change up within PollInterval) and at least every
// Refresh, so relative times and maintenance windows stay current.
type Cache struct {
	db      *store.DB
	clock   herald.Clock
	baseURL string
	log     *slog.Logger
	cur     atomic.Pointer[built]
	mu      sync.Mutex // serialises rebuilds

	PollInterval time.Duration
	Refresh      time.Duration
}

// NewCache returns a cache; call Rebuild before serving and Run to keep it
// current.
func NewCache(db *store.DB, clock herald.Clock, baseURL string, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{db: db, clock: clock, baseURL: strings.TrimRight(baseURL, "/"), log: log, PollInterval: 250 * time.Millisecond, Refresh: 30 * time.Second}
}

// Snapshot returns the snapshot being served.
func (c *Cache) Snapshot() *Snapshot {
	if b := c.cur.Load(); b != nil {
		return b.snap
	}
	return nil
}

// Rebuild reads the store and renders the page anew.
func (c *Cache) Rebuild(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	snap, err := Load(ctx, c.db, c.clock.Now(), c.baseURL)
	if err != nil {
		return err
	}
	c.cur.Store(&built{snap: snap, fixed: Render(snap), at: time.Now()})
	return nil
}

// Render renders every page that does not depend on the request: the
// front page, the first history page, the feeds, the JSON, the stylesheet.
func Render(s *Snapshot) map[string]*Entry {
	const html, js = "text/html; charset=utf-8", "application/json; charset=utf-8"
	out := map[string]*Entry{
		"/":                 newEntry(s.IndexHTML(), html, 10),
		"/history":          newEntry(s.HistoryHTML(1), html, 10),
		"/history.rss":      newEntry(s.RSS(), "application/rss+xml; charset=utf-8", 60),
		"/history.atom":     newEntry(s.Atom(), "application/atom+xml; charset=utf-8", 60),
		"/maintenances.ics": newEntry(s.ICS(""), "text/calendar; charset=utf-8", 300),
		"/static/style.css": newEntry(StyleCSS(), "text/css; charset=utf-8", 3600),
	}
	for path, body := range s.v2Documents() {
		out[path] = newEntry(body, js, 10)
	}
	return out
}

// Files renders every page of the snapshot, for a static copy: what Render
// gives, plus each history page, incident, maintenance and calendar.
func Files(s *Snapshot) map[string]*Entry {
	out := Render(s)
	b := &built{snap: s}
	add := func(path string) {
		if e := b.render(path, ""); e != nil {
			out[path] = e
		}
	}
	for n := 2; n <= s.HistoryPages(); n++ {
		add(fmt.Sprintf("/history/%d", n))
	}
	for _, i := range s.Incidents {
		add("/incidents/" + i.ID)
	}
	for _, m := range s.Maintenances {
		add("/maintenances/" + m.ID)
		add("/maintenances/" + m.ID + ".ics")
	}
	for _, c := range s.Components {
		add("/components/" + c.ID + "/maintenances.ics")
	}
	out["/404"] = newEntry(s.NotFoundHTML(), "text/html; charset=utf-8", 10)
	return out
}

// Run keeps the cache current until ctx ends.
func (c *Cache) Run(ctx context.Context) {
	t := time.NewTicker(c.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b := c.cur.Load()
		v, err := c.db.StatusVersion(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("status page: cannot read the status version; serving the last page", "err", err)
			}
			continue
		}
		if b != nil && v == b.snap.Version && time.Since(b.at) < c.Refresh {
			continue
		}
		if err := c.Rebuild(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("status page: rebuild failed; serving the last page", "err", err)
		}
	}
}

// Lookup returns the entry for a path (with its query), rendering it on
// first use, or nil when there is no such page.
func (c *Cache) Lookup(path, query string) *Entry {
	b := c.cur.Load()
	if b == nil {
		return nil
	}
	key := path
	if query != "" {
		key += "?" + query
	}
	if e, ok := b.fixed[key]; ok {
		return e
	}
	if e, ok := b.lazy.Load(key); ok {
		return e.(*Entry)
	}
	e := b.render(path, query)
	if e != nil {
		b.lazy.Store(key, e)
	}
	return e
}

func (b *built) render(path, query string) *Entry {
	s := b.snap
	const html = "text/html; charset=utf-8"
	switch {
	case strings.HasPrefix(path, "/history/") && query == "":
		n, err := strconv.Atoi(strings.TrimPrefix(path, "/history/"))
		if err != nil || n < 2 || n > s.HistoryPages() {
			return nil
		}
		return newEntry(s.HistoryHTML(n), html, 10)
	case strings.HasPrefix(path, "/incidents/") && query == "":
		if i := s.Incident(strings.TrimPrefix(path, "/incidents/")); i != nil {
			return newEntry(s.IncidentHTML(i), html, 10)
		}
	case strings.HasPrefix(path, "/maintenances/") && strings.HasSuffix(path, ".ics") && query == "":
		if m := s.Maintenance(strings.TrimSuffix(strings.TrimPrefix(path, "/maintenances/"), ".ics")); m != nil {
			one := *s
			one.Maintenances = []*herald.Maintenance{m}
			return newEntry(one.ICS(""), "text/calendar; charset=utf-8", 300)
		}
	case strings.HasPrefix(path, "/maintenances/") && query == "":
		if m := s.Maintenance(strings.TrimPrefix(path, "/maintenances/")); m != nil {
			return newEntry(s.MaintenanceHTML(m), html, 10)
		}
	case strings.HasPrefix(path, "/components/") && strings.HasSuffix(path, "/maintenances.ics") && query == "":
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/components/"), "/maintenances.ics")
		if _, ok := s.Component(id); ok {
			return newEntry(s.ICS(id), "text/calendar; charset=utf-8", 300)
		}
	}
	return nil
}

// ServeHTTP serves the public pages from memory: 304 for a matching
// If-None-Match, gzip when the client takes it, a short Cache-Control so
// CDNs and browsers absorb load without showing stale news for long.
func (c *Cache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e := c.Lookup(r.URL.Path, r.URL.RawQuery)
	status := http.StatusOK
	if e == nil {
		b := c.cur.Load()
		if b == nil {
			http.Error(w, "the status page is starting", http.StatusServiceUnavailable)
			return
		}
		if v, ok := b.lazy.Load("404"); ok {
			e = v.(*Entry)
		} else {
			e = newEntry(b.snap.NotFoundHTML(), "text/html; charset=utf-8", 10)
			b.lazy.Store("404", e)
		}
		status = http.StatusNotFound
	}
	h := w.Header()
	for k, v := range e.hdr {
		h[k] = v // shared, never modified: built once per entry
	}
	if status == http.StatusOK && etagMatch(r.Header.Get("If-None-Match"), e.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := e.Body
	h["Content-Length"] = e.bodyLen
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		if gz := e.Gzip(); gz != nil {
			h["Content-Encoding"] = e.gzipEncoding
			h["Content-Length"] = e.gzipLen
			body = gz
		}
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip: named
// (or *) with a quality above zero.
func acceptsGzip(header string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !found {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
