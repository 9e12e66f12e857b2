package testdb

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// fakeTB records how Missing ended a test instead of ending this one.
type fakeTB struct {
	testing.TB
	failed, skipped string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// missing runs Missing on a fake test in its own goroutine, as the testing
// package runs a test, so that Goexit ends only that.
func missing(need *Need) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() { defer close(done); Missing(f, need) }()
	<-done
	return f
}

func TestMissing_SkipsWithTheWayToGetItCountsAndFailsWhenRequired(t *testing.T) {
	skipped.Lock()
	saved := skipped.n
	skipped.n = map[*Need]int{}
	skipped.Unlock()
	t.Cleanup(func() { skipped.Lock(); skipped.n = saved; skipped.Unlock() })

	t.Setenv(NeedMailpit.Require, "")
	t.Setenv(NeedPostgres.Require, "")
	for i := 0; i < 2; i++ {
		f := missing(NeedMailpit)
		if f.failed != "" || f.skipped != "needs mailpit: "+NeedMailpit.Hint {
			t.Fatalf("not required: failed %q, skipped %q", f.failed, f.skipped)
		}
	}
	missing(NeedPostgres)
	s := Summary()
	for _, want := range []string{"SKIPPED in ", ": 3 tests", "  2 need mailpit: set HERALD_MAILPIT", "  1 need PostgreSQL: set HERALD_TEST_DATABASE_URL"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}

	t.Setenv(NeedMailpit.Require, "1")
	f := missing(NeedMailpit)
	if f.skipped != "" || !strings.Contains(f.failed, "needs mailpit") || !strings.Contains(f.failed, "HERALD_TEST_REQUIRE_MAILPIT=1") {
		t.Errorf("required: failed %q, skipped %q", f.failed, f.skipped)
	}
	if got := skipped.n[NeedMailpit]; got != 2 {
		t.Errorf("a required need that fails is counted as skipped: %d", got)
	}
}

func TestSummary_EmptyWhenNothingSkipped(t *testing.T) {
	skipped.Lock()
	saved := skipped.n
	skipped.n = map[*Need]int{}
	skipped.Unlock()
	t.Cleanup(func() { skipped.Lock(); skipped.n = saved; skipped.Unlock() })
	if s := Summary(); s != "" {
		t.Errorf("summary with nothing skipped: %q", s)
	}
}
