package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// appendEntry adds one timeline entry in the caller's transaction. There is
// no function to change or remove one.
func (tx *tx) appendEntry(ctx context.Context, incidentID string, actor herald.Actor, kind, text string, data any) error {
	_, err := tx.addEntry(ctx, incidentID, actor, kind, text, data)
	return err
}

// addEntry is appendEntry returning the entry as stored.
func (tx *tx) addEntry(ctx context.Context, incidentID string, actor herald.Actor, kind, text string, data any) (herald.TimelineEntry, error) {
	e := herald.TimelineEntry{IncidentID: incidentID, Kind: kind, At: tx.now, ActorID: actor.User.ID, Actor: actor.User.Name, Text: text}
	var raw sql.NullString
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return e, fmt.Errorf("encode timeline data: %w", err)
		}
		raw = sql.NullString{String: string(b), Valid: true}
		e.Data = b
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO timeline (incident_id, kind, at, actor_id, actor, text, data) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		incidentID, kind, micros(tx.now), e.ActorID, e.Actor, text, raw).Scan(&e.ID)
	if err != nil {
		return e, fmt.Errorf("append to timeline: %w", err)
	}
	return e, nil
}

// Timeline returns an incident's timeline, oldest first. Kind filters it
// ("decision" gives the decision log); empty returns everything.
func (db *IncidentService) Timeline(ctx context.Context, ref, kind string) ([]herald.TimelineEntry, error) {
	var out []herald.TimelineEntry
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out, err = tx.timeline(ctx, inc.ID, kind)
		return err
	})
	return out, err
}

func (tx *tx) timeline(ctx context.Context, incidentID, kind string) ([]herald.TimelineEntry, error) {
	q := `SELECT id, incident_id, kind, at, actor_id, actor, text, data FROM timeline WHERE incident_id = $1`
	args := []any{incidentID}
	if kind != "" {
		q += ` AND kind = $2`
		args = append(args, kind)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	defer rows.Close()
	out := []herald.TimelineEntry{}
	for rows.Next() {
		var e herald.TimelineEntry
		var at int64
		var data sql.NullString
		if err := rows.Scan(&e.ID, &e.IncidentID, &e.Kind, &at, &e.ActorID, &e.Actor, &e.Text, &data); err != nil {
			return nil, fmt.Errorf("read timeline: %w", err)
		}
		e.At = fromMicros(at)
		if data.Valid {
			e.Data = json.RawMessage(data.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddNote appends a note to an incident's timeline.
func (db *IncidentService) AddNote(ctx context.Context, actor herald.Actor, ref string, in herald.NoteInput) (herald.TimelineEntry, error) {
	if err := in.Normalize(); err != nil {
		return herald.TimelineEntry{}, err
	}
	return db.appendAndRead(ctx, actor, ref, func(tx *tx, inc *herald.Incident) (string, string, any, error) {
		return herald.EntryNote, in.Text, nil, nil
	})
}

// RecordDecision writes a decision and its rationale to the timeline (R50),
// after checking that the caller may take it (R10, R51). The caller is the
// decider; on_behalf_of is recorded beside them and lends no authority.
func (db *IncidentService) RecordDecision(ctx context.Context, actor herald.Actor, ref string, in herald.DecisionInput) (herald.TimelineEntry, error) {
	if err := in.Normalize(); err != nil {
		return herald.TimelineEntry{}, err
	}
	var recorded herald.Decision
	var inc *herald.Incident
	e, err := db.appendThen(ctx, actor, ref, func(tx *tx, i *herald.Incident) (string, string, any, error) {
		inc = i
		decider := actor.User
		settings, err := tx.settings(ctx)
		if err != nil {
			return "", "", nil, err
		}
		if err := tx.checkDecider(ctx, &settings, in.Kind, inc, &decider); err != nil {
			return "", "", nil, err
		}
		d := herald.Decision{Kind: in.Kind, What: in.What, Rationale: in.Rationale, DecidedBy: decider.ID, DecidedByName: decider.Name,
			Awaits: settings.Awaits(in.Kind)}
		who := decider.Name
		if in.OnBehalfOf != "" {
			principal, err := tx.user(ctx, in.OnBehalfOf)
			if err != nil {
				if herald.ErrorCode(err) == herald.ENotFound {
					return "", "", nil, &herald.Error{Code: herald.EInvalid, Message: "on_behalf_of: no user " + in.OnBehalfOf,
						Fields: map[string]string{"on_behalf_of": "no such user"}}
				}
				return "", "", nil, err
			}
			d.OnBehalfOf, d.OnBehalfOfName = principal.ID, principal.Name
			who += ", on behalf of " + principal.Name
		}
		text := fmt.Sprintf("Decision (%s): %s. Rationale: %s", who, d.What, d.Rationale)
		if d.Awaits != "" {
			text += ". Awaits " + d.Awaits
		}
		recorded = d
		if in.Kind == herald.DecisionSeverity {
			// Severity confirmed: tell the stakeholders (R19).
			if _, err := tx.notifyStakeholders(ctx, actor, inc); err != nil {
				return "", "", nil, err
			}
		}
		return herald.EntryDecision, text, d, nil
	}, func(tx *tx) error {
		return tx.afterDecision(ctx, actor, inc, recorded)
	})
	return e, err
}

// appendAndRead appends the entry that build returns to an incident's
// timeline and returns it as stored.
func (db *core) appendAndRead(ctx context.Context, actor herald.Actor, ref string, build func(*tx, *herald.Incident) (kind, text string, data any, err error)) (herald.TimelineEntry, error) {
	return db.appendThen(ctx, actor, ref, build, nil)
}

// appendThen is appendAndRead running after, when set, once the entry is
// appended, in the same transaction: what an entry sets off follows it on
// the timeline.
func (db *core) appendThen(ctx context.Context, actor herald.Actor, ref string, build func(*tx, *herald.Incident) (kind, text string, data any, err error), after func(*tx) error) (herald.TimelineEntry, error) {
	var e herald.TimelineEntry
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		kind, text, data, err := build(tx, inc)
		if err != nil {
			return err
		}
		if e, err = tx.addEntry(ctx, inc.ID, actor, kind, text, data); err != nil {
			return err
		}
		if after != nil {
			if err := after(tx); err != nil {
				return err
			}
		}
		return tx.touch(ctx, inc)
	})
	return e, err
}

// ids runs a query of one text column (ids, mostly) and returns its
// values in order; doing names the query in an error.
func (tx *tx) ids(ctx context.Context, doing, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s: %w", doing, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
