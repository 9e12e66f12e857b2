package store_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// rows inserts rows straight into the tables the measures report reads, in
// multi-row INSERTs of up to a few thousand parameters: the hand-made
// worlds of the R62 tests and the 100,000 incidents of its benchmark are
// built the same way (the report is measured, not declaring).
type rows struct {
	tb     testing.TB
	db     *sql.DB
	tables map[string]*pending
	order  []string
	// plain: write ? placeholders (SQLite). SQLite looks each numbered
	// one ($1) up in a list, so a statement of thousands of them costs
	// time quadratic in their number: the 100k world took an hour.
	plain bool
}

type pending struct {
	cols []string
	vals [][]any
}

func newRows(tb testing.TB, db *sql.DB) *rows {
	return &rows{tb: tb, db: db, tables: map[string]*pending{}, plain: strings.Contains(fmt.Sprintf("%T", db.Driver()), "sqlite")}
}

// add queues one row; cols are "a, b, c" and the same for every row of a
// table.
func (r *rows) add(table, cols string, vals ...any) {
	p := r.tables[table]
	if p == nil {
		p = &pending{cols: strings.Split(cols, ", ")}
		r.tables[table] = p
		r.order = append(r.order, table)
	}
	if len(vals) != len(p.cols) {
		r.tb.Fatalf("%s: %d values for %d columns", table, len(vals), len(p.cols))
	}
	p.vals = append(p.vals, vals)
}

// flush writes everything queued, table by table in the order first used
// (parents before children), in one transaction.
func (r *rows) flush() {
	r.tb.Helper()
	tx, err := r.db.Begin()
	if err != nil {
		r.tb.Fatal(err)
	}
	for _, table := range r.order {
		p := r.tables[table]
		per := max(1, 8000/len(p.cols))
		for start := 0; start < len(p.vals); start += per {
			batch := p.vals[start:min(start+per, len(p.vals))]
			var b strings.Builder
			fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(p.cols, ", "))
			args := make([]any, 0, len(batch)*len(p.cols))
			for i, row := range batch {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(")
				for j := range row {
					if j > 0 {
						b.WriteString(", ")
					}
					if r.plain {
						b.WriteString("?")
					} else {
						fmt.Fprintf(&b, "$%d", len(args)+j+1)
					}
				}
				b.WriteString(")")
				args = append(args, row...)
			}
			if _, err := tx.Exec(b.String(), args...); err != nil {
				tx.Rollback()
				r.tb.Fatalf("insert into %s: %v", table, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		r.tb.Fatal(err)
	}
	r.tables, r.order = map[string]*pending{}, nil
}

func us(t time.Time) int64 { return t.UnixMicro() }

// nullUs is a nullable time column.
func nullUs(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

// The tables' columns as the world fills them.
const (
	colsService      = "id, name, description, integration_key, group_threshold, group_window_s, created_at"
	colsIncident     = "id, number, reference, title, summary, severity, state, version, declared_by, declared_at, updated_at, resolved_at, impact_started_at"
	colsRole         = "incident_id, role, user_id, assigned_at"
	colsPage         = "id, service_id, status, dedup_key, summary, severity, source, count, alerts, level, loops, first_seen, last_seen, acked_at, acked_by, incident_id, incident_role"
	colsNotification = "id, page_id, user_id, level, loop, shadow, status, due_at"
	colsStatusInc    = "id, incident_id, name, status, impact, postmortem_url, created_at, updated_at"
	colsUpdate       = "id, status_incident_id, status, body, components, actor, channels, next_update_in, created_at"
	colsTimeline     = "incident_id, kind, at, actor_id, actor, text, data"
	colsTenant       = "id, name, product_version, primary_region, disaster_recovery, secondary_region, emails, contacts, maintenance_window, business_hours, compliance, version, created_at, updated_at"
	colsThread       = "id, token, source_kind, source_id, incident_id, tenant_id, subject, tag, support_region, to_addr, cc, owner_id, created_at, next_notice_due"
	colsMessage      = "id, thread_id, direction, template, subject, body, message_id, in_reply_to, from_addr, author_id, author, guard_override, created_at"
	colsRequest      = "id, from_team, recipients, reason, message, due_at, owner_id, status, created_at, closed_at"
)

func (r *rows) service(id string) {
	r.add("services", colsService, id, id, "", "key-"+id, 1, 0, int64(0))
}

func (r *rows) incident(id string, n int, sev, state, by string, declared time.Time, resolved, impact *time.Time) {
	r.add("incidents", colsIncident, id, n, fmt.Sprintf("INC-%d", n), "Incident "+id, "", sev, state, 1, by, us(declared), us(declared), nullUs(resolved), nullUs(impact))
}

func (r *rows) role(inc, role, user string, at time.Time) {
	r.add("incident_roles", colsRole, inc, role, user, us(at))
}

// page adds a page; incident and role may be empty (an alert's page).
func (r *rows) page(id, service, dedup, inc, role string, first time.Time, acked *time.Time) {
	status, by := "triggered", ""
	if acked != nil {
		status, by = "acknowledged", "someone"
	}
	var incident any
	if inc != "" {
		incident = inc
	}
	r.add("pages", colsPage, id, service, status, dedup, "page "+id, "critical", "test", 1, 1, 0, 0, us(first), us(first), nullUs(acked), by, incident, role)
}

func (r *rows) notification(id, page, user string, level int, shadow bool, at time.Time) {
	r.add("notifications", colsNotification, id, page, user, level, 0, shadow, "sent", us(at))
}

func (r *rows) statusIncident(id, inc string, at time.Time) {
	r.add("status_incidents", colsStatusInc, id, inc, "Status "+id, "investigating", "major", "", us(at), us(at))
}

func (r *rows) update(id, si, status string, nextIn int, at time.Time) {
	r.add("status_updates", colsUpdate, id, si, status, "text", "[]", "someone", "[]", nextIn, us(at))
}

func (r *rows) entry(inc string, at time.Time, data string) {
	var d any
	if data != "" {
		d = data
	}
	r.add("timeline", colsTimeline, inc, "note", us(at), "u", "someone", "text", d)
}
