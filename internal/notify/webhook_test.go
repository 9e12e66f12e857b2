package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "0.0.0.0", "0.1.2.3", "::",
		"10.1.2.3", "172.16.0.1", "192.168.1.1", "::ffff:10.0.0.1", "fc00::1", "fd12::1", "fec0::1",
		"169.254.169.254", "fe80::1", "fe80::1%eth0", "224.0.0.1", "ff02::1", "255.255.255.255",
		"100.64.0.1", "100.127.255.255", "198.18.0.1", "198.19.255.255", "240.0.0.1", "250.1.2.3",
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1", "::7f00:1", "2002:7f00:1::1", "192.0.0.8",
	}
	for _, s := range refused {
		if err := CheckAddr(netip.MustParseAddr(s)); err == nil {
			t.Errorf("%s: allowed, want refused", s)
		}
	}
	allowed := []string{"93.184.216.34", "8.8.8.8", "198.17.255.255", "198.20.0.1", "100.63.255.255", "100.128.0.1", "2606:4700::1", "::ffff:8.8.8.8"}
	for _, s := range allowed {
		if err := CheckAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s: %v, want allowed", s, err)
		}
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{
		"http://127.0.0.1:8080/hook", "http://[::1]/", "http://[::ffff:127.0.0.1]:9/", "http://localhost/",
		"http://LOCALHOST./x", "http://api.localhost/", "https://198.18.0.1/", "https://[64:ff9b::7f00:1]/",
		"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data",
	} {
		if err := CheckURL(ctx, u, false); err == nil {
			t.Errorf("%s: allowed, want refused", u)
		}
		if err := CheckURL(ctx, u, true); err != nil {
			t.Errorf("%s with allowPrivate: %v", u, err)
		}
	}
	if err := CheckURL(ctx, "https://93.184.216.34/hook", false); err != nil {
		t.Errorf("public address: %v", err)
	}
	// A name that does not resolve is judged at dial time.
	if err := CheckURL(ctx, "https://no-such-host.invalid/hook", false); err != nil {
		t.Errorf("unresolvable name: %v", err)
	}
}

// hits counts requests to a test server.
func hits(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestPublicWebhook_RefusesLoopbackAtDial(t *testing.T) {
	srv, n := hits(t, nil)
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1")
	ctx := context.Background()
	guarded := NewPublicWebhook(false)
	for _, target := range []string{srv.URL, "http://localhost" + port, "http://[::ffff:127.0.0.1]" + port} {
		err := guarded.Send(ctx, Message{ID: "d1", Kind: "webhook", Target: target})
		if err == nil || !strings.Contains(err.Error(), "internal address") {
			t.Errorf("%s: %v, want refused at dial", target, err)
		}
	}
	if n.Load() != 0 {
		t.Fatalf("the loopback server got %d requests", n.Load())
	}
	if err := NewPublicWebhook(true).Send(ctx, Message{ID: "d1", Kind: "slack", Target: srv.URL}); err != nil || n.Load() != 1 {
		t.Fatalf("with allowPrivate: %v, %d requests", err, n.Load())
	}
}

// The check is made on every connection, so a redirect from an allowed
// endpoint to a refused one is refused too.
func TestPublicWebhook_RefusesRedirectToInternal(t *testing.T) {
	internal, reached := hits(t, nil)
	outside, n := hits(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/metadata", http.StatusTemporaryRedirect)
	})
	allowed := netip.MustParseAddrPort(strings.TrimPrefix(outside.URL, "http://"))
	w := guardedWebhook(func(ap netip.AddrPort) error {
		if ap == allowed {
			return nil // stands for a public address
		}
		return CheckAddr(ap.Addr())
	})
	err := w.Send(context.Background(), Message{ID: "d1", Kind: "webhook", Target: outside.URL})
	if err == nil || n.Load() != 1 || reached.Load() != 0 {
		t.Fatalf("redirect to loopback: err %v, outside %d, internal %d requests", err, n.Load(), reached.Load())
	}
}

// A failed delivery's error lands in page logs that viewers read: it names
// the host, never the URL's path (a chat webhook's credential) or password.
func TestWebhook_ErrorHidesURL(t *testing.T) {
	target := "http://user:hunter2@127.0.0.1:1/services/T0/B0/SECRETPATH?token=q"
	err := NewPublicWebhook(false).Send(context.Background(), Message{ID: "d1", Kind: "slack", Target: target})
	if err == nil {
		t.Fatal("delivered to loopback")
	}
	for _, leak := range []string{"SECRETPATH", "hunter2", "token=q"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error %q shows %s", err, leak)
		}
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q does not name the host", err)
	}
	u, _ := url.Parse(target)
	if hostOf(target) != u.Host {
		t.Errorf("hostOf = %q", hostOf(target))
	}
}
