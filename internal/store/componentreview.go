package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// Reviewed changes to the status page's components (R21): proposals, and
// their approval by a second admin, which applies the change in the
// approver's transaction. See componentreview.go in the root package.

// requireDirectComponentChange refuses a direct change of the components
// while page.component_review is required. Configuration as code (herald
// apply) changes components below this check: its review is the
// repository's.
func (tx *tx) requireDirectComponentChange(ctx context.Context, actor herald.Actor, what string) error {
	s, err := tx.settings(ctx)
	if err != nil {
		return err
	}
	if s.Page.ReviewsComponents() {
		return herald.DirectComponentChangeRefused(what)
	}
	return nil
}

// lastComponentChange is the newest component_changes row, of component id
// ("" for any).
func (tx *tx) lastComponentChange(ctx context.Context, id string) (int64, error) {
	var n sql.NullInt64
	var err error
	if id == "" {
		err = tx.QueryRowContext(ctx, `SELECT max(id) FROM component_changes`).Scan(&n)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT max(id) FROM component_changes WHERE component_id = $1`, id).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("read component changes: %w", err)
	}
	return n.Int64, nil
}

// markComponentChanges says how the component changes recorded after row
// before were made: through proposal (approved by approver) or by apply.
func (tx *tx) markComponentChanges(ctx context.Context, before int64, via, approver, proposal string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE component_changes SET via = $1, approved_by = $2, proposal_id = $3 WHERE id > $4`, via, approver, proposal, before); err != nil {
		return fmt.Errorf("mark component changes: %w", err)
	}
	return nil
}

// componentByRef finds a live component by id or name.
func (tx *tx) componentByRef(ctx context.Context, ref string) (herald.Component, error) {
	c, err := tx.component(ctx, ref)
	if herald.ErrorCode(err) != herald.ENotFound {
		return c, err
	}
	var id string
	qerr := tx.QueryRowContext(ctx, `SELECT id FROM components WHERE name = $1 AND deleted_at IS NULL ORDER BY is_group, id LIMIT 1`, ref).Scan(&id)
	if errors.Is(qerr, sql.ErrNoRows) {
		return c, &herald.Error{Code: herald.EInvalid, Message: "no component " + ref, Fields: map[string]string{"component": "no such component"}}
	}
	if qerr != nil {
		return c, fmt.Errorf("find component: %w", qerr)
	}
	return tx.component(ctx, id)
}

const proposalColumns = `id, action, component_id, component_name, change, base_change, state, proposed_by, proposed_by_name, proposed_at, decided_by_name, decided_at, reason`

func scanProposal(row interface{ Scan(...any) error }) (herald.ComponentProposal, int64, error) {
	var p herald.ComponentProposal
	var change string
	var base, at int64
	var decided sql.NullInt64
	if err := row.Scan(&p.ID, &p.Action, &p.ComponentID, &p.ComponentName, &change, &base, &p.State, &p.ProposedBy, &p.ProposedByName, &at, &p.DecidedByName, &decided, &p.Reason); err != nil {
		return p, 0, err
	}
	if err := json.Unmarshal([]byte(change), &p.Change); err != nil {
		return p, 0, fmt.Errorf("decode proposal %s: %w", p.ID, err)
	}
	p.ProposedAt, p.DecidedAt = fromMicros(at), fromNullMicros(decided)
	p.Summary = p.Describe()
	return p, base, nil
}

func (tx *tx) proposal(ctx context.Context, id string) (herald.ComponentProposal, int64, error) {
	p, base, err := scanProposal(tx.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM component_proposals WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, 0, herald.Errorf(herald.ENotFound, "no component proposal %q", id)
	}
	return p, base, err
}

// ProposeComponentChange records an admin's proposed change to the
// components (R21) for another admin to approve. It checks now what can
// be checked (the component exists; a new one's name is free); the
// approval checks again.
func (db *StatusPageService) ProposeComponentChange(ctx context.Context, actor herald.Actor, in herald.ComponentProposalInput) (herald.ComponentProposal, error) {
	if !actor.Role.Allows(herald.RoleAdmin) {
		return herald.ComponentProposal{}, herald.Errorf(herald.EForbidden, "proposing a change to the status page's components needs the admin role (R21)")
	}
	if err := in.Normalize(); err != nil {
		return herald.ComponentProposal{}, err
	}
	var p herald.ComponentProposal
	err := db.write(ctx, func(tx *tx) error {
		p = herald.ComponentProposal{ID: newID(), Action: in.Action, Change: in.Change, State: herald.ProposalPending,
			ProposedBy: actor.User.ID, ProposedByName: actor.User.Name, ProposedAt: tx.now}
		var base int64
		if in.Action == herald.ProposalCreate {
			if err := tx.nameFree(ctx, *in.Change.Name, ""); err != nil {
				return err
			}
		} else {
			c, err := tx.componentByRef(ctx, in.Component)
			if err != nil {
				return err
			}
			if in.Action == herald.ProposalUpdate && c.Group && in.Change.Group != nil && *in.Change.Group != "" {
				return herald.Errorf(herald.EUnprocessable, "a group cannot be put in another group: the page has two levels")
			}
			if in.Action == herald.ProposalUpdate && in.Change.Name != nil {
				if err := tx.nameFree(ctx, *in.Change.Name, c.ID); err != nil {
					return err
				}
			}
			p.ComponentID, p.ComponentName = c.ID, c.Name
			if base, err = tx.lastComponentChange(ctx, c.ID); err != nil {
				return err
			}
		}
		p.Summary = p.Describe()
		change, _ := json.Marshal(p.Change)
		_, err := tx.ExecContext(ctx, `INSERT INTO component_proposals (id, action, component_id, component_name, change, base_change, state, proposed_by, proposed_by_name, proposed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, p.ID, p.Action, p.ComponentID, p.ComponentName, string(change), base, p.State, p.ProposedBy, p.ProposedByName, micros(tx.now))
		if err != nil {
			return fmt.Errorf("insert component proposal: %w", err)
		}
		return nil
	})
	return p, err
}

// nameFree refuses a component name already on the page (but for id).
func (tx *tx) nameFree(ctx context.Context, name, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM components WHERE name = $1 AND id <> $2 AND deleted_at IS NULL`, name, id).Scan(&n); err != nil {
		return fmt.Errorf("check component name: %w", err)
	}
	if n > 0 {
		return &herald.Error{Code: herald.EConflict, Message: "a component named " + name + " is already on the page", Fields: map[string]string{"change.name": "is taken"}}
	}
	return nil
}

// ComponentProposals lists proposals in state ("" for all), newest first.
func (db *StatusPageService) ComponentProposals(ctx context.Context, state string) ([]herald.ComponentProposal, error) {
	out := []herald.ComponentProposal{}
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+proposalColumns+` FROM component_proposals WHERE $1 = '' OR state = $1 ORDER BY proposed_at DESC, id DESC LIMIT 200`, state)
		if err != nil {
			return fmt.Errorf("list component proposals: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, _, err := scanProposal(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// ComponentProposal reads one proposal.
func (db *StatusPageService) ComponentProposal(ctx context.Context, id string) (herald.ComponentProposal, error) {
	var p herald.ComponentProposal
	err := db.read(ctx, func(tx *tx) (err error) {
		p, _, err = tx.proposal(ctx, id)
		return err
	})
	return p, err
}

// pendingProposal reads a proposal an admin may decide: pending, and
// decided by an admin.
func (tx *tx) pendingProposal(ctx context.Context, actor herald.Actor, id string) (herald.ComponentProposal, int64, error) {
	if !actor.Role.Allows(herald.RoleAdmin) {
		return herald.ComponentProposal{}, 0, herald.Errorf(herald.EForbidden, "deciding a change to the status page's components needs the admin role (R21)")
	}
	p, base, err := tx.proposal(ctx, id)
	if err != nil {
		return p, 0, err
	}
	if p.State != herald.ProposalPending {
		return p, 0, herald.Errorf(herald.EConflict, "this proposal is already %s (by %s)", p.State, p.DecidedByName)
	}
	return p, base, nil
}

// ApproveComponentProposal applies a proposed change in the approver's
// transaction and records it in component_changes with the proposer as
// the actor and the approver beside them (R21). The proposer cannot
// approve their own (403); a proposal another change made stale (its
// component changed, renamed or removed since, or a new one's name taken)
// is refused with 409 and stays pending, to be rejected or proposed again.
func (db *StatusPageService) ApproveComponentProposal(ctx context.Context, actor herald.Actor, id string) (herald.ComponentProposal, error) {
	var p herald.ComponentProposal
	err := db.write(ctx, func(tx *tx) error {
		var base int64
		var err error
		if p, base, err = tx.pendingProposal(ctx, actor, id); err != nil {
			return err
		}
		if err := herald.CheckProposalApprover(&p, &actor.User); err != nil {
			return err
		}
		if p.Action != herald.ProposalCreate {
			if _, err := tx.component(ctx, p.ComponentID); herald.ErrorCode(err) == herald.ENotFound {
				return herald.Errorf(herald.EConflict, "stale proposal: %s was removed since it was proposed; reject it", p.ComponentName)
			} else if err != nil {
				return err
			}
			last, err := tx.lastComponentChange(ctx, p.ComponentID)
			if err != nil {
				return err
			}
			if last != base {
				return herald.Errorf(herald.EConflict, "stale proposal: %s was changed since it was proposed (see GET /api/v1/components/changes); reject it and propose again", p.ComponentName)
			}
			if p.Change.Name != nil {
				if err := tx.nameFree(ctx, *p.Change.Name, p.ComponentID); err != nil {
					return herald.Errorf(herald.EConflict, "stale proposal: %s", err.(*herald.Error).Message)
				}
			}
		} else if err := tx.nameFree(ctx, *p.Change.Name, ""); err != nil {
			return herald.Errorf(herald.EConflict, "stale proposal: %s", err.(*herald.Error).Message)
		}
		before, err := tx.lastComponentChange(ctx, "")
		if err != nil {
			return err
		}
		proposer := herald.Actor{User: herald.User{ID: p.ProposedBy, Name: p.ProposedByName}, Role: herald.RoleAdmin}
		switch p.Action {
		case herald.ProposalCreate:
			var c herald.Component
			if c, err = tx.createComponent(ctx, proposer, p.Change); err == nil {
				p.ComponentID = c.ID
			}
		case herald.ProposalUpdate:
			_, err = tx.updateComponent(ctx, proposer, p.ComponentID, p.Change)
		case herald.ProposalDelete:
			err = tx.deleteComponent(ctx, proposer, p.ComponentID)
		}
		if err != nil {
			return err
		}
		if err := tx.markComponentChanges(ctx, before, "proposal", actor.User.Name, p.ID); err != nil {
			return err
		}
		return tx.decideProposal(ctx, actor, &p, herald.ProposalApproved, "")
	})
	return p, err
}

// RejectComponentProposal rejects a proposal with a reason (required).
// Any admin may, the proposer too (withdrawing it): only approving needs
// a second person.
func (db *StatusPageService) RejectComponentProposal(ctx context.Context, actor herald.Actor, id string, in herald.ProposalRejectInput) (herald.ComponentProposal, error) {
	if err := in.Normalize(); err != nil {
		return herald.ComponentProposal{}, err
	}
	var p herald.ComponentProposal
	err := db.write(ctx, func(tx *tx) error {
		var err error
		if p, _, err = tx.pendingProposal(ctx, actor, id); err != nil {
			return err
		}
		return tx.decideProposal(ctx, actor, &p, herald.ProposalRejected, in.Reason)
	})
	return p, err
}

func (tx *tx) decideProposal(ctx context.Context, actor herald.Actor, p *herald.ComponentProposal, state, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE component_proposals SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, reason = $5, component_id = $6
		WHERE id = $7 AND state = $8`, state, actor.User.ID, actor.User.Name, micros(tx.now), reason, p.ComponentID, p.ID, herald.ProposalPending)
	if err != nil {
		return fmt.Errorf("decide component proposal: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return herald.Errorf(herald.EConflict, "this proposal was decided meanwhile")
	}
	t := tx.now
	p.State, p.DecidedByName, p.DecidedAt, p.Reason = state, actor.User.Name, &t, reason
	return nil
}
