// Package importertest replays a vendor's API for the importers' tests
// and the command line's: an httptest server that answers each request
// the import makes with a fixture file, written in the shape the vendor's
// API reference documents, after checking the Authorization header; it
// counts the requests, so a test can check every endpoint was read once.
//
// A fixture folder holds replay.json, which says what to answer:
//
//	{
//	  "files": {"/api/v1/users/": "users_page1.json", "/api/v1/users/?page=2": "users_page2.json"},
//	  "unauthorized": {"detail": "Invalid token."},
//	  "not_found": {"detail": "Not found."}
//	}
//
// files maps each request, as its path and its query as sent, to the
// fixture answering it; unauthorized and not_found are the vendor's
// bodies of a 401 and a 404. {{BASE}} in a fixture is the server's own
// URL, so the links to next pages point back at it.
package importertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Index is the name of the file in a fixture folder that says what the
// replay answers.
const Index = "replay.json"

type index struct {
	Files        map[string]string `json:"files"`
	Unauthorized json.RawMessage   `json:"unauthorized"`
	NotFound     json.RawMessage   `json:"not_found"`
}

// Options say what a replay serves and accepts.
type Options struct {
	// Dir is the fixture folder, with its replay.json.
	Dir string
	// Auth is the Authorization header the replay accepts, as it is
	// sent: "GenieKey KEY", or OnCall's bare token.
	Auth string
	// Answer, when set, is asked first about each authorized request (by
	// its path and query) and may answer it itself, such as with a 429
	// for a vendor's rate limit; it says whether it did.
	Answer func(w http.ResponseWriter, key string) bool
}

// Replay is the running replay; it closes with the test.
type Replay struct {
	*httptest.Server
	files map[string]string
	mu    sync.Mutex
	seen  []string
}

// New starts a replay of the fixtures in o.Dir.
func New(t testing.TB, o Options) *Replay {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(o.Dir, Index))
	if err != nil {
		t.Fatal(err)
	}
	var ix index
	if err := json.Unmarshal(b, &ix); err != nil || len(ix.Files) == 0 {
		t.Fatalf("%s: %v (or no files)", filepath.Join(o.Dir, Index), err)
	}
	r := &Replay{files: ix.Files}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		key := req.URL.Path
		if req.URL.RawQuery != "" {
			key += "?" + req.URL.RawQuery
		}
		r.mu.Lock()
		r.seen = append(r.seen, key)
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if req.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if req.Header.Get("Authorization") != o.Auth {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(ix.Unauthorized)
			return
		}
		if o.Answer != nil && o.Answer(w, key) {
			return
		}
		name, ok := ix.Files[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write(ix.NotFound)
			return
		}
		b, err := os.ReadFile(filepath.Join(o.Dir, name))
		if err != nil {
			t.Error(err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write([]byte(strings.ReplaceAll(string(b), "{{BASE}}", r.URL)))
	}))
	t.Cleanup(r.Close)
	return r
}

// Requests are the requests served so far, each as its path and query,
// in order; those refused are among them.
func (r *Replay) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// ReadEach checks that every fixture was asked for once and nothing else
// was: the later pages included, whose paths came from the earlier
// pages' links.
func (r *Replay) ReadEach(t testing.TB) {
	t.Helper()
	seen := r.Requests()
	for key := range r.files {
		if n := count(seen, key); n != 1 {
			t.Errorf("%s was read %d times; the requests: %v", key, n, seen)
		}
	}
	if len(seen) != len(r.files) {
		t.Errorf("%d requests, want %d: %v", len(seen), len(r.files), seen)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
