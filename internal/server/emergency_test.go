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

// The API names the kind field when R32 refuses it, answers a
// non-manager's approval with 403 and a manager's with the approved
// maintenance (R33).
func TestRule33_APIApprovesEmergencyMaintenanceAsManagerOnly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, d store.Dialect) {
		e := setupPublic(t, d, nil)
		ctx := context.Background()
		from, until := e.clock.Now().Add(time.Hour), e.clock.Now().Add(2*time.Hour)
		kind := herald.KindEmergency
		_, err := e.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr("Patch"), ScheduledFor: &from, ScheduledUntil: &until, Kind: &kind})
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || ce.Fields["kind"] == "" {
			t.Fatalf("emergency without security: %v", err)
		}
		sec := true
		m, err := e.admin.Maintenances.CreateMaintenance(ctx, herald.MaintenanceInput{Name: ptr("Patch"), ScheduledFor: &from, ScheduledUntil: &until, Kind: &kind, Security: &sec})
		if err != nil || m.Kind != herald.KindEmergency || m.Approval != nil {
			t.Fatalf("create: %v %+v", err, m)
		}
		_, err = e.admin.Maintenances.ApproveMaintenance(ctx, m.ID, herald.ApprovalInput{})
		if !errors.As(err, &ce) || ce.Status != http.StatusForbidden || !strings.Contains(ce.Message, "R33") {
			t.Fatalf("the admin token's user is no manager: %v", err)
		}
		mgr, err := e.admin.People.CreateUser(ctx, herald.UserInput{Name: "Meg", Email: "meg@example.com", Manager: true})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := e.admin.People.CreateToken(ctx, herald.TokenInput{Name: "meg", Role: herald.RoleResponder, UserID: mgr.ID})
		if err != nil {
			t.Fatal(err)
		}
		got, err := client.New(e.http.URL, tok.Secret).Maintenances.ApproveMaintenance(ctx, m.ID, herald.ApprovalInput{Comment: "CVE"})
		if err != nil || got.Approval == nil || got.Approval.ByName != "Meg" || got.Approval.Comment != "CVE" {
			t.Fatalf("manager's approval: %v %+v", err, got.Approval)
		}
		if _, err := e.admin.Maintenances.ApproveMaintenance(ctx, "nope", herald.ApprovalInput{}); !errors.As(err, &ce) || ce.Status != http.StatusNotFound {
			t.Fatalf("unknown maintenance: %v", err)
		}
	})
}
