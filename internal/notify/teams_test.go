package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/notify"
)

type teamsCard struct {
	Type        string `json:"type"`
	Attachments []struct {
		ContentType string `json:"contentType"`
		Content     struct {
			Version string `json:"version"`
			Body    []struct {
				Type  string `json:"type"`
				Text  string `json:"text"`
				Facts []struct{ Title, Value string }
			} `json:"body"`
			Actions []struct {
				Type, Title, URL string
			} `json:"actions"`
		} `json:"content"`
	} `json:"attachments"`
}

func decodeCard(t *testing.T, b []byte) teamsCard {
	t.Helper()
	var c teamsCard
	if err := json.Unmarshal(b, &c); err != nil || len(c.Attachments) != 1 {
		t.Fatalf("not a card: %v\n%s", err, b)
	}
	return c
}

// What a Teams webhook receives is the message envelope with one Adaptive
// Card 1.4: the subject, the facts, the text and the buttons.
func TestTeamsCardIsAnAdaptiveCardWithFactsAndButtons(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		w.WriteHeader(http.StatusAccepted) // what a Workflow answers
	}))
	defer srv.Close()
	m := notify.Message{ID: "d1", Kind: "teams", Target: srv.URL, Subject: "Paged: db down", Text: "The database is down.",
		Facts: []notify.Fact{{Title: "Severity", Value: "S1"}, {Title: "State", Value: "investigating"}},
		Links: []notify.Link{{Title: "Acknowledge", URL: "https://herald.example.com/ack/tok", Primary: true}, {Title: "Open the page", URL: "https://herald.example.com/app/pages/p1"}}}
	if err := notify.NewWebhook().Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := notify.CheckTeamsCard(got, "https://herald.example.com"); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	c := decodeCard(t, got)
	card := c.Attachments[0].Content
	if c.Type != "message" || c.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" || card.Version != "1.4" {
		t.Fatalf("envelope %s", got)
	}
	if card.Body[0].Text != "Paged: db down" || card.Body[1].Type != "FactSet" || card.Body[1].Facts[0].Value != "S1" || card.Body[2].Text != "The database is down." {
		t.Fatalf("body %s", got)
	}
	if len(card.Actions) != 2 || card.Actions[0].Type != "Action.OpenUrl" || card.Actions[0].URL != "https://herald.example.com/ack/tok" || card.Actions[0].Title != "Acknowledge" {
		t.Fatalf("actions %s", got)
	}
	if strings.Contains(string(got), "truncated") || strings.Contains(string(got), notify.TeamsTruncated) {
		t.Fatalf("a short card says it was shortened: %s", got)
	}
}

// A text too long for Teams' 28 KB is cut on a character boundary, and the
// card says so; the buttons stay.
func TestTeamsCardTruncatesToTheSizeLimit(t *testing.T) {
	for name, unit := range map[string]string{"ascii": "abcdefghij ", "escaped": "<\"&>\n", "multibyte": "Größe 日本語 🚨 "} {
		t.Run(name, func(t *testing.T) {
			text := strings.Repeat(unit, 40000/len(unit))
			m := notify.Message{Kind: "teams", Subject: "Long", Text: text, Links: []notify.Link{{Title: "Open", URL: "https://herald.example.com/app/incidents/INC-1"}}}
			b := notify.TeamsCard(m)
			if len(b) > notify.TeamsMaxPayload || len(b) >= 28*1024 {
				t.Fatalf("%d bytes", len(b))
			}
			if err := notify.CheckTeamsCard(b, ""); err != nil {
				t.Fatal(err)
			}
			card := decodeCard(t, b).Attachments[0].Content
			last := card.Body[len(card.Body)-1]
			if last.Text != notify.TeamsTruncated {
				t.Fatalf("the card does not say it was shortened: %q", last.Text)
			}
			kept := card.Body[1].Text
			if !utf8.ValidString(kept) || !strings.HasSuffix(kept, "…") || len(kept) < 10000 || !strings.HasPrefix(text, strings.TrimSuffix(strings.TrimSuffix(kept, "…"), " ")) {
				t.Fatalf("kept %d bytes, valid %v", len(kept), utf8.ValidString(kept))
			}
			if len(card.Actions) != 1 || card.Actions[0].URL != "https://herald.example.com/app/incidents/INC-1" {
				t.Fatalf("actions %v", card.Actions)
			}
		})
	}
}

// The checker refuses what Teams would not show: a newer schema, a 1.5
// element, a button to a relative or plain http URL elsewhere, an
// oversized body.
func TestCheckTeamsCardRefuses(t *testing.T) {
	good := string(notify.TeamsCard(notify.Message{Subject: "s", Text: "t", URL: "https://herald.example.com/app"}))
	if err := notify.CheckTeamsCard([]byte(good), ""); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"version 1.5":   strings.Replace(good, `"version":"1.4"`, `"version":"1.5"`, 1),
		"Table (1.5)":   strings.Replace(good, `"type":"TextBlock"`, `"type":"Table"`, 1),
		"relative link": strings.Replace(good, `"url":"https://herald.example.com/app"`, `"url":"/app"`, 1),
		"http link":     strings.Replace(good, `"url":"https://herald.example.com/app"`, `"url":"http://elsewhere.example/app"`, 1),
		"not a message": strings.Replace(good, `"type":"message"`, `"type":"card"`, 1),
		"too big":       strings.Replace(good, `"text":"t"`, `"text":"`+strings.Repeat("x", 28*1024)+`"`, 1),
	} {
		if body == good {
			t.Fatalf("%s: the replacement did nothing", name)
		}
		if err := notify.CheckTeamsCard([]byte(body), "https://herald.example.com"); err == nil {
			t.Errorf("%s passed", name)
		}
	}
}
