package worker

import (
	"strings"
	"testing"
	"time"
)

// A loop that has made no progress for longer than the limit is reported
// (readyz fails on it), and the heartbeat stops when it is a paging loop.
func TestHealth_WedgedLoopIsReported(t *testing.T) {
	w := &Worker{}
	w.loops = []*loop{{name: "escalation", paging: true}, {name: "paging", paging: true}, {name: "broadcast"}}
	w.once.Do(func() {}) // loops given, not built from a database
	for _, l := range w.loops {
		l.beat.Store(time.Now().UnixNano())
	}
	if err := w.Health(time.Minute); err != nil || !w.pagingReady(time.Minute) {
		t.Fatalf("fresh loops: %v", err)
	}
	w.loops[2].beat.Store(time.Now().Add(-2 * time.Minute).UnixNano())
	if err := w.Health(time.Minute); err == nil || !strings.Contains(err.Error(), "broadcast loop") {
		t.Fatalf("a wedged broadcast loop: %v", err)
	}
	if !w.pagingReady(time.Minute) {
		t.Fatal("a wedged broadcast loop stopped the paging heartbeat")
	}
	w.loops[1].beat.Store(time.Now().Add(-2 * time.Minute).UnixNano())
	if w.pagingReady(time.Minute) {
		t.Fatal("a wedged paging loop still vouched for")
	}
}
