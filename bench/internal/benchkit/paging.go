package benchkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// HTTP is the client for events and scrapes: it keeps enough idle
// connections per host for 16 or more concurrent senders, so that a
// measurement does not count new TCP connections.
var HTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}

// SendEvent triggers a page through the Events API v2 endpoint
// (/v2/enqueue) of the herald at base, for the service with integration key
// key, and fails unless it is answered 202.
func SendEvent(base, key, dedup string) error {
	body := fmt.Sprintf(`{"routing_key":%q,"event_action":"trigger","dedup_key":%q,"payload":{"summary":"disk full","source":"bench","severity":"critical"}}`, key, dedup)
	resp, err := HTTP.Post(base+"/v2/enqueue", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		return fmt.Errorf("enqueue: %d", resp.StatusCode)
	}
	return nil
}

// API sends body (of type ctype) to the herald at base as the admin, and
// decodes a 2xx answer into out unless out is nil. timeout bounds the whole
// request: an import of many subscribers takes minutes.
func API(base, method, path, ctype string, body []byte, out any, timeout time.Duration) error {
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+Token)
	req.Header.Set("Content-Type", ctype)
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// SetupPaging makes, on the herald at base, a user reached by a webhook to
// webhookURL, an escalation policy with one level per timeout (minutes
// before the next level) each paging that user, and a service on it without
// grouping (every dedup key its own page), and returns the service's
// integration key.
func SetupPaging(base, webhookURL string, timeouts ...int) (string, error) {
	ctx := context.Background()
	c := client.New(base, Token)
	u, err := c.People.CreateUser(ctx, herald.UserInput{Name: "Responder", Email: "responder@example.com"})
	if err != nil {
		return "", err
	}
	if _, err := c.People.CreateContactMethod(ctx, u.ID, herald.ContactMethodInput{Kind: "webhook", Target: webhookURL}); err != nil {
		return "", err
	}
	in := herald.EscalationPolicyInput{Name: "bench"}
	for _, t := range timeouts {
		in.Levels = append(in.Levels, herald.EscalationLevel{TimeoutMinutes: t, Targets: []herald.Target{{Type: "user", ID: u.ID}}})
	}
	b, _ := json.Marshal(in)
	var pol herald.EscalationPolicy
	if err := API(base, "POST", "/api/v1/escalation-policies", "application/json", b, &pol, time.Minute); err != nil {
		return "", err
	}
	svc, err := c.Paging.CreateService(ctx, herald.ServiceInput{Name: "bench", EscalationPolicyID: pol.ID, Grouping: &herald.Grouping{}})
	return svc.IntegrationKey, err
}

// Receiver is a webhook endpoint on loopback that records Herald's page
// notifications as they arrive: deliveries per webhook-id (to count
// duplicates), and the first delivery of each page's level.
type Receiver struct {
	URL   string
	srv   *http.Server
	mu    sync.Mutex
	ids   map[string]int
	first map[string]time.Time // dedup key#level -> first delivery
}

// NewReceiver starts a Receiver on a free loopback port.
func NewReceiver() *Receiver {
	r := &Receiver{}
	r.Reset()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	r.URL = "http://" + ln.Addr().String()
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		now := time.Now()
		var msg struct {
			Data struct {
				Page  herald.Page `json:"page"`
				Level int         `json:"level"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := msg.Data.Page.DedupKey + "#" + strconv.Itoa(msg.Data.Level)
		r.mu.Lock()
		r.ids[req.Header.Get("webhook-id")]++
		if _, ok := r.first[key]; !ok {
			r.first[key] = now
		}
		r.mu.Unlock()
	})}
	go r.srv.Serve(ln)
	return r
}

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }

// Reset forgets every delivery recorded so far.
func (r *Receiver) Reset() {
	r.mu.Lock()
	r.ids, r.first = map[string]int{}, map[string]time.Time{}
	r.mu.Unlock()
}

// At is when the first notification for level of the page with dedup key
// arrived, if one has.
func (r *Receiver) At(dedup string, level int) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.first[dedup+"#"+strconv.Itoa(level)]
	return t, ok
}

// Backlog counts the pages prefix0 to prefix<n-1> whose first level-1
// notification came after t (or not yet), and how long after t the last
// came.
func (r *Receiver) Backlog(prefix string, n int, t time.Time) (after int, last time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < n; i++ {
		at, ok := r.first[prefix+strconv.Itoa(i)+"#1"]
		if !ok || at.After(t) {
			after++
		}
		if ok && at.Sub(t) > last {
			last = at.Sub(t)
		}
	}
	return after, last
}

// Dups counts the distinct notifications (webhook-ids) delivered and the
// deliveries beyond the first of each.
func (r *Receiver) Dups() (unique, dup int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.ids {
		unique++
		dup += n - 1
	}
	return
}
