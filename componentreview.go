package herald

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reviewed changes to the status page's components (R21). With the
// setting page.component_review at "required", adding, renaming,
// describing, moving, regrouping or removing a component is a proposal by
// one admin that a different admin approves (or rejects, with a reason);
// the approval applies it in the approver's transaction and records both
// people. Every field of a component is shown on the public page, so every
// change of one is reviewed. At "off" (the default: a new install has one
// admin, who could never have a change approved) admins change components
// at once, recorded as before. Configuration as code (herald apply) is
// reviewed in its repository and applies without a proposal.

// Component review modes.
const (
	ComponentReviewOff      = "off"
	ComponentReviewRequired = "required"
)

// ComponentReviewModes lists the modes of page.component_review.
var ComponentReviewModes = []string{ComponentReviewOff, ComponentReviewRequired}

// ReviewsComponents reports whether changes to components need a second
// admin's approval (R21).
func (p PageSettings) ReviewsComponents() bool { return p.ComponentReview == ComponentReviewRequired }

// Proposal actions.
const (
	ProposalCreate = "create"
	ProposalUpdate = "update"
	ProposalDelete = "delete"
)

// ProposalActions lists what a proposal may do to a component.
var ProposalActions = []string{ProposalCreate, ProposalUpdate, ProposalDelete}

// Proposal states.
const (
	ProposalPending  = "pending"
	ProposalApproved = "approved"
	ProposalRejected = "rejected"
)

// ProposalStates lists a proposal's states.
var ProposalStates = []string{ProposalPending, ProposalApproved, ProposalRejected}

// ComponentProposalInput proposes one change to the components: create
// (Change.Name required), update (Component and at least one field of
// Change) or delete (Component).
type ComponentProposalInput struct {
	Action string `json:"action" required:"true" enum:"proposal_action"`
	// Component is the component changed or removed, by id or name.
	Component string         `json:"component,omitempty"`
	Change    ComponentInput `json:"change"`
}

// Normalize validates the proposal's shape; whether its component exists
// is the store's question.
func (in *ComponentProposalInput) Normalize() error {
	in.Action = strings.ToLower(strings.TrimSpace(in.Action))
	in.Component = strings.TrimSpace(in.Component)
	if !slices.Contains(ProposalActions, in.Action) {
		return &Error{Code: EInvalid, Message: "action must be create, update or delete", Fields: map[string]string{"action": "must be create, update or delete"}}
	}
	if in.Action != ProposalCreate && in.Component == "" {
		return &Error{Code: EInvalid, Message: "component is required to " + in.Action + " one", Fields: map[string]string{"component": "is required"}}
	}
	if in.Action == ProposalCreate && in.Component != "" {
		return &Error{Code: EInvalid, Message: "component names an existing component: leave it out to create one", Fields: map[string]string{"component": "must be empty to create"}}
	}
	switch in.Action {
	case ProposalDelete:
		in.Change = ComponentInput{}
	case ProposalUpdate:
		c := in.Change
		if c.Name == nil && c.Description == nil && c.Group == nil && c.Position == nil {
			return &Error{Code: EInvalid, Message: "an update changes at least one of name, description, group, position", Fields: map[string]string{"change": "changes nothing"}}
		}
	}
	if err := in.Change.Normalize(in.Action == ProposalCreate); err != nil {
		if e, ok := err.(*Error); ok {
			fields := map[string]string{}
			for k, v := range e.Fields {
				fields["change."+k] = v
			}
			return &Error{Code: e.Code, Message: e.Message, Fields: fields}
		}
		return err
	}
	return nil
}

// ComponentProposal is a proposed change to the components (R21).
type ComponentProposal struct {
	ID     string `json:"id"`
	Action string `json:"action" enum:"proposal_action"`
	// ComponentID and ComponentName are the component changed or removed
	// as it was when proposed; empty for a create.
	ComponentID   string         `json:"component_id,omitempty"`
	ComponentName string         `json:"component_name,omitempty"`
	Change        ComponentInput `json:"change"`
	// Summary says the change in words.
	Summary        string     `json:"summary"`
	State          string     `json:"state" enum:"proposal_state"`
	ProposedBy     string     `json:"proposed_by"`
	ProposedByName string     `json:"proposed_by_name"`
	ProposedAt     time.Time  `json:"proposed_at"`
	DecidedByName  string     `json:"decided_by_name,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	// Reason is a rejection's reason.
	Reason string `json:"reason,omitempty"`
}

// Describe says a proposal's change in words: "Rename API to Public API".
func (p *ComponentProposal) Describe() string {
	c := p.Change
	switch p.Action {
	case ProposalCreate:
		s := "Add " + quote(deref(c.Name))
		if c.Group != nil && *c.Group != "" {
			s += " in group " + quote(*c.Group)
		}
		return s
	case ProposalDelete:
		return "Remove " + quote(p.ComponentName)
	}
	var parts []string
	if c.Name != nil && *c.Name != p.ComponentName {
		parts = append(parts, "rename to "+quote(*c.Name))
	}
	if c.Description != nil {
		parts = append(parts, "describe as "+quote(*c.Description))
	}
	if c.Group != nil {
		if *c.Group == "" {
			parts = append(parts, "take out of its group")
		} else {
			parts = append(parts, "move to group "+quote(*c.Group))
		}
	}
	if c.Position != nil {
		parts = append(parts, fmt.Sprintf("move to position %d", *c.Position))
	}
	if len(parts) == 0 {
		parts = append(parts, "keep as it is")
	}
	return "Change " + quote(p.ComponentName) + ": " + strings.Join(parts, ", ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// CheckProposalApprover refuses approval of p by u when u proposed it:
// a reviewed change needs a second person (R21).
func CheckProposalApprover(p *ComponentProposal, u *User) error {
	if p.ProposedBy == u.ID {
		return Errorf(EForbidden, "R21: a change to the status page's components is reviewed by a second admin; %s proposed this one and cannot approve it", u.Name)
	}
	return nil
}

// ProposalRejectInput rejects a proposal, with the reason (required).
type ProposalRejectInput struct {
	Reason string `json:"reason" required:"true"`
}

// Normalize requires the reason.
func (in *ProposalRejectInput) Normalize() error {
	in.Reason = strings.TrimSpace(in.Reason)
	fe := FieldErrors{}
	checkText(fe, "reason", in.Reason, MaxSummaryLen, true)
	return fe.Err()
}

// DirectComponentChangeRefused is the refusal of a direct change while
// changes are reviewed (R21).
func DirectComponentChangeRefused(what string) error {
	return Errorf(EForbidden, "R21: %s goes through a reviewed change (page.component_review is required): propose it (POST /api/v1/component-proposals, herald component propose) for another admin to approve", what)
}
