package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// The external review's approval and publication (R54), and follow-ups
// across incidents. The rules are the root package's (CheckApproveReview,
// CheckPublishReview, FollowUp.IsOverdue); this file records them.

const reviewColumns = `incident_id, kind, due_at, requested_by, completed_at, link, approved_by, approved_by_name, approved_at, published_at, published_by_name`

func scanReview(row interface{ Scan(...any) error }) (herald.Review, error) {
	var r herald.Review
	var due int64
	var done, approved, published sql.NullInt64
	err := row.Scan(&r.IncidentID, &r.Kind, &due, &r.RequestedBy, &done, &r.Link, &r.ApprovedBy, &r.ApprovedByName, &approved, &published, &r.PublishedByName)
	r.DueAt, r.CompletedAt = fromMicros(due), fromNullMicros(done)
	r.ApprovedAt, r.PublishedAt = fromNullMicros(approved), fromNullMicros(published)
	r.State = herald.ReviewState(r)
	return r, err
}

// saveReview writes a review's changeable columns.
func (tx *tx) saveReview(ctx context.Context, r *herald.Review) error {
	r.State = herald.ReviewState(*r)
	if _, err := tx.ExecContext(ctx, `UPDATE reviews SET link = $1, completed_at = $2, approved_by = $3, approved_by_name = $4, approved_at = $5,
		published_at = $6, published_by_name = $7 WHERE incident_id = $8 AND kind = $9`,
		r.Link, nullMicros(r.CompletedAt), r.ApprovedBy, r.ApprovedByName, nullMicros(r.ApprovedAt),
		nullMicros(r.PublishedAt), r.PublishedByName, r.IncidentID, r.Kind); err != nil {
		return fmt.Errorf("update review: %w", err)
	}
	return nil
}

// draftReview sets a review's document link. A published external review
// keeps the link customers saw; an approved one loses its approval, since
// the approval was given to the document it pointed at.
func (tx *tx) draftReview(ctx context.Context, actor herald.Actor, inc *herald.Incident, r *herald.Review, link string) error {
	if r.PublishedAt != nil {
		return herald.Errorf(herald.EConflict, "the external review was published to customers as %s; it keeps that link", r.Link)
	}
	text := fmt.Sprintf("%s review draft: %s", kindTitle(r.Kind), link)
	if r.ApprovedAt != nil {
		text += fmt.Sprintf(" (the approval by %s is withdrawn: it was given to %s)", r.ApprovedByName, r.Link)
		r.ApprovedBy, r.ApprovedByName, r.ApprovedAt = "", "", nil
	}
	r.Link = link
	return tx.appendEntry(ctx, inc.ID, actor, herald.EntryReview, text, map[string]any{"kind": r.Kind, "link": link, "state": herald.ReviewState(*r)})
}

// externalReview reads an incident's external review.
func (tx *tx) externalReview(ctx context.Context, inc *herald.Incident) (herald.Review, bool, error) {
	rs, err := tx.reviews(ctx, inc.ID)
	if err != nil {
		return herald.Review{}, false, err
	}
	r, ok := findReview(rs, herald.ReviewExternal)
	return r, ok, nil
}

// ApproveReview approves the external review's draft (R54).
func (db *IncidentService) ApproveReview(ctx context.Context, actor herald.Actor, ref string, in herald.ReviewApprovalInput) (herald.Review, error) {
	if err := in.Normalize(); err != nil {
		return herald.Review{}, err
	}
	var r herald.Review
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		var ok bool
		if r, ok, err = tx.externalReview(ctx, inc); err != nil {
			return err
		}
		if !ok {
			return herald.Errorf(herald.EUnprocessable, "%s has no external review to approve: request it and add its draft first (R54)", inc.Reference)
		}
		if err := herald.CheckApproveReview(r, &actor.User, in.Link); err != nil {
			return err
		}
		r.ApprovedBy, r.ApprovedByName, r.ApprovedAt = actor.User.ID, actor.User.Name, &tx.now
		if err := tx.saveReview(ctx, &r); err != nil {
			return err
		}
		text := fmt.Sprintf("External review approved by %s for customers: %s", actor.User.Name, r.Link)
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryReview, text, r); err != nil {
			return err
		}
		return tx.touch(ctx, inc)
	})
	return r, err
}

// PublishReview publishes the approved external review: it becomes the
// post-mortem link of every status incident of the incident, which must all
// be resolved (R17). With no status incident the review is recorded as
// published, to be sent to customers some other way.
func (db *IncidentService) PublishReview(ctx context.Context, actor herald.Actor, ref string) (herald.Review, error) {
	var r herald.Review
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		var ok bool
		if r, ok, err = tx.externalReview(ctx, inc); err != nil {
			return err
		}
		if !ok {
			return herald.Errorf(herald.EUnprocessable, "R54: %s has no external review to publish: add its draft, have it approved by an engineering manager, then publish", inc.Reference)
		}
		if err := herald.CheckPublishReview(r); err != nil {
			return err
		}
		type si struct{ id, name, status string }
		rows, err := tx.QueryContext(ctx, `SELECT id, name, status FROM status_incidents WHERE incident_id = $1 ORDER BY created_at, id`, inc.ID)
		if err != nil {
			return fmt.Errorf("read status incidents: %w", err)
		}
		var list []si
		for rows.Next() {
			var s si
			if err := rows.Scan(&s.id, &s.name, &s.status); err != nil {
				rows.Close()
				return fmt.Errorf("read status incidents: %w", err)
			}
			list = append(list, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read status incidents: %w", err)
		}
		var names []string
		for _, s := range list {
			if s.status != string(herald.Resolved) {
				return herald.Errorf(herald.EUnprocessable, "the status incident %q is still open: the post-mortem is linked once it is resolved (R17)", s.name)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE status_incidents SET postmortem_url = $1, updated_at = $2 WHERE id = $3`, r.Link, micros(tx.now), s.id); err != nil {
				return fmt.Errorf("set post-mortem: %w", err)
			}
			names = append(names, fmt.Sprintf("%q", s.name))
		}
		text := "External review published to customers: " + r.Link
		if len(names) > 0 {
			text += " (post-mortem link on the status page: " + strings.Join(names, ", ") + ")"
			if err := tx.bumpStatusVersion(ctx); err != nil {
				return err
			}
		} else {
			text += " (no status incident is linked: send it to customers yourself)"
		}
		if err := tx.publishReview(ctx, actor, inc, &r, text); err != nil {
			return err
		}
		return tx.touch(ctx, inc)
	})
	return r, err
}

func (tx *tx) publishReview(ctx context.Context, actor herald.Actor, inc *herald.Incident, r *herald.Review, text string) error {
	r.PublishedAt, r.PublishedByName = &tx.now, actor.User.Name
	if r.CompletedAt == nil {
		r.CompletedAt = &tx.now
	}
	if err := tx.saveReview(ctx, r); err != nil {
		return err
	}
	return tx.appendEntry(ctx, inc.ID, actor, herald.EntryReview, text, r)
}

// postmortemReview is R54 on the status page's own post-mortem form: the
// post-mortem link of a status incident that belongs to an incident is that
// incident's external review, so it must be the approved one. Linking it
// publishes the review. An incident whose severity has no external review
// (the policy's "none", or "on_request" never requested) links freely.
func (tx *tx) postmortemReview(ctx context.Context, actor herald.Actor, incidentID, link string) error {
	inc, err := tx.incident(ctx, incidentID)
	if err != nil {
		return err
	}
	r, ok, err := tx.externalReview(ctx, inc)
	if err != nil {
		return err
	}
	if !ok {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if s.Reviews[inc.Severity].External == herald.ReviewRequired {
			return herald.Errorf(herald.EUnprocessable, "R54: the post-mortem of %s is its external review, which an engineering manager approves before it reaches customers; add it as the external review's draft, have it approved, then publish", inc.Reference)
		}
		return nil
	}
	if r.PublishedAt != nil {
		if r.Link != link {
			return herald.Errorf(herald.EUnprocessable, "R54: the approved external review of %s is %s; another post-mortem would reach customers unapproved", inc.Reference, r.Link)
		}
		return nil
	}
	if err := herald.CheckPublishReview(r); err != nil {
		return err
	}
	if r.Link != link {
		return herald.Errorf(herald.EUnprocessable, "R54: the approved external review of %s is %s; another post-mortem would reach customers unapproved", inc.Reference, r.Link)
	}
	return tx.publishReview(ctx, actor, inc, &r, "External review published to customers: "+link+" (post-mortem link on the status page)")
}

// ListFollowUps lists follow-ups across incidents by due date (those
// without one last).
func (db *IncidentService) ListFollowUps(ctx context.Context, f herald.FollowUpFilter) ([]herald.FollowUp, error) {
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	var out []herald.FollowUp
	err := db.read(ctx, func(tx *tx) error {
		q := `SELECT ` + followUpSelect + ` WHERE 1 = 1`
		var args []any
		arg := func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		}
		if f.Open || f.Overdue {
			q += ` AND f.done = ` + arg(false)
		}
		if f.Overdue {
			// Due on a day is on time all that day (UTC): overdue means the
			// date is before today's. Dates are YYYY-MM-DD, so they sort as
			// text.
			q += ` AND f.due_date <> '' AND f.due_date < ` + arg(tx.now.UTC().Format("2006-01-02"))
		}
		if f.Owner != "" {
			u, err := tx.user(ctx, f.Owner)
			if err != nil {
				return err
			}
			q += ` AND f.owner_id = ` + arg(u.ID)
		}
		q += ` ORDER BY CASE WHEN f.due_date = '' THEN 1 ELSE 0 END, f.due_date, f.created_at, f.id LIMIT ` + arg(f.Limit)
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("list follow-ups: %w", err)
		}
		defer rows.Close()
		out = []herald.FollowUp{}
		for rows.Next() {
			fu, err := scanFollowUp(rows)
			if err != nil {
				return fmt.Errorf("list follow-ups: %w", err)
			}
			fu.Overdue = fu.IsOverdue(tx.now)
			out = append(out, fu)
		}
		return rows.Err()
	})
	return out, err
}
