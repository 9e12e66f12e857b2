package herald

import (
	"strings"
	"time"
)

// Team is a group of people that owns schedules, escalation policies and
// services. It decides nothing on its own: it says whose they are, so a
// list can be read by team and configuration as code can hand a team its
// part.
type Team struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Members   []TeamMember `json:"members"`
	Schedules []string     `json:"schedules"` // names of the schedules it owns
	Policies  []string     `json:"escalation_policies"`
	Services  []string     `json:"services"`
	CreatedAt time.Time    `json:"created_at"`
}

// TeamMember is one person in a team.
type TeamMember struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// TeamInput creates a team or replaces its name and members. Members are
// user ids or e-mail addresses; the store resolves them.
type TeamInput struct {
	Name    string   `json:"name" required:"true"`
	Members []string `json:"members"`
}

// Normalize validates the team's shape (not that its members exist).
func (in *TeamInput) Normalize() error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	in.Members = normalizeNames(fe, "members", in.Members)
	return fe.Err()
}
