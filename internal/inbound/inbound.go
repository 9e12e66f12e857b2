// Package inbound receives customers' replies to notices (R41): an SMTP
// listener (github.com/emersion/go-smtp) that accepts mail only for the
// reply addresses of known threads, reads the reply's own text and hands
// it to the store, which appends it to its thread and the incident's
// timeline and prompts the thread's owner. Mail for any other address is
// refused with 550 at RCPT, so the listener relays nothing and stores
// nothing it does not know.
package inbound

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/heraldhq/herald"
)

// MaxMessageBytes bounds one reply: a reply with its quoted history and a
// signature fits well within it; attachments are not kept.
const MaxMessageBytes = 1 << 20

// Receiver is what the listener needs of the store.
type Receiver interface {
	KnowsReplyAddress(ctx context.Context, addr string) (bool, error)
	ReceiveReply(ctx context.Context, m herald.InboundMail) (herald.NoticeThread, error)
}

// Server is the inbound SMTP listener.
type Server struct {
	srv *smtp.Server
	log *slog.Logger
}

// New makes a listener that hands replies to r. domain is what it calls
// itself in its greeting.
func New(r Receiver, domain string, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{log: log}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{r: r, log: log}, nil
	})
	s.srv = smtp.NewServer(be)
	s.srv.Domain = domain
	s.srv.MaxMessageBytes = MaxMessageBytes
	s.srv.MaxRecipients = 10
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	return s
}

// Serve accepts connections on l until Close.
func (s *Server) Serve(l net.Listener) error {
	err := s.srv.Serve(l)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the listener and its connections.
func (s *Server) Close() error { return s.srv.Close() }

type session struct {
	r    Receiver
	log  *slog.Logger
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// errUnknown refuses a recipient that is no thread's reply address.
var errUnknown = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such notice thread"}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := s.r.KnowsReplyAddress(ctx, to)
	if err != nil {
		s.log.Warn("inbound mail: cannot check a recipient", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	if !ok {
		return errUnknown
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // too large: go-smtp answers 552
	}
	m, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "cannot read the message: " + err.Error()}
	}
	m.Recipients = s.to
	if m.From == "" {
		m.From = s.from
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	th, err := s.r.ReceiveReply(ctx, m)
	if herald.ErrorCode(err) == herald.ENotFound {
		return errUnknown
	}
	if err != nil {
		s.log.Warn("inbound mail: cannot record a reply", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.log.Info("customer reply accepted", "thread", th.ID)
	return nil
}

// Parse reads a mail: its headers, and the text of its first text/plain
// part with quoted history trimmed.
func Parse(raw []byte) (herald.InboundMail, error) {
	var out herald.InboundMail
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return out, err
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	out.Subject = h.Get("Subject")
	if s, err := dec.DecodeHeader(out.Subject); err == nil {
		out.Subject = s
	}
	if a, err := mail.ParseAddress(h.Get("From")); err == nil {
		out.From = a.Address
	}
	out.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-ID")), "<>")
	out.InReplyTo = firstID(h.Get("In-Reply-To"))
	out.References = ids(h.Get("References"))
	text, err := plainText(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if err != nil {
		return out, err
	}
	out.Text = TrimQuoted(text)
	return out, nil
}

var idRE = regexp.MustCompile(`<([^<>\s]+)>`)

func ids(s string) []string {
	var out []string
	for _, m := range idRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

func firstID(s string) string {
	if l := ids(s); len(l) > 0 {
		return l[0]
	}
	return strings.TrimSpace(s)
}

// plainText finds the first text/plain part of a body (multiparts nested
// up to a few levels) and decodes it.
func plainText(contentType, encoding string, body io.Reader, depth int) (string, error) {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("content type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth > 4 {
			return "", errors.New("multipart nested too deep")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return "", errors.New("no text/plain part")
			}
			if err != nil {
				return "", err
			}
			text, err := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err == nil {
				return text, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", errors.New("not text/plain")
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body})
	}
	b, err := io.ReadAll(io.LimitReader(body, MaxMessageBytes))
	if err != nil {
		return "", err
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

// crlfStripper drops line breaks from base64 text.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// quoteStarts are lines after which a reply quotes what it answers.
var quoteStarts = []*regexp.Regexp{
	regexp.MustCompile(`^On .{1,200} wrote:\s*$`),
	regexp.MustCompile(`^Am .{1,200} schrieb .{0,200}:\s*$`),
	regexp.MustCompile(`(?i)^-+\s*Original Message\s*-+\s*$`),
	regexp.MustCompile(`^From: .+`),
	regexp.MustCompile(`^_{10,}\s*$`),
}

// TrimQuoted keeps a reply's own text: it stops at the first line that
// starts the quoted history ("On ... wrote:", "-----Original Message-----",
// an Outlook "From:" block) and drops "> " quoted lines, and a signature
// after "-- ".
func TrimQuoted(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var keep []string
lines:
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimRight(line, " \t")
		if t == "--" && len(keep) > 0 {
			break
		}
		for _, re := range quoteStarts {
			if re.MatchString(strings.TrimSpace(t)) && len(strings.TrimSpace(strings.Join(keep, ""))) > 0 {
				break lines
			}
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		keep = append(keep, t)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}
