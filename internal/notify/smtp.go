package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// SMTP sends e-mail through one server. smtp:// upgrades with STARTTLS when
// the server offers it; smtps:// speaks TLS from the start.
type SMTP struct {
	addr, host  string
	implicitTLS bool
	auth        smtp.Auth
	from        string
	Timeout     time.Duration

	// Sessions are reused: a broadcast to many addresses pays for the
	// connection, TLS and authentication once per sender, not per mail.
	mu   sync.Mutex
	idle []*session
}

type session struct {
	c    *smtp.Client
	conn net.Conn
	used time.Time
}

// maxIdle is how many sessions wait for reuse; idleFor how long one may
// wait before it is closed (servers drop quiet connections).
const (
	maxIdle = 8
	idleFor = 20 * time.Second
)

var _ Sender = (*SMTP)(nil)

// NewSMTP parses smtp://user:pass@host:port (or smtps://) and the sender
// address. The password stays in memory; it is never logged.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("--smtp-url must look like smtp://user:password@host:587 or smtps://host:465")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("--smtp-from must be an e-mail address: %v", err)
	}
	s := &SMTP{host: u.Hostname(), implicitTLS: u.Scheme == "smtps", from: from, Timeout: 20 * time.Second}
	port := u.Port()
	if port == "" {
		port = map[bool]string{true: "465", false: "587"}[s.implicitTLS]
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	return s, nil
}

// Send implements Sender. A reused session that fails is closed and the
// mail is tried once more on a fresh one, so a server that dropped an idle
// connection costs no retry delay.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if sess := s.take(); sess != nil {
		if err := s.deliver(ctx, sess, m); err == nil {
			s.put(sess)
			return nil
		}
		sess.c.Close()
	}
	sess, err := s.dial(ctx)
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, sess, m); err != nil {
		sess.c.Close()
		return err
	}
	s.put(sess)
	return nil
}

func (s *SMTP) take() *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.idle) > 0 {
		sess := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if time.Since(sess.used) < idleFor {
			return sess
		}
		sess.c.Close()
	}
	return nil
}

func (s *SMTP) put(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.idle) >= maxIdle {
		sess.c.Quit()
		return
	}
	sess.used = time.Now()
	s.idle = append(s.idle, sess)
}

// dial opens an authenticated session.
func (s *SMTP) dial(ctx context.Context) (*session, error) {
	d := net.Dialer{Timeout: s.Timeout}
	var conn net.Conn
	var err error
	if s.implicitTLS {
		td := tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: s.host}}
		conn, err = td.DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp: connect %s: %w", s.addr, err)
	}
	conn.SetDeadline(s.deadline(ctx))
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicitTLS {
		if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
			c.Close()
			return nil, fmt.Errorf("smtp: starttls: %w", err)
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			c.Close()
			return nil, fmt.Errorf("smtp: auth: %w", err)
		}
	}
	return &session{c: c, conn: conn}, nil
}

// deadline is when the conversation must end: the sender's timeout, or the
// caller's deadline when that comes first (a broadcast's delivery is bounded
// by --broadcast-timeout).
func (s *SMTP) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(s.Timeout)
	if c, ok := ctx.Deadline(); ok && c.Before(d) {
		return c
	}
	return d
}

// deliver sends one mail on an open session and leaves it ready for the
// next (RSET clears any half-finished transaction).
func (s *SMTP) deliver(ctx context.Context, sess *session, m Message) error {
	sess.conn.SetDeadline(s.deadline(ctx))
	c := sess.c
	if err := c.Reset(); err != nil {
		return fmt.Errorf("smtp: RSET: %w", err)
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	for _, rcpt := range append([]string{m.Target}, m.Cc...) {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("smtp: RCPT TO %s: %w", rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(s.compose(m)); err != nil {
		return fmt.Errorf("smtp: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: end of data: %w", err)
	}
	return nil
}

// compose builds the message. Its Message-ID carries the idempotency key,
// so a mail sent twice after a crash is recognisably the same mail.
func (s *SMTP) compose(m Message) []byte {
	var b strings.Builder
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	domain := s.host
	if at := strings.LastIndex(s.from, "@"); at >= 0 {
		domain = strings.Trim(s.from[at+1:], "<> ")
	}
	hdr("From", s.from)
	hdr("To", m.Target)
	if len(m.Cc) > 0 {
		hdr("Cc", strings.Join(m.Cc, ", "))
	}
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
	if m.Headers["Message-ID"] == "" {
		hdr("Message-ID", "<"+m.ID+"@"+domain+">")
	}
	hdr("X-Herald-Event", m.Event)
	for _, k := range slices.Sorted(maps.Keys(m.Headers)) {
		hdr(k, m.Headers[k])
	}
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	text := m.Text
	if m.URL != "" {
		text += "\n\n" + m.URL
	}
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}
