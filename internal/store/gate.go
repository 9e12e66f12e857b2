package store

import (
	"context"
	"sync"
)

// pagingConns is the size of paging's own connection pool on PostgreSQL:
// enough for the escalation and delivery loops of one instance at once.
const pagingConns = 8

// writeGate orders SQLite's writers. SQLite has one writer at a time, so a
// page that queues behind a thousand broadcast steps waits for all of them;
// the gate lets paging writers go ahead of every other queued writer, so a
// page waits for at most the one transaction in progress.
type writeGate struct {
	mu          sync.Mutex
	busy        bool
	first, rest []chan struct{}
}

// acquire waits for the turn to write; first goes ahead of the rest.
func (g *writeGate) acquire(ctx context.Context, first bool) error {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	if first {
		g.first = append(g.first, turn)
	} else {
		g.rest = append(g.rest, turn)
	}
	g.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		if g.drop(turn) {
			g.mu.Unlock()
			return ctx.Err()
		}
		g.mu.Unlock()
		// The turn was handed over as the context ended: pass it on.
		g.release()
		return ctx.Err()
	}
}

// drop removes a waiter that gave up; false when it had been handed the
// turn already.
func (g *writeGate) drop(turn chan struct{}) bool {
	for _, q := range []*[]chan struct{}{&g.first, &g.rest} {
		for i, c := range *q {
			if c == turn {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// release hands the turn to the next waiter, paging first.
func (g *writeGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, q := range []*[]chan struct{}{&g.first, &g.rest} {
		if len(*q) > 0 {
			next := (*q)[0]
			*q = (*q)[1:]
			close(next)
			return
		}
	}
	g.busy = false
}
