package notify

import (
	"context"
	"net"
	"testing"
	"time"
)

// A relay that accepts and then says nothing holds a delivery only as long
// as its caller allows: a broadcast's delivery is bounded by its context,
// not by the sender's own 20 s.
func TestSMTP_HonoursTheCallersDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never greeted
		}
	}()
	s, err := NewSMTP("smtp://"+ln.Addr().String(), "herald@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if s.Timeout < 10*time.Second {
		t.Fatalf("the sender's own timeout is %v; the test needs it long", s.Timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Send(ctx, Message{ID: "m1", Kind: "email", Target: "reader@example.com", Subject: "s", Text: "t"}); err == nil {
		t.Fatal("a relay that never greeted took the mail")
	}
	if took := time.Since(start); took > s.Timeout/2 {
		t.Fatalf("Send returned after %v; the caller allowed 200ms", took)
	}
}
