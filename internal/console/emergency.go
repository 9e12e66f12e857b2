package console

import (
	"net/http"
	"net/url"

	"github.com/heraldhq/herald"
)

// Maintenance kinds and emergency maintenance (R32, R33, R34): the kind
// fields of the maintenance forms, and the approval an engineering manager
// gives an emergency maintenance on its screen. The screen itself (with
// the window warnings and the tenant notices) is statusadmin's.

func (c *Console) emergencyRoutes() []route {
	return []route{
		{method: "POST", path: maintenancesPath + "/{id}/approve", role: herald.RoleResponder, serve: c.approveMaintenance},
	}
}

// maintenanceKind reads the kind and the security box of a maintenance
// form; a form without them (an older page) changes neither.
func maintenanceKind(r *http.Request) (*herald.MaintenanceKind, *bool) {
	if r.PostFormValue("kind_shown") == "" {
		return nil, nil
	}
	k := herald.MaintenanceKind(r.PostFormValue("kind"))
	sec := r.PostFormValue("security") == "on"
	return &k, &sec
}

// approveMaintenance records the signed-in manager's approval of an
// emergency maintenance. A person who is not a manager is refused with
// the store's 403 (the button is shown to managers only).
func (c *Console) approveMaintenance(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	id := r.PathValue("id")
	if _, err := c.cfg.Services.Maintenances.ApproveMaintenance(r.Context(), a, id, herald.ApprovalInput{Comment: r.PostFormValue("comment")}); err != nil {
		if f, status, ok := refused(r, "approve", err); ok {
			return c.showMaintenance(w, r, a, status, f)
		}
		return err
	}
	redirect(w, r, maintenancesPath+"/"+url.PathEscape(id), "Approved; the security team is asked to approve the tenants' notice, and the next on-call shifts are prompted.")
	return nil
}
