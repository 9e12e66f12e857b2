package server

import (
	"net/http"

	"github.com/heraldhq/herald"
)

// Tenants is a list of single-tenant customers.
type Tenants struct {
	Tenants []herald.Tenant `json:"tenants"`
}

func (s *Server) listTenants(r *http.Request, a herald.Actor, _ noBody) (Tenants, error) {
	list, err := s.app.Tenants.Tenants(r.Context())
	return Tenants{Tenants: list}, err
}

func (s *Server) getTenant(r *http.Request, a herald.Actor, _ noBody) (herald.Tenant, error) {
	return s.app.Tenants.Tenant(r.Context(), r.PathValue("id"))
}

func (s *Server) createTenant(r *http.Request, a herald.Actor, in herald.TenantInput) (herald.Tenant, error) {
	return s.app.Tenants.CreateTenant(r.Context(), a, in)
}

func (s *Server) updateTenant(r *http.Request, a herald.Actor, in herald.TenantInput) (herald.Tenant, error) {
	return s.app.Tenants.UpdateTenant(r.Context(), a, r.PathValue("id"), in)
}

func (s *Server) deleteTenant(r *http.Request, a herald.Actor, _ noBody) (noBody, error) {
	return noBody{}, s.app.Tenants.DeleteTenant(r.Context(), a, r.PathValue("id"))
}

func (s *Server) incidentTenants(r *http.Request, a herald.Actor, _ noBody) (Tenants, error) {
	list, err := s.app.Tenants.IncidentTenants(r.Context(), r.PathValue("id"))
	return Tenants{Tenants: list}, err
}

func (s *Server) setIncidentTenants(r *http.Request, a herald.Actor, in herald.TenantLinksInput) (Tenants, error) {
	list, err := s.app.Tenants.SetIncidentTenants(r.Context(), a, r.PathValue("id"), in)
	return Tenants{Tenants: list}, err
}

func (s *Server) maintenanceTenants(r *http.Request, a herald.Actor, _ noBody) (Tenants, error) {
	list, err := s.app.Tenants.MaintenanceTenants(r.Context(), r.PathValue("id"))
	return Tenants{Tenants: list}, err
}

func (s *Server) setMaintenanceTenants(r *http.Request, a herald.Actor, in herald.TenantLinksInput) (Tenants, error) {
	list, err := s.app.Tenants.SetMaintenanceTenants(r.Context(), a, r.PathValue("id"), in)
	return Tenants{Tenants: list}, err
}

// exportTenants is GET /api/v1/tenants/export.csv (viewer): the columns of
// herald.TenantCSVHeader, services by name.
func (s *Server) exportTenants(w http.ResponseWriter, r *http.Request) {
	_, err := s.authenticate(r)
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	list, err := s.app.Tenants.Tenants(r.Context())
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	names, err := s.serviceNames(r)
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tenants.csv"`)
	if err := herald.WriteTenantsCSV(w, list, func(id string) string { return names[id] }); err != nil {
		s.log.Error("export tenants", "err", err)
	}
}

// serviceNames maps each paging service's id to its name.
func (s *Server) serviceNames(r *http.Request) (map[string]string, error) {
	svcs, err := s.app.Paging.Services(r.Context())
	names := map[string]string{}
	for _, sv := range svcs {
		names[sv.ID] = sv.Name
	}
	return names, err
}

// importTenants is POST /api/v1/tenants/import (admin): a CSV with the
// export's header creates or replaces each tenant by name, all rows or
// none; a bad row is a 400 naming its line and field.
func (s *Server) importTenants(w http.ResponseWriter, r *http.Request) {
	a, err := s.authenticate(r)
	if err == nil && a.Role != herald.RoleAdmin {
		err = herald.Errorf(herald.EForbidden, "importing tenants needs the admin role")
	}
	if err != nil {
		writeError(w, r, err, s.log)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<20)
	rows, err := herald.ReadTenantsCSV(r.Body)
	if err == nil {
		var res herald.TenantImportResult
		if res, err = s.app.Tenants.ImportTenants(r.Context(), a, rows); err == nil {
			err = writeJSON(w, http.StatusOK, res)
		}
	}
	if err != nil {
		writeError(w, r, err, s.log)
	}
}
