package herald_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// The export reads back as an import: the one CSV format the API and the
// console share.
func TestSubscribersCSV_ExportReadsBack(t *testing.T) {
	at := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	subs := []herald.Subscriber{
		{Kind: "email", Target: "ann@example.com", Components: []string{"c1", "c2"}, Confirmed: true, CreatedAt: at},
		{Kind: "webhook", Target: "https://hooks.example.com/x,y", Components: []string{}, CreatedAt: at},
	}
	var buf bytes.Buffer
	err := herald.WriteSubscribersCSV(&buf, func(fn func(herald.Subscriber) error) error {
		for _, s := range subs {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "kind,target,components,confirmed,created_at\n" +
		"email,ann@example.com,c1 c2,true,2026-11-30T01:00:00Z\n" +
		"webhook,\"https://hooks.example.com/x,y\",,false,2026-11-30T01:00:00Z\n"
	if buf.String() != want {
		t.Fatalf("export:\n%s\nwant:\n%s", buf.String(), want)
	}
	rows, err := herald.ReadSubscribersCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	wantRows := []herald.SubscriberInput{
		{Email: "ann@example.com", Components: []string{"c1", "c2"}},
		{WebhookURL: "https://hooks.example.com/x,y"},
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Fatalf("read back %+v, want %+v", rows, wantRows)
	}
}

func TestSubscribersCSV_ReadRefusesWithTheLine(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"no header", "", "header line"},
		{"header without target", "kind,address\nemail,a@example.com\n", "kind and target"},
		{"unknown kind", "kind,target\nemail,a@example.com\nfax,+3212345\n", "line 3: kind must be"},
		{"broken quote", "kind,target\nemail,\"a@example.com\n", "line 2:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := herald.ReadSubscribersCSV(strings.NewReader(c.in))
			if herald.ErrorCode(err) != herald.EInvalid || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want EInvalid containing %q", err, c.want)
			}
		})
	}
}
