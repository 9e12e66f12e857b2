package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldhq/herald"
)

// checkMonitoringChange refuses an update of s that shortens, lengthens
// or skips the monitoring period of its incident unless the actor may
// decide it (R16): the incident lead, or anyone while nobody leads. A
// resolving update counts as the lead's when the lead's all-clear (R17)
// is recorded since the incident last went back to investigating or
// identified: the all-clear is the lead saying monitoring may end. Every
// way of publishing (API, CLI, console, chat, an approved draft) comes
// through tx.publish, and so through here.
func (tx *tx) checkMonitoringChange(ctx context.Context, actor herald.Actor, settings *herald.Settings, s *herald.StatusIncident, in herald.StatusUpdateInput, internal *herald.Incident) error {
	if internal == nil {
		return nil // no incident, no lead: the setting's period or the publisher's
	}
	change := settings.MonitoringChange(s, in, tx.now)
	err := settings.CheckMonitoringChange(change, internal, &actor.User)
	if err == nil || in.Status != herald.Resolved {
		return err
	}
	var since sql.NullInt64
	if qerr := tx.QueryRowContext(ctx, `SELECT max(created_at) FROM status_updates WHERE status_incident_id = $1 AND status IN ($2, $3)`,
		s.ID, herald.Investigating, herald.Identified).Scan(&since); qerr != nil {
		return fmt.Errorf("read status updates: %w", qerr)
	}
	ok, herr := tx.hasDecision(ctx, internal.ID, herald.DecisionAllClear, since.Int64)
	if herr != nil {
		return herr
	}
	if ok {
		return nil
	}
	return err
}

// checkResolvingChange refuses resolving inc, when that skips or shortens
// its monitoring period, to an actor who may not decide it (R16), unless
// the lead's all-clear is recorded since the incident last went back to
// investigating or identified. Chat's resolve, the console, the CLI and
// the API all resolve through UpdateIncident, and so through here.
func (tx *tx) checkResolvingChange(ctx context.Context, actor herald.Actor, settings *herald.Settings, inc *herald.Incident) error {
	changes, err := tx.stateChanges(ctx, inc.ID)
	if err != nil {
		return err
	}
	since, worked := inc.DeclaredAt, inc.DeclaredAt
	for _, c := range changes {
		switch c.to {
		case string(herald.Monitoring):
			since = c.at
		case string(herald.Investigating), string(herald.Identified):
			worked = c.at
		}
	}
	change := settings.ResolvingChange(inc.State, since, tx.now)
	cerr := settings.CheckMonitoringChange(change, inc, &actor.User)
	if cerr == nil {
		return nil
	}
	ok, err := tx.hasDecision(ctx, inc.ID, herald.DecisionAllClear, micros(worked))
	if err != nil || ok {
		return err
	}
	return cerr
}
