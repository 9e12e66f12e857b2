package notify

import (
	"context"
	"sync"
	"time"
)

// Limiter spaces sends to one key (an SMTP server, a chat webhook URL) at
// least Every apart, so Herald stays within what the receiver accepts
// (Slack takes about one message a second per incoming webhook). Waiting
// holds the calling sender goroutine, not the others.
type Limiter struct {
	Every time.Duration
	mu    sync.Mutex
	next  map[string]time.Time
}

// NewLimiter allows perSecond sends a second per key.
func NewLimiter(perSecond float64) *Limiter {
	return &Limiter{Every: time.Duration(float64(time.Second) / perSecond), next: map[string]time.Time{}}
}

// Wait blocks until the key may send again, or ctx ends.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	l.mu.Lock()
	now := time.Now()
	at := l.next[key]
	if at.Before(now) {
		at = now
	}
	l.next[key] = at.Add(l.Every)
	if len(l.next) > 10000 { // forget keys long idle
		for k, t := range l.next {
			if t.Before(now) {
				delete(l.next, k)
			}
		}
	}
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
