package notify

import (
	"context"
	"testing"
	"time"
)

func TestLimiter_SpacesSendsPerKey(t *testing.T) {
	t.Parallel()
	l := NewLimiter(20) // 50 ms apart
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		if err := l.Wait(ctx, "a"); err != nil {
			t.Fatal(err)
		}
	}
	// Three sends to one key take two intervals; another key is not held up.
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("three sends in %s, want at least 100 ms", d)
	}
	other := time.Now()
	l.Wait(ctx, "b")
	if d := time.Since(other); d > 40*time.Millisecond {
		t.Fatalf("another key waited %s", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	l.Wait(cctx, "a")
	if err := l.Wait(cctx, "a"); err == nil {
		t.Fatal("a cancelled wait returned no error")
	}
}
