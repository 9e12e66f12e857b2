// Package config is Herald's configuration as code: a YAML document that
// describes the on-call configuration (people, teams, schedules,
// escalation policies, services, status page components, stakeholder
// channels and settings), a plan that compares it with what Herald holds,
// and the apply that makes Herald match it. The importers produce the same
// document from another tool, so what they would create is shown, and
// created, the same way.
//
// Everything is named, never identified by Herald's ids: users by e-mail
// address, everything else by name. That keeps a document portable between
// instances and readable in review.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"go.yaml.in/yaml/v3"
)

// Version is the document format this Herald reads and writes.
const Version = 1

// Document is one configuration. Lists that are absent leave that kind of
// thing alone; with prune, an empty list present in the document removes
// every thing of the kind.
type Document struct {
	Version             int         `yaml:"version" json:"version"`
	Users               []User      `yaml:"users,omitempty" json:"users"`
	Teams               []Team      `yaml:"teams,omitempty" json:"teams"`
	Schedules           []Schedule  `yaml:"schedules,omitempty" json:"schedules"`
	EscalationPolicies  []Policy    `yaml:"escalation_policies,omitempty" json:"escalation_policies"`
	Services            []Service   `yaml:"services,omitempty" json:"services"`
	Components          []Component `yaml:"components,omitempty" json:"components"`
	StakeholderChannels []Channel   `yaml:"stakeholder_channels,omitempty" json:"stakeholder_channels"`
	// Settings are organisation settings by key, as `herald settings get`
	// names them; keys absent keep their value.
	Settings map[string]any `yaml:"settings,omitempty" json:"settings"`
}

// User is a person, known by e-mail address.
type User struct {
	Email   string `yaml:"email" json:"email"`
	Name    string `yaml:"name" json:"name"`
	Role    string `yaml:"role,omitempty" json:"role,omitempty"` // viewer, responder (default), admin
	Manager bool   `yaml:"manager,omitempty" json:"manager,omitempty"`
	// Contacts are the ways to reach the person.
	Contacts []Contact `yaml:"contacts,omitempty" json:"contacts,omitempty"`
	// Rules say which contact is used when after a page reaches the person.
	Rules []Rule `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// Contact is one contact method. E-mail addresses and phone numbers are
// written as they are; a webhook, Slack or Teams URL is a secret, so it is
// named by the environment variable that holds it (TargetEnv), never
// written in the file.
type Contact struct {
	Kind      string `yaml:"kind" json:"kind"` // email, sms, voice, webhook, slack, teams
	Target    string `yaml:"target,omitempty" json:"target,omitempty"`
	TargetEnv string `yaml:"target_env,omitempty" json:"target_env,omitempty"`
}

// Rule uses the contact of that kind and target DelayMinutes after a page
// reaches the person, while it is unacknowledged.
type Rule struct {
	Contact      string `yaml:"contact" json:"contact"` // "kind:target" or "kind:$ENV", as in Contacts
	DelayMinutes int    `yaml:"delay_minutes" json:"delay_minutes"`
}

// Team is a group of people that owns schedules, policies and services.
type Team struct {
	Name    string   `yaml:"name" json:"name"`
	Members []string `yaml:"members,omitempty" json:"members,omitempty"` // e-mail addresses
}

// Schedule is an on-call schedule: layers of rotations, the higher winning.
type Schedule struct {
	Name      string     `yaml:"name" json:"name"`
	Team      string     `yaml:"team,omitempty" json:"team,omitempty"`
	TimeZone  string     `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`
	Layers    []Layer    `yaml:"layers" json:"layers"`
	Shadows   []string   `yaml:"shadows,omitempty" json:"shadows,omitempty"` // e-mail addresses
	Overrides []Override `yaml:"overrides,omitempty" json:"overrides,omitempty"`
}

// Layer is one rotation of people, in order.
type Layer struct {
	Name        string    `yaml:"name,omitempty" json:"name,omitempty"`
	Rotation    string    `yaml:"rotation" json:"rotation"`                             // daily, weekly, custom
	HandoffTime string    `yaml:"handoff_time,omitempty" json:"handoff_time,omitempty"` // "09:00", daily and weekly
	Length      string    `yaml:"length,omitempty" json:"length,omitempty"`             // a duration like "12h", custom
	Start       time.Time `yaml:"start" json:"start"`
	Users       []string  `yaml:"users" json:"users"` // e-mail addresses
}

// Override puts someone on call above every layer for a while.
type Override struct {
	User  string    `yaml:"user" json:"user"` // e-mail address
	Start time.Time `yaml:"start" json:"start"`
	End   time.Time `yaml:"end" json:"end"`
}

// Policy is an escalation policy.
type Policy struct {
	Name            string  `yaml:"name" json:"name"`
	Team            string  `yaml:"team,omitempty" json:"team,omitempty"`
	Levels          []Level `yaml:"levels" json:"levels"`
	Repeat          int     `yaml:"repeat,omitempty" json:"repeat,omitempty"`
	RepeatFromLevel int     `yaml:"repeat_from_level,omitempty" json:"repeat_from_level,omitempty"`
	AckExpiry       string  `yaml:"ack_expiry,omitempty" json:"ack_expiry,omitempty"` // a duration like "30m"
}

// Level is one step of a policy.
type Level struct {
	Timeout string   `yaml:"timeout" json:"timeout"` // a duration like "15m"
	Targets []Target `yaml:"targets" json:"targets"`
}

// Target is whom a level pages: a user (by e-mail), a schedule (by name),
// a colleague of a schedule's engineer, or the managers.
type Target struct {
	User      string `yaml:"user,omitempty" json:"user,omitempty"`
	Schedule  string `yaml:"schedule,omitempty" json:"schedule,omitempty"`
	Colleague string `yaml:"colleague,omitempty" json:"colleague,omitempty"` // a schedule name
	Managers  bool   `yaml:"managers,omitempty" json:"managers,omitempty"`
}

// Service is something that pages: monitoring sends to its integration
// key, which Herald generates and this document never holds.
type Service struct {
	Name        string    `yaml:"name" json:"name"`
	Team        string    `yaml:"team,omitempty" json:"team,omitempty"`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Policy      string    `yaml:"escalation_policy,omitempty" json:"escalation_policy,omitempty"`
	Components  []string  `yaml:"components,omitempty" json:"components,omitempty"`
	Grouping    *Grouping `yaml:"grouping,omitempty" json:"grouping,omitempty"`
}

// Grouping folds a flood of alerts into one page.
type Grouping struct {
	Threshold int    `yaml:"threshold" json:"threshold"`
	Window    string `yaml:"window" json:"window"` // a duration like "5m"
}

// Component is a status page component, in a group when one is named.
type Component struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Group       string `yaml:"group,omitempty" json:"group,omitempty"`
}

// Channel is an internal stakeholder channel: an e-mail address written as
// it is, or a webhook, Slack or Teams URL named by its environment variable.
type Channel struct {
	Name       string   `yaml:"name" json:"name"`
	Kind       string   `yaml:"kind" json:"kind"` // email, webhook, slack, teams
	Target     string   `yaml:"target,omitempty" json:"target,omitempty"`
	TargetEnv  string   `yaml:"target_env,omitempty" json:"target_env,omitempty"`
	Components []string `yaml:"components,omitempty" json:"components,omitempty"`
}

// Parse reads a document, refusing fields it does not know (a typo should
// not silently configure nothing) and a version it cannot read.
func Parse(r io.Reader) (*Document, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var d Document
	if err := dec.Decode(&d); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("config: the document is empty")
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	if d.Version != Version {
		return nil, fmt.Errorf("config: version %d is not one this Herald reads (write version: %d)", d.Version, Version)
	}
	return &d, nil
}

// Marshal writes a document as YAML, two spaces to a level.
func Marshal(d *Document) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return b.Bytes(), nil
}
