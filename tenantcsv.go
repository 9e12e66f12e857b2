package herald

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"
)

// TenantCSVHeader is the header of a tenant export, and what an import
// reads back. Lists (emails, components, services) are separated by ";";
// a contact is "Name <address>"; the maintenance window is "WEEKDAY HH:MM
// DURATION TIMEZONE"; business hours are "DAYS HH:MM-HH:MM TIMEZONE" with
// the days separated by commas.
var TenantCSVHeader = []string{"name", "product_version", "primary_region", "disaster_recovery", "secondary_region", "emails",
	"account_manager", "customer_success", "support_engineer", "maintenance_window", "business_hours", "compliance", "components", "services"}

// WriteTenantsCSV writes the tenants as the export: the header, then one
// row per tenant. serviceName gives a service's name for its id (nil keeps
// ids): names are the same in another Herald, so a file moves between
// them; components stay ids, as their names need not be unique.
func WriteTenantsCSV(w io.Writer, tenants []Tenant, serviceName func(id string) string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TenantCSVHeader); err != nil {
		return err
	}
	for _, t := range tenants {
		services := t.Services
		if serviceName != nil {
			services = make([]string, len(t.Services))
			for i, id := range t.Services {
				services[i] = serviceName(id)
			}
		}
		cw.Write([]string{t.Name, t.ProductVersion, t.PrimaryRegion, strconv.FormatBool(t.DisasterRecovery), t.SecondaryRegion,
			strings.Join(t.Emails, ";"), t.Contacts.AccountManager.String(), t.Contacts.CustomerSuccess.String(), t.Contacts.SupportEngineer.String(),
			t.MaintenanceWindow.String(), t.BusinessHours.String(), string(t.Compliance), strings.Join(t.Components, ";"), strings.Join(services, ";")})
	}
	cw.Flush()
	return cw.Error()
}

// csvLineErr names the line and the field of a refused row, so that one bad
// row refuses the file and says where.
func csvLineErr(line int, field, msg string) error {
	key := "line " + itoa(line) + ": " + field
	return &Error{Code: EInvalid, Message: key + ": " + msg, Fields: map[string]string{key: msg}}
}

// TenantRowError prefixes the fields of a tenant's validation error with
// the CSV line it came from ("line 3: emails"); other errors pass through.
func TenantRowError(line int, err error) error {
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid {
		return err
	}
	out := &Error{Code: EInvalid, Fields: map[string]string{}}
	for _, f := range sortedKeysOf(e.Fields) {
		key := "line " + itoa(line) + ": " + f
		out.Fields[key] = e.Fields[f]
		if out.Message == "" {
			out.Message = key + ": " + e.Fields[f]
		}
	}
	if out.Message == "" {
		out.Message = "line " + itoa(line) + ": " + e.Message
	}
	return out
}

// ReadTenantsCSV reads an import: a header naming at least name and
// primary_region (the other columns of TenantCSVHeader are optional, unknown
// ones refused), then one tenant per line. A cell that cannot be read
// refuses the whole file, naming its line and column (the header is line
// 1); TenantService.ImportTenants validates the rows that read and names
// their lines the same way.
func ReadTenantsCSV(r io.Reader) ([]TenantInput, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, Errorf(EInvalid, "the body must be CSV with a header line: %s", strings.Join(TenantCSVHeader, ","))
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.ToLower(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, k := range TenantCSVHeader {
			known = known || k == h
		}
		if !known {
			return nil, csvLineErr(1, h, "is not a column of a tenant file ("+strings.Join(TenantCSVHeader, ",")+")")
		}
		col[h] = i
	}
	for _, need := range []string{"name", "primary_region"} {
		if _, ok := col[need]; !ok {
			return nil, csvLineErr(1, need, "the header must name this column")
		}
	}
	var rows []TenantInput
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, Errorf(EInvalid, "line %d: %v", line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		list := func(name string) []string {
			var out []string
			for _, v := range strings.Split(get(name), ";") {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		in := TenantInput{Name: get("name"), ProductVersion: get("product_version"), PrimaryRegion: get("primary_region"),
			SecondaryRegion: get("secondary_region"), Emails: list("emails"), Compliance: Compliance(strings.ToLower(get("compliance"))),
			Components: list("components"), Services: list("services")}
		if v := get("disaster_recovery"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, csvLineErr(line, "disaster_recovery", "must be true or false")
			}
			in.DisasterRecovery = b
		}
		var bad error
		in.Contacts.each(func(field string, p **TenantContact) {
			v := get(field)
			if v == "" || bad != nil {
				return
			}
			a, err := mail.ParseAddress(v)
			if err != nil {
				bad = csvLineErr(line, "contacts."+field, fmt.Sprintf("%q is not Name <address>", v))
				return
			}
			*p = &TenantContact{Name: a.Name, Email: a.Address}
		})
		if bad != nil {
			return nil, bad
		}
		if in.MaintenanceWindow, err = ParseMaintenanceWindow(get("maintenance_window")); err != nil {
			return nil, csvLineErr(line, "maintenance_window", err.(*Error).Message)
		}
		if in.BusinessHours, err = ParseBusinessHours(get("business_hours")); err != nil {
			return nil, csvLineErr(line, "business_hours", err.(*Error).Message)
		}
		rows = append(rows, in)
	}
}
