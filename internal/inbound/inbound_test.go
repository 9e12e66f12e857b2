package inbound_test

import (
	"context"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
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

// fakeReceiver knows one reply address and keeps what it is given.
type fakeReceiver struct {
	got []herald.InboundMail
}

func (f *fakeReceiver) KnowsReplyAddress(_ context.Context, addr string) (bool, error) {
	return addr == "notices+0123456789abcdef@reply.example.com", nil
}

func (f *fakeReceiver) ReceiveReply(_ context.Context, m herald.InboundMail) (herald.NoticeThread, error) {
	f.got = append(f.got, m)
	return herald.NoticeThread{ID: "t1"}, nil
}

// The listener refuses unknown recipients (550) and mail over the size
// limit (552), and hands a good reply over with its envelope recipients.
func TestServer_RefusesUnknownAndOversizedMail(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeReceiver{}
	srv := inbound.New(r, "herald.test", slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr, known := ln.Addr().String(), "notices+0123456789abcdef@reply.example.com"
	if err := smtp.SendMail(addr, nil, "a@b.example", []string{"someone@reply.example.com"}, []byte("Subject: x\r\n\r\nhi\r\n")); err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("unknown recipient: %v", err)
	}
	big := "Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 99)+"\r\n", inbound.MaxMessageBytes/100+10)
	if err := smtp.SendMail(addr, nil, "a@b.example", []string{known}, []byte(big)); err == nil || !strings.Contains(err.Error(), "552") {
		t.Fatalf("oversized: %v", err)
	}
	if err := smtp.SendMail(addr, nil, "a@b.example", []string{known}, []byte("From: a@b.example\r\nSubject: Re: x\r\n\r\nFine.\r\n")); err != nil {
		t.Fatal(err)
	}
	if len(r.got) != 1 || r.got[0].Text != "Fine." || len(r.got[0].Recipients) != 1 || r.got[0].Recipients[0] != known {
		t.Fatalf("received: %+v", r.got)
	}
}
