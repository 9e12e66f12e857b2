package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
)

// A page that reaches nobody must never be silent. Every gap met while
// paging (a person without a working contact method, a schedule with nobody
// on call, a level that reached nobody, a service without a policy, an
// incident role bound to no service) is written where people look (the
// page's log, the incident's timeline), shown as a warning on the page or
// incident, and counted for herald_paging_gaps_total; and paging goes on to
// whoever can still be reached: the next level at once, or the fallback
// target of the settings (paging.fallback).

// gapNote is one gap, before it is logged.
type gapNote struct {
	kind, text string
}

// gaps logs gaps on a page and counts them.
func (tx *tx) gaps(ctx context.Context, pageID string, gaps []gapNote) error {
	for _, g := range gaps {
		if err := tx.pageLog(ctx, pageID, g.kind, g.text); err != nil {
			return err
		}
		if err := tx.countGap(ctx, g.kind); err != nil {
			return err
		}
	}
	return nil
}

// countGap adds one to a gap kind's counter, in the transaction that met
// the gap: the count is the same on every instance and survives restarts.
func (tx *tx) countGap(ctx context.Context, kind string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO paging_gaps (kind, count) VALUES ($1, 1)
		ON CONFLICT (kind) DO UPDATE SET count = paging_gaps.count + 1`, kind)
	if err != nil {
		return fmt.Errorf("count paging gap: %w", err)
	}
	return nil
}

// PagingGaps returns how many gaps of each kind paging has met.
func (db *PagingService) PagingGaps(ctx context.Context) (map[string]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT kind, count FROM paging_gaps`)
	if err != nil {
		return nil, fmt.Errorf("read paging gaps: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, err
		}
		out[kind] = n
	}
	return out, rows.Err()
}

// notifyPeople records a notification for each person, and plans the
// deliveries of those who have a working contact method. Someone without
// one gets a notification marked failed (the page shows who it tried) and
// a gap. reached says whether anyone who can acknowledge (not a shadow)
// will be told; names are those who will be.
func (tx *tx) notifyPeople(ctx context.Context, pageID string, people []who, level, loop int) (reached bool, names []string, gaps []gapNote, err error) {
	seen := map[string]bool{}
	for _, w := range people {
		if seen[w.id] {
			continue
		}
		seen[w.id] = true
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, w.id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			gaps = append(gaps, gapNote{herald.GapNoContactMethod, "user " + w.id + " does not exist"})
			continue
		}
		if err != nil {
			return false, nil, nil, fmt.Errorf("read user: %w", err)
		}
		methods, rules, err := tx.reachOf(ctx, w.id)
		if err != nil {
			return false, nil, nil, err
		}
		unreachable := herald.Unreachable(methods, tx.db.unsendable)
		status := "pending"
		if unreachable != "" {
			status = "failed"
		}
		id := newID()
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, page_id, user_id, level, loop, shadow, status, due_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (page_id, user_id, level, loop) DO NOTHING`,
			id, pageID, w.id, level, loop, w.shadow, status, micros(tx.now))
		if err != nil {
			return false, nil, nil, fmt.Errorf("record notification: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if w.shadow {
			name += " (shadow)"
		}
		if unreachable != "" {
			gaps = append(gaps, gapNote{herald.GapNoContactMethod, name + " " + unreachable})
			continue
		}
		if err := tx.planDeliveries(ctx, id, herald.PlanReach(methods, rules, tx.db.unsendable)); err != nil {
			return false, nil, nil, err
		}
		reached = reached || !w.shadow
		names = append(names, name)
	}
	return reached, names, gaps, nil
}

// kindsNotIn returns " AND m.kind NOT IN ($from, ...)" and its arguments,
// or nothing when every kind can be sent.
func kindsNotIn(kinds []string, from int) (string, []any) {
	if len(kinds) == 0 {
		return "", nil
	}
	marks := make([]string, len(kinds))
	args := make([]any, len(kinds))
	for i, k := range kinds {
		marks[i], args[i] = "$"+strconv.Itoa(from+i), k
	}
	return " AND m.kind NOT IN (" + strings.Join(marks, ", ") + ")", args
}

// fallThrough decides what follows a level that reached nobody: the next
// level at once rather than after the timeout, or after the last one the
// fallback target. A round of the policy that reached nobody at all is not
// repeated (its repeats would reach nobody either, at once). It returns
// what it did, for the log.
func (tx *tx) fallThrough(ctx context.Context, p *herald.Page, level, loop int) (string, error) {
	var policyID string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(escalation_policy_id, '') FROM services WHERE id = $1`, p.ServiceID).Scan(&policyID); err != nil {
		return "", fmt.Errorf("read service: %w", err)
	}
	repeat, base := -1, 0
	if policyID != "" {
		pol, err := tx.escalationPolicy(ctx, policyID)
		if err != nil {
			return "", err
		}
		if level+1 < len(pol.Levels) {
			return fmt.Sprintf("going on to level %d now", level+2), tx.escalateNow(ctx, p.ID)
		}
		// Rounds count from the one the page's escalation began in.
		if err := tx.QueryRowContext(ctx, `SELECT loop_base FROM pages WHERE id = $1`, p.ID).Scan(&base); err != nil {
			return "", fmt.Errorf("read page: %w", err)
		}
		if loop-base < pol.Repeat {
			var reached int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE page_id = $1 AND loop = $2 AND status <> 'failed' AND NOT shadow`,
				p.ID, loop).Scan(&reached); err != nil {
				return "", fmt.Errorf("read notifications: %w", err)
			}
			if reached > 0 {
				return fmt.Sprintf("going on to level %d now", pol.RepeatStart()+1), tx.escalateNow(ctx, p.ID)
			}
		}
		repeat = pol.Repeat
	}
	then, reached, err := tx.pageFallback(ctx, p, level, loop)
	if err != nil || reached {
		return then, err // the fallback has the level's timeout to answer
	}
	// Nobody at all: the policy ends now rather than after the timeout.
	if base+repeat > loop {
		if _, err := tx.ExecContext(ctx, `UPDATE pages SET loops = $1 WHERE id = $2`, base+repeat, p.ID); err != nil {
			return "", fmt.Errorf("end the policy: %w", err)
		}
	}
	return then, tx.escalateNow(ctx, p.ID)
}

// escalateNow makes a page's next escalation step due now.
func (tx *tx) escalateNow(ctx context.Context, pageID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE pages SET next_escalation_at = $1 WHERE id = $2 AND status = 'triggered'`, micros(tx.now), pageID)
	if err != nil {
		return fmt.Errorf("escalate now: %w", err)
	}
	return nil
}

// pageFallback pages the fallback target of the settings (a user, or
// whoever is on call on a schedule) as part of the given level, and says
// what it did and whether someone will be told.
func (tx *tx) pageFallback(ctx context.Context, p *herald.Page, level, loop int) (string, bool, error) {
	settings, err := tx.settings(ctx)
	if err != nil {
		return "", false, err
	}
	ref := settings.Paging.Fallback
	if ref == "" {
		return "nobody else to page (no fallback is set: settings paging.fallback)", false, nil
	}
	var target who
	u, err := tx.user(ctx, ref)
	switch {
	case err == nil:
		target = who{u.ID, false}
	case herald.ErrorCode(err) != herald.ENotFound:
		return "", false, err
	default:
		s, err := tx.schedule(ctx, ref, tx.now)
		if herald.ErrorCode(err) == herald.ENotFound {
			return fmt.Sprintf("the fallback %q (settings paging.fallback) is neither a user nor a schedule", ref), false, nil
		}
		if err != nil {
			return "", false, err
		}
		oc, ok := s.OnCallAt(tx.now)
		if !ok {
			g := gapNote{herald.GapNobodyOnCall, "Fallback: nobody is on call on " + s.Name}
			return "nobody is on call on the fallback schedule " + s.Name, false, tx.gaps(ctx, p.ID, []gapNote{g})
		}
		target = who{oc.UserID, false}
	}
	reached, names, gaps, err := tx.notifyPeople(ctx, p.ID, []who{target}, level, loop)
	if err != nil {
		return "", false, err
	}
	for i := range gaps {
		gaps[i].text = "Fallback: " + gaps[i].text
	}
	if err := tx.gaps(ctx, p.ID, gaps); err != nil {
		return "", false, err
	}
	if reached {
		return "paged the fallback " + strings.Join(names, ", "), true, nil
	}
	return "the fallback cannot be reached either", false, nil
}

// unrouted is the step of a page whose service has no escalation policy:
// a gap, and the fallback target is paged.
func (tx *tx) unrouted(ctx context.Context, pageID string) error {
	p, err := tx.page(ctx, pageID)
	if err != nil {
		return err
	}
	then, _, err := tx.pageFallback(ctx, p, 0, 0)
	if err != nil {
		return err
	}
	g := gapNote{herald.GapUnrouted, "The service has no escalation policy: " + then}
	if err := tx.gaps(ctx, pageID, []gapNote{g}); err != nil {
		return err
	}
	return tx.levelOnTimeline(ctx, p, "", false, []gapNote{g})
}

// levelOnTimeline tells an incident what a step of one of its role pages
// did: a note with whom it paged, and a warning with its gaps.
func (tx *tx) levelOnTimeline(ctx context.Context, p *herald.Page, text string, paged bool, gaps []gapNote) error {
	if p.IncidentID == "" || (!paged && len(gaps) == 0) {
		return nil
	}
	settings, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	prefix := "Page for the " + settings.RoleName(p.IncidentRole) + ", "
	if p.IncidentRole == "" {
		prefix = fmt.Sprintf("Page %q, ", p.Summary) // an alert page linked to the incident
	}
	if paged {
		if err := tx.appendEntry(ctx, p.IncidentID, herald.Actor{}, herald.EntryNote, prefix+lowerFirst(text),
			map[string]any{"page_id": p.ID, "level": p.Level + 1}); err != nil {
			return err
		}
	}
	if len(gaps) == 0 {
		return nil
	}
	kinds := make([]string, len(gaps))
	texts := make([]string, len(gaps))
	kind := gaps[0].kind
	for i, g := range gaps {
		kinds[i], texts[i] = g.kind, lowerFirst(g.text)
		if g.kind == herald.GapLevelUnreached || g.kind == herald.GapUnrouted {
			kind = g.kind
		}
	}
	return tx.appendEntry(ctx, p.IncidentID, herald.Actor{}, herald.EntryWarning, prefix+strings.Join(texts, "; "),
		map[string]any{"page_id": p.ID, "gap": kind, "gaps": kinds})
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// roleUnbound records that a declaration paged nobody for a role: a
// warning on the timeline and on the incident, and a gap counted.
func (tx *tx) roleUnbound(ctx context.Context, inc *herald.Incident, role, text string) error {
	if err := tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryWarning, text, map[string]any{"gap": herald.GapRoleUnbound, "role": role}); err != nil {
		return err
	}
	inc.Warnings = append(inc.Warnings, herald.Warning{Kind: herald.GapRoleUnbound, Text: text, At: tx.now})
	return tx.countGap(ctx, herald.GapRoleUnbound)
}

// pageWarningKinds are the page log kinds shown as a page's warnings: the
// gaps, and a contact method given up after its attempts.
var pageWarningKinds = append([]string{"delivery_failed"}, herald.GapKinds...)

func (tx *tx) pageWarnings(ctx context.Context, pageID string) ([]herald.Warning, error) {
	marks, args := inList(pageWarningKinds)
	rows, err := tx.QueryContext(ctx, `SELECT at, kind, text FROM page_log WHERE kind IN (`+marks+`) AND page_id = $`+strconv.Itoa(len(args)+1)+` ORDER BY id`,
		append(args, pageID)...)
	if err != nil {
		return nil, fmt.Errorf("read page warnings: %w", err)
	}
	defer rows.Close()
	var out []herald.Warning
	for rows.Next() {
		var w herald.Warning
		var at int64
		if err := rows.Scan(&at, &w.Kind, &w.Text); err != nil {
			return nil, err
		}
		w.At = fromMicros(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

func (tx *tx) incidentWarnings(ctx context.Context, incidentID string) ([]herald.Warning, error) {
	entries, err := tx.timeline(ctx, incidentID, herald.EntryWarning)
	if err != nil {
		return nil, err
	}
	var out []herald.Warning
	for _, e := range entries {
		var data struct {
			Gap string `json:"gap"`
		}
		if len(e.Data) > 0 {
			if err := json.Unmarshal(e.Data, &data); err != nil {
				return nil, fmt.Errorf("warning %d: %w", e.ID, err)
			}
		}
		out = append(out, herald.Warning{Kind: data.Gap, Text: e.Text, At: e.At})
	}
	return out, nil
}
