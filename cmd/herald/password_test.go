package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestCLI_SetPasswordFromStdin sets a password from standard input (never
// a flag) through the admin API; the person then signs in to the console
// with it, and a password the policy refuses changes nothing.
func TestCLI_SetPasswordFromStdin(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		srv, _ := startServer(t, d)
		mustCLI(t, srv, "user", "create", "--name", "Ann", "--email", "ann@example.com")
		setPassword := func(stdin string) (string, error) {
			vars := map[string]string{"HERALD_SERVER": srv, "HERALD_TOKEN": testAdminToken}
			var out bytes.Buffer
			err := run(context.Background(), []string{"user", "set-password", "ann@example.com"}, func(k string) string { return vars[k] }, strings.NewReader(stdin), &out, &out)
			return out.String(), err
		}
		signIn := func(pw string) int {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := c.PostForm(srv+"/login", url.Values{"email": {"ann@example.com"}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if out, err := setPassword(""); err == nil || !strings.Contains(err.Error(), "standard input") {
			t.Fatalf("empty stdin: %v %s", err, out)
		}
		if out, err := setPassword("password1234\n"); err == nil || !strings.Contains(err.Error(), "common") {
			t.Fatalf("common password: %v %s", err, out)
		}
		if out, err := setPassword("lantern orbit cactus\n"); err != nil || !strings.Contains(out, "password set") {
			t.Fatalf("set-password: %v %s", err, out)
		}
		if code := signIn("lantern orbit cactus"); code != http.StatusSeeOther {
			t.Fatalf("sign in with the new password: %d", code)
		}
		if code := signIn("password1234"); code != http.StatusUnauthorized {
			t.Fatalf("sign in with the refused password: %d", code)
		}
	})
}
