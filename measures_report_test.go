package herald

import (
	"net/url"
	"testing"
	"time"
)

func TestRule62_PeriodIsParsedAndCheckedNamingTheField(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		query, field string
		from, to     time.Time
	}{
		{query: "", from: now.AddDate(0, 0, -30), to: now},
		{query: "from=2026-03-01&to=2026-03-31", from: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{query: "from=2026-03-01T10:00:00%2B01:00", from: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), to: now},
		{query: "from=2026-03-02&to=2026-03-01", field: "from"},
		{query: "from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z", field: "from"},
		{query: "from=last+week", field: "from"},
		{query: "to=2026-02-30", field: "to"},
		{query: "from=2020-01-01&to=2026-01-01", field: "to"},
		{query: "ack_target=0s", field: "ack_target"},
		{query: "ack_target=soon", field: "ack_target"},
	} {
		v, _ := url.ParseQuery(c.query)
		q, err := ParseMeasuresQuery(v)
		if err == nil {
			err = q.Normalize(now)
		}
		if c.field != "" {
			e, ok := err.(*Error)
			if !ok || e.Code != EInvalid || e.Fields[c.field] == "" {
				t.Errorf("%s: %v, want invalid naming %s", c.query, err, c.field)
			}
			continue
		}
		if err != nil || !q.From.Equal(c.from) || !q.To.Equal(c.to) {
			t.Errorf("%s: %v %v %v", c.query, q.From, q.To, err)
		}
	}
}

// The zone's offsets over a period: Berlin changes to summer time on 29
// March 2026 at 01:00 UTC.
func TestRule62_OutOfHoursFollowsDaylightSaving(t *testing.T) {
	h := BusinessHours{Days: []string{"monday", "tuesday", "wednesday", "thursday", "friday"}, Start: "08:00", End: "18:00", TimeZone: "Europe/Berlin"}
	spans := h.Spans(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if len(spans) != 2 || spans[0].Offset != 3600 || spans[1].Offset != 7200 ||
		!spans[0].Until.Equal(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)) || !spans[1].Until.IsZero() {
		t.Errorf("spans %+v", spans)
	}
	if d := h.DayNumbers(); len(d) != 5 || d[0] != 1 || d[4] != 5 {
		t.Errorf("days %v", d)
	}
	s := DefaultSettings()
	if got := s.MeasuresHours(); got.String() != "mon,tue,wed,thu,fri 08:00-18:00 UTC" {
		t.Errorf("default hours %s", got)
	}
	s.Measures.AckTarget = 0
	if err := s.Validate(); err == nil || err.(*Error).Fields["measures.ack_target"] == "" {
		t.Errorf("ack_target 0 taken: %v", err)
	}
}
