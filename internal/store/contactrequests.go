package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// ContactRequestService tracks contact requests (R61).
type ContactRequestService struct{ *core }

const contactRequestSelect = `r.id, r.from_team, r.recipients, r.reason, r.message, r.due_at, COALESCE(r.incident_id, ''), COALESCE(i.reference, ''),
	r.owner_id, u.name, r.status, r.sent, r.reply, r.cancel_reason, r.created_at, r.closed_at
	FROM contact_requests r JOIN users u ON u.id = r.owner_id LEFT JOIN incidents i ON i.id = r.incident_id`

func scanContactRequest(row interface{ Scan(...any) error }) (herald.ContactRequest, error) {
	var c herald.ContactRequest
	var recipients string
	var due, closed sql.NullInt64
	var created int64
	if err := row.Scan(&c.ID, &c.From, &recipients, &c.Reason, &c.Message, &due, &c.IncidentID, &c.IncidentReference,
		&c.OwnerID, &c.Owner, &c.Status, &c.Sent, &c.Reply, &c.CancelReason, &created, &closed); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(recipients), &c.Recipients); err != nil {
		return c, fmt.Errorf("read contact request %s recipients: %w", c.ID, err)
	}
	c.DueAt, c.ClosedAt, c.CreatedAt = fromNullMicros(due), fromNullMicros(closed), fromMicros(created)
	c.Notes = []herald.ContactRequestNote{}
	return c, nil
}

// OpenContactRequest records a request, on its incident's timeline when
// it names one.
func (db *ContactRequestService) OpenContactRequest(ctx context.Context, actor herald.Actor, in herald.ContactRequestInput) (herald.ContactRequest, error) {
	if err := in.Normalize(db.clock.Now()); err != nil {
		return herald.ContactRequest{}, err
	}
	var c herald.ContactRequest
	err := db.write(ctx, func(tx *tx) error {
		owner := actor.User
		if in.Owner != "" {
			u, err := tx.user(ctx, in.Owner)
			if err != nil {
				return fieldNotFound(err, "owner")
			}
			owner = u
		}
		if owner.ID == "" {
			return herald.Errorf(herald.EInvalid, "name the owner: a contact request is someone's to finish")
		}
		var incidentID any
		var inc *herald.Incident
		if in.Incident != "" {
			var err error
			if inc, err = tx.incident(ctx, in.Incident); err != nil {
				return err
			}
			incidentID = inc.ID
		}
		recipients, err := json.Marshal(in.Recipients)
		if err != nil {
			return fmt.Errorf("encode recipients: %w", err)
		}
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_requests (id, from_team, recipients, reason, message, due_at, incident_id, owner_id, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)`,
			id, in.From, string(recipients), in.Reason, in.Message, nullMicros(in.DueAt), incidentID, owner.ID, micros(tx.now)); err != nil {
			return fmt.Errorf("open contact request: %w", err)
		}
		if inc != nil {
			text := fmt.Sprintf("Contact request from %s to reach %s, owned by %s: %s", in.From, recipientsText(in.Recipients), owner.Name, in.Reason)
			if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryContactRequest, text, map[string]any{"contact_request": id, "status": herald.RequestOpen}); err != nil {
				return err
			}
		}
		c, err = tx.contactRequest(ctx, id)
		return err
	})
	return c, err
}

// fieldNotFound names the field whose reference was not found, so a bad
// owner is a 400 on "owner" rather than a 404 of the request.
func fieldNotFound(err error, field string) error {
	var he *herald.Error
	if errors.As(err, &he) && he.Code == herald.ENotFound {
		return &herald.Error{Code: herald.EInvalid, Message: he.Message, Fields: map[string]string{field: he.Message}}
	}
	return err
}

func recipientsText(rs []string) string {
	if len(rs) <= 3 {
		return strings.Join(rs, ", ")
	}
	return strings.Join(rs[:3], ", ") + fmt.Sprintf(" and %d more", len(rs)-3)
}

func (tx *tx) contactRequest(ctx context.Context, id string) (herald.ContactRequest, error) {
	c, err := scanContactRequest(tx.QueryRowContext(ctx, `SELECT `+contactRequestSelect+` WHERE r.id = $1`, strings.TrimSpace(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return c, herald.Errorf(herald.ENotFound, "no contact request %q", id)
	}
	if err != nil {
		return c, fmt.Errorf("read contact request: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT at, author, text FROM contact_request_notes WHERE request_id = $1 ORDER BY seq`, c.ID)
	if err != nil {
		return c, fmt.Errorf("read contact request notes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n herald.ContactRequestNote
		var at int64
		if err := rows.Scan(&at, &n.Author, &n.Text); err != nil {
			return c, fmt.Errorf("read contact request notes: %w", err)
		}
		n.At = fromMicros(at)
		c.Notes = append(c.Notes, n)
	}
	c.Overdue = c.IsOverdue(tx.now)
	return c, rows.Err()
}

// ContactRequest reads one request with its notes.
func (db *ContactRequestService) ContactRequest(ctx context.Context, id string) (herald.ContactRequest, error) {
	var c herald.ContactRequest
	err := db.read(ctx, func(tx *tx) (err error) {
		c, err = tx.contactRequest(ctx, id)
		return err
	})
	return c, err
}

// ContactRequests lists requests: open ones by due time, those without one
// last; closed ones newest first. Notes are read with one request only.
func (db *ContactRequestService) ContactRequests(ctx context.Context, f herald.ContactRequestFilter) ([]herald.ContactRequest, error) {
	if f.Status != "" && f.Status != herald.RequestOpen && f.Status != herald.RequestDone && f.Status != herald.RequestCancelled {
		return nil, &herald.Error{Code: herald.EInvalid, Message: "status must be open, done or cancelled", Fields: map[string]string{"status": "open, done or cancelled"}}
	}
	if f.Limit < 1 || f.Limit > 500 {
		f.Limit = 100
	}
	out := []herald.ContactRequest{}
	err := db.read(ctx, func(tx *tx) error {
		owner := ""
		if f.Owner != "" {
			u, err := tx.user(ctx, f.Owner)
			if err != nil {
				return fieldNotFound(err, "owner")
			}
			owner = u.ID
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+contactRequestSelect+` WHERE ($1 = '' OR r.status = $1) AND ($2 = '' OR r.owner_id = $2)
			ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, CASE WHEN r.status = 'open' THEN COALESCE(r.due_at, 9223372036854775807) ELSE -r.created_at END, r.id
			LIMIT $3`, f.Status, owner, f.Limit)
		if err != nil {
			return fmt.Errorf("list contact requests: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanContactRequest(rows)
			if err != nil {
				return fmt.Errorf("list contact requests: %w", err)
			}
			c.Overdue = c.IsOverdue(tx.now)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// NoteContactRequest adds progress to an open request.
func (db *ContactRequestService) NoteContactRequest(ctx context.Context, actor herald.Actor, id, text string) (herald.ContactRequest, error) {
	text, err := herald.NormalizeRequestNote(text)
	if err != nil {
		return herald.ContactRequest{}, err
	}
	var c herald.ContactRequest
	err = db.write(ctx, func(tx *tx) error {
		cur, err := tx.openContactRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.noteContactRequest(ctx, cur.ID, actor, text); err != nil {
			return err
		}
		c, err = tx.contactRequest(ctx, cur.ID)
		return err
	})
	return c, err
}

func (tx *tx) noteContactRequest(ctx context.Context, id string, actor herald.Actor, text string) error {
	author := actor.User.Name
	if author == "" {
		author = "Herald"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO contact_request_notes (request_id, seq, at, author, text)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM contact_request_notes WHERE request_id = $1), $2, $3, $4)`, id, micros(tx.now), author, text)
	if err != nil {
		return fmt.Errorf("note contact request: %w", err)
	}
	return nil
}

// openContactRequest reads a request that must still be open.
func (tx *tx) openContactRequest(ctx context.Context, id string) (herald.ContactRequest, error) {
	c, err := tx.contactRequest(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Status != herald.RequestOpen {
		return c, &herald.Error{Code: herald.EConflict, Message: "the contact request is already " + c.Status, Current: c}
	}
	return c, nil
}

// CompleteContactRequest closes a request as done.
func (db *ContactRequestService) CompleteContactRequest(ctx context.Context, actor herald.Actor, id string, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	if err := in.Normalize(true); err != nil {
		return herald.ContactRequest{}, err
	}
	return db.close(ctx, actor, id, herald.RequestDone, in)
}

// CancelContactRequest closes a request with a reason.
func (db *ContactRequestService) CancelContactRequest(ctx context.Context, actor herald.Actor, id string, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	if err := in.Normalize(false); err != nil {
		return herald.ContactRequest{}, err
	}
	return db.close(ctx, actor, id, herald.RequestCancelled, in)
}

func (db *ContactRequestService) close(ctx context.Context, actor herald.Actor, id, status string, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	var c herald.ContactRequest
	err := db.write(ctx, func(tx *tx) error {
		cur, err := tx.openContactRequest(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contact_requests SET status = $1, sent = $2, reply = $3, cancel_reason = $4, closed_at = $5 WHERE id = $6`,
			status, in.Sent, in.Reply, in.Reason, micros(tx.now), cur.ID); err != nil {
			return fmt.Errorf("close contact request: %w", err)
		}
		note := "Done: the message was sent."
		if status == herald.RequestCancelled {
			note = "Cancelled: " + in.Reason
		}
		if err := tx.noteContactRequest(ctx, cur.ID, actor, note); err != nil {
			return err
		}
		if cur.IncidentID != "" {
			text := "Contact request from " + cur.From + " to reach " + recipientsText(cur.Recipients) + " is " + status
			if status == herald.RequestCancelled {
				text += ": " + in.Reason
			}
			if err := tx.appendEntry(ctx, cur.IncidentID, actor, herald.EntryContactRequest, text, map[string]any{"contact_request": cur.ID, "status": status}); err != nil {
				return err
			}
		}
		c, err = tx.contactRequest(ctx, cur.ID)
		return err
	})
	return c, err
}
