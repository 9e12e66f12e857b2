package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A text message carries its link whole: a long subject is what is cut to
// fit 320 characters. A voice call's text carries none (the provider gets
// it in "url").
func TestProvider_TextKeepsTheLinkWhole(t *testing.T) {
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body struct{ Data map[string]string }
		if err := json.Unmarshal(b, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = append(got, body.Data)
	}))
	defer srv.Close()
	p := &Provider{URL: srv.URL, Secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=", Webhook: NewWebhook()}
	link := "https://herald.example.com/ack/0193a6f4-7b7e-7d2c-9c1e-2f1a0b3c4d5e.abcdefghijklmnopqrstuvwx"
	for _, subject := range []string{"[Herald] API errors (API)", strings.Repeat("x", 400)} {
		for _, kind := range []string{"sms", "voice"} {
			if err := p.Send(context.Background(), Message{ID: "d1", Kind: kind, Target: "+15551234567", Subject: subject, URL: link}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, d := range got {
		text := d["text"]
		if len(text) > 320 || d["url"] != link {
			t.Errorf("%d: %d characters, url %q", i, len(text), d["url"])
		}
		if d["kind"] == "sms" && !strings.HasSuffix(text, " "+link) {
			t.Errorf("%d: SMS text lacks the whole link: %q", i, text)
		}
		if d["kind"] == "voice" && strings.Contains(text, "https://") {
			t.Errorf("%d: voice text reads a link aloud: %q", i, text)
		}
	}
	if len(got) != 4 {
		t.Fatalf("provider got %d", len(got))
	}
}
