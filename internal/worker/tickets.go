package worker

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/store"
)

// TicketQueue is the support ticket sweeps the store holds (R20);
// *store.Work implements it.
type TicketQueue interface {
	ClaimTicketSweep(ctx context.Context) (*store.TicketJob, error)
	FinishTicketSweep(ctx context.Context, job *store.TicketJob, found []herald.Ticket, tagged []string, runErr error) error
}

// sweepTimeout bounds one sweep: below the two minutes after which a loop
// that made no progress counts as wedged. A desk that asks for a longer
// wait fails the sweep, which is retried later from its row.
const sweepTimeout = 90 * time.Second

// sweepTickets runs the next due sweep, if any, and records its outcome
// (or its failure) on its row.
func (w *Worker) sweepTickets(ctx context.Context) (bool, error) {
	job, err := w.Tickets.ClaimTicketSweep(ctx)
	if err != nil || job == nil {
		return false, err
	}
	found, tagged, runErr := w.runSweep(ctx, job)
	if ctx.Err() != nil {
		return true, ctx.Err() // shutting down: the claim runs out and another run takes it
	}
	return true, w.Tickets.FinishTicketSweep(ctx, job, found, tagged, runErr)
}

// runSweep searches the window once per keyword and keeps the tickets
// without the tag (and tags them all when asked), or tags the tickets
// picked from an earlier search.
func (w *Worker) runSweep(ctx context.Context, job *store.TicketJob) ([]herald.Ticket, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, sweepTimeout)
	defer cancel()
	sys, err := w.TicketSystem(job.Credentials)
	if err != nil {
		return nil, nil, err
	}
	sw := job.Sweep
	tagged := []string{}
	tag := func(ids []string) error {
		for _, id := range ids {
			if err := sys.AddTag(ctx, id, sw.Tag); err != nil {
				return err
			}
			tagged = append(tagged, id)
		}
		return nil
	}
	if sw.Kind == herald.SweepTag {
		return nil, tagged, tag(sw.TicketIDs)
	}
	found := []herald.Ticket{}
	seen := map[string]bool{}
	for _, kw := range sw.Keywords {
		list, err := sys.Search(ctx, sw.Window, kw)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range list {
			if seen[t.ID] || slices.Contains(t.Tags, sw.Tag) {
				continue
			}
			seen[t.ID] = true
			found = append(found, t)
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].CreatedAt.Before(found[j].CreatedAt) })
	if sw.Apply {
		ids := make([]string, len(found))
		for i, t := range found {
			ids[i] = t.ID
		}
		if err := tag(ids); err != nil {
			return nil, nil, err
		}
	}
	return found, tagged, nil
}
