package importertest

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func get(t *testing.T, method, u, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReplay_ServesFixturesToTheAuthorized: a fixture by path and query
// with {{BASE}} made the server's URL; the vendor's 401 to a wrong
// Authorization header and its 404 to an unknown path; 405 to anything
// but GET; every request counted.
func TestReplay_ServesFixturesToTheAuthorized(t *testing.T) {
	r := New(t, Options{Dir: "testdata", Auth: "Key k"})
	for _, tc := range []struct {
		method, path, auth string
		status             int
		body               string
	}{
		{"GET", "/things", "Key k", 200, `{"next": "` + r.URL + `/things?page=2", "things": [1]}` + "\n"},
		{"GET", "/things?page=2", "Key k", 200, `{"next": null, "things": [2]}` + "\n"},
		{"GET", "/things", "Key wrong", 401, `{"error": "who are you"}`},
		{"GET", "/things?page=3", "Key k", 404, `{"error": "no such thing"}`},
		{"POST", "/things", "Key k", 405, ""},
	} {
		status, body := get(t, tc.method, r.URL+tc.path, tc.auth)
		if status != tc.status || body != tc.body {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, status, body, tc.status, tc.body)
		}
	}
	want := []string{"/things", "/things?page=2", "/things", "/things?page=3", "/things"}
	if got := r.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

// TestReplay_Answer: the hook answers what it takes (a vendor's 429) and
// leaves the rest to the fixtures.
func TestReplay_Answer(t *testing.T) {
	r := New(t, Options{Dir: "testdata", Auth: "k", Answer: func(w http.ResponseWriter, key string) bool {
		if key != "/things?page=2" {
			return false
		}
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}})
	if status, _ := get(t, "GET", r.URL+"/things?page=2", "k"); status != http.StatusTooManyRequests {
		t.Errorf("the hook's request: %d", status)
	}
	if status, body := get(t, "GET", r.URL+"/things", "k"); status != http.StatusOK || !strings.Contains(body, `"things": [1]`) {
		t.Errorf("another request: %d %q", status, body)
	}
}

// recorder is a testing.TB that keeps what ReadEach reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

// TestReadEach: every fixture read once passes; one missing, one read
// twice or a request for something else is reported.
func TestReadEach(t *testing.T) {
	for _, tc := range []struct {
		name   string
		paths  []string
		errors int
	}{
		{"each once", []string{"/things", "/things?page=2"}, 0},
		{"one missing", []string{"/things"}, 2},
		{"one twice", []string{"/things", "/things?page=2", "/things"}, 2},
		{"something else", []string{"/things", "/things?page=2", "/other"}, 1},
	} {
		r := New(t, Options{Dir: "testdata", Auth: "k"})
		for _, p := range tc.paths {
			get(t, "GET", r.URL+p, "k")
		}
		rec := &recorder{TB: t}
		r.ReadEach(rec)
		if len(rec.errors) != tc.errors {
			t.Errorf("%s: ReadEach reported %d errors, want %d: %q", tc.name, len(rec.errors), tc.errors, rec.errors)
		}
	}
}
