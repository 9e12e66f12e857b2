package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald"
)

// The measures report over everyone reads roll-ups (migration 0044)
// rather than the rows: triggers keep them in the transaction that writes
// the rows, whatever statement that is, so no write path can forget them.
//
//   - measure_bins counts values per measure, key, UTC day and value bin
//     (valueBin): role pages by role, incidents by severity (MTTR, MTTA,
//     stakeholder notices), closed cadence intervals by state, severity
//     and announced minutes. A share against a threshold on a bin's edge
//     is whole bins; a percentile finds its bin from the counts and reads
//     only that bin's rows, by an index on the value, so it stays exact.
//   - measure_person_pages counts, per person and UTC day, the pages that
//     reached them in each quarter hour; out of hours is judged here, in
//     the hours asked for.
//
// The whole days of the period come from the roll-ups, its partial first
// and last days from the rows. The pages of practice incidents (R63) are
// few: they are taken back out from the rows, so a page linked to a
// practice later still counts right. What the roll-ups cannot answer
// exactly (a threshold inside a bin, working hours or a zone change off a
// quarter hour, one person's report) is computed from the rows as before.

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// valueBin is the bin of a value in micros, the same arithmetic as the
// migration's: whole minutes (rounded up) to 2 hours, quarter hours to
// 48 hours, hours after that; 0 holds every value up to 0.
func valueBin(v int64) int64 {
	const m, q, h = int64(60e6), int64(900e6), int64(3600e6)
	switch {
	case v <= 0:
		return 0
	case v <= 120*m:
		return (v + m - 1) / m
	case v <= 48*h:
		return 120 + (v-120*m+q-1)/q
	default:
		return 304 + (v-48*h+h-1)/h
	}
}

// binRange is the values of bin b: lo < v <= hi.
func binRange(b int64) (lo, hi int64) {
	const m, q, h = int64(60e6), int64(900e6), int64(3600e6)
	switch {
	case b <= 0:
		return math.MinInt64, 0
	case b <= 120:
		return (b - 1) * m, b * m
	case b <= 304:
		return 120*m + (b-121)*q, 120*m + (b-120)*q
	default:
		return 48*h + (b-305)*h, 48*h + (b-304)*h
	}
}

// binEdge: "v <= t" is a set of whole bins.
func binEdge(t int64) bool {
	_, hi := binRange(valueBin(t))
	return hi == t
}

// daySplit cuts the period into whole UTC days [d0, d1), read from the
// roll-ups, and the partial days at either end, read from the rows.
type daySplit struct {
	d0, d1 int64
	edges  []any // from, start of d0, end of d1, to: the rows' two ranges
}

func splitDays(sc measuresScope) (daySplit, bool) {
	if sc.from < 0 {
		return daySplit{}, false
	}
	d0 := (sc.from + dayMicros - 1) / dayMicros
	d1 := sc.to / dayMicros
	if d0 >= d1 {
		return daySplit{}, false
	}
	return daySplit{d0: d0, d1: d1, edges: []any{sc.from, d0 * dayMicros, d1 * dayMicros, sc.to}}, true
}

// edgeSQL keeps the rows whose col falls in the partial days, the
// parameters numbered from n.
func edgeSQL(col string, n int) string {
	return fmt.Sprintf(` AND ((%[1]s >= $%[2]d AND %[1]s < $%[3]d) OR (%[1]s >= $%[4]d AND %[1]s < $%[5]d))`, col, n, n+1, n+2, n+3)
}

type binCount struct{ n, total int64 }

// bins maps key, bin to the counts of the whole days.
type bins map[string]map[int64]binCount

func (b bins) add(k string, bin, n, total int64) {
	m := b[k]
	if m == nil {
		m = map[int64]binCount{}
		b[k] = m
	}
	c := m[bin]
	c.n += n
	c.total += total
	m[bin] = c
}

// addValue counts a value read from the rows (sign -1 takes it out); a
// NULL value (nil) is bin -1.
func (b bins) addValue(k string, v *int64, sign int64) {
	if v == nil {
		b.add(k, -1, sign, 0)
		return
	}
	b.add(k, valueBin(*v), sign, sign**v)
}

// count is the number of values of k in bins from..to (inclusive).
func (b bins) count(k string, from, to int64) int64 {
	var n int64
	for bin, c := range b[k] {
		if bin >= from && bin <= to {
			n += c.n
		}
	}
	return n
}

func (tx *tx) readBins(ctx context.Context, measure string, sp daySplit) (bins, error) {
	rows, err := tx.QueryContext(ctx, `SELECT k, bin, CAST(SUM(n) AS BIGINT), CAST(SUM(total) AS BIGINT) FROM measure_bins
		WHERE measure = $1 AND day >= $2 AND day < $3 GROUP BY k, bin`, measure, sp.d0, sp.d1)
	if err != nil {
		return nil, fmt.Errorf("read measure roll-up: %w", err)
	}
	defer rows.Close()
	out := bins{}
	for rows.Next() {
		var k string
		var bin, n, total int64
		if err := rows.Scan(&k, &bin, &n, &total); err != nil {
			return nil, fmt.Errorf("read measure roll-up: %w", err)
		}
		out.add(k, bin, n, total)
	}
	return out, rows.Err()
}

// addRows counts the values a query selects (k, v, sign).
func (tx *tx) addRows(ctx context.Context, b bins, q string, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read measure rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v *int64
		var sign int64
		if err := rows.Scan(&k, &v, &sign); err != nil {
			return fmt.Errorf("read measure rows: %w", err)
		}
		b.addValue(k, v, sign)
	}
	return rows.Err()
}

// errRollup says a roll-up disagreed with its rows: the step is computed
// from the rows instead (measuresFallbacks counts it, for the tests).
var errRollup = fmt.Errorf("measure roll-up out of step with its rows")

// measuresFallbacks counts the steps computed from the rows because a
// roll-up disagreed with them; the tests expect none.
var measuresFallbacks atomic.Int64

// percentiles finds the nearest-rank p50 and p90 of k's m values in bins
// 0 and up; value reads the values of one bin (lo, hi], ascending.
func (b bins) percentiles(k string, value func(lo, hi int64) ([]int64, error)) (dist, error) {
	var keys []int64
	var m int64
	for bin, c := range b[k] {
		if bin >= 0 && c.n != 0 {
			keys = append(keys, bin)
			m += c.n
		}
	}
	d := dist{n: int(m)}
	if m <= 0 {
		return d, nil
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	pick := func(rank int64) (*int64, error) {
		var below int64
		for _, bin := range keys {
			c := b[k][bin].n
			if below+c >= rank {
				lo, hi := binRange(bin)
				vs, err := value(lo, hi)
				if err != nil {
					return nil, err
				}
				if int64(len(vs)) != c {
					return nil, errRollup
				}
				v := vs[rank-below-1]
				return &v, nil
			}
			below += c
		}
		return nil, errRollup
	}
	var err error
	if d.p50, err = pick((m + 1) / 2); err != nil {
		return d, err
	}
	d.p90, err = pick((9*m + 9) / 10)
	return d, err
}

// values reads one column of int64.
func (tx *tx) values(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read measure values: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read measure values: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// rolePage is what a counted role page is (the requests to find cover
// left out), the same text as the triggers'.
const rolePage = `p.incident_role <> '' AND p.dedup_key <> 'incident/' || p.incident_id || '/' || p.incident_role || '/cover'`

// practicePage keeps the pages p of practice incidents.
const practicePage = ` AND p.incident_id IN (SELECT id FROM incidents WHERE practice_run_id <> '')`

// measureRoleAcksRollup is measureRoleAcks from the roll-up; ok is false
// when the target is inside a bin.
func (tx *tx) measureRoleAcksRollup(ctx context.Context, sc measuresScope, sp daySplit, s herald.Settings, target time.Duration) ([]herald.RoleAckStats, bool, error) {
	t := target.Microseconds()
	if !binEdge(t) {
		return nil, false, nil
	}
	b, err := tx.readBins(ctx, "ack", sp)
	if err != nil {
		return nil, false, err
	}
	if err := tx.addRows(ctx, b, `SELECT p.incident_role, p.acked_at - p.first_seen, 1 FROM pages p WHERE `+rolePage+livePage+edgeSQL("p.first_seen", 1)+`
		UNION ALL SELECT p.incident_role, p.acked_at - p.first_seen, -1 FROM pages p WHERE `+rolePage+practicePage+` AND p.first_seen >= $5 AND p.first_seen < $6`,
		append(sp.edges, sp.d0*dayMicros, sp.d1*dayMicros)...); err != nil {
		return nil, false, err
	}
	byRole := map[string]ackCounts{}
	d := map[string]dist{}
	for role := range b {
		c := ackCounts{pages: int(b.count(role, -1, math.MaxInt64)), acked: int(b.count(role, 0, math.MaxInt64)), within: int(b.count(role, 0, valueBin(t)))}
		if c.pages == 0 {
			continue
		}
		byRole[role] = c
		x, err := b.percentiles(role, func(lo, hi int64) ([]int64, error) {
			return tx.values(ctx, `SELECT p.acked_at - p.first_seen FROM pages p WHERE p.incident_role = $1 AND p.incident_role <> '' AND p.acked_at IS NOT NULL
				AND p.acked_at - p.first_seen > $2 AND p.acked_at - p.first_seen <= $3 AND p.first_seen >= $4 AND p.first_seen < $5
				AND `+rolePage+livePage+` ORDER BY p.acked_at - p.first_seen`, role, lo, hi, sc.from, sc.to)
		})
		if err != nil {
			return nil, false, err
		}
		d[role] = x
	}
	return roleAckStats(s, byRole, d), true, nil
}

// measureSeveritiesRollup is measureSeverities from the roll-up.
func (tx *tx) measureSeveritiesRollup(ctx context.Context, sc measuresScope, sp daySplit) ([]herald.SeverityStats, error) {
	mttr, err := tx.readBins(ctx, "mttr", sp)
	if err != nil {
		return nil, err
	}
	mtta, err := tx.readBins(ctx, "mtta", sp)
	if err != nil {
		return nil, err
	}
	const live = ` FROM incidents i WHERE i.practice_run_id = ''`
	if err := tx.addRows(ctx, mttr, `SELECT i.severity, i.resolved_at - COALESCE(i.impact_started_at, i.declared_at), 1`+live+edgeSQL("i.declared_at", 1), sp.edges...); err != nil {
		return nil, err
	}
	if err := tx.addRows(ctx, mtta, `SELECT i.severity, i.mtta, 1`+live+` AND i.mtta IS NOT NULL`+edgeSQL("i.declared_at", 1), sp.edges...); err != nil {
		return nil, err
	}
	out := make([]herald.SeverityStats, len(herald.Severities))
	for i, sev := range herald.Severities {
		k := string(sev)
		out[i].Severity = sev
		out[i].Incidents = int(mttr.count(k, -1, math.MaxInt64))
		out[i].Resolved = int(mttr.count(k, 0, math.MaxInt64))
		r, err := mttr.percentiles(k, func(lo, hi int64) ([]int64, error) {
			return tx.values(ctx, `SELECT i.resolved_at - COALESCE(i.impact_started_at, i.declared_at) FROM incidents i
				WHERE i.severity = $1 AND i.practice_run_id = '' AND i.resolved_at IS NOT NULL
				AND i.resolved_at - COALESCE(i.impact_started_at, i.declared_at) > $2 AND i.resolved_at - COALESCE(i.impact_started_at, i.declared_at) <= $3
				AND i.declared_at >= $4 AND i.declared_at < $5 ORDER BY i.resolved_at - COALESCE(i.impact_started_at, i.declared_at)`, k, lo, hi, sc.from, sc.to)
		})
		if err != nil {
			return nil, err
		}
		a, err := mtta.percentiles(k, func(lo, hi int64) ([]int64, error) {
			return tx.values(ctx, `SELECT i.mtta FROM incidents i WHERE i.severity = $1 AND i.practice_run_id = '' AND i.mtta IS NOT NULL
				AND i.mtta > $2 AND i.mtta <= $3 AND i.declared_at >= $4 AND i.declared_at < $5 ORDER BY i.mtta`, k, lo, hi, sc.from, sc.to)
		})
		if err != nil {
			return nil, err
		}
		out[i].Acknowledged = a.n
		out[i].MTTA = herald.Percentiles{P50S: seconds(a.p50), P90S: seconds(a.p90)}
		out[i].MTTR = herald.Percentiles{P50S: seconds(r.p50), P90S: seconds(r.p90)}
	}
	return out, nil
}

// measureStakeholderNoticesRollup is measureStakeholderNotices from the
// roll-up: bin -1 counts the incidents, bin 0 their notices.
func (tx *tx) measureStakeholderNoticesRollup(ctx context.Context, sp daySplit) (herald.StakeholderStats, error) {
	var st herald.StakeholderStats
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(CAST(SUM(CASE WHEN bin = -1 THEN n ELSE 0 END) AS BIGINT), 0),
		COALESCE(CAST(SUM(CASE WHEN bin = 0 THEN n ELSE 0 END) AS BIGINT), 0)
		FROM measure_bins WHERE measure = 'notices' AND k = '' AND bin IN (-1, 0) AND day >= $1 AND day < $2`, sp.d0, sp.d1).Scan(&st.Incidents, &st.Notices)
	if err != nil {
		return st, fmt.Errorf("measure stakeholder notices: %w", err)
	}
	var n, notices int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(CAST(SUM(i.stakeholder_notices) AS BIGINT), 0) FROM incidents i
		WHERE i.practice_run_id = ''`+edgeSQL("i.declared_at", 1), sp.edges...).Scan(&n, &notices); err != nil {
		return st, fmt.Errorf("measure stakeholder notices: %w", err)
	}
	st.Incidents += n
	st.Notices += notices
	if st.Incidents > 0 {
		v := float64(st.Notices) / float64(st.Incidents)
		st.PerIncident = &v
	}
	return st, nil
}

// cadenceMax is the most an interval may last: the update's announced
// minutes, else the cadence for its state and severity (0: none owed).
func cadenceMax(s herald.Settings, st string, sev herald.Severity, nui int64) int64 {
	if nui > 0 {
		return nui * 60e6
	}
	return s.NextUpdateAfter(herald.State(st), sev).Microseconds()
}

// measureCadenceRollup is measureCadence from the roll-up; ok is false
// when a cadence is inside a bin.
func (tx *tx) measureCadenceRollup(ctx context.Context, sc measuresScope, sp daySplit, s herald.Settings) (herald.CadenceStats, bool, error) {
	var c herald.CadenceStats
	b, err := tx.readBins(ctx, "cadence", sp)
	if err != nil {
		return c, false, err
	}
	var late int64
	count := func(st string, sev herald.Severity, nui, d int64) {
		if mx := cadenceMax(s, st, sev, nui); mx > 0 {
			c.Intervals++
			if d > mx {
				c.Late++
				late += d - mx
			}
		}
	}
	for k, m := range b {
		st, sev, nui, ok := splitCadenceKey(k)
		if !ok {
			return c, false, nil
		}
		mx := cadenceMax(s, st, sev, nui)
		if mx <= 0 {
			continue
		}
		if !binEdge(mx) {
			return c, false, nil
		}
		top := valueBin(mx)
		for bin, x := range m {
			c.Intervals += int(x.n)
			if bin > top {
				c.Late += int(x.n)
				late += x.total - x.n*mx
			}
		}
	}
	// The partial days' closed intervals, and the open ones, which run to now.
	rows, err := tx.QueryContext(ctx, `SELECT u.status, u.cadence_severity, u.next_update_in, u.next_at - u.created_at FROM status_updates u
		WHERE u.next_at IS NOT NULL AND u.cadence_severity <> '' AND u.status <> 'resolved'`+edgeSQL("u.created_at", 1)+`
		UNION ALL SELECT u.status, u.cadence_severity, u.next_update_in, $7 - u.created_at FROM status_updates u
		WHERE u.next_at IS NULL AND u.cadence_severity <> '' AND u.status <> 'resolved' AND u.created_at >= $5 AND u.created_at < $6`,
		append(sp.edges, sc.from, sc.to, sc.now)...)
	if err != nil {
		return c, false, fmt.Errorf("measure cadence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var sev herald.Severity
		var nui, d int64
		if err := rows.Scan(&st, &sev, &nui, &d); err != nil {
			return c, false, fmt.Errorf("measure cadence: %w", err)
		}
		count(st, sev, nui, d)
	}
	if err := rows.Err(); err != nil {
		return c, false, fmt.Errorf("measure cadence: %w", err)
	}
	c.OnTime = c.Intervals - c.Late
	c.ShareOnTime = herald.Share(c.OnTime, c.Intervals)
	c.MinutesLate = int((time.Duration(late) * time.Microsecond).Round(time.Minute) / time.Minute)
	return c, true, nil
}

// splitCadenceKey reads "status:severity:minutes".
func splitCadenceKey(k string) (st string, sev herald.Severity, nui int64, ok bool) {
	var parts [3]string
	n := 0
	start := 0
	for i := 0; i < len(k) && n < 2; i++ {
		if k[i] == ':' {
			parts[n] = k[start:i]
			n++
			start = i + 1
		}
	}
	if n != 2 {
		return "", "", 0, false
	}
	parts[2] = k[start:]
	v, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", "", 0, false
	}
	return parts[0], herald.Severity(parts[1]), v, true
}

// hoursJudge tells, by the same arithmetic as outOfHoursSQL, whether a
// time (micros) is out of hours.
type hoursJudge struct {
	spans      []herald.ZoneSpan
	days       [7]bool
	start, end int64
}

func newHoursJudge(h herald.BusinessHours, from, to time.Time) hoursJudge {
	j := hoursJudge{spans: h.Spans(from, to)}
	for _, d := range h.DayNumbers() {
		j.days[d] = true
	}
	s, e := h.Minutes()
	j.start, j.end = int64(s), int64(e)
	return j
}

// quarterHours: every edge of the hours and of the zone's offsets is on a
// quarter hour, so a quarter hour is all in or all out.
func (j hoursJudge) quarterHours() bool {
	if j.start%15 != 0 || j.end%15 != 0 {
		return false
	}
	for _, sp := range j.spans {
		if sp.Offset%900 != 0 || (!sp.Until.IsZero() && sp.Until.Unix()%900 != 0) {
			return false
		}
	}
	return true
}

func (j hoursJudge) out(t int64) bool {
	off := j.spans[len(j.spans)-1].Offset
	for _, sp := range j.spans[:len(j.spans)-1] {
		if t < micros(sp.Until) {
			off = sp.Offset
			break
		}
	}
	local := t/1e6 + int64(off)
	wd := (local/86400 + 4) % 7
	mins := (local % 86400) / 60
	return !(j.days[wd] && mins >= j.start && mins < j.end)
}

// measurePagesPerPersonRollup is measurePagesPerPerson from the roll-up;
// ok is false when the hours or the zone change off a quarter hour.
func (tx *tx) measurePagesPerPersonRollup(ctx context.Context, sc measuresScope, sp daySplit, hours herald.BusinessHours) ([]herald.PersonPages, bool, error) {
	j := newHoursJudge(hours, fromMicros(sc.from), fromMicros(sc.to))
	if !j.quarterHours() {
		return nil, false, nil
	}
	type count struct{ pages, ooh int }
	by := map[string]*count{}
	get := func(u string) *count {
		c := by[u]
		if c == nil {
			c = &count{}
			by[u] = c
		}
		return c
	}
	args := []any{sp.d0, sp.d1}
	person, pairPerson := "", ""
	if sc.person != "" {
		person, pairPerson = ` AND user_id = $3`, ` AND n.user_id = $%d`
		args = append(args, sc.person)
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, day, slots FROM measure_person_pages WHERE day >= $1 AND day < $2`+person, args...)
	if err != nil {
		return nil, false, fmt.Errorf("measure pages: %w", err)
	}
	masks := map[int64]*[96]bool{}
	for rows.Next() {
		var u, slots string
		var day int64
		if err := rows.Scan(&u, &day, &slots); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("measure pages: %w", err)
		}
		mask := masks[day]
		if mask == nil {
			mask = new([96]bool)
			for q := range mask {
				mask[q] = j.out(day*dayMicros + int64(q)*900e6)
			}
			masks[day] = mask
		}
		c := get(u)
		q := 0
		for _, r := range slots {
			if n := int(r) - '0'; n != 0 && q < 96 {
				c.pages += n
				if mask[q] {
					c.ooh += n
				}
			}
			q++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("measure pages: %w", err)
	}
	// The partial days from the rows; the practice pages taken back out.
	pairs := func(where string, sign int, args ...any) error {
		rows, err := tx.QueryContext(ctx, `SELECT u, COUNT(*), CAST(COALESCE(SUM(`+outOfHoursSQL("t", hours, fromMicros(sc.from), fromMicros(sc.to))+`), 0) AS BIGINT)
			FROM (SELECT n.user_id AS u, MIN(p.first_seen) AS t FROM pages p JOIN notifications n ON n.page_id = p.id AND NOT n.shadow
			WHERE `+where+` GROUP BY n.page_id, n.user_id) x GROUP BY u`, args...)
		if err != nil {
			return fmt.Errorf("measure pages: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var u string
			var n, ooh int
			if err := rows.Scan(&u, &n, &ooh); err != nil {
				return fmt.Errorf("measure pages: %w", err)
			}
			c := get(u)
			c.pages += sign * n
			c.ooh += sign * ooh
		}
		return rows.Err()
	}
	edges, practice := sp.edges, []any{sp.d0 * dayMicros, sp.d1 * dayMicros}
	edgeWhere, practiceWhere := `1 = 1`+edgeSQL("p.first_seen", 1)+livePage, `p.first_seen >= $1 AND p.first_seen < $2`+practicePage
	if sc.person != "" {
		edges, practice = append(edges[:4:4], sc.person), append(practice, sc.person)
		edgeWhere += fmt.Sprintf(pairPerson, 5)
		practiceWhere += fmt.Sprintf(pairPerson, 3)
	}
	if err := pairs(edgeWhere, 1, edges...); err != nil {
		return nil, false, err
	}
	if err := pairs(practiceWhere, -1, practice...); err != nil {
		return nil, false, err
	}
	var out []herald.PersonPages
	for u, c := range by {
		if c.pages > 0 {
			out = append(out, herald.PersonPages{UserID: u, Pages: c.pages, OutOfHours: c.ooh})
		}
	}
	out, err = tx.namePersonPages(ctx, out)
	return out, true, err
}
