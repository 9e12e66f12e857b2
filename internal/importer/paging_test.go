package importer

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPages_ReadsNextOnTheBase: each page is read from the base's scheme
// and host whatever the link names (another host, user info, http for
// https), with the link's path and query; the list ends on "".
func TestPages_ReadsNextOnTheBase(t *testing.T) {
	base, _ := url.Parse("https://api.example.com")
	var read []string
	got, err := Pages(base, "https://api.example.com/v2/users?offset=0", "vendor: users", func(u string) ([]int, string, error) {
		read = append(read, u)
		switch len(read) {
		case 1:
			return []int{1, 2}, "http://user:secret@elsewhere.example.com:8080/v2/users?offset=2", nil
		case 2:
			return []int{3}, "/v2/users?offset=3", nil
		}
		return nil, "", nil
	})
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("Pages = %v, %v", got, err)
	}
	want := []string{"https://api.example.com/v2/users?offset=0", "https://api.example.com/v2/users?offset=2", "https://api.example.com/v2/users?offset=3"}
	if !slices.Equal(read, want) {
		t.Errorf("read %q, want %q", read, want)
	}
}

func TestPages_Errors(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	refused := errors.New("vendor: users: HTTP 500")
	for _, tc := range []struct {
		name  string
		fetch func(string) ([]int, string, error)
		want  string
	}{
		{"endless", func(u string) ([]int, string, error) { return []int{1}, u, nil }, "vendor: users: more than 10000 pages; stopped"},
		{"bad link", func(string) ([]int, string, error) { return []int{1}, "http://[::1", nil }, `vendor: users: the next page "http://[::1" is not a URL`},
		{"fetch fails", func(string) ([]int, string, error) { return nil, "", refused }, refused.Error()},
	} {
		n := 0
		got, err := Pages(base, "/users", "vendor: users", func(u string) ([]int, string, error) { n++; return tc.fetch(u) })
		if err == nil || err.Error() != tc.want || got != nil {
			t.Errorf("%s: Pages = %v, %v, want %q", tc.name, got, err, tc.want)
		}
		if tc.name == "endless" && n != MaxPages {
			t.Errorf("endless: %d pages read, want %d", n, MaxPages)
		}
		if tc.name == "fetch fails" && !errors.Is(err, refused) {
			t.Errorf("fetch's error is not returned as it is: %v", err)
		}
	}
}

// TestGet_SendsAuthAndReadsTheBody: the auth goes as the Authorization
// header as it is, JSON is asked for, and any status comes back with its
// body and headers for the vendor to judge.
func TestGet_SendsAuthAndReadsTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "GenieKey k" || r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"message":"slow down"}`))
	}))
	defer srv.Close()
	resp, body, err := Get(context.Background(), srv.Client(), srv.URL+"/x", "GenieKey k")
	if err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" || string(body) != `{"message":"slow down"}` {
		t.Fatalf("Get = %v, %q, %v", resp, body, err)
	}
	if _, _, err := Get(context.Background(), srv.Client(), "http://[::1", "k"); err == nil {
		t.Error("Get of a bad URL succeeded")
	}
}

func TestSnippet(t *testing.T) {
	if got := Snippet([]byte("  <html>\n  <b>Bad\tgateway</b>\n</html> ")); got != "<html> <b>Bad gateway</b> </html>" {
		t.Errorf("Snippet = %q", got)
	}
	long := Snippet([]byte(strings.Repeat("ab ", 100)))
	if !strings.HasSuffix(long, "…") || len(long) != 200+len("…") {
		t.Errorf("Snippet of a long body = %q (%d bytes)", long, len(long))
	}
}

func TestParseBase(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.example.com":          true,
		"http://127.0.0.1:8080/oncall":     true,
		"api.example.com":                  false,
		"ftp://api.example.com":            false,
		"https://":                         false,
		"":                                 false,
		"https://api.example.com/%zz":      false,
		"HTTPS://api.example.com/v2/users": true,
	} {
		u, got := ParseBase(raw)
		if got != ok || got && u == nil {
			t.Errorf("ParseBase(%q) = %v, %v, want ok %v", raw, u, got, ok)
		}
	}
}

func TestClient(t *testing.T) {
	if c := Client(nil); c == nil || c.Timeout != time.Minute {
		t.Errorf("Client(nil) = %+v, want a minute's timeout", c)
	}
	hc := &http.Client{}
	if Client(hc) != hc {
		t.Error("Client(hc) is not hc")
	}
}
