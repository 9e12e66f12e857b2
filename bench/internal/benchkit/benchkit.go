// Package benchkit holds what Herald's benchmark programs share: building
// the herald binary from the checkout, free loopback ports, starting and
// stopping `herald serve` and waiting for it, a fresh PostgreSQL database
// per run, the paging set-up (user, policy, service), sending events, a
// webhook receiver for page notifications, CPU time from /proc and
// percentiles.
package benchkit

import (
	"database/sql"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for FreshDatabase
)

// BuildHerald builds ./cmd/herald into dir and returns the binary's path.
// Run the benchmarks from the repository root.
func BuildHerald(dir string) (string, error) {
	bin := filepath.Join(dir, "herald")
	build := exec.Command("go", "build", "-o", bin, "./cmd/herald")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build herald (run from the repository root): %w", err)
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitReady polls url until it answers 200 or timeout passes.
func WaitReady(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", url, timeout)
}

// FreshDatabase makes an empty database on the PostgreSQL server at url and
// returns its URL.
func FreshDatabase(url, prefix string) (string, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return "", err
	}
	defer db.Close()
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", err
	}
	i := strings.LastIndex(url, "/")
	rest := ""
	if q := strings.Index(url[i:], "?"); q >= 0 {
		rest = url[i+q:]
	}
	return url[:i+1] + name + rest, nil
}

// Main parses the command line and runs run; if it fails, Main prints the
// error after "bench:" on standard error and exits with status 1.
func Main(run func() error) {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
