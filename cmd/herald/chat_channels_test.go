package main

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// herald chat bind|channels|unbind: a channel bound by hand is listed and
// unbound; a bad platform names the field.
func TestCLI_ChatBindChannelsUnbind(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		srv, _ := startServer(t, d)
		mustCLI(t, srv, "chat", "run", "declare S3 Search is slow")
		if _, err := cli(t, srv, "chat", "bind", "INC-1", "--platform", "irc", "--channel", "C123"); err == nil || !strings.Contains(err.Error(), "platform") {
			t.Fatalf("bad platform: %v", err)
		}
		if out := mustCLI(t, srv, "chat", "bind", "INC-1", "--platform", "slack", "--channel", "C123"); !strings.Contains(out, "Bound the slack channel C123 to INC-1") {
			t.Fatalf("bind: %s", out)
		}
		if out := mustCLI(t, srv, "chat", "channels", "INC-1"); !strings.Contains(out, "slack") || !strings.Contains(out, "C123") {
			t.Fatalf("channels: %s", out)
		}
		mustCLI(t, srv, "chat", "unbind", "INC-1", "--platform", "slack", "--channel", "C123")
		if out := mustCLI(t, srv, "chat", "channels", "INC-1"); strings.Contains(out, "C123") {
			t.Fatalf("after unbinding: %s", out)
		}
	})
}
