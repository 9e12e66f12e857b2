package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// TestCLI_PageIDPrefix: `herald page ack 01a2293d` acknowledges the one page
// whose id starts so; a prefix several pages share is an error listing
// them, and one no page has says so.
func TestCLI_PageIDPrefix(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		url, _ := startServer(t, d)
		// 18 pages, three a service (a service's fourth page in five
		// minutes would join its third): two share a first digit at least.
		for s := range 6 {
			mustCLI(t, url, "service", "create", "--name", fmt.Sprintf("API%d", s))
			for i := range 3 {
				mustCLI(t, url, "page", "--service", fmt.Sprintf("API%d", s), "--summary", fmt.Sprintf("outage %d", i))
			}
		}
		// Pages are made from a queue: wait for all of them.
		var pages []struct{ ID, Status string }
		for deadline := time.Now().Add(10 * time.Second); len(pages) < 18; time.Sleep(50 * time.Millisecond) {
			out := mustCLI(t, url, "page", "list", "-o", "json")
			if err := json.Unmarshal([]byte(out), &pages); err != nil || time.Now().After(deadline) {
				t.Fatalf("%d pages, %v: %s", len(pages), err, out)
			}
		}
		ids := make([]string, len(pages))
		for i, p := range pages {
			ids[i] = p.ID
		}
		shared := func(prefix string) (n int) {
			for _, id := range ids {
				if strings.HasPrefix(id, prefix) {
					n++
				}
			}
			return n
		}

		// The shortest unique prefix of the first page acknowledges it.
		target := ids[0]
		n := 1
		for shared(target[:n]) > 1 {
			n++
		}
		mustCLI(t, url, "page", "ack", target[:n])
		out := mustCLI(t, url, "page", "show", target[:max(n, 8)])
		if !strings.Contains(out, target) || !strings.Contains(out, "acknowledged") {
			t.Fatalf("page show %s after ack:\n%s", target[:max(n, 8)], out)
		}

		// An ambiguous prefix names every page it could be.
		var amb string
		for _, id := range ids {
			if shared(id[:1]) > 1 {
				amb = id[:1]
				break
			}
		}
		out, err := cli(t, url, "page", "resolve", amb)
		if err == nil {
			t.Fatalf("page resolve %s (ambiguous) succeeded:\n%s", amb, out)
		}
		for _, id := range ids {
			if strings.HasPrefix(id, amb) != strings.Contains(err.Error(), id) {
				t.Errorf("ambiguity error for %q and page %s: %v", amb, id, err)
			}
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%d pages", shared(amb))) {
			t.Errorf("ambiguity error lacks the count: %v", err)
		}

		// A prefix no page has.
		var none string
		for i := 0; i < 256 && none == ""; i++ {
			if p := fmt.Sprintf("%02x", i); shared(p) == 0 {
				none = p
			}
		}
		if _, err := cli(t, url, "page", "ack", none); err == nil || !strings.Contains(err.Error(), "no page") {
			t.Errorf("page ack %s (no such page): %v", none, err)
		}

		// A full id still works, and so does a status page incident's prefix.
		mustCLI(t, url, "page", "resolve", ids[1])
		out = mustCLI(t, url, "status", "create", "--name", "Slow API", "--body", "Looking", "-o", "json")
		var si struct{ ID string }
		if err := json.Unmarshal([]byte(out), &si); err != nil || si.ID == "" {
			t.Fatalf("%v: %s", err, out)
		}
		if out := mustCLI(t, url, "status", "show", si.ID[:8]); !strings.Contains(out, "Slow API") {
			t.Fatalf("status show %s:\n%s", si.ID[:8], out)
		}
	})
}
