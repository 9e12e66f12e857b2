package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// DoctorOptions is what the doctor needs to know about the server that the
// database does not say.
type DoctorOptions struct {
	// SMTP says whether an SMTP server is configured (--smtp-url).
	SMTP bool
}

// doctorWindow is how far ahead the doctor looks for uncovered hours.
const doctorWindow = 14 * 24 * time.Hour

// adminEmail is the user behind HERALD_ADMIN_TOKEN: an identity for the
// token, not a person anyone pages.
const adminEmail = "admin@herald.invalid"

// Doctor lists the configuration gaps that would make a page reach nobody
// or a message go nowhere, before an incident finds them: people without a
// working contact method, schedules with nobody on call in the next 14
// days, services without an escalation policy, incident roles bound to no
// service, a fallback that names nobody, and e-mail without SMTP. Errors
// come first: each means something is lost today.
func (db *DB) Doctor(ctx context.Context, opt DoctorOptions) (herald.Report, error) {
	var found []herald.Finding
	add := func(kind, severity, fix, format string, args ...any) {
		found = append(found, herald.Finding{Kind: kind, Severity: severity, Message: fmt.Sprintf(format, args...), Fix: fix})
	}
	err := db.read(ctx, func(tx *tx) error {
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		pol, err := tx.policyTargets(ctx)
		if err != nil {
			return err
		}
		// Whom paging can reach: users on a policy, in a rotation or
		// override that matters soon, or named as the fallback.
		pageable := map[string]bool{}
		for id := range pol.users {
			pageable[id] = true
		}
		if err := tx.doctorManagers(ctx, pol, pageable, add); err != nil {
			return err
		}
		fallback := settings.Paging.Fallback
		if fallback != "" {
			if u, err := tx.user(ctx, fallback); err == nil {
				pageable[u.ID] = true
			} else if s, err := tx.schedule(ctx, fallback, tx.now); err == nil {
				pol.schedules[s.ID] = true
			} else {
				fallback = "" // it pages nobody
				add(herald.FindingFallbackMissing, herald.SeverityError, "Name an existing user (e-mail) or schedule in the settings (PUT /api/v1/settings, paging.fallback), or clear it.",
					"The paging fallback %q is neither a user nor a schedule: pages that reach nobody go nowhere", settings.Paging.Fallback)
			}
		}

		// Schedules: uncovered hours in the next 14 days.
		schedules, err := tx.schedules(ctx)
		if err != nil {
			return err
		}
		to := tx.now.Add(doctorWindow)
		for _, s := range schedules {
			for _, l := range s.Layers {
				for _, u := range l.Users {
					pageable[u] = true
				}
			}
			for _, o := range s.Overrides {
				if o.Start.Before(to) {
					pageable[o.UserID] = true
				}
			}
			total, first, err := uncovered(s, tx.now, to)
			if err != nil {
				add(herald.FindingScheduleGap, herald.SeverityError, "Fix the schedule's layers (herald schedule update): their times are out of range.",
					"The on-call of %s cannot be worked out: %v", s.Name, err)
				continue
			}
			if total == 0 {
				continue
			}
			severity, use := herald.SeverityWarning, "no escalation policy uses it"
			if pol.schedules[s.ID] {
				severity, use = herald.SeverityError, "pages to it then reach nobody on its level"
			}
			add(herald.FindingScheduleGap, severity, "Add a layer or an override that covers those hours (herald schedule override), or a layer that starts earlier.",
				"Nobody is on call on %s for %s in the next 14 days, first from %s UTC: %s", s.Name, hours(total), first.UTC().Format("2006-01-02 15:04"), use)
		}

		// People without a working contact method, or only with kinds this
		// Herald cannot send.
		unsendable := slices.Clone(db.unsendable)
		if !opt.SMTP && !slices.Contains(unsendable, "email") {
			unsendable = append(unsendable, "email")
		}
		notIn, args := kindsNotIn(unsendable, 2)
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.email,
			(SELECT count(*) FROM contact_methods m WHERE m.user_id = u.id),
			(SELECT count(*) FROM contact_methods m WHERE m.user_id = u.id AND NOT m.failing),
			(SELECT count(*) FROM contact_methods m WHERE m.user_id = u.id AND NOT m.failing`+notIn+`)
			FROM users u WHERE u.email <> $1 ORDER BY u.name, u.email`, append([]any{adminEmail}, args...)...)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, name, email string
			var all, working, sendable int
			if err := rows.Scan(&id, &name, &email, &all, &working, &sendable); err != nil {
				return err
			}
			why := ""
			switch {
			case all == 0:
				why = "has no contact method"
			case working == 0:
				why = "has only failing contact methods"
			case sendable == 0:
				why = "has no contact method this Herald can send to (it cannot send " + strings.Join(unsendable, ", ") + ": see --smtp-url, --phone-provider-url)"
			default:
				continue
			}
			severity, use := herald.SeverityWarning, "no policy, schedule or fallback pages them yet"
			if pageable[id] {
				severity, use = herald.SeverityError, "pages to them reach nobody"
			}
			add(herald.FindingUserUnreachable, severity,
				"Add a contact method: herald user contact "+email+" --kind email|webhook|slack|teams|sms|voice --target ..., or POST /api/v1/users/{id}/contact-methods.",
				"%s <%s> %s: %s", name, email, why, use)
		}
		if err := rows.Err(); err != nil {
			return err
		}

		// Services without an escalation policy.
		svcs, err := tx.QueryContext(ctx, `SELECT name FROM services WHERE escalation_policy_id IS NULL ORDER BY name`)
		if err != nil {
			return fmt.Errorf("list services: %w", err)
		}
		defer svcs.Close()
		for svcs.Next() {
			var name string
			if err := svcs.Scan(&name); err != nil {
				return err
			}
			if fallback != "" {
				add(herald.FindingServiceNoPolicy, herald.SeverityWarning, "Give the service an escalation policy.",
					"Service %s has no escalation policy: its pages go to the fallback %s only", name, fallback)
			} else {
				add(herald.FindingServiceNoPolicy, herald.SeverityError, "Give the service an escalation policy, or set a fallback (settings paging.fallback).",
					"Service %s has no escalation policy: its pages reach nobody", name)
			}
		}
		if err := svcs.Err(); err != nil {
			return err
		}

		// Incident roles that declarations page, bound to no service.
		for _, r := range settings.IncidentRoles {
			var sevs []string
			for _, sev := range herald.Severities {
				if slices.Contains(settings.PageRoles[sev], r.Key) {
					sevs = append(sevs, string(sev))
				}
			}
			if len(sevs) == 0 {
				continue
			}
			fix := fmt.Sprintf("Bind the role to the service that pages it: PUT /api/v1/settings with role_services {%q: \"SERVICE\"}.", r.Key)
			ref := settings.RoleServices[r.Key]
			if ref == "" {
				add(herald.FindingRoleUnbound, herald.SeverityError, fix,
					"Declaring an %s incident pages the %s, but no service is bound to the role: nobody is paged", strings.Join(sevs, " or "), r.Name)
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM services WHERE id = $1 OR name = $1`, ref).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				add(herald.FindingRoleUnbound, herald.SeverityError, fix,
					"The %s is bound to service %s, which does not exist: declaring an %s incident pages nobody for it", r.Name, ref, strings.Join(sevs, " or "))
			}
		}

		// E-mail without SMTP.
		if !opt.SMTP {
			var methods, subscribers int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_methods WHERE kind = 'email'`).Scan(&methods); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE kind = 'email' AND unsubscribed_at IS NULL`).Scan(&subscribers); err != nil {
				return err
			}
			if methods+subscribers > 0 {
				add(herald.FindingSMTPMissing, herald.SeverityError, "Start herald serve with --smtp-url smtp://user:password@host:587 (HERALD_SMTP_URL) and --smtp-from.",
					"No SMTP server is configured, but %d e-mail contact methods and %d e-mail subscribers exist: their mail is never sent", methods, subscribers)
			}
		}
		if err := tx.doctorTeams(ctx, add); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return herald.Report{}, err
	}
	sort.SliceStable(found, func(i, j int) bool {
		return found[i].Severity == herald.SeverityError && found[j].Severity != herald.SeverityError
	})
	r := herald.Report{Findings: found}
	if r.Findings == nil {
		r.Findings = []herald.Finding{}
	}
	for _, f := range found {
		if f.Severity == herald.SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	return r, nil
}

// targets are the users and schedules escalation policies page, and
// whether one pages all managers.
type targets struct {
	users, schedules map[string]bool
	managers         bool
}

func (tx *tx) policyTargets(ctx context.Context) (targets, error) {
	t := targets{users: map[string]bool{}, schedules: map[string]bool{}}
	rows, err := tx.QueryContext(ctx, `SELECT levels FROM escalation_policies`)
	if err != nil {
		return t, fmt.Errorf("list escalation policies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return t, err
		}
		var levels []herald.EscalationLevel
		if err := json.Unmarshal([]byte(raw), &levels); err != nil {
			return t, fmt.Errorf("decode levels: %w", err)
		}
		for _, l := range levels {
			for _, target := range l.Targets {
				switch target.Type {
				case "user":
					t.users[target.ID] = true
				case "schedule", "colleague":
					t.schedules[target.ID] = true
				case herald.TargetManagers:
					t.managers = true
				}
			}
		}
	}
	return t, rows.Err()
}

// uncovered returns how long nobody is on call on a schedule between from
// and to, and when that first happens.
func uncovered(s *herald.Schedule, from, to time.Time) (total time.Duration, first time.Time, err error) {
	at := from
	gap := func(until time.Time) {
		if until.After(at) {
			total += until.Sub(at)
			if first.IsZero() {
				first = at
			}
		}
	}
	shifts, err := s.Shifts(from, to)
	if err != nil {
		return 0, time.Time{}, err
	}
	for _, sh := range shifts {
		gap(sh.Start)
		if sh.End.After(at) {
			at = sh.End
		}
	}
	gap(to)
	return total, first, nil
}

// hours says a duration the way a person would.
func hours(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%.1f hours", d.Hours())
}
