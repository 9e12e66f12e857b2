package testdb

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Mailpit is a real SMTP server for tests, read back through its HTTP API.
type Mailpit struct {
	SMTP string // host:port
	API  string // http://host:port
}

// StartMailpit starts mailpit on free loopback ports for the test (see Tool
// for where it is found).
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := Tool(t, NeedMailpit, "mailpit")
	free := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	// A free port can be taken by another test between choosing it and
	// mailpit binding it; then mailpit exits, and we try new ports.
	for attempt := 0; attempt < 3; attempt++ {
		m := &Mailpit{SMTP: free()}
		web := free()
		m.API = "http://" + web
		cmd := exec.Command(bin, "--listen", web, "--smtp", m.SMTP, "--disable-version-check",
			"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--quiet")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		deadline := time.Now().Add(30 * time.Second)
		for {
			if resp, err := http.Get(m.API + "/api/v1/messages"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					t.Cleanup(func() { cmd.Process.Kill(); <-exited })
					return m
				}
			}
			select {
			case <-exited:
			case <-time.After(50 * time.Millisecond):
				if time.Now().Before(deadline) {
					continue
				}
				cmd.Process.Kill()
				<-exited
				t.Fatal("mailpit did not start within 30 s")
			}
			break // it exited: try other ports
		}
	}
	t.Fatal("mailpit exited three times at start")
	return nil
}

// MailMessage is a message as mailpit lists it.
type MailMessage struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	Subject   string `json:"Subject"`
	To        []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// Messages lists the messages mailpit received, newest first.
func (m *Mailpit) Messages(t testing.TB) []MailMessage {
	t.Helper()
	resp, err := http.Get(m.API + "/api/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []MailMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// ToList returns the addresses of a message, comma-separated.
func (mm MailMessage) ToList() string {
	var out []string
	for _, a := range mm.To {
		out = append(out, a.Address)
	}
	return strings.Join(out, ",")
}

// String describes the server.
func (m *Mailpit) String() string { return fmt.Sprintf("mailpit smtp %s api %s", m.SMTP, m.API) }

// Headers returns one message's headers.
func (m *Mailpit) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	resp, err := http.Get(m.API + "/api/v1/message/" + id + "/headers")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string][]string{}
	json.NewDecoder(resp.Body).Decode(&out)
	return out
}

// Text returns one message's plain text.
func (m *Mailpit) Text(t testing.TB, id string) string {
	t.Helper()
	resp, err := http.Get(m.API + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Text string }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Text
}
