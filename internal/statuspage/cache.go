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
	"github.com/heraldhq/herald/internal/links"
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
	// local is the store's LocalStatusChanges read before the snapshot was:
	// every change this process committed up to it is in this generation.
	local uint64
	// tenants are the private pages, by the SHA-256 of their tokens
	// (private.go); private marks a private page's own generation.
	tenants map[[32]byte]*tenantPage
	private bool
	signIn  bool // the private page asks for sign-in
}

// Cache keeps the public page rendered in memory and serves it, so that
// serving never queries the database nor waits for a rebuild.
//
// Freshness: a change committed through this process (an API write, a
// maintenance the worker started) is rendered before the store method that
// committed it returns (store.OnStatusChange), so the answer to the write
// goes out after the page shows it, and the writer's next request sees it.
// Changes made by other processes on the same database show through the
// status version, which Run polls every PollInterval, so every instance
// serves them within PollInterval plus one rebuild. Run also rebuilds every
// Refresh, so relative times and maintenance windows stay current. When
// the database cannot be read, the last good generation keeps being served.
type Cache struct {
	db    herald.Services
	clock herald.Clock
	links links.Links
	log   *slog.Logger
	cur   atomic.Pointer[built]
	mu    sync.Mutex // serialises rebuilds

	PollInterval time.Duration
	Refresh      time.Duration
	// Timeout bounds each poll of the status version and each rebuild, so
	// a database that stops answering cannot hold the cache (or the write
	// waiting for its page) for longer. Zero means 5 s.
	Timeout time.Duration
	// Rendered, when set, is told how long each successful rebuild took
	// (reading the snapshot and rendering every page): a metric.
	Rendered func(time.Duration)
}

// NewCache returns a cache; call Rebuild before serving and Run to keep it
// current. It re-renders after each page change committed through db (the
// store's OnStatusChange, which it takes: one cache per store).
func NewCache(db herald.Services, clock herald.Clock, lk links.Links, log *slog.Logger) *Cache {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Cache{db: db, clock: clock, links: lk, log: log, PollInterval: 250 * time.Millisecond, Refresh: 30 * time.Second}
	db.StatusPage.OnStatusChange(c.localChange)
	return c
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
	return c.rebuild(ctx)
}

func (c *Cache) rebuild(ctx context.Context) error {
	local := c.db.StatusPage.LocalStatusChanges() // before the read: a change committed during it is caught next time
	start := time.Now()
	snap, err := Load(ctx, c.db, c.clock.Now(), c.links)
	if err != nil {
		return err
	}
	tenants, err := loadTenants(ctx, c.db, snap)
	if err != nil {
		return err
	}
	c.cur.Store(&built{snap: snap, fixed: Render(snap), at: time.Now(), local: local, tenants: tenants})
	if c.Rendered != nil {
		c.Rendered(time.Since(start))
	}
	return nil
}

// localChange runs after this process committed a page change, before the
// write returns: it renders the page anew, unless a rebuild that began
// after the commit (another write's, or Run's) has already. Readers keep
// being served the previous generation meanwhile. On failure that
// generation stays, and Run tries again.
func (c *Cache) localChange() {
	n := c.db.StatusPage.LocalStatusChanges()
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.cur.Load(); b == nil || b.local >= n {
		return // not serving yet (the first Rebuild will read it), or done
	}
	// Not the writer's context: a client that hangs up does not stop it.
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout())
	defer cancel()
	if err := c.rebuild(ctx); err != nil {
		c.log.Warn("status page: rebuild after a change failed; serving the last good page until the next poll", "err", err)
	}
}

// Render renders every page that does not depend on the request: the
// front page, the first history page, the feeds, the JSON, the stylesheet.
func Render(s *Snapshot) map[string]*Entry {
	const html, js = "text/html; charset=utf-8", "application/json; charset=utf-8"
	out := map[string]*Entry{
		links.Home:                 newEntry(s.IndexHTML(), html, 10),
		links.History:              newEntry(s.HistoryHTML(1), html, 10),
		links.HistoryRSS:           newEntry(s.RSS(), "application/rss+xml; charset=utf-8", 60),
		links.HistoryAtom:          newEntry(s.Atom(), "application/atom+xml; charset=utf-8", 60),
		links.MaintenancesCalendar: newEntry(s.ICS(""), "text/calendar; charset=utf-8", 300),
		links.Stylesheet:           newEntry(StyleCSS(), "text/css; charset=utf-8", 3600),
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
		if e := b.render(path); e != nil {
			out[path] = e
		}
	}
	var paths links.Links // root-relative; ids are UUIDs, the same escaped or not
	for n := 2; n <= s.HistoryPages(); n++ {
		add(paths.History(n))
	}
	for _, i := range s.Incidents {
		add(paths.StatusIncident(i.ID))
	}
	for _, m := range s.Maintenances {
		add(paths.Maintenance(m.ID))
		add(paths.MaintenanceCalendar(m.ID))
	}
	for _, c := range s.Components {
		add(paths.ComponentCalendar(c.ID))
	}
	out["/404"] = newEntry(s.NotFoundHTML(), "text/html; charset=utf-8", 10)
	return out
}

// Run keeps the cache current until ctx ends: it polls the status version
// every PollInterval and rebuilds when it changed or Refresh has passed.
// While the database cannot be read it serves the last good page, warns
// when that starts and then once a minute, and says when it recovers.
func (c *Cache) Run(ctx context.Context) {
	t := time.NewTicker(c.PollInterval)
	defer t.Stop()
	var failingSince, warned time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := c.poll(ctx)
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		switch {
		case err != nil && (failingSince.IsZero() || now.Sub(warned) >= time.Minute):
			b := c.cur.Load()
			var age time.Duration
			if b != nil {
				age = now.Sub(b.at).Round(time.Second)
			}
			c.log.Warn("status page: cannot read the database; serving the last good page", "err", err, "page_age", age)
			warned = now
			if failingSince.IsZero() {
				failingSince = now
			}
		case err == nil && !failingSince.IsZero():
			c.log.Info("status page: database readable again", "after", now.Sub(failingSince).Round(time.Second))
			failingSince = time.Time{}
		}
	}
}

func (c *Cache) timeout() time.Duration {
	if c.Timeout <= 0 {
		return 5 * time.Second
	}
	return c.Timeout
}

// poll rebuilds the page if the status version changed or Refresh passed.
func (c *Cache) poll(ctx context.Context) error {
	vctx, cancel := context.WithTimeout(ctx, c.timeout())
	v, err := c.db.StatusPage.StatusVersion(vctx)
	cancel()
	if err != nil {
		return fmt.Errorf("status version: %w", err)
	}
	if b := c.cur.Load(); b != nil && v == b.snap.Version && time.Since(b.at) < c.Refresh {
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	return c.Rebuild(rctx)
}

// Lookup returns the entry for a path, rendering it on first use, or nil
// when there is no such page.
//
// No public page reads a query: pages are named by their path alone (the
// history page number is /history/2, a component's calendar is
// /components/{id}/maintenances.ics). So a query string, such as a campaign
// tag on a shared link or a widget's cache-buster, is ignored by the caller
// and the page served as without it; keying by path alone also keeps
// random queries from filling the cache.
func (c *Cache) Lookup(path string) *Entry {
	b := c.cur.Load()
	if b == nil {
		return nil
	}
	return b.lookup(path)
}

func (b *built) lookup(path string) *Entry {
	if e, ok := b.fixed[path]; ok {
		return e
	}
	if e, ok := b.lazy.Load(path); ok {
		return e.(*Entry)
	}
	e := b.render(path)
	if e != nil {
		if b.private {
			e.makePrivate(b.signIn)
		}
		b.lazy.Store(path, e)
	}
	return e
}

// render renders the page at path that Render leaves out, matching the
// patterns of the link table (internal/links) in order: {id}.ics before
// {id}.
func (b *built) render(path string) *Entry {
	s := b.snap
	const html = "text/html; charset=utf-8"
	if v, ok := links.Match(links.HistoryPage, path); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > s.HistoryPages() {
			return nil
		}
		return newEntry(s.HistoryHTML(n), html, 10)
	}
	if id, ok := links.Match(links.StatusIncident, path); ok {
		if i := s.Incident(id); i != nil {
			return newEntry(s.IncidentHTML(i), html, 10)
		}
		return nil
	}
	if id, ok := links.Match(links.MaintenanceCalendar, path); ok {
		if m := s.Maintenance(id); m != nil {
			one := *s
			one.Maintenances = []*herald.Maintenance{m}
			return newEntry(one.ICS(""), "text/calendar; charset=utf-8", 300)
		}
		return nil
	}
	if id, ok := links.Match(links.Maintenance, path); ok {
		if m := s.Maintenance(id); m != nil {
			return newEntry(s.MaintenanceHTML(m), html, 10)
		}
		return nil
	}
	if id, ok := links.Match(links.ComponentCalendar, path); ok {
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
	b := c.cur.Load()
	if b == nil {
		http.Error(w, "the status page is starting", http.StatusServiceUnavailable)
		return
	}
	if strings.HasPrefix(r.URL.Path, links.PrivatePrefix) {
		c.servePrivate(w, r, b)
		return
	}
	serve(w, r, b, r.URL.Path) // the query is ignored: see Lookup
}

// serve answers with the page at path of a generation, or its 404 page.
func serve(w http.ResponseWriter, r *http.Request, b *built, path string) {
	e := b.lookup(path)
	status := http.StatusOK
	if e == nil {
		if v, ok := b.lazy.Load("404"); ok {
			e = v.(*Entry)
		} else {
			e = newEntry(b.snap.NotFoundHTML(), "text/html; charset=utf-8", 10)
			if b.private {
				e.makePrivate(b.signIn)
			}
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
