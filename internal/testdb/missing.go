package testdb

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Need is something outside Go that some tests run for real. A bare checkout
// has none of them, and a test that needs one is skipped there; scripts/test
// provides each and sets its Require variable, so there a missing one fails
// the test instead of skipping it.
type Need struct {
	Name    string // as people call it: "PostgreSQL"
	Require string // the variable that turns the skip into a failure
	Hint    string // how to get it
}

var (
	NeedPostgres = &Need{"PostgreSQL", "HERALD_TEST_REQUIRE_POSTGRES",
		"set HERALD_TEST_DATABASE_URL, or run ./scripts/test, which starts a server"}
	NeedMailpit = &Need{"mailpit", "HERALD_TEST_REQUIRE_MAILPIT",
		"set HERALD_MAILPIT to a mailpit binary, or run ./scripts/test, which builds one"}
	NeedS3 = &Need{"MinIO (an S3-compatible server)", "HERALD_TEST_REQUIRE_S3",
		"set HERALD_MINIO to a minio server binary, or run ./scripts/test, which builds one"}
	NeedAlertmanager = &Need{"Alertmanager", "HERALD_TEST_REQUIRE_ALERTMANAGER",
		"set HERALD_ALERTMANAGER, or go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.31.1, or run ./scripts/test"}
	NeedChromium = &Need{"Chromium", "HERALD_TEST_REQUIRE_BROWSER",
		"apt-get install chromium (or set HERALD_CHROMIUM), or run ./scripts/test"}
	NeedAxe = &Need{"axe-core", "HERALD_TEST_REQUIRE_AXE",
		"set HERALD_AXE to axe.min.js of the npm package axe-core@4.14.1, or run ./scripts/test, which installs it"}
)

// skipped counts, per need, the tests Missing skipped in this test binary.
var skipped = struct {
	sync.Mutex
	n map[*Need]int
}{n: map[*Need]int{}}

// Missing ends the test because need is missing: every test that cannot run
// for want of something goes through here, so the reason reads the same
// everywhere and Main can count it. It fails the test when need.Require is
// set to 1, and skips it otherwise.
func Missing(t testing.TB, need *Need) {
	t.Helper()
	if os.Getenv(need.Require) == "1" {
		t.Fatalf("needs %s, which is missing, and %s=1 requires it: %s", need.Name, need.Require, need.Hint)
	}
	skipped.Lock()
	skipped.n[need]++
	skipped.Unlock()
	t.Skipf("needs %s: %s", need.Name, need.Hint)
}

// Main runs the package's tests (call it from TestMain) and then says how
// many were skipped for something missing, and how to get it, so a bare
// `go test ./...` does not pass in silence. go test hides what a passing
// package prints unless -v is given, so without -v the summary goes to the
// terminal (/dev/tty) when there is one.
func Main(m *testing.M) {
	code := m.Run()
	if err := dropTemplates(); err != nil {
		fmt.Fprintln(os.Stderr, err) // left behind in a server the tests share, harmless to the result
	}
	if s := Summary(); s != "" {
		w := os.Stderr
		if !testing.Verbose() {
			if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
				w = tty
			}
		}
		fmt.Fprint(w, s)
		if w != os.Stderr {
			w.Close()
		}
	}
	os.Exit(code)
}

// Summary describes the tests Missing skipped so far, one line per need
// after a heading that names the package; "" when none were.
func Summary() string {
	skipped.Lock()
	defer skipped.Unlock()
	if len(skipped.n) == 0 {
		return ""
	}
	total := 0
	var lines []string
	for need, n := range skipped.n {
		total += n
		lines = append(lines, fmt.Sprintf("  %d need %s: %s\n", n, need.Name, need.Hint))
	}
	sort.Strings(lines)
	pkg := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	tests := "tests"
	if total == 1 {
		tests = "test"
	}
	return fmt.Sprintf("SKIPPED in %s: %d %s, for something missing (this is not the whole suite; ./scripts/test runs all of it)\n%s",
		pkg, total, tests, strings.Join(lines, ""))
}
