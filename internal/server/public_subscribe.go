package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/links"
)

// signupLimiter allows a few sign-ups per client address per hour, so the
// public form cannot be used to sign up many addresses from one client.
// It is in memory, per instance; what protects each recipient is the cap
// on confirmation mails per address, kept in the database (store).
type signupLimiter struct {
	mu     sync.Mutex
	window time.Time
	counts map[string]int
	limit  int
}

// allow counts a sign-up from ip; when over the limit it says how long
// until the window ends.
func (l *signupLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) > time.Hour || l.counts == nil {
		l.window, l.counts = now, map[string]int{}
	}
	l.counts[ip]++
	return l.counts[ip] <= l.limit, l.window.Add(time.Hour).Sub(now)
}

// ParseTrustedProxies reads --trusted-proxies: addresses or CIDR ranges
// separated by commas ("10.0.0.0/8,::1"). Empty trusts nobody.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, netip.PrefixFrom(p.Addr().Unmap(), unmappedBits(p)).Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range like 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// unmappedBits is a prefix's length once its IPv4-mapped address is
// written as IPv4 (::ffff:10.0.0.0/104 is 10.0.0.0/8).
func unmappedBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		return max(p.Bits()-96, 0)
	}
	return p.Bits()
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address a request came from, for per-client limits. The
// direct peer, unless it is a trusted proxy (--trusted-proxies): then
// X-Forwarded-For is read from the right, past the trusted proxies, and
// the first address not trusted is the client. Entries left of it could
// be anything the client sent, so they are never used.
func (s *Server) clientIP(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return r.RemoteAddr
		}
		return host
	}
	if !s.trusted(peer.Addr()) {
		return peer.Addr().Unmap().String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer.Addr().Unmap().String()
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(hop)
		if err != nil {
			ap, err2 := netip.ParseAddrPort(hop)
			if err2 != nil {
				return hop // not an address: still the right-most untrusted entry
			}
			a = ap.Addr()
		}
		client = a.Unmap().String()
		if !s.trusted(a) {
			return client
		}
	}
	return client
}

// tooMany answers a sign-up refused for now, with when to retry.
func (s *Server) tooMany(w http.ResponseWriter, retry time.Duration, text string) {
	httperr.SetRetryAfter(w, retry)
	s.page(w, http.StatusTooManyRequests, "Too many sign-ups", text, "", "", nil)
}

func (s *Server) page(w http.ResponseWriter, status int, heading, text, action, button string, hidden map[string]string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if snap := s.cfg.Pages.Snapshot(); snap != nil {
		w.Write(snap.MessageHTML(heading, text, action, button, hidden))
		return
	}
	w.Write([]byte(heading + ": " + text + "\n"))
}

// subscribeForm is POST /subscribe, the page's plain HTML form. Whatever
// the address, the answer is the same, so it tells nobody who subscribed.
func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.page(w, http.StatusBadRequest, "That did not work", "The form could not be read. Please try again.", "", "", nil)
		return
	}
	if ok, retry := s.signups.allow(s.clientIP(r), time.Now()); !ok {
		s.tooMany(w, retry, "Too many sign-ups from your address in the last hour. Please try again later.")
		return
	}
	in := herald.SubscriberInput{Email: r.PostForm.Get("email"), Components: r.PostForm["component"]}
	if _, err := s.app.Subscribers.Subscribe(r.Context(), in, false); err != nil {
		if he, ok := err.(*herald.Error); ok && he.Code == herald.EInvalid {
			s.page(w, http.StatusBadRequest, "Check the address", "Please enter a plain e-mail address, like ada@example.com.", "", "", nil)
			return
		}
		if he, ok := err.(*herald.Error); ok && he.Code == herald.ETooMany {
			s.tooMany(w, he.RetryAfter, "This address was sent several confirmation mails today. Please use one of them, or try again tomorrow.")
			return
		}
		writeError(w, r, err, s.log)
		return
	}
	s.page(w, http.StatusOK, "Check your inbox", "If the address can receive mail, a message asking you to confirm is on its way. Nothing else is sent until you confirm.", "", "", nil)
}

// confirmSubscription is GET /subscribe/confirm, the link in the mail: a
// page with a button, so that mail scanners following links confirm
// nobody, and POST /subscribe/confirm, the button, which confirms.
func (s *Server) confirmSubscription(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	r.ParseForm()
	id, token := r.Form.Get("id"), r.Form.Get("token")
	if r.Method != http.MethodPost {
		s.page(w, http.StatusOK, "Confirm your subscription", "Receive updates about incidents and maintenances at this address?", links.SubscribeConfirm, "Confirm", map[string]string{"id": id, "token": token})
		return
	}
	if _, err := s.app.Subscribers.ConfirmSubscriber(r.Context(), id, token); err != nil {
		s.page(w, http.StatusNotFound, "Link not valid", "This confirmation link is not valid, or the subscription has ended. Subscribe again from the status page.", "", "", nil)
		return
	}
	s.page(w, http.StatusOK, "Subscribed", "You will receive updates about incidents and maintenances. Every mail has a link to unsubscribe.", "", "", nil)
}

// unsubscribe is GET /unsubscribe (a page with a button, so that mail
// scanners following links unsubscribe nobody) and POST /unsubscribe (the
// button, and RFC 8058 one-click from the List-Unsubscribe-Post header).
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	r.ParseForm()
	id, token := r.Form.Get("id"), r.Form.Get("token")
	if r.Method == http.MethodGet || r.Method == http.MethodHead { // HEAD, too, only asks
		s.page(w, http.StatusOK, "Unsubscribe", "Stop receiving status updates at this address?", links.Unsubscribe, "Unsubscribe", map[string]string{"id": id, "token": token})
		return
	}
	if err := s.app.Subscribers.Unsubscribe(r.Context(), id, token); err != nil {
		s.page(w, http.StatusNotFound, "Link not valid", "This unsubscribe link is not valid.", "", "", nil)
		return
	}
	s.page(w, http.StatusOK, "Unsubscribed", "You will receive no more status updates.", "", "", nil)
}

// SubscriberCounts answers GET /api/v1/subscribers/counts.
type SubscriberCounts struct {
	Counts map[string]map[string]int `json:"counts"` // kind -> confirmed|unconfirmed|paused -> n
}

func (s *Server) subscriberCounts(r *http.Request, a herald.Actor, _ noBody) (SubscriberCounts, error) {
	c, err := s.app.Subscribers.SubscriberCounts(r.Context())
	return SubscriberCounts{Counts: c}, err
}

// createSubscriber is POST /api/v1/subscribers: open to anyone (rate
// limited like the form); with an admin token, "confirmed": true skips the
// opt-in.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	var in herald.SubscriberInput
	if err := decode(r, &in); err != nil {
		writeError(w, r, err, s.log)
		return
	}
	admin := false
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		a, err := s.authenticate(r)
		if err != nil {
			writeError(w, r, err, s.log)
			return
		}
		admin = a.Role == herald.RoleAdmin
	}
	if !admin {
		if ok, retry := s.signups.allow(s.clientIP(r), time.Now()); !ok {
			writeError(w, r, &herald.Error{Code: herald.ETooMany, Message: "too many sign-ups from this address; try again later", RetryAfter: retry}, s.log)
			return
		}
	}
	sub, err := s.app.Subscribers.Subscribe(r.Context(), in, admin)
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	if !admin {
		// Do not reveal whether the address was subscribed already.
		if err := writeJSON(w, http.StatusAccepted, SubscribeAccepted{Status: "accepted", Kind: sub.Kind, Secret: sub.Secret}); err != nil {
			writeError(w, r, err, s.log)
		}
		return
	}
	if err := writeJSON(w, http.StatusCreated, sub); err != nil {
		writeError(w, r, err, s.log)
	}
}

// SubscribeAccepted answers a sign-up without a token. Secret is a new
// webhook subscriber's signing secret (empty for other kinds).
type SubscribeAccepted struct {
	Status string `json:"status"` // always "accepted"
	Kind   string `json:"kind" enum:"subscriber_kind"`
	Secret string `json:"secret"`
}

// StakeholderChannels lists the internal stakeholder channels.
type StakeholderChannels struct {
	Channels []herald.Subscriber `json:"channels"`
}

func (s *Server) listStakeholders(r *http.Request, a herald.Actor, _ noBody) (StakeholderChannels, error) {
	list, err := s.app.Subscribers.StakeholderChannels(r.Context())
	return StakeholderChannels{Channels: list}, err
}

func (s *Server) addStakeholder(r *http.Request, a herald.Actor, in herald.SubscriberInput) (herald.Subscriber, error) {
	return s.app.Subscribers.AddStakeholderChannel(r.Context(), in)
}

// NoticeResult says whether a stakeholder notice went out.
type NoticeResult struct {
	Sent bool `json:"sent"` // false when this severity was announced already
}

func (s *Server) notifyStakeholders(r *http.Request, a herald.Actor, _ noBody) (NoticeResult, error) {
	sent, err := s.app.Subscribers.NotifyStakeholders(r.Context(), a, r.PathValue("id"))
	return NoticeResult{Sent: sent}, err
}

// exportSubscribers is GET /api/v1/subscribers/export.csv (admin): kind,
// target, components (ids separated by spaces), confirmed, created_at.
func (s *Server) exportSubscribers(w http.ResponseWriter, r *http.Request) {
	a, err := s.authenticate(r)
	if err == nil && a.Role != herald.RoleAdmin {
		err = herald.Errorf(herald.EForbidden, "exporting subscribers needs the admin role")
	}
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	err = herald.WriteSubscribersCSV(w, func(fn func(herald.Subscriber) error) error {
		return s.app.Subscribers.ExportSubscribers(r.Context(), fn)
	})
	if err != nil {
		s.log.Error("export subscribers", "err", err)
	}
}

// ImportResult says what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Skipped int `json:"skipped"` // already subscribed
}

// importSubscribers is POST /api/v1/subscribers/import (admin): a CSV with
// the export's header (kind, target, components); imported subscribers are
// confirmed, since they opted in where they came from. All rows or none.
func (s *Server) importSubscribers(w http.ResponseWriter, r *http.Request) {
	a, err := s.authenticate(r)
	if err == nil && a.Role != herald.RoleAdmin {
		err = herald.Errorf(herald.EForbidden, "importing subscribers needs the admin role")
	}
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	rows, err := herald.ReadSubscribersCSV(r.Body)
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	created, skipped, err := s.app.Subscribers.ImportSubscribers(r.Context(), rows)
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	if err := writeJSON(w, http.StatusOK, ImportResult{Created: created, Skipped: skipped}); err != nil {
		writeError(w, r, err, s.log)
	}
}
