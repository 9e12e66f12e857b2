package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
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

// NewWebhook returns a webhook sender with a 10-second timeout that reaches
// any address: for URLs the operator configured (the phone provider), never
// for URLs people gave, which go through NewPublicWebhook.
func NewWebhook() *Webhook {
	return &Webhook{Client: &http.Client{Timeout: 10 * time.Second}, Now: time.Now}
}

// NewPublicWebhook returns a webhook sender for every URL that people gave
// (users' webhook and chat contact methods, stakeholder channels, status
// page subscribers): it refuses to connect to an address CheckAddr refuses
// unless allowPrivate is set (--webhook-allow-private). The check is made
// on the address actually dialled, so it holds after DNS resolution
// (rebinding included) and after redirects.
func NewPublicWebhook(allowPrivate bool) *Webhook {
	if allowPrivate {
		return guardedWebhook(nil)
	}
	return guardedWebhook(func(ap netip.AddrPort) error { return CheckAddr(ap.Addr()) })
}

// guardedWebhook builds a sender whose dialer calls allow on each address
// before connecting (nil: any address).
func guardedWebhook(allow func(netip.AddrPort) error) *Webhook {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if allow != nil {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("refusing to connect to %q: not an IP address and port", address)
			}
			return allow(ap)
		}
	}
	// No Proxy: a proxy from the environment would be dialled instead of
	// the target, and the check would see the proxy's address.
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second, MaxIdleConnsPerHost: 4}
	return &Webhook{Client: &http.Client{Timeout: 10 * time.Second, Transport: tr}, Now: time.Now}
}

// refused are the ranges no URL people gave may reach besides loopback,
// private, link-local, unspecified and multicast addresses: shared
// (carrier-grade NAT), "this network", benchmarking, reserved, IETF
// protocol assignments, IPv4-compatible and NAT64 IPv6 (which embed an IPv4
// address that may be internal), 6to4, and site-local and unique local
// IPv6.
var refused = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fec0::/10"),
}

// CheckAddr is the one address policy for outbound URLs that people gave:
// nil for a public unicast address, an error saying why otherwise. IPv4
// addresses written as IPv6 (::ffff:127.0.0.1) are judged as IPv4.
func CheckAddr(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	ok := ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast()
	for _, p := range refused {
		ok = ok && !p.Contains(ip)
	}
	if !ok {
		return fmt.Errorf("refusing to connect to internal address %s (allow with --webhook-allow-private)", ip)
	}
	return nil
}

// CheckURL applies CheckAddr to a URL when it is given (creating a contact
// method, a stakeholder channel or a subscriber): to a literal address, and
// to every address its host name resolves to. A name that does not resolve
// now is accepted: the check at dial time still applies to whatever it
// resolves to later. With allowPrivate everything passes.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return CheckAddr(ip)
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("refusing to connect to %s (allow with --webhook-allow-private)", host)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range ips {
		if err := CheckAddr(ip); err != nil {
			return fmt.Errorf("%s resolves to an internal address: %w", host, err)
		}
	}
	return nil
}

// Send implements Sender.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	var body []byte
	switch m.Kind {
	case "slack":
		body, _ = json.Marshal(map[string]string{"text": slackText(m)})
	case "teams":
		// A Workflows webhook and an old connector's both take the card.
		body = TeamsCard(m)
	case "mattermost":
		body = MattermostPayload(m)
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
		// The URL is left out: a chat webhook's path is its credential, and
		// this text lands in logs that viewers read.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook to %s: %w", hostOf(m.Target), err)
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

// hostOf is the host (and port) of a URL, without its credentials, path
// or query, for error messages.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "the webhook"
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
