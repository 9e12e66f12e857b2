package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testdb"
)

// The maintenance update route takes channels (it answered 400 to them),
// and answers a manual start while automation is on with 422 naming R30.
func TestRule30_APIRefusesManualStartWhileAutomationIsOn(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setupPublic(t, d, nil)
		ctx := context.Background()
		from, until := e.clock.Now().Add(time.Hour), e.clock.Now().Add(2*time.Hour)
		m, err := e.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr("Upgrade"), ScheduledFor: &from, ScheduledUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.Maintenances.PostMaintenanceUpdate(ctx, m.ID, herald.MaintenanceUpdateInput{Body: "On track.", Channels: map[string]bool{"email": false, "webhook": false}}); err != nil {
			t.Fatalf("an update with channels: %v", err)
		}
		_, err = e.admin.Maintenances.PostMaintenanceUpdate(ctx, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting."})
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusUnprocessableEntity || !strings.Contains(ce.Message, "R30") || !strings.Contains(ce.Message, "automation off first") {
			t.Fatalf("manual start with automation on: %v", err)
		}
		off := false
		if _, err := e.admin.Maintenances.UpdateMaintenance(ctx, m.ID, herald.MaintenanceInput{AutoTransition: &off}); err != nil {
			t.Fatal(err)
		}
		if got, err := e.admin.Maintenances.PostMaintenanceUpdate(ctx, m.ID, herald.MaintenanceUpdateInput{Status: herald.MaintenanceInProgress, Body: "Starting."}); err != nil || got.Status != herald.MaintenanceInProgress {
			t.Fatalf("manual start with automation off: %v %v", got.Status, err)
		}
	})
}
