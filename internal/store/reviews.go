package store

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

func dueAfter(from time.Time, days int) time.Time { return from.AddDate(0, 0, days) }

// scheduleReviews makes the reviews that the policy requires for the
// incident's severity due, counted from resolution (R54). A review already
// scheduled (an incident resolved, reopened and resolved again) keeps its
// first due date: the clock started at the first resolution.
func (tx *tx) scheduleReviews(ctx context.Context, actor herald.Actor, inc *herald.Incident, s herald.Settings) error {
	p := s.Reviews[inc.Severity]
	for _, kind := range []string{herald.ReviewInternal, herald.ReviewExternal} {
		if p.Requirement(kind) != herald.ReviewRequired {
			continue
		}
		due := dueAfter(tx.now, p.WithinDays)
		res, err := tx.ExecContext(ctx, `INSERT INTO reviews (incident_id, kind, due_at, requested_by, link) VALUES ($1, $2, $3, '', '')
			ON CONFLICT (incident_id, kind) DO NOTHING`, inc.ID, kind, micros(due))
		if err != nil {
			return fmt.Errorf("schedule review: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		text := fmt.Sprintf("%s review due by %s (%s policy: within %d days)", kindTitle(kind), due.Format("2006-01-02 15:04 UTC"), inc.Severity, p.WithinDays)
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryReview, text, map[string]any{"kind": kind, "due_at": due}); err != nil {
			return err
		}
	}
	return nil
}

func kindTitle(kind string) string {
	if kind == herald.ReviewExternal {
		return "External"
	}
	return "Internal"
}

// Review requests a post-incident review, or with Completed set records it
// as done. A review the policy rules out for the severity ("none") is
// refused; "on_request" reviews start here.
func (db *IncidentService) Review(ctx context.Context, actor herald.Actor, ref string, in herald.ReviewInput) (herald.Review, error) {
	if err := in.Normalize(); err != nil {
		return herald.Review{}, err
	}
	var r herald.Review
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		reviews, err := tx.reviews(ctx, inc.ID)
		if err != nil {
			return err
		}
		existing, have := findReview(reviews, in.Kind)
		if !have {
			s, err := tx.settings(ctx)
			if err != nil {
				return err
			}
			p := s.Reviews[inc.Severity]
			if p.Requirement(in.Kind) == herald.ReviewNone {
				return herald.Errorf(herald.EUnprocessable, "%s incidents have no %s review by the organisation's policy", inc.Severity, in.Kind)
			}
			existing = herald.Review{IncidentID: inc.ID, Kind: in.Kind, DueAt: dueAfter(tx.now, p.WithinDays), RequestedBy: actor.User.Name}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (incident_id, kind, due_at, requested_by, link) VALUES ($1, $2, $3, $4, '')`,
				inc.ID, in.Kind, micros(existing.DueAt), existing.RequestedBy); err != nil {
				return fmt.Errorf("request review: %w", err)
			}
			text := fmt.Sprintf("%s review requested by %s, due by %s", kindTitle(in.Kind), actor.User.Name, existing.DueAt.Format("2006-01-02 15:04 UTC"))
			if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryReview, text, existing); err != nil {
				return err
			}
		} else if !in.Completed && in.Link == "" {
			return herald.Errorf(herald.EConflict, "the %s review of %s is already scheduled, due %s", in.Kind, inc.Reference, existing.DueAt.Format(time.RFC3339))
		}
		if in.Completed && in.Kind == herald.ReviewExternal && existing.PublishedAt == nil {
			return herald.Errorf(herald.EUnprocessable, "R54: the external review is completed by publishing it to customers, once an engineering manager has approved it")
		}
		if in.Link != "" && in.Link != existing.Link {
			if in.Completed && existing.CompletedAt == nil {
				existing.Link = in.Link // the completion's entry names it
			} else if err := tx.draftReview(ctx, actor, inc, &existing, in.Link); err != nil {
				return err
			}
		}
		if in.Completed && existing.CompletedAt == nil {
			existing.CompletedAt = &tx.now
			text := fmt.Sprintf("%s review completed", kindTitle(in.Kind))
			if existing.Link != "" {
				text += ": " + existing.Link
			}
			if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryReview, text, existing); err != nil {
				return err
			}
		}
		if err := tx.saveReview(ctx, &existing); err != nil {
			return err
		}
		r = existing
		return tx.touch(ctx, inc)
	})
	return r, err
}

func findReview(rs []herald.Review, kind string) (herald.Review, bool) {
	for _, r := range rs {
		if r.Kind == kind {
			return r, true
		}
	}
	return herald.Review{}, false
}

// Reviews lists an incident's reviews.
func (db *IncidentService) Reviews(ctx context.Context, ref string) ([]herald.Review, error) {
	var out []herald.Review
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.reviews(ctx, inc.ID)
		return err
	})
	return out, err
}

func (tx *tx) reviews(ctx context.Context, incidentID string) ([]herald.Review, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE incident_id = $1 ORDER BY kind DESC`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	out := []herald.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("list reviews: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Export gathers everything a review is drafted from.
func (db *IncidentService) Export(ctx context.Context, ref string) (herald.IncidentRecord, error) {
	var rec herald.IncidentRecord
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		rec.Incident = inc
		if rec.Timeline, err = tx.timeline(ctx, inc.ID, ""); err != nil {
			return err
		}
		if rec.FollowUps, err = tx.followUps(ctx, inc.ID); err != nil {
			return err
		}
		if rec.Reviews, err = tx.reviews(ctx, inc.ID); err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		rec.Settings = s
		if err != nil {
			return err
		}
		in := herald.MeasureInput{Settings: s, Severity: inc.Severity, Timeline: rec.Timeline, Now: tx.now}
		if in.Updates, err = tx.measureUpdates(ctx, inc.ID); err != nil {
			return err
		}
		if in.Pages, err = tx.measurePages(ctx, inc.ID); err != nil {
			return err
		}
		m := herald.Measure(in)
		rec.Measures = &m
		rec.Pages, err = tx.linkedPages(ctx, inc.ID)
		return err
	})
	return rec, err
}
