// Package zendesktest is a stand-in Zendesk for tests: no public Zendesk
// can run here, so it answers the three documented calls Herald makes the
// way Zendesk's API reference shows them. List Search Results (GET
// /api/v2/search.json?query=..., offset pages of results with
// result_type, next_page and previous_page as absolute URLs, count), Add
// Tags (PUT /api/v2/tickets/{id}/tags.json {"tags": [...]}, answering
// the ticket's tags after the change) and Set Tags (POST to the same path,
// which replaces the tags, so a connector that used it would be caught),
// behind API token authentication (basic auth "{email}/token:{api_token}",
// 401 {"error": "Couldn't authenticate you"} otherwise), with rate limits
// answered 429 with Retry-After in seconds. It records every request.
package zendesktest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Ticket is one ticket the desk holds.
type Ticket struct {
	ID          int64
	Subject     string
	Description string
	Status      string
	CreatedAt   time.Time
	Tags        []string
}

// Request is one request the desk received.
type Request struct {
	Method, Path string
	Query        string // the search query, decoded
	Page         string
	Auth         string // the Authorization header
	ContentType  string
	Body         string
}

// Server is the stand-in desk.
type Server struct {
	*httptest.Server
	Email, Token string
	// PerPage is how many results a search page holds (Zendesk: 100).
	PerPage int

	mu        sync.Mutex
	tickets   []Ticket
	requests  []Request
	limited   int
	retryWait int
}

// New starts a desk for the agent email with the API token.
func New(email, token string, tickets ...Ticket) *Server {
	s := &Server{Email: email, Token: token, PerPage: 100, tickets: tickets}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// RateLimit answers the next n requests 429 with Retry-After seconds.
func (s *Server) RateLimit(n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited, s.retryWait = n, retryAfter
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Tags returns a ticket's tags now.
func (s *Server) Tags(id int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tickets {
		if t.ID == id {
			return slices.Clone(t.Tags)
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var tagsPath = regexp.MustCompile(`^/api/v2/tickets/(\d+)/tags(\.json)?$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query().Get("query"), Page: r.URL.Query().Get("page"),
		Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: string(body)})
	if s.limited > 0 {
		s.limited--
		w.Header().Set("Retry-After", strconv.Itoa(s.retryWait))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "Rate limit for ticket updates exceeded, please wait before updating this ticket again")
		return
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.Email+"/token:"+s.Token))
	if r.Header.Get("Authorization") != want {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Couldn't authenticate you"})
		return
	}
	switch m := tagsPath.FindStringSubmatch(r.URL.Path); {
	case (r.URL.Path == "/api/v2/search.json" || r.URL.Path == "/api/v2/search") && r.Method == http.MethodGet:
		s.search(w, r)
	case m != nil && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		id, _ := strconv.ParseInt(m[1], 10, 64)
		s.tag(w, r, id, body)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "InvalidEndpoint", "description": "Not found"})
	}
}

// search answers List Search Results for the query forms Herald sends:
// type:ticket, created>T, created<T and one quoted phrase, matched in the
// subject and description regardless of case.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("query")
	if strings.TrimSpace(q) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid", "description": "query is required"})
		return
	}
	var after, before *time.Time
	phrase := ""
	if i := strings.Index(q, `"`); i >= 0 {
		j := strings.LastIndex(q, `"`)
		if j > i {
			phrase = strings.ToLower(q[i+1 : j])
		}
		q = q[:i] + q[j+1:]
	}
	for _, f := range strings.Fields(q) {
		switch {
		case f == "type:ticket":
		case strings.HasPrefix(f, "created>"), strings.HasPrefix(f, "created<"):
			t, err := time.Parse(time.RFC3339, f[len("created>"):])
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid", "description": "bad date " + f})
				return
			}
			if f[7] == '>' {
				after = &t
			} else {
				before = &t
			}
		default:
			phrase = strings.TrimSpace(phrase + " " + strings.ToLower(f))
		}
	}
	var hits []Ticket
	for _, t := range s.tickets {
		if after != nil && !t.CreatedAt.After(*after) || before != nil && !t.CreatedAt.Before(*before) {
			continue
		}
		if phrase != "" && !strings.Contains(strings.ToLower(t.Subject+" "+t.Description), phrase) {
			continue
		}
		hits = append(hits, t)
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].CreatedAt.Before(hits[j].CreatedAt) })
	page := 1
	if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 0 {
		page = p
	}
	base := "http://" + r.Host
	link := func(p int) *string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(p))
		u := base + "/api/v2/search.json?" + v.Encode()
		return &u
	}
	from, to := (page-1)*s.PerPage, page*s.PerPage
	var results []map[string]any
	for i := from; i < to && i < len(hits); i++ {
		t := hits[i]
		tags := t.Tags
		if tags == nil {
			tags = []string{}
		}
		results = append(results, map[string]any{
			"url": fmt.Sprintf("%s/api/v2/tickets/%d.json", base, t.ID), "id": t.ID, "result_type": "ticket",
			"subject": t.Subject, "raw_subject": t.Subject, "description": t.Description, "status": t.Status, "tags": tags,
			"created_at": t.CreatedAt.UTC().Format(time.RFC3339), "updated_at": t.CreatedAt.UTC().Format(time.RFC3339),
		})
	}
	if results == nil {
		results = []map[string]any{}
	}
	answer := map[string]any{"results": results, "facets": nil, "count": len(hits), "next_page": nil, "previous_page": nil}
	if to < len(hits) {
		answer["next_page"] = link(page + 1)
	}
	if page > 1 {
		answer["previous_page"] = link(page - 1)
	}
	writeJSON(w, http.StatusOK, answer)
}

// tag answers Add Tags (PUT: the tags are added) and Set Tags (POST: they
// replace the ticket's tags).
func (s *Server) tag(w http.ResponseWriter, r *http.Request, id int64, body []byte) {
	var in struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.Tags) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "InvalidValue", "description": "tags is required"})
		return
	}
	for i := range s.tickets {
		t := &s.tickets[i]
		if t.ID != id {
			continue
		}
		if r.Method == http.MethodPost {
			t.Tags = nil
		}
		for _, tag := range in.Tags {
			tag = strings.ToLower(tag)
			if !slices.Contains(t.Tags, tag) {
				t.Tags = append(t.Tags, tag)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"tags": t.Tags})
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "RecordNotFound", "description": "Not found"})
}
