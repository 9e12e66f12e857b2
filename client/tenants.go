package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
)

// Tenants lists the single-tenant customers by name.
func (c *TenantClient) Tenants(ctx context.Context) ([]herald.Tenant, error) {
	var out struct {
		Tenants []herald.Tenant `json:"tenants"`
	}
	return out.Tenants, c.do(ctx, "GET", "/api/v1/tenants", nil, &out)
}

// Tenant reads one tenant by id or name.
func (c *TenantClient) Tenant(ctx context.Context, ref string) (herald.Tenant, error) {
	var out herald.Tenant
	return out, c.do(ctx, "GET", "/api/v1/tenants/"+esc(ref), nil, &out)
}

// CreateTenant adds a tenant (admin).
func (c *TenantClient) CreateTenant(ctx context.Context, in herald.TenantInput) (herald.Tenant, error) {
	var out herald.Tenant
	return out, c.do(ctx, "POST", "/api/v1/tenants", in, &out)
}

// UpdateTenant replaces a tenant's fields (admin); in.Version is the
// version read.
func (c *TenantClient) UpdateTenant(ctx context.Context, ref string, in herald.TenantInput) (herald.Tenant, error) {
	var out herald.Tenant
	return out, c.do(ctx, "PUT", "/api/v1/tenants/"+esc(ref), in, &out)
}

// DeleteTenant removes a tenant no open incident or maintenance
// references (admin).
func (c *TenantClient) DeleteTenant(ctx context.Context, ref string) error {
	return c.do(ctx, "DELETE", "/api/v1/tenants/"+esc(ref), nil, nil)
}

// ExportTenants returns every tenant as CSV.
func (c *TenantClient) ExportTenants(ctx context.Context) (string, error) {
	var out string
	return out, c.do(ctx, "GET", "/api/v1/tenants/export.csv", nil, &out)
}

// ImportTenants sends a CSV with the export's header (admin): each row
// creates or replaces the tenant of its name, all rows or none.
func (c *TenantClient) ImportTenants(ctx context.Context, csv io.Reader) (herald.TenantImportResult, error) {
	var out herald.TenantImportResult
	req, err := http.NewRequestWithContext(ctx, "POST", c.baseURL+"/api/v1/tenants/import", csv)
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		var eb struct {
			Error Error `json:"error"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(b, &eb) != nil || eb.Error.Code == "" {
			return out, &Error{Status: resp.StatusCode, Code: "http", Message: strings.TrimSpace(string(b))}
		}
		eb.Error.Status = resp.StatusCode
		return out, &eb.Error
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// IncidentTenants lists the tenants an incident affects.
func (c *TenantClient) IncidentTenants(ctx context.Context, ref string) ([]herald.Tenant, error) {
	var out struct {
		Tenants []herald.Tenant `json:"tenants"`
	}
	return out.Tenants, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/tenants", nil, &out)
}

// SetIncidentTenants sets the tenants an incident affects (ids or names).
func (c *TenantClient) SetIncidentTenants(ctx context.Context, ref string, tenants []string) ([]herald.Tenant, error) {
	var out struct {
		Tenants []herald.Tenant `json:"tenants"`
	}
	return out.Tenants, c.do(ctx, "PUT", "/api/v1/incidents/"+esc(ref)+"/tenants", herald.TenantLinksInput{Tenants: nonNil(tenants)}, &out)
}

// MaintenanceTenants lists the tenants a maintenance affects.
func (c *TenantClient) MaintenanceTenants(ctx context.Context, id string) ([]herald.Tenant, error) {
	var out struct {
		Tenants []herald.Tenant `json:"tenants"`
	}
	return out.Tenants, c.do(ctx, "GET", "/api/v1/maintenances/"+esc(id)+"/tenants", nil, &out)
}

// SetMaintenanceTenants sets the tenants a maintenance affects.
func (c *TenantClient) SetMaintenanceTenants(ctx context.Context, id string, tenants []string) ([]herald.Tenant, error) {
	var out struct {
		Tenants []herald.Tenant `json:"tenants"`
	}
	return out.Tenants, c.do(ctx, "PUT", "/api/v1/maintenances/"+esc(id)+"/tenants", herald.TenantLinksInput{Tenants: nonNil(tenants)}, &out)
}

// nonNil sends an empty list as [], not null.
func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
