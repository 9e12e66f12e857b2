package herald

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The measures report (R62): how the communications role and the people in
// it did over a period, across all incidents, as opposed to one incident's
// Measures. The store computes it with aggregates in SQL; this file holds
// what it means, the query it answers and the CSV it can be written as.

// MeasuresSettings are the choices of the measures report.
type MeasuresSettings struct {
	// AckTarget is how soon a page should be acknowledged: the report gives
	// the share acknowledged within it (the practice says 15 minutes).
	AckTarget Duration `json:"ack_target"`
	// BusinessHours are the organisation's working hours: a page raised
	// outside them counts as out of hours. Left out: Monday to Friday
	// 08:00 to 18:00 in the status page's time zone (UTC without one), so
	// out of hours is 18:00 to 08:00 and weekends.
	BusinessHours *BusinessHours `json:"business_hours,omitempty"`
	// PerPersonMetrics adds the per-person series (pages, pages out of
	// hours) to /metrics. Off by default: one series per person grows with
	// the staff, which a Prometheus server may not want.
	PerPersonMetrics bool `json:"per_person_metrics"`
}

// DefaultMeasuresSettings: a 15 minute target, the default working hours.
func DefaultMeasuresSettings() MeasuresSettings {
	return MeasuresSettings{AckTarget: Duration(15 * time.Minute)}
}

func (m *MeasuresSettings) validate(fe FieldErrors) {
	if d := time.Duration(m.AckTarget); d < time.Minute || d > 24*time.Hour {
		fe.Add("measures.ack_target", "must be between 1m and 24h")
	}
	if m.BusinessHours != nil {
		sub := FieldErrors{}
		m.BusinessHours.normalize(sub)
		for k, v := range sub {
			fe.Add("measures."+k, v)
		}
	}
}

// MeasuresHours are the working hours the report judges "out of hours" by: the
// setting, else Monday to Friday 08:00-18:00 in the page's time zone.
func (s *Settings) MeasuresHours() BusinessHours {
	if s.Measures.BusinessHours != nil {
		return *s.Measures.BusinessHours
	}
	tz := s.Page.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	return BusinessHours{Days: []string{"monday", "tuesday", "wednesday", "thursday", "friday"}, Start: "08:00", End: "18:00", TimeZone: tz}
}

// ZoneSpan is a stretch of time with one UTC offset: Until (exclusive;
// zero for the last span) and Offset in seconds east of UTC.
type ZoneSpan struct {
	Until  time.Time
	Offset int
}

// Spans lists the UTC offsets of the hours' time zone over [from, to),
// oldest first: one span per daylight saving change. With them the store
// tells in SQL, by arithmetic on each row's time, whether it fell in
// business hours, rather than reading every row into Go.
func (b BusinessHours) Spans(from, to time.Time) []ZoneSpan {
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil || b.TimeZone == "" {
		loc = time.UTC
	}
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	var out []ZoneSpan
	cur := offset(from)
	for day := from; day.Before(to); {
		next := day.Add(24 * time.Hour)
		if o := offset(next); o != cur {
			// The change is within (day, next]: find its second.
			lo, hi := day, next
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if offset(mid) == cur {
					lo = mid
				} else {
					hi = mid
				}
			}
			hi = hi.Truncate(time.Second) // zones change on whole seconds
			out = append(out, ZoneSpan{Until: hi, Offset: cur})
			cur = o
		}
		day = next
	}
	return append(out, ZoneSpan{Offset: cur})
}

// DayNumbers are the hours' days as numbers, Sunday 0 to Saturday 6.
func (b BusinessHours) DayNumbers() []int {
	var out []int
	for i, d := range Weekdays {
		if containsDay(b.Days, d) {
			out = append(out, i)
		}
	}
	return out
}

// Minutes are Start and End as minutes after midnight (End 1440 for 24:00).
func (b BusinessHours) Minutes() (start, end int) {
	start, _ = clockMinutes(b.Start)
	end, ok := clockMinutes(b.End)
	if b.End == "24:00" || !ok {
		end = 24 * 60
	}
	return start, end
}

func containsDay(days []string, d string) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// MeasuresQuery asks for the report over [From, To), optionally for one
// person (a user id or e-mail address).
type MeasuresQuery struct {
	From, To time.Time
	Person   string
	// AckTarget overrides the setting for this report; 0 keeps it.
	AckTarget time.Duration
}

// MaxMeasuresPeriod bounds a report: longer periods are several reports.
const MaxMeasuresPeriod = 366 * 24 * time.Hour * 3

// ParseMeasuresQuery reads from, to, person and ack_target from a query
// string. from and to are RFC 3339 times or dates (2026-01-31, midnight
// UTC; a date given as to includes that day). Left out, they stay zero for
// Normalize to fill. Bad values are field errors naming the parameter.
func ParseMeasuresQuery(v url.Values) (MeasuresQuery, error) {
	fe := FieldErrors{}
	q := MeasuresQuery{Person: strings.TrimSpace(v.Get("person"))}
	parse := func(field string, end bool) time.Time {
		s := strings.TrimSpace(v.Get(field))
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC()
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			return t
		}
		fe.Add(field, "must be a date (2026-01-31) or an RFC 3339 time (2026-01-31T09:00:00Z)")
		return time.Time{}
	}
	q.From, q.To = parse("from", false), parse("to", true)
	if s := strings.TrimSpace(v.Get("ack_target")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < time.Minute || d > 24*time.Hour {
			fe.Add("ack_target", "must be a duration between 1m and 24h, like 15m")
		}
		q.AckTarget = d
	}
	if err := fe.Err(); err != nil {
		return q, err
	}
	return q, nil
}

// Normalize fills a period left out (to: now; from: 30 days before to)
// and checks it: from before to, at most MaxMeasuresPeriod long.
func (q *MeasuresQuery) Normalize(now time.Time) error {
	fe := FieldErrors{}
	if q.To.IsZero() {
		q.To = now
	}
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -30)
	}
	q.From, q.To = q.From.UTC(), q.To.UTC()
	switch {
	case !q.From.Before(q.To):
		fe.Add("from", "must be before to")
	case q.To.Sub(q.From) > MaxMeasuresPeriod:
		fe.Add("to", "the period may be at most three years")
	}
	if q.AckTarget != 0 && (q.AckTarget < time.Minute || q.AckTarget > 24*time.Hour) {
		fe.Add("ack_target", "must be a duration between 1m and 24h, like 15m")
	}
	return fe.Err()
}

// MeasuresReport is the report over a period (R62). Shares are between 0
// and 1 and null when there was nothing to measure; durations are whole
// seconds; percentiles are nearest-rank (the smallest value that at least
// that share of the values do not exceed, PostgreSQL's percentile_disc).
type MeasuresReport struct {
	From   time.Time       `json:"from"`
	To     time.Time       `json:"to"`
	Person *MeasuresPerson `json:"person,omitempty"`
	// AckTargetS is the acknowledgement target the shares are against.
	AckTargetS int `json:"ack_target_s"`
	// OutOfHours says what out of hours meant: outside these working hours.
	OutOfHours string `json:"out_of_hours"`

	// Acknowledgement is the time to acknowledge per incident role.
	Acknowledgement []RoleAckStats `json:"acknowledgement"`
	// Cadence is how closely public updates kept to the cadence (R13).
	Cadence CadenceStats `json:"cadence"`
	// StakeholderNotices per incident declared in the period.
	StakeholderNotices StakeholderStats `json:"stakeholder_notices"`
	// CustomerNotices: whether each follow-up notice on a customer thread
	// came by the time the thread owed it (R43).
	CustomerNotices CustomerNoticeStats `json:"customer_notices"`
	// Handovers: the shifts that ended in the period and those that left a
	// handover (R60).
	Handovers HandoverStats `json:"handovers"`
	// ContactRequests opened in the period and what became of them (R61).
	ContactRequests ContactRequestStats `json:"contact_requests"`
	// Pages per person, and how many of them came out of hours.
	Pages []PersonPages `json:"pages"`
	// Severities: MTTA and MTTR of the incidents declared in the period.
	Severities []SeverityStats `json:"severities"`
	// Training events per person per quarter (R63: a practice run counts).
	Training []TrainingStats `json:"training"`
}

// MeasuresPerson is the person a report is limited to.
type MeasuresPerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Percentiles are a distribution's median and 90th percentile, in seconds.
type Percentiles struct {
	P50S *int `json:"p50_s"`
	P90S *int `json:"p90_s"`
}

// RoleAckStats is the time to acknowledge a role's pages.
type RoleAckStats struct {
	Role     string `json:"role"`
	RoleName string `json:"role_name"`
	// Pages sent for the role in the period; Acknowledged of them.
	Pages        int `json:"pages"`
	Acknowledged int `json:"acknowledged"`
	// P50S and P90S: the time to acknowledge, of those acknowledged.
	P50S *int `json:"p50_s"`
	P90S *int `json:"p90_s"`
	// WithinTarget were acknowledged within the target; the share is of
	// all pages, so one never acknowledged counts against it.
	WithinTarget      int      `json:"within_target"`
	ShareWithinTarget *float64 `json:"share_within_target"`
}

// CadenceStats: the intervals between public updates that began in the
// period, against the maximum that applied.
type CadenceStats struct {
	Intervals   int      `json:"intervals"`
	OnTime      int      `json:"on_time"`
	Late        int      `json:"late"`
	ShareOnTime *float64 `json:"share_on_time"`
	MinutesLate int      `json:"minutes_late"`
}

// StakeholderStats: notices to internal stakeholders.
type StakeholderStats struct {
	Incidents   int      `json:"incidents"`
	Notices     int      `json:"notices"`
	PerIncident *float64 `json:"per_incident"`
}

// CustomerNoticeStats: follow-up notices on customer threads sent in the
// period, each against the time the thread owed it (the thread's
// next_notice_due as the notice before set it).
type CustomerNoticeStats struct {
	Notices     int      `json:"notices"`
	OnTime      int      `json:"on_time"`
	Late        int      `json:"late"`
	ShareOnTime *float64 `json:"share_on_time"`
	MinutesLate int      `json:"minutes_late"`
	// Overdue threads owe a notice now that was due in the period.
	Overdue int `json:"overdue"`
}

// HandoverStats: shifts of the communications and incident-lead rotations
// that ended in the period, and those that left a submitted handover.
type HandoverStats struct {
	Shifts         int      `json:"shifts"`
	Submitted      int      `json:"submitted"`
	ShareSubmitted *float64 `json:"share_submitted"`
}

// ContactRequestStats: contact requests opened in the period.
type ContactRequestStats struct {
	Opened    int `json:"opened"`
	Completed int `json:"completed"`
	// CompletedByDue were done by their due time (or had none).
	CompletedByDue int      `json:"completed_by_due"`
	Cancelled      int      `json:"cancelled"`
	Open           int      `json:"open"`
	ShareCompleted *float64 `json:"share_completed"`
}

// PersonPages: the pages that reached a person (notified, not as a
// shadow), and those raised out of hours.
type PersonPages struct {
	UserID     string `json:"user_id"`
	Name       string `json:"name"`
	Pages      int    `json:"pages"`
	OutOfHours int    `json:"out_of_hours"`
}

// SeverityStats: MTTA (an incident's first page to the first
// acknowledgement of any of its pages) and MTTR (declaration, or the start
// of impact when recorded, to resolution) by the incident's severity.
type SeverityStats struct {
	Severity     Severity    `json:"severity"`
	Incidents    int         `json:"incidents"`
	Acknowledged int         `json:"acknowledged"`
	Resolved     int         `json:"resolved"`
	MTTA         Percentiles `json:"mtta"`
	MTTR         Percentiles `json:"mttr"`
}

// TrainingStats: training events a person took part in during a quarter
// ("2026-Q1").
type TrainingStats struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
	Quarter string `json:"quarter"`
	Events  int    `json:"events"`
}

// Share is part/whole, nil when whole is 0.
func Share(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	v := float64(part) / float64(whole)
	return &v
}

// Quarter names the quarter t is in: "2026-Q1".
func Quarter(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// MeasuresCSVHeader are the CSV's columns: one row per measure, and per
// person where the measure is a person's.
var MeasuresCSVHeader = []string{"from", "to", "measure", "group", "person_id", "person", "value"}

// CSV writes the report one measure a row (MeasuresCSVHeader). group is
// the role, severity or quarter the row is about; empty values were not
// measurable (nothing to measure in the period).
func (r MeasuresReport) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(MeasuresCSVHeader)
	from, to := r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339)
	pid, pname := "", ""
	if r.Person != nil {
		pid, pname = r.Person.ID, r.Person.Name
	}
	row := func(measure, group, id, name, value string) {
		w.Write([]string{from, to, measure, group, id, name, value})
	}
	n := func(measure, group string, v int) { row(measure, group, pid, pname, strconv.Itoa(v)) }
	f := func(measure, group string, v *float64) {
		s := ""
		if v != nil {
			s = strconv.FormatFloat(*v, 'f', 4, 64)
		}
		row(measure, group, pid, pname, s)
	}
	ip := func(measure, group string, v *int) {
		s := ""
		if v != nil {
			s = strconv.Itoa(*v)
		}
		row(measure, group, pid, pname, s)
	}
	for _, a := range r.Acknowledgement {
		n("ack_pages", a.Role, a.Pages)
		n("ack_acknowledged", a.Role, a.Acknowledged)
		ip("ack_p50_s", a.Role, a.P50S)
		ip("ack_p90_s", a.Role, a.P90S)
		f("ack_share_within_target", a.Role, a.ShareWithinTarget)
	}
	n("cadence_intervals", "", r.Cadence.Intervals)
	n("cadence_late", "", r.Cadence.Late)
	f("cadence_share_on_time", "", r.Cadence.ShareOnTime)
	n("cadence_minutes_late", "", r.Cadence.MinutesLate)
	n("stakeholder_incidents", "", r.StakeholderNotices.Incidents)
	n("stakeholder_notices", "", r.StakeholderNotices.Notices)
	f("stakeholder_notices_per_incident", "", r.StakeholderNotices.PerIncident)
	n("customer_notices", "", r.CustomerNotices.Notices)
	n("customer_notices_late", "", r.CustomerNotices.Late)
	f("customer_notices_share_on_time", "", r.CustomerNotices.ShareOnTime)
	n("customer_notices_minutes_late", "", r.CustomerNotices.MinutesLate)
	n("customer_notices_overdue", "", r.CustomerNotices.Overdue)
	n("handover_shifts", "", r.Handovers.Shifts)
	n("handovers_submitted", "", r.Handovers.Submitted)
	f("handovers_share_submitted", "", r.Handovers.ShareSubmitted)
	n("contact_requests_opened", "", r.ContactRequests.Opened)
	n("contact_requests_completed", "", r.ContactRequests.Completed)
	n("contact_requests_completed_by_due", "", r.ContactRequests.CompletedByDue)
	n("contact_requests_cancelled", "", r.ContactRequests.Cancelled)
	n("contact_requests_open", "", r.ContactRequests.Open)
	for _, s := range r.Severities {
		g := string(s.Severity)
		n("incidents", g, s.Incidents)
		n("incidents_resolved", g, s.Resolved)
		ip("mtta_p50_s", g, s.MTTA.P50S)
		ip("mtta_p90_s", g, s.MTTA.P90S)
		ip("mttr_p50_s", g, s.MTTR.P50S)
		ip("mttr_p90_s", g, s.MTTR.P90S)
	}
	for _, p := range r.Pages {
		row("pages", "", p.UserID, p.Name, strconv.Itoa(p.Pages))
		row("pages_out_of_hours", "", p.UserID, p.Name, strconv.Itoa(p.OutOfHours))
	}
	for _, t := range r.Training {
		row("training_events", t.Quarter, t.UserID, t.Name, strconv.Itoa(t.Events))
	}
	w.Flush()
	return b.Bytes()
}
