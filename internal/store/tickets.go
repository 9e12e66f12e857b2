package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// TicketService couples incidents to the support desk (R20): tags,
// keywords, the connection and the sweeps. It never calls the desk: the
// sweeps it records are run by the worker (Work.ClaimTicketSweep), so a
// slow desk holds up no request and no page.
type TicketService struct{ *core }

// sweepsShown is how many of an incident's sweeps its coupling lists.
const sweepsShown = 10

// ticketClaim is how long a claimed sweep is its worker's before another
// may take it (the worker bounds one sweep well below this).
const ticketClaim = 10 * time.Minute

// ticketCoupling reads what was set on an incident by hand: its manual tag
// and its keywords.
func (tx *tx) ticketCoupling(ctx context.Context, incidentID string) (tag string, keywords []string, err error) {
	var kw string
	err = tx.QueryRowContext(ctx, `SELECT tag, keywords FROM incident_tickets WHERE incident_id = $1`, incidentID).Scan(&tag, &kw)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("read ticket coupling: %w", err)
	}
	if err := json.Unmarshal([]byte(kw), &keywords); err != nil {
		return "", nil, fmt.Errorf("read ticket keywords: %w", err)
	}
	return tag, keywords, nil
}

// ticketTag is the incident's tag as the checklist sees it (R20).
func (tx *tx) ticketTag(ctx context.Context, inc *herald.Incident, s herald.Settings) (string, error) {
	manual, _, err := tx.ticketCoupling(ctx, inc.ID)
	if err != nil {
		return "", err
	}
	return s.Tickets.CoupleTickets(inc, manual, nil).Tag, nil
}

// incidentTickets derives the incident's coupling and reads its latest
// sweeps.
func (tx *tx) incidentTickets(ctx context.Context, inc *herald.Incident) (herald.IncidentTickets, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return herald.IncidentTickets{}, err
	}
	manual, keywords, err := tx.ticketCoupling(ctx, inc.ID)
	if err != nil {
		return herald.IncidentTickets{}, err
	}
	c := s.Tickets.CoupleTickets(inc, manual, keywords)
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM ticket_connection`).Scan(&c.Connected); err != nil {
		return c, fmt.Errorf("read ticket connection: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+sweepColumns+` FROM ticket_sweeps WHERE incident_id = $1 ORDER BY created_at DESC, id DESC LIMIT `+fmt.Sprint(sweepsShown), inc.ID)
	if err != nil {
		return c, fmt.Errorf("read ticket sweeps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sw, err := scanSweep(rows)
		if err != nil {
			return c, err
		}
		c.Sweeps = append(c.Sweeps, sw)
	}
	return c, rows.Err()
}

const sweepColumns = `id, incident_id, kind, state, tag, keywords, window_start, window_end, apply_all, ticket_ids, found, tagged,
	attempts, last_error, next_attempt_at, requested_by, created_at, finished_at`

func scanSweep(row interface{ Scan(...any) error }) (herald.TicketSweep, error) {
	var s herald.TicketSweep
	var keywords, ids, found, tagged string
	var start, next, created int64
	var end, finished sql.NullInt64
	if err := row.Scan(&s.ID, &s.IncidentID, &s.Kind, &s.State, &s.Tag, &keywords, &start, &end, &s.Apply, &ids, &found, &tagged,
		&s.Attempts, &s.LastError, &next, &s.RequestedBy, &created, &finished); err != nil {
		return s, fmt.Errorf("read ticket sweep: %w", err)
	}
	for _, f := range []struct {
		raw string
		v   any
	}{{keywords, &s.Keywords}, {ids, &s.TicketIDs}, {found, &s.Found}, {tagged, &s.Tagged}} {
		if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
			return s, fmt.Errorf("read ticket sweep %s: %w", s.ID, err)
		}
	}
	s.Window = herald.TicketWindow{Start: fromMicros(start), End: fromNullMicros(end)}
	s.CreatedAt, s.FinishedAt = fromMicros(created), fromNullMicros(finished)
	if s.State == herald.SweepQueued {
		at := fromMicros(next)
		s.NextAttemptAt = &at
	}
	if s.Keywords == nil {
		s.Keywords = []string{}
	}
	if s.TicketIDs == nil {
		s.TicketIDs = []string{}
	}
	if s.Found == nil {
		s.Found = []herald.Ticket{}
	}
	if s.Tagged == nil {
		s.Tagged = []string{}
	}
	return s, nil
}

// IncidentTickets reads an incident's tag, keywords, window and latest
// sweeps.
func (db *TicketService) IncidentTickets(ctx context.Context, ref string) (herald.IncidentTickets, error) {
	var c herald.IncidentTickets
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		c, err = tx.incidentTickets(ctx, inc)
		return err
	})
	return c, err
}

// SetIncidentTickets sets a confidential incident's tag by hand and the
// keywords searched for, each change on the timeline.
func (db *TicketService) SetIncidentTickets(ctx context.Context, actor herald.Actor, ref string, in herald.TicketCouplingInput) (herald.IncidentTickets, error) {
	if err := in.Normalize(); err != nil {
		return herald.IncidentTickets{}, err
	}
	var c herald.IncidentTickets
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		tag, keywords, err := tx.ticketCoupling(ctx, inc.ID)
		if err != nil {
			return err
		}
		if in.Tag != nil && *in.Tag != tag {
			if !inc.Confidential {
				return &herald.Error{Code: herald.EUnprocessable, Message: inc.Reference + " is public: its tag is " + s.Tickets.PublicTicketTag(inc) +
					" (R20); only a confidential incident gets its tag by hand", Fields: map[string]string{"tag": "a public incident's tag is " + s.Tickets.PublicTicketTag(inc)}}
			}
			tag = *in.Tag
			text := "Support ticket tag set to " + tag
			if tag == "" {
				text = "Support ticket tag removed"
			}
			if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryTickets, text, herald.TicketEntry{Kind: "tag_set", Tag: tag}); err != nil {
				return err
			}
		}
		if (len(in.Keywords) > 0 || in.ClearKeywords) && !slices.Equal(in.Keywords, keywords) {
			keywords = in.Keywords
			text := "Support tickets are searched for: " + strings.Join(keywords, ", ")
			if len(keywords) == 0 {
				text = "Support ticket keywords removed: the incident's services are searched for"
			}
			if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryTickets, text, herald.TicketEntry{Kind: "keywords", Tag: tag}); err != nil {
				return err
			}
		}
		if keywords == nil {
			keywords = []string{}
		}
		kw, _ := json.Marshal(keywords)
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_tickets (incident_id, tag, keywords, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (incident_id) DO UPDATE SET tag = excluded.tag, keywords = excluded.keywords, updated_at = excluded.updated_at`,
			inc.ID, tag, string(kw), micros(tx.now)); err != nil {
			return fmt.Errorf("save ticket coupling: %w", err)
		}
		if err := tx.touch(ctx, inc); err != nil {
			return err
		}
		c, err = tx.incidentTickets(ctx, inc)
		return err
	})
	return c, err
}

// Sweep queues a search of the incident's window for untagged tickets.
func (db *TicketService) Sweep(ctx context.Context, actor herald.Actor, ref string, in herald.SweepInput) (herald.TicketSweep, error) {
	var sw herald.TicketSweep
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		c, err := tx.incidentTickets(ctx, inc)
		if err != nil {
			return err
		}
		run, err := tx.practiceRunOf(ctx, inc.ID)
		if err != nil {
			return err
		}
		switch {
		case run != "":
			// A practice stays in its sandbox (R63): no real desk is searched or tagged.
			return herald.Errorf(herald.EUnprocessable, "%s is a practice: its tickets are not swept, so no real ticket is tagged", inc.Reference)
		case !c.Connected:
			return herald.Errorf(herald.EUnprocessable, "no ticket system is connected: an admin connects one first (herald tickets connect, or Settings, Support tickets)")
		case c.Tag == "":
			return &herald.Error{Code: herald.EUnprocessable, Message: inc.Reference + " is confidential and has no ticket tag yet: set one by hand first (like " + c.Suggested + ")",
				Fields: map[string]string{"tag": "is required first: a confidential incident's tag is set by hand"}}
		case len(c.Keywords) == 0:
			return &herald.Error{Code: herald.EUnprocessable, Message: inc.Reference + " has no services and no keywords: say what the tickets would mention first",
				Fields: map[string]string{"keywords": "are required: the incident has no services to search for"}}
		}
		sw = herald.TicketSweep{ID: newID(), IncidentID: inc.ID, Kind: herald.SweepSearch, State: herald.SweepQueued, Tag: c.Tag, Keywords: c.Keywords,
			Window: c.Window, Apply: in.Apply, RequestedBy: actor.User.Name, CreatedAt: tx.now}
		return tx.insertSweep(ctx, &sw, actor)
	})
	return sw, err
}

// TagTickets queues the tagging of tickets the incident's last sweep
// found.
func (db *TicketService) TagTickets(ctx context.Context, actor herald.Actor, ref string, in herald.TagTicketsInput) (herald.TicketSweep, error) {
	if err := in.Normalize(); err != nil {
		return herald.TicketSweep{}, err
	}
	var sw herald.TicketSweep
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		last, err := scanSweep(tx.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM ticket_sweeps WHERE incident_id = $1 AND kind = 'search' AND state = 'done'
			ORDER BY created_at DESC, id DESC LIMIT 1`, inc.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.EUnprocessable, "%s has no finished sweep to tag tickets from: run a sweep first", inc.Reference)
		}
		if err != nil {
			return err
		}
		var pick []herald.Ticket
		for _, t := range last.Found {
			if slices.Contains(last.Tagged, t.ID) {
				continue
			}
			if in.All || slices.Contains(in.TicketIDs, t.ID) {
				pick = append(pick, t)
			}
		}
		for _, id := range in.TicketIDs {
			if !slices.ContainsFunc(last.Found, func(t herald.Ticket) bool { return t.ID == id }) {
				return &herald.Error{Code: herald.EInvalid, Message: "ticket " + id + " was not found untagged by the last sweep of " + inc.Reference,
					Fields: map[string]string{"ticket_ids": "ticket " + id + " is not among the tickets the last sweep found"}}
			}
		}
		if len(pick) == 0 {
			return herald.Errorf(herald.EUnprocessable, "the last sweep of %s left no untagged ticket to tag", inc.Reference)
		}
		ids := make([]string, len(pick))
		for i, t := range pick {
			ids[i] = t.ID
		}
		sw = herald.TicketSweep{ID: newID(), IncidentID: inc.ID, Kind: herald.SweepTag, State: herald.SweepQueued, Tag: last.Tag, Keywords: last.Keywords,
			Window: last.Window, TicketIDs: ids, Found: pick, RequestedBy: actor.User.Name, CreatedAt: tx.now}
		return tx.insertSweep(ctx, &sw, actor)
	})
	return sw, err
}

func (tx *tx) insertSweep(ctx context.Context, sw *herald.TicketSweep, actor herald.Actor) error {
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if sw.TicketIDs == nil {
		sw.TicketIDs = []string{}
	}
	if sw.Found == nil {
		sw.Found = []herald.Ticket{}
	}
	sw.Tagged = []string{}
	next := tx.now
	sw.NextAttemptAt = &next
	_, err := tx.ExecContext(ctx, `INSERT INTO ticket_sweeps (id, incident_id, kind, state, tag, keywords, window_start, window_end, apply_all, ticket_ids, found,
		next_attempt_at, requested_by, requested_by_id, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		sw.ID, sw.IncidentID, sw.Kind, sw.Tag, enc(sw.Keywords), micros(sw.Window.Start), nullMicros(sw.Window.End), sw.Apply, enc(sw.TicketIDs), enc(sw.Found),
		micros(tx.now), actor.User.Name, actor.User.ID, micros(tx.now))
	if err != nil {
		return fmt.Errorf("queue ticket sweep: %w", err)
	}
	return nil
}

// TicketSweep reads one sweep of the incident.
func (db *TicketService) TicketSweep(ctx context.Context, ref, id string) (herald.TicketSweep, error) {
	var sw herald.TicketSweep
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		sw, err = scanSweep(tx.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM ticket_sweeps WHERE id = $1 AND incident_id = $2`, id, inc.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "no ticket sweep %q on %s", id, inc.Reference)
		}
		return err
	})
	return sw, err
}

// TicketConnection reads the connected ticket system without its token.
func (db *TicketService) TicketConnection(ctx context.Context) (herald.TicketConnection, error) {
	var c herald.TicketConnection
	err := db.read(ctx, func(tx *tx) (err error) {
		c, _, err = tx.ticketConnection(ctx)
		return err
	})
	return c, err
}

// ticketConnection reads the connection and its sealed token.
func (tx *tx) ticketConnection(ctx context.Context) (herald.TicketConnection, string, error) {
	var c herald.TicketConnection
	var sealed string
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT kind, url, email, token_sealed, updated_at, updated_by FROM ticket_connection WHERE id = 1`).
		Scan(&c.Kind, &c.URL, &c.Email, &sealed, &at, &c.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return c, "", herald.Errorf(herald.ENotFound, "no ticket system is connected")
	}
	if err != nil {
		return c, "", fmt.Errorf("read ticket connection: %w", err)
	}
	t := fromMicros(at)
	c.UpdatedAt, c.TokenSet = &t, sealed != ""
	return c, sealed, nil
}

// ConnectTicketSystem stores the connection with its token sealed.
func (db *TicketService) ConnectTicketSystem(ctx context.Context, actor herald.Actor, in herald.TicketConnectionInput) (herald.TicketConnection, error) {
	if err := in.Normalize(); err != nil {
		return herald.TicketConnection{}, err
	}
	if err := db.checkOutbound(ctx, "webhook", "url", in.URL); err != nil {
		return herald.TicketConnection{}, err
	}
	sealed := ""
	if in.Token != "" {
		var err error
		if sealed, err = db.seal(in.Token); err != nil {
			return herald.TicketConnection{}, err
		}
	}
	var c herald.TicketConnection
	err := db.write(ctx, func(tx *tx) error {
		if sealed == "" {
			_, old, err := tx.ticketConnection(ctx)
			if herald.ErrorCode(err) == herald.ENotFound || old == "" {
				return &herald.Error{Code: herald.EInvalid, Message: "token: is required: the API token Herald uses to reach " + in.URL,
					Fields: map[string]string{"token": "is required the first time"}}
			}
			if err != nil {
				return err
			}
			sealed = old
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_connection (id, kind, url, email, token_sealed, updated_at, updated_by) VALUES (1, $1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, url = excluded.url, email = excluded.email, token_sealed = excluded.token_sealed,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			in.Kind, in.URL, in.Email, sealed, micros(tx.now), actor.User.Name); err != nil {
			return fmt.Errorf("save ticket connection: %w", err)
		}
		var err error
		c, _, err = tx.ticketConnection(ctx)
		return err
	})
	return c, err
}

// DisconnectTicketSystem forgets the connection and its token.
func (db *TicketService) DisconnectTicketSystem(ctx context.Context, actor herald.Actor) error {
	return db.write(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM ticket_connection WHERE id = 1`)
		if err != nil {
			return fmt.Errorf("forget ticket connection: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return herald.Errorf(herald.ENotFound, "no ticket system is connected")
		}
		return nil
	})
}

// TicketJob is a claimed sweep with what it takes to reach the desk.
type TicketJob struct {
	Sweep       herald.TicketSweep
	Credentials herald.TicketCredentials
	// requestedByID is who asked, for the timeline entry at the end.
	requestedByID string
}

// ClaimTicketSweep claims the next due sweep (queued and due, or claimed
// by a worker that has not finished in time); nil when none is due. A
// sweep that cannot be run (no connection, a token that does not decrypt)
// fails on its row at once.
func (db *Work) ClaimTicketSweep(ctx context.Context) (*TicketJob, error) {
	var job *TicketJob
	var credErr error
	err := db.write(ctx, func(tx *tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM ticket_sweeps WHERE (state = 'queued' AND next_attempt_at <= $1) OR (state = 'running' AND claimed_until < $1)
			ORDER BY next_attempt_at, id LIMIT 1`, micros(tx.now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find due ticket sweep: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE ticket_sweeps SET state = 'running', attempts = attempts + 1, claimed_until = $1
			WHERE id = $2 AND (state = 'queued' OR (state = 'running' AND claimed_until < $3))`, micros(tx.now.Add(ticketClaim)), id, micros(tx.now))
		if err != nil {
			return fmt.Errorf("claim ticket sweep: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another instance took it
		}
		sw, err := scanSweep(tx.QueryRowContext(ctx, `SELECT `+sweepColumns+` FROM ticket_sweeps WHERE id = $1`, id))
		if err != nil {
			return err
		}
		var byID string
		if err := tx.QueryRowContext(ctx, `SELECT requested_by_id FROM ticket_sweeps WHERE id = $1`, id).Scan(&byID); err != nil {
			return fmt.Errorf("read ticket sweep: %w", err)
		}
		job = &TicketJob{Sweep: sw, requestedByID: byID}
		// The claim stands even when the sweep cannot run as things are
		// (no connection, a token that does not decrypt): its row says why.
		conn, sealed, err := tx.ticketConnection(ctx)
		if credErr = err; err == nil {
			job.Credentials = herald.TicketCredentials{Kind: conn.Kind, URL: conn.URL, Email: conn.Email}
			job.Credentials.Token, credErr = db.open(sealed)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if credErr != nil {
		return nil, db.FinishTicketSweep(ctx, job, nil, nil, credErr)
	}
	return job, nil
}

// FinishTicketSweep records a claimed sweep's outcome: what it found and
// tagged, on the row and the incident's timeline; or its failure, on the
// row, tried again with backoff until MaxSweepAttempts.
func (db *Work) FinishTicketSweep(ctx context.Context, job *TicketJob, found []herald.Ticket, tagged []string, runErr error) error {
	sw := job.Sweep
	actor := herald.Actor{User: herald.User{ID: job.requestedByID, Name: sw.RequestedBy}}
	return db.write(ctx, func(tx *tx) error {
		if runErr != nil {
			msg := runErr.Error()
			if tok := job.Credentials.Token; tok != "" {
				msg = strings.ReplaceAll(msg, tok, "[token]")
			}
			if len(msg) > 1000 {
				msg = msg[:1000]
			}
			state, next := herald.SweepQueued, tx.now.Add(herald.RetryAfter(sw.Attempts))
			var finished any
			if sw.Attempts >= herald.MaxSweepAttempts || herald.ErrorCode(runErr) == herald.ENotFound {
				state, finished = herald.SweepFailed, micros(tx.now)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE ticket_sweeps SET state = $1, last_error = $2, next_attempt_at = $3, claimed_until = NULL, finished_at = $4 WHERE id = $5`,
				state, msg, micros(next), finished, sw.ID); err != nil {
				return fmt.Errorf("record ticket sweep failure: %w", err)
			}
			if state == herald.SweepFailed {
				return tx.appendEntry(ctx, sw.IncidentID, actor, herald.EntryTickets, "Ticket sweep failed after "+plural(sw.Attempts, "attempt")+": "+msg,
					herald.TicketEntry{Kind: "failed", Tag: sw.Tag, SweepID: sw.ID})
			}
			return nil
		}
		if found == nil {
			found = sw.Found
		}
		if found == nil {
			found = []herald.Ticket{}
		}
		if tagged == nil {
			tagged = []string{}
		}
		sw.Found, sw.Tagged = found, tagged
		f, _ := json.Marshal(found)
		t, _ := json.Marshal(tagged)
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_sweeps SET state = 'done', found = $1, tagged = $2, last_error = '', claimed_until = NULL, finished_at = $3 WHERE id = $4`,
			string(f), string(t), micros(tx.now), sw.ID); err != nil {
			return fmt.Errorf("record ticket sweep: %w", err)
		}
		return tx.appendEntry(ctx, sw.IncidentID, actor, herald.EntryTickets, herald.SweepEntryText(sw),
			herald.TicketEntry{Kind: sw.Kind, Tag: sw.Tag, SweepID: sw.ID, Found: len(found), Tagged: len(tagged)})
	})
}

// plural says "1 attempt", "3 attempts".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprint(n) + " " + unit + "s"
}
