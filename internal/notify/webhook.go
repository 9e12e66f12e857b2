package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Webhook posts messages to URLs: generic webhooks signed the Standard
// Webhooks way, and chat webhooks in Slack's and Teams' formats.
type Webhook struct {
	Client *http.Client
	Now    func() time.Time
}

var _ Sender = (*Webhook)(nil)

// NewWebhook returns a webhook sender with a 10-second timeout.
func NewWebhook() *Webhook {
	return &Webhook{Client: &http.Client{Timeout: 10 * time.Second}, Now: time.Now}
}

// NewPublicWebhook returns a webhook sender for addresses that members of
// the public gave (status page subscribers): it refuses to connect to
// loopback, private, link-local and other internal addresses unless
// allowPrivate is set. The check is made on the address actually dialled,
// so it holds after DNS resolution and after redirects.
func NewPublicWebhook(allowPrivate bool) *Webhook {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if !publicAddr(ip) {
				return fmt.Errorf("refusing to connect to internal address %s (allow with --webhook-allow-private)", ip)
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second, MaxIdleConnsPerHost: 4}
	return &Webhook{Client: &http.Client{Timeout: 10 * time.Second, Transport: tr}, Now: time.Now}
}

func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(ip) && !netip.MustParsePrefix("fc00::/7").Contains(ip)
}

// Send implements Sender.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	var body []byte
	switch m.Kind {
	case "slack":
		body, _ = json.Marshal(map[string]string{"text": slackText(m)})
	case "teams":
		body, _ = json.Marshal(map[string]string{"title": m.Subject, "text": m.Text + "\n\n" + m.URL})
	default:
		body, _ = json.Marshal(map[string]any{"type": m.Event, "timestamp": w.Now().UTC().Format(time.RFC3339), "data": m.Data})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald")
	if m.Kind == "webhook" && m.Secret != "" {
		// Endpoints without a secret (imported subscribers) get the same
		// webhook-id for deduplication, unsigned.
		if err := Sign(req.Header, m.ID, w.Now(), body, m.Secret); err != nil {
			return err
		}
	} else if m.Kind == "webhook" {
		req.Header.Set("webhook-id", m.ID)
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: %s answered %s", hostOf(m.Target), resp.Status)
	}
	return nil
}

func slackText(m Message) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	if m.URL == "" {
		return "*" + esc.Replace(m.Subject) + "*\n" + esc.Replace(m.Text)
	}
	return "*<" + m.URL + "|" + esc.Replace(m.Subject) + ">*\n" + esc.Replace(m.Text)
}

func hostOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

// Sign sets the Standard Webhooks headers: webhook-id, webhook-timestamp
// and webhook-signature, an HMAC-SHA256 of "id.timestamp.body" under the
// endpoint's secret ("whsec_" and base64).
func Sign(h http.Header, id string, now time.Time, body []byte, secret string) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return fmt.Errorf("webhook secret is not whsec_ and base64")
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", id, ts)
	mac.Write(body)
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return nil
}

// Verify checks Standard Webhooks headers against body and secret, for
// receivers (and tests): the signature must match and the timestamp be
// within tolerance of now.
func Verify(h http.Header, body []byte, secret string, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("no webhook-timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook-timestamp too far from now")
	}
	want := http.Header{}
	if err := Sign(want, h.Get("webhook-id"), time.Unix(ts, 0), body, secret); err != nil {
		return err
	}
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want.Get("webhook-signature"))) {
			return nil
		}
	}
	return fmt.Errorf("webhook-signature does not match")
}
