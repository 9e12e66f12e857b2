package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/notify"
)

func TestCLI_ChatTeamsTest(t *testing.T) {
	var mu sync.Mutex
	var got [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, b)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	runIt := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"chat", "teams"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &out)
		return out.String(), err
	}
	out, err := runIt("test", srv.URL, "--webhook-allow-private", "--console", "https://herald.example.com")
	if err != nil || !strings.Contains(out, "Sent a test card") || len(got) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := notify.CheckTeamsCard(got[0], "https://herald.example.com"); err != nil || !strings.Contains(string(got[0]), "Test notification") {
		t.Fatalf("%v\n%s", err, got[0])
	}
	// Without --webhook-allow-private the URL must be a Workflows host
	// (or an old connector's): nothing is sent, and the URL is not echoed.
	for _, bad := range []string{srv.URL + "/secret-path", "https://hooks.example.com/secret-path"} {
		out, err = runIt("test", bad)
		if err == nil || !strings.Contains(err.Error(), "URL:") || strings.Contains(err.Error()+out, "secret-path") {
			t.Errorf("%s: %v\n%s", bad, err, out)
		}
	}
	if len(got) != 1 {
		t.Fatalf("sent %d", len(got))
	}
}
