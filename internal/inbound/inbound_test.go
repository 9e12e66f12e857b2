package inbound_test

import (
	"testing"

	"github.com/heraldhq/herald/internal/inbound"
)

func TestTrimQuoted(t *testing.T) {
	cases := map[string]string{
		"Thanks, all good.\n\nOn Mon, 30 Nov 2026 at 10:00, Ann <a@x> wrote:\n> Hello\n> more": "Thanks, all good.",
		"Yes.\r\n\r\n-----Original Message-----\r\nFrom: Ann\r\nold":                           "Yes.",
		"> quoted first\nMy answer\n-- \nOlga, Ops":                                            "My answer",
		"Outlook answer\n\nFrom: Herald <notices@x>\nSent: Monday":                             "Outlook answer",
		"From: the start is not a quote\nsecond line":                                          "From: the start is not a quote\nsecond line",
	}
	for in, want := range cases {
		if got := inbound.TrimQuoted(in); got != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestParse_Base64PlainAndHeaders(t *testing.T) {
	raw := "From: =?utf-8?q?J=C3=BCrgen?= <j@globex.example>\r\nSubject: =?utf-8?q?Re=3A_Notice?=\r\nMessage-ID: <m1@globex.example>\r\n" +
		"In-Reply-To: <a@reply.example.com>\r\nReferences: <z@reply.example.com> <a@reply.example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nR3LDvMOfZSwgYWxs\r\nZXMgZ3V0Lg==\r\n"
	m, err := inbound.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "j@globex.example" || m.Subject != "Re: Notice" || m.MessageID != "m1@globex.example" || m.InReplyTo != "a@reply.example.com" ||
		len(m.References) != 2 || m.Text != "Grüße, alles gut." {
		t.Fatalf("%+v", m)
	}
}
