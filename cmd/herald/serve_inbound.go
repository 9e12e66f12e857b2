package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"

	"github.com/heraldhq/herald/internal/inbound"
	"github.com/heraldhq/herald/internal/links"
)

// startInbound starts the SMTP listener for customers' replies to notices
// (--inbound-smtp-addr): it runs beside the HTTP server and stops with it.
func startInbound(addr string, r inbound.Receiver, lk links.Links, log *slog.Logger, say announcer) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--inbound-smtp-addr: listen: %w", err)
	}
	host := "herald"
	if u, err := url.Parse(lk.Base()); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	srv := inbound.New(r, host, log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil {
			log.Error("inbound SMTP listener stopped", "err", err)
		}
	}()
	log.Info("inbound SMTP listening", "addr", ln.Addr().String())
	say.say("Replies to notices: SMTP at "+ln.Addr().String(), "inbound_smtp", ln.Addr().String())
	return func() { srv.Close(); <-done }, nil
}
