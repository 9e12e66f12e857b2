package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Paging writers go ahead of every other queued writer on SQLite: a page
// waits for the transaction in progress, not for the queue behind it.
func TestWriteGate_PagingGoesFirst(t *testing.T) {
	var g writeGate
	ctx := context.Background()
	if err := g.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	var order []string // appended while holding the gate
	var wg sync.WaitGroup
	wait := func(name string, first bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.acquire(ctx, first); err != nil {
				t.Error(err)
				return
			}
			order = append(order, name)
			g.release()
		}()
	}
	wait("broadcast 1", false)
	wait("broadcast 2", false)
	queued := func(n int) {
		for {
			g.mu.Lock()
			q := len(g.first) + len(g.rest)
			g.mu.Unlock()
			if q == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	queued(2)
	wait("page", true)
	queued(3)
	g.release()
	wg.Wait()
	if len(order) != 3 || order[0] != "page" {
		t.Fatalf("order %v; want the page first", order)
	}
	if g.busy {
		t.Fatal("the gate is still held after every writer released it")
	}
}

// A writer that gives up waiting leaves the queue, and the gate still
// passes to the others.
func TestWriteGate_CancelledWaiterLeavesTheQueue(t *testing.T) {
	var g writeGate
	if err := g.acquire(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := g.acquire(ctx, true); err == nil {
		t.Fatal("acquired a held gate")
	}
	if len(g.first) != 0 {
		t.Fatal("the cancelled waiter is still queued")
	}
	g.release()
	if err := g.acquire(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	g.release()
}
