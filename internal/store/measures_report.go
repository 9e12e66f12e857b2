package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// The measures report (R62) over a period. Over everyone it reads the
// roll-ups of migration 0044 for the period's whole days (measures_rollup.go);
// from the rows, each measure is one or two SQL aggregates over an
// indexed time range (migration 0037), the percentiles percentile_disc on
// PostgreSQL and, on SQLite, one pass over a single sorted column (see
// distribution). The rows are also the tests' oracle for the roll-ups.

// MeasuresReport computes the report in one read transaction.
func (db *IncidentService) MeasuresReport(ctx context.Context, q herald.MeasuresQuery) (herald.MeasuresReport, error) {
	var r herald.MeasuresReport
	err := db.read(ctx, func(tx *tx) error {
		var err error
		r, err = tx.measuresReport(ctx, q)
		return err
	})
	return r, err
}

// measuresScope is the period and person every measure is filtered by.
type measuresScope struct {
	from, to, now int64 // micros
	person        string
	rows          bool // every measure from the rows, never the roll-ups (the tests' oracle)
}

func (tx *tx) measuresReport(ctx context.Context, q herald.MeasuresQuery) (herald.MeasuresReport, error) {
	return tx.measuresReportFrom(ctx, q, false)
}

// measuresReportFrom computes the report; rows computes every measure
// from the rows (the oracle the roll-ups are tested against).
func (tx *tx) measuresReportFrom(ctx context.Context, q herald.MeasuresQuery, rows bool) (herald.MeasuresReport, error) {
	if err := q.Normalize(tx.now); err != nil {
		return herald.MeasuresReport{}, err
	}
	if tx.db.dialect == Postgres {
		// The aggregates group and sort a year of pages: with the default
		// 4 MB they spill to disk. For this transaction only.
		if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return herald.MeasuresReport{}, fmt.Errorf("measures: %w", err)
		}
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return herald.MeasuresReport{}, err
	}
	target := time.Duration(s.Measures.AckTarget)
	if q.AckTarget > 0 {
		target = q.AckTarget
	}
	hours := s.MeasuresHours()
	r := herald.MeasuresReport{From: q.From.UTC(), To: q.To.UTC(), AckTargetS: int(target / time.Second),
		OutOfHours: "outside " + hours.String()}
	sc := measuresScope{from: micros(q.From), to: micros(q.To), now: micros(tx.now), rows: rows}
	if strings.TrimSpace(q.Person) != "" {
		u, err := tx.user(ctx, q.Person)
		if herald.ErrorCode(err) == herald.ENotFound {
			return r, herald.FieldErrors{"person": "no user " + strconv.Quote(q.Person)}.Err()
		}
		if err != nil {
			return r, err
		}
		sc.person = u.ID
		r.Person = &herald.MeasuresPerson{ID: u.ID, Name: u.Name}
	}
	// The report over everyone reads the roll-ups for its whole days
	// (measures_rollup.go); one person's reads them for pages per person
	// and the rows for the rest, a period within a day the rows. A step
	// the roll-up cannot answer exactly reads the rows.
	sp, whole := splitDays(sc)
	rollup := whole && sc.person == "" && !sc.rows
	rollupPages := whole && !sc.rows // per person already
	fallback := func(ok bool, err error) (bool, error) {
		if err == errRollup {
			measuresFallbacks.Add(1)
			return false, nil
		}
		return ok, err
	}
	steps := []func() error{
		func() (err error) {
			ok := false
			if rollup {
				r.Acknowledgement, ok, err = tx.measureRoleAcksRollup(ctx, sc, sp, s, target)
				if ok, err = fallback(ok, err); ok || err != nil {
					return err
				}
			}
			r.Acknowledgement, err = tx.measureRoleAcks(ctx, sc, s, target)
			return
		},
		func() (err error) {
			ok := false
			if rollup {
				if r.Cadence, ok, err = tx.measureCadenceRollup(ctx, sc, sp, s); ok || err != nil {
					return err
				}
			}
			r.Cadence, err = tx.measureCadence(ctx, sc, s)
			return
		},
		func() (err error) {
			if rollup {
				r.StakeholderNotices, err = tx.measureStakeholderNoticesRollup(ctx, sp)
				return
			}
			r.StakeholderNotices, err = tx.measureStakeholderNotices(ctx, sc)
			return
		},
		func() (err error) { r.CustomerNotices, err = tx.measureCustomerNotices(ctx, sc, s); return },
		func() (err error) { r.Handovers, err = tx.measureHandovers(ctx, sc); return },
		func() (err error) { r.ContactRequests, err = tx.measureContactRequests(ctx, sc); return },
		func() (err error) {
			ok := false
			if rollupPages {
				if r.Pages, ok, err = tx.measurePagesPerPersonRollup(ctx, sc, sp, hours); ok || err != nil {
					return err
				}
			}
			r.Pages, err = tx.measurePagesPerPerson(ctx, sc, hours)
			return
		},
		func() (err error) {
			if rollup {
				r.Severities, err = tx.measureSeveritiesRollup(ctx, sc, sp)
				ok, ferr := fallback(true, err)
				if ok || ferr != nil {
					return ferr
				}
			}
			r.Severities, err = tx.measureSeverities(ctx, sc)
			return
		},
		func() (err error) { r.Training, err = tx.measureTraining(ctx, sc); return },
	}
	for i, step := range steps {
		start := time.Now()
		if err := step(); err != nil {
			return r, err
		}
		if measuresTrace != nil {
			measuresTrace(i, time.Since(start))
		}
	}
	return r, nil
}

// measuresTrace, when set (only by the benchmark), hears how long each
// step of the report took, to find the slow ones.
var measuresTrace func(step int, took time.Duration)

// measuresSteps names the report's steps in order, for measuresTrace.
var measuresSteps = []string{"role-acks", "cadence", "stakeholders", "customers", "handovers",
	"contacts", "pages", "severities", "training"}

// dist is a distribution's size and nearest-rank percentiles, in micros.
type dist struct {
	n        int
	p50, p90 *int64
}

// distribution reads the distribution of v for each k of inner, a query
// selecting the columns k and v (v never NULL). PostgreSQL computes the
// percentiles itself (percentile_disc); SQLite has no percentile function,
// so a window function ranks the one narrow column.
func (tx *tx) distribution(ctx context.Context, inner string, args ...any) (map[string]dist, error) {
	out := map[string]dist{}
	if tx.db.dialect == Postgres {
		rows, err := tx.QueryContext(ctx, `SELECT k, COUNT(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY v),
			percentile_disc(0.9) WITHIN GROUP (ORDER BY v) FROM (`+inner+`) q GROUP BY k`, args...)
		if err != nil {
			return nil, fmt.Errorf("measure distribution: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var d dist
			var p50, p90 int64
			if err := rows.Scan(&k, &d.n, &p50, &p90); err != nil {
				return nil, fmt.Errorf("measure distribution: %w", err)
			}
			d.p50, d.p90 = &p50, &p90
			out[k] = d
		}
		return out, rows.Err()
	}
	// SQLite: number each group's values in order and keep only the rows
	// at the two ranks, so the sort happens inside SQLite and two rows per
	// group reach Go (nearest rank: ceil(p*n)).
	rows, err := tx.QueryContext(ctx, `SELECT k, n, rn, v FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn,
		COUNT(*) OVER (PARTITION BY k) AS n FROM (`+inner+`) q) r WHERE rn = (n + 1) / 2 OR rn = (9 * n + 9) / 10`, args...)
	if err != nil {
		return nil, fmt.Errorf("measure distribution: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n, rn int
		var v int64
		if err := rows.Scan(&k, &n, &rn, &v); err != nil {
			return nil, fmt.Errorf("measure distribution: %w", err)
		}
		d := out[k]
		d.n = n
		if rn == (n+1)/2 {
			d.p50 = &v
		}
		if rn == (9*n+9)/10 {
			d.p90 = &v
		}
		out[k] = d
	}
	return out, rows.Err()
}

// seconds turns micros into whole seconds for the report.
func seconds(v *int64) *int {
	if v == nil {
		return nil
	}
	s := int(*v / 1e6)
	return &s
}

// personIncidents limits incident measures to the incidents in which the
// person holds a role (the holder now: a role handed over counts for the
// one who took it).
const personIncidents = ` AND i.id IN (SELECT incident_id FROM incident_roles WHERE user_id = $%d)`

// A practice incident (R63) is training, not an incident: it counts in no
// incident measure. liveIncident keeps the incidents i that are real
// (the partial index incidents_live_declared, 0043, has this predicate);
// livePage keeps the pages p outside practice incidents, an alert's page
// too, by one look at the few practice incidents (incidents_practice).
const (
	liveIncident = ` AND i.practice_run_id = ''`
	livePage     = ` AND COALESCE(p.incident_id, '') NOT IN (SELECT id FROM incidents WHERE practice_run_id <> '')`
)

// measureRoleAcks: each incident role's pages raised in the period (the
// requests to find cover, R06, left out), how many were acknowledged, how
// fast, and the share within the target. For a person: the pages that
// reached them.
func (tx *tx) measureRoleAcks(ctx context.Context, sc measuresScope, s herald.Settings, target time.Duration) ([]herald.RoleAckStats, error) {
	where := `p.incident_role <> '' AND p.first_seen >= $1 AND p.first_seen < $2
		AND p.dedup_key <> 'incident/' || p.incident_id || '/' || p.incident_role || '/cover'` + livePage
	args := []any{sc.from, sc.to}
	if sc.person != "" {
		where += ` AND EXISTS (SELECT 1 FROM notifications n WHERE n.page_id = p.id AND n.user_id = $3 AND NOT n.shadow)`
		args = append(args, sc.person)
	}
	byRole := map[string]ackCounts{}
	d := map[string]dist{}
	within := `CASE WHEN p.acked_at - p.first_seen <= ` + strconv.FormatInt(target.Microseconds(), 10) + ` THEN 1 ELSE 0 END`
	// One pass over the period's role pages gives the counts and the
	// percentiles of the acknowledged ones' times.
	var q string
	if tx.db.dialect == Postgres {
		// percentile_disc leaves the NULLs (pages never acknowledged) out.
		q = `SELECT p.incident_role, COUNT(*), COUNT(p.acked_at), COALESCE(SUM(` + within + `), 0),
			percentile_disc(0.5) WITHIN GROUP (ORDER BY p.acked_at - p.first_seen),
			percentile_disc(0.9) WITHIN GROUP (ORDER BY p.acked_at - p.first_seen), 0
			FROM pages p WHERE ` + where + ` GROUP BY p.incident_role`
	} else {
		// SQLite: each role's pages numbered in order of their time, the
		// never acknowledged (NULL) first; the ranks among the m
		// acknowledged of n are shifted by n - m. The first row of each
		// role carries its counts even when none was acknowledged.
		q = `SELECT k, n, m, w, v, v, rn - (n - m) FROM (SELECT p.incident_role AS k, p.acked_at - p.first_seen AS v,
			ROW_NUMBER() OVER (PARTITION BY p.incident_role ORDER BY p.acked_at - p.first_seen) AS rn,
			COUNT(*) OVER (PARTITION BY p.incident_role) AS n, COUNT(p.acked_at) OVER (PARTITION BY p.incident_role) AS m,
			SUM(` + within + `) OVER (PARTITION BY p.incident_role) AS w
			FROM pages p WHERE ` + where + `) r
			WHERE rn = 1 OR rn - (n - m) = (m + 1) / 2 OR rn - (n - m) = (9 * m + 9) / 10`
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("measure acknowledgements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role string
		var c ackCounts
		var within *int
		var p50, p90 *int64
		var rank int
		if err := rows.Scan(&role, &c.pages, &c.acked, &within, &p50, &p90, &rank); err != nil {
			return nil, fmt.Errorf("measure acknowledgements: %w", err)
		}
		if within != nil {
			c.within = *within
		}
		byRole[role] = c
		x := d[role]
		x.n = c.acked
		if tx.db.dialect == Postgres {
			x.p50, x.p90 = p50, p90
		} else if c.acked > 0 && p50 != nil {
			if rank == (c.acked+1)/2 {
				x.p50 = p50
			}
			if rank == (9*c.acked+9)/10 {
				x.p90 = p90
			}
		}
		d[role] = x
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("measure acknowledgements: %w", err)
	}
	rows.Close()
	return roleAckStats(s, byRole, d), nil
}

// ackCounts are one role's pages, those acknowledged and those within the
// target.
type ackCounts struct{ pages, acked, within int }

// roleAckStats lists the roles' figures: the configured roles in their
// order, then any other role that was paged.
func roleAckStats(s herald.Settings, byRole map[string]ackCounts, d map[string]dist) []herald.RoleAckStats {
	roles := make([]string, 0, len(s.IncidentRoles))
	for _, rd := range s.IncidentRoles {
		roles = append(roles, rd.Key)
	}
	var others []string
	for role := range byRole {
		if !s.HasRole(role) {
			others = append(others, role)
		}
	}
	sort.Strings(others)
	var out []herald.RoleAckStats
	for _, role := range append(roles, others...) {
		c := byRole[role]
		a := herald.RoleAckStats{Role: role, RoleName: s.RoleName(role), Pages: c.pages, Acknowledged: c.acked,
			WithinTarget: c.within, ShareWithinTarget: herald.Share(c.within, c.pages)}
		a.P50S, a.P90S = seconds(d[role].p50), seconds(d[role].p90)
		out = append(out, a)
	}
	return out
}

// measureCadence: the intervals between public updates that began in the
// period, each against its maximum: the update's announced next time, else
// the cadence for its state and the incident's severity (today's severity
// and today's cadence: the per-incident measure follows severity changes
// on the timeline, which an aggregate over every incident cannot read
// cheaply). An update to Resolved owes nothing; while a status incident
// is open its last interval runs to now.
func (tx *tx) measureCadence(ctx context.Context, sc measuresScope, s herald.Settings) (herald.CadenceStats, error) {
	cad := "CASE iv.st || ':' || iv.sev"
	for _, st := range herald.States {
		for _, sev := range herald.Severities {
			if d := s.NextUpdateAfter(st, sev); d > 0 {
				cad += fmt.Sprintf(" WHEN '%s:%s' THEN %d", st, sev, d.Microseconds())
			}
		}
	}
	cad += " ELSE 0 END"
	args := []any{sc.from, sc.to, sc.now}
	person := ""
	if sc.person != "" {
		person = fmt.Sprintf(personIncidents, 4)
		args = append(args, sc.person)
	}
	var c herald.CadenceStats
	var lateMicros int64
	err := tx.QueryRowContext(ctx, `WITH iv AS (SELECT u.status AS st, u.next_update_in AS nui, u.created_at AS f, i.severity AS sev,
			LEAD(u.created_at) OVER (PARTITION BY u.status_incident_id ORDER BY u.created_at, u.id) AS t
			FROM status_updates u JOIN status_incidents s ON s.id = u.status_incident_id JOIN incidents i ON i.id = s.incident_id
			WHERE u.created_at >= $1`+liveIncident+person+`)
		SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN d > mx THEN 1 ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN d > mx THEN d - mx ELSE 0 END), 0) AS BIGINT)
		FROM (SELECT COALESCE(iv.t, $3) - iv.f AS d,
				CASE WHEN iv.nui > 0 THEN CAST(iv.nui AS BIGINT) * 60000000 ELSE `+cad+` END AS mx
			FROM iv
			WHERE iv.f < $2 AND iv.st <> 'resolved') x
		WHERE mx > 0`, args...).Scan(&c.Intervals, &c.Late, &lateMicros)
	if err != nil {
		return c, fmt.Errorf("measure cadence: %w", err)
	}
	c.OnTime = c.Intervals - c.Late
	c.ShareOnTime = herald.Share(c.OnTime, c.Intervals)
	c.MinutesLate = int((time.Duration(lateMicros) * time.Microsecond).Round(time.Minute) / time.Minute)
	return c, nil
}

// stakeholderNotice marks a timeline entry as a notice to stakeholders; the
// partial index timeline_stakeholder_notices (0037) has the same text, so
// the query must keep it verbatim.
const stakeholderNotice = `t.data LIKE '%"stakeholder_notice":true%'`

// measureStakeholderNotices: the incidents declared in the period and the
// stakeholder notices they got.
func (tx *tx) measureStakeholderNotices(ctx context.Context, sc measuresScope) (herald.StakeholderStats, error) {
	args := []any{sc.from, sc.to}
	person := ""
	if sc.person != "" {
		person = fmt.Sprintf(personIncidents, 3)
		args = append(args, sc.person)
	}
	var st herald.StakeholderStats
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents i WHERE i.declared_at >= $1 AND i.declared_at < $2`+liveIncident+person, args...).
		Scan(&st.Incidents); err != nil {
		return st, fmt.Errorf("measure stakeholder notices: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM timeline t JOIN incidents i ON i.id = t.incident_id
		WHERE `+stakeholderNotice+` AND i.declared_at >= $1 AND i.declared_at < $2`+liveIncident+person, args...).Scan(&st.Notices); err != nil {
		return st, fmt.Errorf("measure stakeholder notices: %w", err)
	}
	if st.Incidents > 0 {
		v := float64(st.Notices) / float64(st.Incidents)
		st.PerIncident = &v
	}
	return st, nil
}

// measureCustomerNotices: each notice sent in the period on a customer
// thread after its first is judged against when the thread owed it: the
// next_notice_due the notice before set (NextCustomerNotice from that
// notice's time, the incident's severity and the tenant's business hours,
// with today's settings). For a person: the threads they own.
func (tx *tx) measureCustomerNotices(ctx context.Context, sc measuresScope, s herald.Settings) (herald.CustomerNoticeStats, error) {
	var c herald.CustomerNoticeStats
	args := []any{sc.from, sc.to}
	owner := ""
	if sc.person != "" {
		owner = ` AND t.owner_id = $3`
		args = append(args, sc.person)
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.thread_id, m.created_at, t.tenant_id, COALESCE(i.severity, 'S4')
		FROM notice_messages m JOIN notice_threads t ON t.id = m.thread_id LEFT JOIN incidents i ON i.id = t.incident_id
		WHERE m.direction = 'out' AND m.thread_id IN (SELECT thread_id FROM notice_messages
			WHERE direction = 'out' AND created_at >= $1 AND created_at < $2) AND (i.id IS NULL OR i.practice_run_id = '')`+owner+`
		ORDER BY m.thread_id, m.created_at, m.id`, args...)
	if err != nil {
		return c, fmt.Errorf("measure customer notices: %w", err)
	}
	type msg struct {
		thread, tenant string
		at             int64
		sev            herald.Severity
	}
	var list []msg
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.thread, &m.at, &m.tenant, &m.sev); err != nil {
			rows.Close()
			return c, fmt.Errorf("measure customer notices: %w", err)
		}
		list = append(list, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("measure customer notices: %w", err)
	}
	hours := map[string]herald.BusinessHours{}
	if len(list) > 0 {
		trows, err := tx.QueryContext(ctx, `SELECT id, business_hours FROM tenants`)
		if err != nil {
			return c, fmt.Errorf("read tenants' hours: %w", err)
		}
		for trows.Next() {
			var id, data string
			var h herald.BusinessHours
			if err := trows.Scan(&id, &data); err != nil {
				trows.Close()
				return c, fmt.Errorf("read tenants' hours: %w", err)
			}
			if json.Unmarshal([]byte(data), &h) == nil {
				hours[id] = h
			}
		}
		trows.Close()
		if err := trows.Err(); err != nil {
			return c, fmt.Errorf("read tenants' hours: %w", err)
		}
	}
	var late time.Duration
	for i, m := range list {
		if i == 0 || list[i-1].thread != m.thread || m.at < sc.from || m.at >= sc.to {
			continue
		}
		due := herald.NextCustomerNotice(fromMicros(list[i-1].at), m.sev, hours[m.tenant], s.Notices)
		c.Notices++
		if over := fromMicros(m.at).Sub(due); over > 0 {
			c.Late++
			late += over
		}
	}
	c.OnTime = c.Notices - c.Late
	c.ShareOnTime = herald.Share(c.OnTime, c.Notices)
	c.MinutesLate = int(late.Round(time.Minute) / time.Minute)
	args = []any{sc.from, min(sc.to, sc.now)}
	if sc.person != "" {
		args = append(args, sc.person)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notice_threads t JOIN incidents i ON i.id = t.incident_id
		WHERE t.next_notice_due >= $1 AND t.next_notice_due < $2 AND i.state <> 'resolved'`+liveIncident+owner, args...).Scan(&c.Overdue); err != nil {
		return c, fmt.Errorf("measure overdue customer notices: %w", err)
	}
	return c, nil
}

// measureContactRequests: the contact requests opened in the period, by
// what became of them. For a person: those they own.
func (tx *tx) measureContactRequests(ctx context.Context, sc measuresScope) (herald.ContactRequestStats, error) {
	var c herald.ContactRequestStats
	args := []any{sc.from, sc.to}
	owner := ""
	if sc.person != "" {
		owner = ` AND owner_id = $3`
		args = append(args, sc.person)
	}
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'done' AND (due_at IS NULL OR closed_at <= due_at) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0)
		FROM contact_requests WHERE created_at >= $1 AND created_at < $2`+owner, args...).
		Scan(&c.Opened, &c.Completed, &c.CompletedByDue, &c.Cancelled, &c.Open)
	if err != nil {
		return c, fmt.Errorf("measure contact requests: %w", err)
	}
	c.ShareCompleted = herald.Share(c.Completed, c.Opened)
	return c, nil
}

// measurePagesPerPerson: per person, the pages raised in the period that
// reached them (a notification that was not a shadow's), and how many of
// those were raised outside working hours. One pass: whether a page's
// time was in working hours is arithmetic in SQL (outOfHoursSQL).
func (tx *tx) measurePagesPerPerson(ctx context.Context, sc measuresScope, hours herald.BusinessHours) ([]herald.PersonPages, error) {
	args := []any{sc.from, sc.to}
	person := ""
	if sc.person != "" {
		person = ` AND n.user_id = $3`
		args = append(args, sc.person)
	}
	rows, err := tx.QueryContext(ctx, `SELECT u, COUNT(*), CAST(COALESCE(SUM(`+outOfHoursSQL("t", hours, fromMicros(sc.from), fromMicros(sc.to))+`), 0) AS BIGINT)
		FROM (SELECT n.user_id AS u, MIN(p.first_seen) AS t FROM pages p JOIN notifications n ON n.page_id = p.id AND NOT n.shadow
			WHERE p.first_seen >= $1 AND p.first_seen < $2`+livePage+person+` GROUP BY n.page_id, n.user_id) x GROUP BY u`, args...)
	if err != nil {
		return nil, fmt.Errorf("measure pages: %w", err)
	}
	var out []herald.PersonPages
	for rows.Next() {
		var p herald.PersonPages
		if err := rows.Scan(&p.UserID, &p.Pages, &p.OutOfHours); err != nil {
			rows.Close()
			return nil, fmt.Errorf("measure pages: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("measure pages: %w", err)
	}
	return tx.namePersonPages(ctx, out)
}

// namePersonPages names the people and sorts them, most paged first.
func (tx *tx) namePersonPages(ctx context.Context, out []herald.PersonPages) ([]herald.PersonPages, error) {
	if len(out) > 0 {
		names := map[string]string{}
		urows, err := tx.QueryContext(ctx, `SELECT id, name FROM users`)
		if err != nil {
			return nil, fmt.Errorf("read names: %w", err)
		}
		for urows.Next() {
			var id, name string
			if err := urows.Scan(&id, &name); err != nil {
				urows.Close()
				return nil, fmt.Errorf("read names: %w", err)
			}
			names[id] = name
		}
		urows.Close()
		for i := range out {
			out[i].Name = names[out[i].UserID]
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pages != out[j].Pages {
			return out[i].Pages > out[j].Pages
		}
		return out[i].Name < out[j].Name
	})
	if out == nil {
		out = []herald.PersonPages{}
	}
	return out, nil
}

// outOfHoursSQL is an expression that is 1 when the time col (micros)
// falls outside the hours, else 0: the local time is col plus the zone's
// offset in force (a CASE over the period's daylight saving spans), its
// weekday and minute of the day by integer arithmetic (1970-01-01 was a
// Thursday). Every value in it is a number Go computed, never input.
func outOfHoursSQL(col string, h herald.BusinessHours, from, to time.Time) string {
	var off strings.Builder
	spans := h.Spans(from, to)
	if len(spans) == 1 {
		off.WriteString(strconv.Itoa(spans[0].Offset))
	} else {
		off.WriteString("CASE")
		for _, sp := range spans[:len(spans)-1] {
			fmt.Fprintf(&off, " WHEN %s < %d THEN %d", col, micros(sp.Until), sp.Offset)
		}
		fmt.Fprintf(&off, " ELSE %d END", spans[len(spans)-1].Offset)
	}
	local := "(" + col + " / 1000000 + " + off.String() + ")"
	days := h.DayNumbers()
	if len(days) == 0 {
		return "1"
	}
	ds := make([]string, len(days))
	for i, d := range days {
		ds[i] = strconv.Itoa(d)
	}
	start, end := h.Minutes()
	return fmt.Sprintf(`CASE WHEN (%[1]s / 86400 + 4) %% 7 IN (%[2]s) AND (%[1]s %% 86400) / 60 >= %[3]d AND (%[1]s %% 86400) / 60 < %[4]d THEN 0 ELSE 1 END`,
		local, strings.Join(ds, ", "), start, end)
}

// measureSeverities: per severity (the incident's now), the incidents
// declared in the period, MTTA (from the incident's first page to the
// first acknowledgement of any of its pages) and MTTR (from declaration,
// or the start of impact when recorded, to resolution) as percentiles.
func (tx *tx) measureSeverities(ctx context.Context, sc measuresScope) ([]herald.SeverityStats, error) {
	args := []any{sc.from, sc.to}
	person := ""
	if sc.person != "" {
		person = fmt.Sprintf(personIncidents, 3)
		args = append(args, sc.person)
	}
	bySev := map[herald.Severity]*herald.SeverityStats{}
	out := make([]herald.SeverityStats, len(herald.Severities))
	for i, sev := range herald.Severities {
		out[i].Severity = sev
		bySev[sev] = &out[i]
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.severity, COUNT(*), COUNT(i.resolved_at) FROM incidents i
		WHERE i.declared_at >= $1 AND i.declared_at < $2`+liveIncident+person+` GROUP BY i.severity`, args...)
	if err != nil {
		return nil, fmt.Errorf("measure severities: %w", err)
	}
	for rows.Next() {
		var sev herald.Severity
		var n, resolved int
		if err := rows.Scan(&sev, &n, &resolved); err != nil {
			rows.Close()
			return nil, fmt.Errorf("measure severities: %w", err)
		}
		if s := bySev[sev]; s != nil {
			s.Incidents, s.Resolved = n, resolved
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("measure severities: %w", err)
	}
	mtta, err := tx.distribution(ctx, `SELECT i.severity AS k, MIN(p.acked_at) - MIN(p.first_seen) AS v
		FROM incidents i JOIN pages p ON p.incident_id = i.id
		WHERE i.declared_at >= $1 AND i.declared_at < $2`+liveIncident+person+`
		GROUP BY i.id, i.severity HAVING MIN(p.acked_at) IS NOT NULL`, args...)
	if err != nil {
		return nil, err
	}
	mttr, err := tx.distribution(ctx, `SELECT i.severity AS k, i.resolved_at - COALESCE(i.impact_started_at, i.declared_at) AS v
		FROM incidents i WHERE i.resolved_at IS NOT NULL AND i.declared_at >= $1 AND i.declared_at < $2`+liveIncident+person, args...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		k := string(out[i].Severity)
		out[i].Acknowledged = mtta[k].n
		out[i].MTTA = herald.Percentiles{P50S: seconds(mtta[k].p50), P90S: seconds(mtta[k].p90)}
		out[i].MTTR = herald.Percentiles{P50S: seconds(mttr[k].p50), P90S: seconds(mttr[k].p90)}
	}
	return out, nil
}

// measureHandovers counts the shifts of the communications and
// incident-lead rotations that ended in the period, and those whose
// outgoing person submitted their handover (R60). Herald drafts a record
// at the end of every such shift, quiet ones too, so the records are the
// shifts; a draft started early for a shift not yet over is not counted.
func (tx *tx) measureHandovers(ctx context.Context, sc measuresScope) (herald.HandoverStats, error) {
	var h herald.HandoverStats
	args := []any{sc.from, sc.to, sc.now}
	person := ""
	if sc.person != "" {
		person = ` AND user_id = $4`
		args = append(args, sc.person)
	}
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN submitted_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM handovers WHERE shift_end >= $1 AND shift_end < $2 AND shift_end <= $3`+person, args...).Scan(&h.Shifts, &h.Submitted)
	if err != nil {
		return h, fmt.Errorf("measure handovers: %w", err)
	}
	h.ShareSubmitted = herald.Share(h.Submitted, h.Shifts)
	return h, nil
}

// measureTraining counts, per person and quarter, the training events
// they took part in during the period: the practice runs started in it
// with the person among the participants (R63). Runs are few, so the
// quarters are counted here rather than in each dialect's date functions.
func (tx *tx) measureTraining(ctx context.Context, sc measuresScope) ([]herald.TrainingStats, error) {
	args := []any{sc.from, sc.to}
	person := ""
	if sc.person != "" {
		person = ` AND p.user_id = $3`
		args = append(args, sc.person)
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.user_id, u.name, r.started_at FROM practice_runs r
		JOIN practice_participants p ON p.run_id = r.id JOIN users u ON u.id = p.user_id
		WHERE r.started_at >= $1 AND r.started_at < $2`+person+` ORDER BY u.name, p.user_id, r.started_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("measure training: %w", err)
	}
	defer rows.Close()
	out := []herald.TrainingStats{}
	for rows.Next() {
		var uid, name string
		var started int64
		if err := rows.Scan(&uid, &name, &started); err != nil {
			return nil, fmt.Errorf("measure training: %w", err)
		}
		q := herald.Quarter(fromMicros(started))
		if n := len(out); n > 0 && out[n-1].UserID == uid && out[n-1].Quarter == q {
			out[n-1].Events++
			continue
		}
		out = append(out, herald.TrainingStats{UserID: uid, Name: name, Quarter: q, Events: 1})
	}
	return out, rows.Err()
}
