package herald

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaintenanceKind says where a maintenance stands against the tenants'
// weekly windows and why (R32, R34): customers are told differently of
// work they agreed to, of other work outside their window, and of
// security work that cannot wait.
type MaintenanceKind string

// Maintenance kinds.
const (
	// KindScheduled is work inside each affected tenant's weekly window
	// (R34); Herald warns when it is not, without refusing it.
	KindScheduled MaintenanceKind = "scheduled"
	// KindOutOfBand is other work outside the window: never security
	// work (R32).
	KindOutOfBand MaintenanceKind = "out_of_band"
	// KindEmergency is security work that cannot wait for the window
	// (R32). It needs an engineering manager's approval before it starts,
	// and each linked tenant is told, not asked (R33).
	KindEmergency MaintenanceKind = "emergency"
)

// MaintenanceKinds lists every kind, in order.
var MaintenanceKinds = []MaintenanceKind{KindScheduled, KindOutOfBand, KindEmergency}

// Enum lists the values, for the OpenAPI document.
func (MaintenanceKind) Enum() []string { return enumStrings(MaintenanceKinds) }

// Title is the kind as people read it.
func (k MaintenanceKind) Title() string {
	switch k {
	case KindOutOfBand:
		return "Out-of-band"
	case KindEmergency:
		return "Emergency"
	}
	return "Scheduled"
}

// CheckMaintenanceKind applies R32 to a kind and whether the work is
// security work, naming the field: emergency maintenance is security work
// only, and security work outside the window is emergency maintenance,
// never out-of-band.
func CheckMaintenanceKind(fe FieldErrors, kind MaintenanceKind, security bool) {
	switch {
	case !slices.Contains(MaintenanceKinds, kind):
		fe.Add("kind", "must be one of scheduled, out_of_band, emergency")
	case kind == KindEmergency && !security:
		fe.Add("kind", "emergency maintenance is security work only (R32): mark it security, or make it out_of_band")
	case kind == KindOutOfBand && security:
		fe.Add("kind", "security work outside the weekly window is emergency maintenance, not out-of-band (R32)")
	}
}

// MaintenanceApproval is the engineering manager's approval of an
// emergency maintenance (R33): the emergency_maintenance decision, taken
// on the maintenance rather than on an incident.
type MaintenanceApproval struct {
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment,omitempty"`
}

// MaintenanceTenantNotice is one notice Herald queued to a tenant about
// an emergency maintenance (R33): at the approval and at the completion,
// to the tenant's operational addresses. The record is what a customer
// notice thread can later take over.
type MaintenanceTenantNotice struct {
	ID         string     `json:"id"`
	TenantID   string     `json:"tenant_id"`
	TenantName string     `json:"tenant_name"`
	Event      string     `json:"event"` // approved, rescheduled, cancelled, completed
	Affected   bool       `json:"affected"`
	To         string     `json:"to"`
	Cc         []string   `json:"cc"`
	Subject    string     `json:"subject"`
	Status     string     `json:"status"` // pending, sent, failed
	LastError  string     `json:"last_error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
}

// Events of an emergency maintenance that tell the tenants. Each one's
// text is approved by the security team before it goes (R44).
const (
	TenantNoticeApproved    = "approved"
	TenantNoticeRescheduled = "rescheduled"
	TenantNoticeCancelled   = "cancelled"
	TenantNoticeCompleted   = "completed"
)

// PromptMaintenanceHandover tells the people of the next on-call shifts
// that an emergency maintenance was approved (R33): a handover item.
const PromptMaintenanceHandover = "maintenance_handover"

// Covers reports whether the work from..until lies inside one occurrence
// of the window, read in the window's time zone (so across a daylight
// saving change the window keeps its local hours). The window must be
// valid.
func (w MaintenanceWindow) Covers(from, until time.Time) bool {
	d := time.Duration(w.Duration)
	start := w.Next(from.Add(-d))
	if start.IsZero() {
		return false
	}
	// Next returns the first start after from-d: the occurrence that may
	// hold from, or, when none does, a later one.
	return !from.Before(start) && !until.After(start.Add(d))
}

// WindowWarnings are R34's warnings for a scheduled maintenance from..until
// affecting tenants: one for each tenant whose weekly window does not hold
// it (naming the tenant, its window and the start in its local time), or
// that has no window agreed. Other kinds are outside the window by
// definition and get none.
func WindowWarnings(kind MaintenanceKind, from, until time.Time, tenants []Tenant) []string {
	out := []string{}
	if kind != KindScheduled {
		return out
	}
	for _, t := range tenants {
		w := t.MaintenanceWindow
		if w == nil {
			out = append(out, fmt.Sprintf("%s has no weekly maintenance window agreed (R34): tell them, or make this out_of_band", t.Name))
			continue
		}
		if w.Covers(from, until) {
			continue
		}
		local := from
		if loc, err := time.LoadLocation(w.TimeZone); err == nil {
			local = from.In(loc)
		}
		out = append(out, fmt.Sprintf("outside %s's maintenance window (%s): the work starts %s local time; move it into the window or make it out_of_band",
			t.Name, w.String(), strings.ToLower(local.Format("Monday"))+" "+local.Format("2006-01-02 15:04 MST")))
	}
	return out
}
