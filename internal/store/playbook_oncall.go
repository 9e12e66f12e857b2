package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The on-call change notice (oncallswap.go): at each hand-off of any
// schedule, overrides included, the incoming person is told what they take
// over. The rule looks at the final rotation around tx.now, from
// oncall.late_limit back to oncall.notice_before ahead; each hand-off is a
// prompt once per schedule, shift start and person, so every instance may
// run it. A person on call for consecutive shifts has no hand-off between
// them (herald.Handoffs), and the outgoing person is never told.

// shiftEndHorizon bounds how far ahead the end of the incoming shift is
// looked for; a longer stretch reads as ending there.
const shiftEndHorizon = 92 * 24 * time.Hour

// briefItems is how many pages and incidents a notice lists by name.
const briefItems = 10

// tellIncomingOnCall is the playbook rule of the on-call change notices.
func (tx *tx) tellIncomingOnCall(ctx context.Context, s herald.Settings) error {
	o := s.OnCall
	if o.Off {
		return nil
	}
	// A second before the window, so a hand-off at its very start is one
	// (Handoffs takes a stretch that starts at from as cut by the window).
	from := tx.now.Add(-o.Late() - time.Second)
	to := tx.now.Add(time.Duration(o.NoticeBefore) + time.Microsecond)
	ids, err := tx.ids(ctx, "list schedules", `SELECT id FROM schedules ORDER BY name`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		sched, err := tx.schedule(ctx, id, from)
		if err != nil {
			return err
		}
		shifts, err := sched.Shifts(from, to)
		if err != nil {
			continue // a schedule that cannot be evaluated has no hand-off to tell
		}
		for _, h := range herald.Handoffs(shifts, from) {
			if !o.HandoffDue(tx.now, h.Start) {
				continue
			}
			if err := tx.tellHandoff(ctx, sched, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// handoffOccurrence keys the notice of a hand-off: schedule, shift start
// and the incoming person (whom onCallStillIncoming checks).
func handoffOccurrence(scheduleID string, start time.Time, userID string) string {
	return scheduleID + "/" + start.UTC().Format(time.RFC3339Nano) + "/" + userID
}

func (tx *tx) tellHandoff(ctx context.Context, sched *herald.Schedule, h herald.Handoff) error {
	occurrence := handoffOccurrence(sched.ID, h.Start, h.UserID)
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM prompts WHERE kind = $1 AND incident_id = '' AND occurrence = $2 AND user_id = $3`,
		herald.PromptOnCallChange, occurrence, h.UserID).Scan(&one)
	if err == nil {
		return nil // told already: spare the work of the brief
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read prompts: %w", err)
	}
	long, err := sched.Shifts(h.Start, h.Start.Add(shiftEndHorizon))
	if err != nil {
		return nil
	}
	end := herald.ShiftEnd(long, h.UserID, h.Start)
	if end.IsZero() || !end.After(tx.now) {
		return nil // over before anyone told them
	}
	b, err := tx.handoffBrief(ctx, sched)
	if err != nil {
		return err
	}
	b.Start, b.End, b.Now = h.Start, end, tx.now
	_, _, err = tx.prompt(ctx, promptSpec{Kind: herald.PromptOnCallChange, Occurrence: occurrence, Notice: herald.OnCallChangeNotice(b)}, h.UserID)
	return err
}

// handoffBrief gathers what the incoming person of sched takes over: the
// open pages of the services whose escalation policies reach the schedule,
// and the ongoing incidents.
func (tx *tx) handoffBrief(ctx context.Context, sched *herald.Schedule) (herald.HandoffBrief, error) {
	console := tx.db.links.Console()
	b := herald.HandoffBrief{Schedule: sched.Name,
		// The handover screen is the handover branch's (/app/handovers).
		HandoversURL: console + "/handovers",
		ScheduleURL:  console + "/oncall/schedules/" + url.PathEscape(sched.ID)}
	rows, err := tx.QueryContext(ctx, `SELECT s.id, p.levels FROM services s JOIN escalation_policies p ON p.id = s.escalation_policy_id ORDER BY s.name`)
	if err != nil {
		return b, fmt.Errorf("read services: %w", err)
	}
	var services []string
	for rows.Next() {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return b, err
		}
		var levels []herald.EscalationLevel
		_ = json.Unmarshal([]byte(raw), &levels) // a policy that cannot be read reaches nobody here
	reach:
		for _, l := range levels {
			for _, t := range l.Targets {
				if t.Type == herald.TargetSchedule && t.ID == sched.ID {
					services = append(services, id)
					break reach
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, err
	}
	if len(services) > 0 {
		in, args := inList(services)
		rows, err := tx.QueryContext(ctx, `SELECT pg.status, s.name, pg.summary FROM pages pg JOIN services s ON s.id = pg.service_id
			WHERE pg.service_id IN (`+in+`) AND pg.status IN ('triggered', 'acknowledged') ORDER BY pg.first_seen, pg.id`, args...)
		if err != nil {
			return b, fmt.Errorf("read open pages: %w", err)
		}
		for rows.Next() {
			var status, service, summary string
			if err := rows.Scan(&status, &service, &summary); err != nil {
				rows.Close()
				return b, err
			}
			if len(b.Pages) == briefItems {
				b.PagesMore++
				continue
			}
			b.Pages = append(b.Pages, fmt.Sprintf("[%s] %s: %s", status, service, summary))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return b, err
		}
	}
	rows, err = tx.QueryContext(ctx, `SELECT reference, severity, state, title, confidential FROM incidents WHERE state <> 'resolved' ORDER BY severity, declared_at, id`)
	if err != nil {
		return b, fmt.Errorf("read ongoing incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref, sev, state, title string
		var confidential bool
		if err := rows.Scan(&ref, &sev, &state, &title, &confidential); err != nil {
			return b, err
		}
		if len(b.Incidents) == briefItems {
			b.IncidentsMore++
			continue
		}
		if confidential {
			title = "(confidential)"
		}
		b.Incidents = append(b.Incidents, fmt.Sprintf("%s %s %s: %s", ref, sev, state, title))
	}
	return b, rows.Err()
}

// onCallStillIncoming reports whether the person a hand-off notice is for
// is still the one on call at its start: a swap or an override made since
// the notice was queued (it may go notice_before ahead) cancels it.
func (tx *tx) onCallStillIncoming(ctx context.Context, _, occurrence string) (bool, error) {
	parts := strings.Split(occurrence, "/")
	if len(parts) != 3 {
		return false, nil
	}
	start, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil {
		return false, nil
	}
	sched, err := tx.schedule(ctx, parts[0], start)
	if herald.ErrorCode(err) == herald.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	oc, ok := sched.OnCallAt(start)
	return ok && oc.UserID == parts[2], nil
}
