package herald

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// PageStatus is where a page stands (R02). Resolving a page never resolves
// an incident: it only says the page needs no more attention.
type PageStatus string

// Page statuses.
const (
	PageTriggered    PageStatus = "triggered"
	PageAcknowledged PageStatus = "acknowledged"
	PageResolved     PageStatus = "resolved"
)

// PageStatuses lists every status, in order.
var PageStatuses = []PageStatus{PageTriggered, PageAcknowledged, PageResolved}

// Enum lists the values, for the OpenAPI document.
func (PageStatus) Enum() []string { return enumStrings(PageStatuses) }

// Service is something that can break and whose alerts page someone:
// monitoring sends to its integration key.
type Service struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	Description        string    `json:"description"`
	EscalationPolicyID string    `json:"escalation_policy_id,omitempty"`
	IntegrationKey     string    `json:"integration_key"`
	Grouping           Grouping  `json:"grouping"`
	CreatedAt          time.Time `json:"created_at"`
	// Components are the status page components the service runs on: a
	// maintenance of one of them can mute its paging.
	Components []string `json:"components"`
}

// Grouping folds a flood of distinct alerts into one page: once Threshold
// pages of a service are open that were triggered within Window, new
// alerts join the newest of them instead of paging again. Threshold 0
// turns grouping off.
type Grouping struct {
	Threshold     int `json:"threshold"`
	WindowMinutes int `json:"window_minutes"`
}

// DefaultGrouping pages separately for the first three alerts in five
// minutes, and groups everything after.
var DefaultGrouping = Grouping{Threshold: 3, WindowMinutes: 5}

// ServiceInput creates a service.
type ServiceInput struct {
	Name               string    `json:"name" required:"true"`
	Description        string    `json:"description"`
	EscalationPolicyID string    `json:"escalation_policy_id"`
	Grouping           *Grouping `json:"grouping,omitempty"`
	Components         []string  `json:"components,omitempty"`
}

// Normalize validates the service.
func (in *ServiceInput) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	in.Description = strings.TrimSpace(in.Description)
	checkText(fe, "description", in.Description, 1000, false)
	in.Components = normalizeNames(fe, "components", in.Components)
	if in.Grouping == nil {
		g := DefaultGrouping
		in.Grouping = &g
	}
	if in.Grouping.Threshold < 0 || in.Grouping.Threshold > 1000 || in.Grouping.WindowMinutes < 0 || in.Grouping.WindowMinutes > 24*60 {
		fe.Add("grouping", "threshold 0 to 1000 (0: off), window_minutes 0 to 1440")
	}
	return fe.Err()
}

// EscalationPolicy says whom to page, in order, until someone answers.
type EscalationPolicy struct {
	ID     string            `json:"id"`
	Name   string            `json:"name"`
	Levels []EscalationLevel `json:"levels"`
	// Repeat is how many more times the levels run after the last one
	// times out with nobody acknowledging.
	Repeat int `json:"repeat"`
	// RepeatFromLevel is the level (from 1) each repeat round starts at;
	// 0 or 1 starts it at the first level.
	RepeatFromLevel int `json:"repeat_from_level,omitempty"`
	// AckExpiry ends an acknowledgement that is not followed by a
	// resolution within it: the page is triggered again and the level
	// acknowledged is paged again. 0 (the default) keeps an
	// acknowledgement until the page is resolved.
	AckExpiry Duration  `json:"ack_expiry,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// EscalationLevel is one step: its targets are paged together, and after
// TimeoutMinutes without an acknowledgement the next level is.
type EscalationLevel struct {
	TimeoutMinutes int      `json:"timeout_minutes" required:"true"`
	Targets        []Target `json:"targets" required:"true"`
}

// Target is a user or a schedule (whoever is on call on it).
type Target struct {
	Type string `json:"type" required:"true" enum:"target_type"` // see TargetTypes
	// ID is the user or schedule (id, or e-mail / schedule name on
	// input); a colleague target names the schedule whose engineer it
	// replaces; a managers target has none.
	ID string `json:"id,omitempty"`
}

// EscalationPolicyInput creates a policy.
type EscalationPolicyInput struct {
	Name            string            `json:"name" required:"true"`
	Levels          []EscalationLevel `json:"levels" required:"true"`
	Repeat          int               `json:"repeat"`
	RepeatFromLevel int               `json:"repeat_from_level,omitempty"`
	AckExpiry       Duration          `json:"ack_expiry,omitempty"`
}

// Normalize validates the policy's shape (not that its targets exist).
func (in *EscalationPolicyInput) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	if len(in.Levels) == 0 || len(in.Levels) > 20 {
		fe.Add("levels", "between 1 and 20 levels")
	}
	for i, l := range in.Levels {
		if l.TimeoutMinutes < 1 || l.TimeoutMinutes > 24*60 {
			fe.Add("levels", "level "+itoa(i+1)+": timeout_minutes between 1 and 1440")
		}
		if len(l.Targets) == 0 {
			fe.Add("levels", "level "+itoa(i+1)+": at least one target")
		}
		for j, t := range l.Targets {
			switch {
			case !slices.Contains(TargetTypes, t.Type):
				fe.Add("levels", "level "+itoa(i+1)+": target type must be user, schedule, colleague or managers")
			case t.Type == TargetManagers:
				in.Levels[i].Targets[j].ID = ""
			case strings.TrimSpace(t.ID) == "":
				fe.Add("levels", "level "+itoa(i+1)+": a "+t.Type+" target needs an id")
			}
		}
	}
	if in.Repeat < 0 || in.Repeat > 10 {
		fe.Add("repeat", "between 0 and 10")
	}
	if in.RepeatFromLevel < 0 || (len(in.Levels) > 0 && in.RepeatFromLevel > len(in.Levels)) {
		fe.Add("repeat_from_level", "a level of the policy, from 1 to "+itoa(max(len(in.Levels), 1)))
	}
	if in.AckExpiry != 0 && (in.AckExpiry < Duration(time.Minute) || in.AckExpiry > Duration(24*time.Hour) || in.AckExpiry%Duration(time.Second) != 0) {
		fe.Add("ack_expiry", "off (0s), or whole seconds from 1m to 24h, like 30m")
	}
	return fe.Err()
}

// Page is a request for a person's attention, made from one or more
// alerts of a service.
type Page struct {
	ID             string          `json:"id"`
	ServiceID      string          `json:"service_id"`
	Status         PageStatus      `json:"status"`
	DedupKey       string          `json:"dedup_key"` // the first alert's
	Summary        string          `json:"summary"`
	Severity       string          `json:"severity"`
	Source         string          `json:"source"`
	Details        json.RawMessage `json:"details,omitempty"`
	Count          int             `json:"count"`  // triggers folded into this page
	Alerts         int             `json:"alerts"` // distinct alerts grouped into it
	Level          int             `json:"level"`  // current escalation level, from 0
	FirstSeen      time.Time       `json:"first_seen"`
	LastSeen       time.Time       `json:"last_seen"`
	AckedAt        *time.Time      `json:"acknowledged_at"`
	AckedBy        string          `json:"acknowledged_by,omitempty"`
	ResolvedAt     *time.Time      `json:"resolved_at"`
	NextEscalation *time.Time      `json:"next_escalation_at"`
	IncidentID     string          `json:"incident_id,omitempty"`
	// IncidentRole is the role this page asks someone to take (R01).
	IncidentRole string `json:"incident_role,omitempty"`
	// StepError is why the last escalation step failed, and StepAttempts
	// how often it was tried; both clear when a step succeeds. A failed
	// step is retried with backoff while other pages go on.
	StepAttempts int    `json:"step_attempts,omitempty"`
	StepError    string `json:"step_error,omitempty"`
	// RetriggerAt is when an acknowledged page is triggered again: the end
	// of its snooze, or of its acknowledgement (its policy's ack_expiry).
	// Nil while triggered, or when the acknowledgement lasts until the
	// page is resolved.
	RetriggerAt *time.Time `json:"retrigger_at,omitempty"`
	// SnoozedUntil is set while the page is snoozed: acknowledged until
	// then, when it is triggered again from level 1.
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
	// Warnings are the gaps met while paging (someone without a working
	// contact method, a level with nobody on call), from the page's log;
	// filled where one page is read.
	Warnings []Warning `json:"warnings,omitempty"`
	// DuringMaintenance is the maintenance in progress when the page
	// arrived, which muted it (mute_paging); it stays after the maintenance
	// ends. Muted says that paging is still held: nobody is notified and
	// the page does not escalate until the maintenance ends.
	DuringMaintenance string `json:"during_maintenance,omitempty"`
	Muted             bool   `json:"muted"`
	// Notified are the e-mail addresses of the people this page has
	// paged so far, each once, in the order paged; a shadow's
	// ends in " (shadow)". Filled in lists, where a person on call asks
	// "who else knows?" without opening every page.
	Notified []string `json:"notified,omitempty"`
	// Restricted says the page's service serves a FedRAMP tenant, or its
	// incident affects one: its notifications carry only its reference and
	// links (R46). Filled where one page is read.
	Restricted bool `json:"restricted,omitempty"`
}

// Warning is a gap met while paging, so that it is seen rather than
// silently paging nobody.
type Warning struct {
	Kind string    `json:"kind"` // one of the Gap kinds
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Gap kinds: how paging can fail to reach someone. Each is logged where it
// happens, shown as a warning and counted in herald_paging_gaps_total.
const (
	GapNoContactMethod = "no_contact_method" // a person paged has no working contact method
	GapNobodyOnCall    = "nobody_on_call"    // a schedule paged has nobody on call
	GapLevelUnreached  = "level_unreached"   // a whole escalation level reached nobody
	GapUnrouted        = "unrouted"          // the page's service has no escalation policy
	GapRoleUnbound     = "role_unbound"      // an incident role to page is bound to no service
)

// GapKinds lists the gap kinds.
var GapKinds = []string{GapNoContactMethod, GapNobodyOnCall, GapLevelUnreached, GapUnrouted, GapRoleUnbound}

// Event is one alert event from monitoring, in the shape of PagerDuty's
// Events API v2 (which Herald's /v2/enqueue accepts as is).
type Event struct {
	RoutingKey  string          `json:"routing_key" required:"true"`
	EventAction string          `json:"event_action" required:"true" enum:"event_action"`
	DedupKey    string          `json:"dedup_key"`
	Payload     *EventPayload   `json:"payload"`
	Client      string          `json:"client,omitempty"`
	ClientURL   string          `json:"client_url,omitempty"`
	Links       json.RawMessage `json:"links,omitempty"`
	Images      json.RawMessage `json:"images,omitempty"`
}

// EventPayload describes what is wrong.
type EventPayload struct {
	Summary       string          `json:"summary" required:"true"`
	Source        string          `json:"source" required:"true"`
	Severity      string          `json:"severity" required:"true" enum:"event_severity"`
	Timestamp     string          `json:"timestamp,omitempty"`
	Component     string          `json:"component,omitempty"`
	Group         string          `json:"group,omitempty"`
	Class         string          `json:"class,omitempty"`
	CustomDetails json.RawMessage `json:"custom_details,omitempty"`
}

// Validate checks an event as PagerDuty does, returning the messages its
// error shape lists.
func (e *Event) Validate() []string {
	var errs []string
	switch e.EventAction {
	case "trigger":
		if e.Payload == nil {
			errs = append(errs, "'payload' is missing or blank")
			break
		}
		if strings.TrimSpace(e.Payload.Summary) == "" {
			errs = append(errs, "'payload.summary' is missing or blank")
		} else if len(e.Payload.Summary) > 1024 {
			errs = append(errs, "'payload.summary' "+tooLong(len(e.Payload.Summary), 1024, "bytes"))
		}
		if strings.TrimSpace(e.Payload.Source) == "" {
			errs = append(errs, "'payload.source' is missing or blank")
		}
		if !slices.Contains(EventSeverities, e.Payload.Severity) {
			errs = append(errs, "'payload.severity' must be one of critical, error, warning or info")
		}
		if e.Payload.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339, e.Payload.Timestamp); err != nil {
				errs = append(errs, "'payload.timestamp' must be an ISO 8601 time")
			}
		}
	case "acknowledge", "resolve":
		if strings.TrimSpace(e.DedupKey) == "" {
			errs = append(errs, "'dedup_key' is missing or blank")
		}
	case "":
		errs = append(errs, "'event_action' is missing or blank")
	default:
		errs = append(errs, "'event_action' must be one of trigger, acknowledge or resolve")
	}
	if len(e.DedupKey) > 255 {
		errs = append(errs, "'dedup_key' "+tooLong(len(e.DedupKey), 255, "bytes"))
	}
	return errs
}

// RetryAfter is how long a failed attempt at background work (a delivery,
// an escalation step, a maintenance step) waits before the next one: 10
// seconds, doubling with each attempt, never more than 10 minutes. The
// failure stays on its row; other rows go on meanwhile.
func RetryAfter(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 7 {
		return 10 * time.Minute
	}
	return min(10*time.Second<<(attempt-1), 10*time.Minute)
}

// EscalationStep is what a page's due escalation step does.
type EscalationStep struct {
	// Exhausted is set when every level was paged and no repeat is left:
	// the page stops escalating.
	Exhausted bool
	// Level (from 0) is the level to page now, in round Loop.
	Level, Loop int
	// NextAt is when the step after this one is due.
	NextAt time.Time
}

// NextStep decides a page's due step from the level and round paged last
// (level -1 before the first): the next level, or after the last the
// repeat level (RepeatFromLevel, the first by default) again while repeats
// are left. The step after it is due that level's
// timeout after this one was due, so a short delay (a restart) does not
// stretch the cadence; after a delay longer than the timeout it is counted
// from now, so downtime does not page every level in one burst.
func (p *EscalationPolicy) NextStep(level, loop int, due, now time.Time) EscalationStep {
	if len(p.Levels) == 0 {
		return EscalationStep{Exhausted: true, Level: level, Loop: loop} // nothing to page
	}
	next, nextLoop := level+1, loop
	if next >= len(p.Levels) {
		if loop >= p.Repeat {
			return EscalationStep{Exhausted: true, Level: level, Loop: loop}
		}
		next, nextLoop = p.RepeatStart(), loop+1
	}
	timeout := time.Duration(p.Levels[next].TimeoutMinutes) * time.Minute
	at := due.Add(timeout)
	if !at.After(now) {
		at = now.Add(timeout)
	}
	return EscalationStep{Level: next, Loop: nextLoop, NextAt: at}
}

// DeliveryRecord is one delivery as stored, for the API and tests.
type DeliveryRecord struct {
	ID              string `json:"id"`
	ContactMethodID string `json:"contact_method_id"`
	Status          string `json:"status"`
	Attempts        int    `json:"attempts"`
	LastError       string `json:"last_error,omitempty"`
	NotificationID  string `json:"notification_id"` // the notification (person, level) it delivers
}

// Notification is one person to notify about one page.
type Notification struct {
	ID     string `json:"id"`
	PageID string `json:"page_id"`
	UserID string `json:"user_id"`
	Level  int    `json:"level"`
	Loop   int    `json:"loop"`
	Shadow bool   `json:"shadow"`
	Status string `json:"status"`
}

// PageLogEntry is one event of a page.
type PageLogEntry struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
}
