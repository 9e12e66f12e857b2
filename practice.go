package herald

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Practice events (R63): a run plays a scenario (alerts, pages, prompts and
// status updates at offsets from its start) as a practice incident against
// a sandbox: its own status page (the console's /app/practice/{id}/page)
// and its own subscribers. Everything a run would send is checked where the
// outbox claims it: only the run's participants and sandbox subscribers are
// reached, and every message is marked PracticeMark. A run is a training
// event for each participant (R62).

// PracticeMark starts the subject and text of everything a practice sends.
const PracticeMark = "[PRACTICE]"

// PromptPractice is the kind of a scenario's prompt to a participant.
const PromptPractice = "practice"

// Scenario step kinds.
const (
	// StepAlert pages the participants named (all when none) about an
	// alert on a service, as a page of the practice incident.
	StepAlert = "alert"
	// StepPage pages the participants named in To.
	StepPage = "page"
	// StepPrompt prompts the participants named (all when none).
	StepPrompt = "prompt"
	// StepStatusUpdate publishes an update on the sandbox status page and
	// tells the sandbox's public subscribers.
	StepStatusUpdate = "status_update"
	// StepStakeholderNotice tells the sandbox's stakeholder channels.
	StepStakeholderNotice = "stakeholder_notice"
)

// StepKinds are the kinds a scenario step may have.
var StepKinds = []string{StepAlert, StepPage, StepPrompt, StepStatusUpdate, StepStakeholderNotice}

// Scenario is a practice's script. It is read from JSON or YAML (the CLI
// and the API take either; see docs/PRACTICE.md).
type Scenario struct {
	Title    string   `json:"title"`
	Summary  string   `json:"summary,omitempty"`
	Severity Severity `json:"severity,omitempty"`
	// Participants are the people who practise (e-mail or id); the person
	// who starts the run always is one.
	Participants []string `json:"participants,omitempty"`
	// Subscribers are the sandbox's subscribers: the only subscribers and
	// stakeholder channels the run's messages reach.
	Subscribers []SandboxSubscriber `json:"subscribers,omitempty"`
	Steps       []ScenarioStep      `json:"steps"`
	// FinishAfter ends the run by itself this long after its start (0: a
	// person finishes it).
	FinishAfter Duration `json:"finish_after,omitempty"`
}

// SandboxSubscriber is a subscriber that exists for one run only. Internal
// makes it a stakeholder channel of the sandbox (R19).
type SandboxSubscriber struct {
	Kind     string `json:"kind"` // email, webhook, slack, teams
	Target   string `json:"target"`
	Internal bool   `json:"internal,omitempty"`
}

// ScenarioStep is one scripted thing, At after the run's start.
type ScenarioStep struct {
	At      Duration `json:"at"`
	Kind    string   `json:"kind"`
	Service string   `json:"service,omitempty"` // alert, page: the service the page is on
	Summary string   `json:"summary,omitempty"` // alert, page
	Text    string   `json:"text,omitempty"`    // prompt, status_update, stakeholder_notice
	// Status is the sandbox incident's status after a status update.
	Status State `json:"status,omitempty"`
	// Components sets sandbox component statuses by component name.
	Components map[string]ComponentStatus `json:"components,omitempty"`
	// To names participants (e-mail or id); none means all of them.
	To []string `json:"to,omitempty"`
}

// Bounds of a scenario.
const (
	maxScenarioSteps = 200
	maxScenarioSpan  = 24 * time.Hour
)

// ParseScenario reads a scenario from JSON, strictly (unknown fields are
// refused), and checks it; every problem is a field error naming its place
// (steps[2].text).
func ParseScenario(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, &Error{Code: EInvalid, Message: "scenario: " + err.Error(), Fields: map[string]string{"scenario": "is not a scenario: " + err.Error()}}
	}
	return &s, s.Check()
}

// Check validates a scenario.
func (s *Scenario) Check() error {
	fe := FieldErrors{}
	s.Title = strings.TrimSpace(s.Title)
	checkText(fe, "scenario.title", s.Title, 200, true)
	checkText(fe, "scenario.summary", s.Summary, 2000, false)
	if s.Severity == "" {
		s.Severity = "S3"
	}
	if !s.Severity.Valid() {
		fe.Add("scenario.severity", "must be one of S1, S2, S3, S4")
	}
	for i, p := range s.Participants {
		checkText(fe, fmt.Sprintf("scenario.participants[%d]", i), strings.TrimSpace(p), 200, true)
	}
	for i, sub := range s.Subscribers {
		at := fmt.Sprintf("scenario.subscribers[%d]", i)
		if !slices.Contains([]string{"email", "webhook", "slack", "teams", "mattermost"}, sub.Kind) {
			fe.Add(at+".kind", "must be one of email, webhook, slack, teams, mattermost")
		}
		checkText(fe, at+".target", sub.Target, 500, true)
		if sub.Kind == "email" && !strings.Contains(sub.Target, "@") {
			fe.Add(at+".target", "must be an e-mail address")
		}
	}
	if len(s.Steps) == 0 {
		fe.Add("scenario.steps", "is required: at least one step")
	}
	if len(s.Steps) > maxScenarioSteps {
		fe.Add("scenario.steps", fmt.Sprintf("must have at most %d steps", maxScenarioSteps))
	}
	if s.FinishAfter < 0 || time.Duration(s.FinishAfter) > maxScenarioSpan {
		fe.Add("scenario.finish_after", "must be between 0s and 24h")
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		at := fmt.Sprintf("scenario.steps[%d]", i)
		if st.At < 0 || time.Duration(st.At) > maxScenarioSpan {
			fe.Add(at+".at", "must be between 0s and 24h after the start")
		}
		if i > 0 && st.At < s.Steps[i-1].At {
			fe.Add(at+".at", "must not be before the step above it")
		}
		switch st.Kind {
		case StepAlert, StepPage:
			checkText(fe, at+".service", st.Service, 200, true)
			checkText(fe, at+".summary", st.Summary, 500, true)
			if st.Kind == StepPage && len(st.To) == 0 {
				fe.Add(at+".to", "is required: whom to page")
			}
		case StepPrompt, StepStakeholderNotice:
			checkText(fe, at+".text", st.Text, 5000, true)
		case StepStatusUpdate:
			checkText(fe, at+".text", st.Text, 5000, true)
			if st.Status != "" && !st.Status.Valid() {
				fe.Add(at+".status", "must be one of investigating, identified, monitoring, resolved")
			}
			for name, cs := range st.Components {
				if !slices.Contains(ComponentStatuses, cs) {
					fe.Add(at+".components."+name, "is not a component status")
				}
			}
		default:
			fe.Add(at+".kind", "must be one of "+strings.Join(StepKinds, ", "))
		}
		for j, to := range st.To {
			checkText(fe, fmt.Sprintf("%s.to[%d]", at, j), strings.TrimSpace(to), 200, true)
		}
	}
	return fe.Err()
}

// PracticeStartInput starts a practice run.
type PracticeStartInput struct {
	// Scenario is the scenario file's text, JSON or YAML.
	Scenario string `json:"scenario" required:"true"`
	// Participants are added to the scenario's (e-mail or id).
	Participants []string `json:"participants,omitempty"`
}

// PracticeRun is one practice: its scenario, the practice incident, the
// participants, and what happened when.
type PracticeRun struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	IncidentID string     `json:"incident_id"`
	Reference  string     `json:"reference"` // the practice incident's
	StartedBy  string     `json:"started_by"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Steps and Played say how far the scenario is.
	Steps  int `json:"steps"`
	Played int `json:"played"`
	// SandboxURL is the run's own status page.
	SandboxURL   string                `json:"sandbox_url"`
	Participants []PracticeParticipant `json:"participants"`
	Subscribers  []SandboxSubscriber   `json:"subscribers,omitempty"`
	// Timeline is what happened, oldest first (in the run's answer only).
	Timeline []PracticeEvent `json:"timeline,omitempty"`
	Scenario *Scenario       `json:"scenario,omitempty"`
}

// PracticeParticipant is a person who practised.
type PracticeParticipant struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// Practice event kinds.
const (
	PracticeStarted  = "started"
	PracticeStep     = "step"     // a scenario step played
	PracticeHeld     = "held"     // a message the sandbox's edge held back
	PracticeAction   = "action"   // what a participant did
	PracticeFinished = "finished" // the run ended
)

// PracticeEvent is one line of a run's timeline.
type PracticeEvent struct {
	At   time.Time `json:"at"`
	Kind string    `json:"kind"`
	// Step is the scenario step played, or -1.
	Step int `json:"step"`
	// User is who did it, for a participant's action.
	User string `json:"user,omitempty"`
	Text string `json:"text"`
}

// SandboxPage is what the sandbox status page of a run shows: a copy of
// the components with the run's statuses, and the run's updates.
type SandboxPage struct {
	Run        PracticeRun        `json:"run"`
	PageName   string             `json:"page_name"`
	Status     State              `json:"status"`
	Components []SandboxComponent `json:"components"`
	Updates    []PracticeEvent    `json:"updates"`
}

// SandboxComponent is a component as the sandbox shows it.
type SandboxComponent struct {
	Name   string          `json:"name"`
	Status ComponentStatus `json:"status"`
}

// PracticeService runs practice events (R63).
type PracticeService interface {
	// StartPractice starts a run of a scenario now: the practice incident
	// is declared, the participants and sandbox subscribers recorded; the
	// playbook loop plays the steps when they are due.
	StartPractice(ctx context.Context, actor Actor, in PracticeStartInput) (*PracticeRun, error)
	// PracticeRuns lists runs, newest first.
	PracticeRuns(ctx context.Context, limit int) ([]PracticeRun, error)
	// PracticeRun is one run with its timeline.
	PracticeRun(ctx context.Context, id string) (*PracticeRun, error)
	// FinishPractice ends a run: the steps left are not played, the
	// practice incident is resolved, the sandbox subscribers removed.
	FinishPractice(ctx context.Context, actor Actor, id string) (*PracticeRun, error)
	// SandboxPage is the run's status page.
	SandboxPage(ctx context.Context, id string) (*SandboxPage, error)
	// TrainingEvents counts, per user id, the practice runs started in
	// [from, to) that the user took part in (R62).
	TrainingEvents(ctx context.Context, from, to time.Time) (map[string]int, error)
}

// MarkPractice puts PracticeMark before s, once.
func MarkPractice(s string) string {
	if strings.HasPrefix(s, PracticeMark) {
		return s
	}
	return PracticeMark + " " + s
}
