package console

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Tenants: the single-tenant customers (R40). Everyone reads them; admins
// add, change, import and remove them.
func (c *Console) tenantsRoutes() []route {
	admin, viewer := herald.RoleAdmin, herald.RoleViewer
	return []route{
		{method: "GET", path: "/app/tenants", role: viewer, serve: c.tenants},
		{method: "GET", path: "/app/tenants/export.csv", role: viewer, serve: c.exportTenants},
		{method: "POST", path: "/app/tenants/import", role: admin, serve: c.importTenants},
		{method: "GET", path: "/app/tenants/new", role: admin, serve: c.newTenant},
		{method: "POST", path: "/app/tenants", role: admin, serve: c.createTenant},
		{method: "GET", path: "/app/tenants/{id}", role: viewer, serve: c.tenant},
		{method: "GET", path: "/app/tenants/{id}/edit", role: admin, serve: c.editTenant},
		{method: "POST", path: "/app/tenants/{id}", role: admin, serve: c.updateTenant},
		{method: "POST", path: "/app/tenants/{id}/delete", role: admin, serve: c.deleteTenant},
		{method: "POST", path: "/app/tenants/{id}/page/rotate", role: admin, serve: c.rotateTenantPage},
		{method: "POST", path: "/app/tenants/{id}/page/sign-in", role: admin, serve: c.setTenantPageSignIn},
		{method: "POST", path: "/app/tenants/{id}/page/subscribers", role: admin, serve: c.subscribeTenantPage},
	}
}

const tenantsPath = "/app/tenants"

type tenantsView struct {
	Tenants []herald.Tenant
	// ImportError says why an import was refused.
	ImportError string
}

func (c *Console) tenants(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.showTenants(w, r, a, http.StatusOK, "")
}

func (c *Console) showTenants(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, importErr string) error {
	list, err := c.cfg.Services.Tenants.Tenants(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, status, "tenants", a, tenantsView{Tenants: list, ImportError: importErr})
	return nil
}

func (c *Console) exportTenants(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	list, err := c.cfg.Services.Tenants.Tenants(ctx)
	if err != nil {
		return err
	}
	svcs, err := c.cfg.Services.Paging.Services(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, s := range svcs {
		names[s.ID] = s.Name
	}
	var b bytes.Buffer
	if err := herald.WriteTenantsCSV(&b, list, func(id string) string { return names[id] }); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tenants.csv"`)
	_, err = w.Write(b.Bytes())
	return err
}

// importTenants reads an uploaded CSV (the API's format): all rows or none;
// a refusal names the line and the field.
func (c *Console) importTenants(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return c.showTenants(w, r, a, http.StatusBadRequest, "Choose a CSV file to import (at most 16 MiB).")
	}
	defer r.MultipartForm.RemoveAll()
	file, _, err := r.FormFile("file")
	if err != nil {
		return c.showTenants(w, r, a, http.StatusBadRequest, "Choose a CSV file to import.")
	}
	defer file.Close()
	rows, err := herald.ReadTenantsCSV(file)
	var res herald.TenantImportResult
	if err == nil {
		res, err = c.cfg.Services.Tenants.ImportTenants(r.Context(), a, rows)
	}
	if err != nil {
		if he, status, ok := refusal(err); ok {
			return c.showTenants(w, r, a, status, "Nothing was imported. "+he.Message)
		}
		return err
	}
	redirect(w, r, tenantsPath, "Imported: "+strconv.Itoa(res.Created)+" tenants added, "+strconv.Itoa(res.Updated)+" replaced.")
	return nil
}

type tenantView struct {
	Tenant herald.Tenant
	// Components and Services name what serves the tenant.
	Components, Services []string
	// Page is the tenant's private status page, for admins; its URL is
	// set only on the answer to a rotation (tenantpages.go).
	Page *herald.TenantPage
	// Subscribers are the page's (admins); SubInput and SubError are a
	// refused subscribe form's.
	Subscribers []herald.Subscriber
	SubInput    url.Values
	SubError    *herald.Error
}

func (c *Console) tenant(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.tenantWithPage(w, r, a, nil)
}

// tenantWithPage renders the tenant's screen; page, when given, is the
// private page just rotated, with its URL.
func (c *Console) tenantWithPage(w http.ResponseWriter, r *http.Request, a herald.Actor, page *herald.TenantPage) error {
	return c.tenantScreen(w, r, a, page, http.StatusOK, nil, nil)
}

// tenantScreen renders the tenant's screen with status; subErr and
// subInput are a refused subscribe form's.
func (c *Console) tenantScreen(w http.ResponseWriter, r *http.Request, a herald.Actor, page *herald.TenantPage, status int, subErr *herald.Error, subInput url.Values) error {
	ctx := r.Context()
	t, err := c.cfg.Services.Tenants.Tenant(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := tenantView{Tenant: t}
	comps, svcs, err := c.tenantChoices(r)
	if err != nil {
		return err
	}
	for _, ch := range comps {
		if slices.Contains(t.Components, ch.ID) {
			v.Components = append(v.Components, ch.Name)
		}
	}
	for _, ch := range svcs {
		if slices.Contains(t.Services, ch.ID) {
			v.Services = append(v.Services, ch.Name)
		}
	}
	if page != nil {
		v.Page = page
	} else if a.Role.Allows(herald.RoleAdmin) && c.cfg.Services.TenantPages != nil {
		p, err := c.cfg.Services.TenantPages.TenantPage(ctx, t.ID)
		if err != nil {
			return err
		}
		v.Page = &p
	}
	if v.Page != nil && v.Page.HasURL && a.Role.Allows(herald.RoleAdmin) {
		if v.Subscribers, err = c.cfg.Services.TenantPages.TenantPageSubscribers(ctx, t.ID); err != nil {
			return err
		}
	}
	v.SubError, v.SubInput = subErr, subInput
	if v.SubInput == nil {
		v.SubInput = url.Values{}
	}
	c.render(w, r, status, "tenant", a, v)
	return nil
}

// subscribeTenantPage adds a subscriber to the tenant's private page; a
// refused address is shown again with the reason.
func (c *Console) subscribeTenantPage(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f := r.PostForm
	in := herald.SubscriberInput{Email: f.Get("email"), Confirmed: f.Get("confirmed") == "on"}
	id := r.PathValue("id")
	if _, err := c.cfg.Services.TenantPages.SubscribeTenantPage(r.Context(), id, in, true); err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.tenantScreen(w, r, a, nil, status, herr, f)
	}
	msg := "Subscribed " + in.Email + " to the private page."
	if !in.Confirmed {
		msg = "A confirmation mail goes to " + in.Email + "; nothing else is sent until it is confirmed."
	}
	redirect(w, r, tenantsPath+"/"+url.PathEscape(id), msg)
	return nil
}

func (c *Console) deleteTenant(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	ctx := r.Context()
	t, err := c.cfg.Services.Tenants.Tenant(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := c.cfg.Services.Tenants.DeleteTenant(ctx, a, t.ID); err != nil {
		return err
	}
	redirect(w, r, tenantsPath, t.Name+" was removed.")
	return nil
}

// choice is a component or service the form offers.
type choice struct{ ID, Name string }

// tenantForm is the add and edit form.
type tenantForm struct {
	// Action is where the form posts; ID is the tenant's on an edit.
	Action, ID, Name string
	Input            url.Values
	Error            *herald.Error
	Regions          []choice // code, "code (SUPPORT)"
	Weekdays         []string
	Compliances      []herald.Compliance
	Components       []choice
	Services         []choice
}

// Has reports whether a multi-valued field holds v (days, components,
// services).
func (f tenantForm) Has(field, v string) bool { return slices.Contains(f.Input[field], v) }

// Field is the refusal's message for one field, shown beside its input.
func (f tenantForm) Field(name string) string {
	if f.Error == nil {
		return ""
	}
	return f.Error.Fields[name]
}

func (c *Console) tenantChoices(r *http.Request) (comps, svcs []choice, err error) {
	cs, err := c.cfg.Services.StatusPage.Components(r.Context())
	if err != nil {
		return nil, nil, err
	}
	for _, cm := range cs {
		if !cm.Group {
			comps = append(comps, choice{cm.ID, cm.Name})
		}
	}
	ss, err := c.cfg.Services.Paging.Services(r.Context())
	if err != nil {
		return nil, nil, err
	}
	for _, s := range ss {
		svcs = append(svcs, choice{s.ID, s.Name})
	}
	return comps, svcs, nil
}

func (c *Console) renderTenantForm(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, f tenantForm) error {
	s, err := c.cfg.Services.Settings.Settings(r.Context())
	if err != nil {
		return err
	}
	for _, code := range slices.Sorted(func(yield func(string) bool) {
		for k := range s.SupportRegions {
			if !yield(k) {
				return
			}
		}
	}) {
		f.Regions = append(f.Regions, choice{code, code + " (" + s.SupportRegions[code] + ")"})
	}
	if f.Components, f.Services, err = c.tenantChoices(r); err != nil {
		return err
	}
	f.Weekdays, f.Compliances = herald.Weekdays[1:], herald.Compliances
	f.Weekdays = append(f.Weekdays, herald.Weekdays[0])
	screen := "tenant-edit"
	c.render(w, r, status, screen, a, f)
	return nil
}

func (c *Console) newTenant(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	in := url.Values{"compliance": {string(herald.ComplianceStandard)}, "hours_start": {"09:00"}, "hours_end": {"17:00"}, "hours_tz": {"UTC"},
		"hours_days": {"monday", "tuesday", "wednesday", "thursday", "friday"}}
	return c.renderTenantForm(w, r, a, http.StatusOK, tenantForm{Action: tenantsPath, Input: in})
}

func (c *Console) editTenant(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	t, err := c.cfg.Services.Tenants.Tenant(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.renderTenantForm(w, r, a, http.StatusOK, tenantForm{Action: tenantsPath + "/" + url.PathEscape(t.ID), ID: t.ID, Name: t.Name, Input: c.tenantValues(r, t)})
}

// tenantValues is a tenant as the form's fields.
func (c *Console) tenantValues(r *http.Request, t herald.Tenant) url.Values {
	v := url.Values{"name": {t.Name}, "product_version": {t.ProductVersion}, "primary_region": {t.PrimaryRegion}, "secondary_region": {t.SecondaryRegion},
		"emails": {strings.Join(t.Emails, "\n")}, "compliance": {string(t.Compliance)}, "version": {strconv.Itoa(t.Version)},
		"hours_days": t.BusinessHours.Days, "hours_start": {t.BusinessHours.Start}, "hours_end": {t.BusinessHours.End}, "hours_tz": {t.BusinessHours.TimeZone},
		"components": t.Components, "services": t.Services}
	if t.DisasterRecovery {
		v.Set("disaster_recovery", "1")
	}
	t.Contacts.Each(func(field string, ct *herald.TenantContact) {
		if ct.User != "" {
			v.Set(field, ct.Email) // a Herald user, by address
		} else {
			v.Set(field, ct.String())
		}
	})
	if mw := t.MaintenanceWindow; mw != nil {
		v.Set("window_weekday", mw.Weekday)
		v.Set("window_start", mw.Start)
		v.Set("window_duration", herald.ShortDuration(time.Duration(mw.Duration)))
		v.Set("window_tz", mw.TimeZone)
	}
	return v
}

// tenantInput reads the form. A duration that does not parse is named
// like the store names its fields.
func tenantInput(f url.Values) (herald.TenantInput, error) {
	in := herald.TenantInput{Name: f.Get("name"), ProductVersion: f.Get("product_version"), PrimaryRegion: f.Get("primary_region"),
		DisasterRecovery: f.Get("disaster_recovery") != "", SecondaryRegion: f.Get("secondary_region"),
		Emails: strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(f.Get("emails"))), Compliance: herald.Compliance(f.Get("compliance")),
		Components: f["components"], Services: f["services"]}
	in.Version, _ = strconv.Atoi(f.Get("version"))
	in.Contacts.AccountManager = herald.ParseTenantContact(f.Get("account_manager"))
	in.Contacts.CustomerSuccess = herald.ParseTenantContact(f.Get("customer_success"))
	in.Contacts.SupportEngineer = herald.ParseTenantContact(f.Get("support_engineer"))
	if f.Get("window_weekday") != "" {
		mw := &herald.MaintenanceWindow{Weekday: f.Get("window_weekday"), Start: f.Get("window_start"), TimeZone: f.Get("window_tz")}
		if err := mw.Duration.UnmarshalText([]byte(f.Get("window_duration"))); err != nil {
			return in, herald.FieldErrors{"maintenance_window.duration": "must be a duration like 4h or 90m"}.Err()
		}
		in.MaintenanceWindow = mw
	}
	in.BusinessHours = &herald.BusinessHours{Days: f["hours_days"], Start: f.Get("hours_start"), End: f.Get("hours_end"), TimeZone: f.Get("hours_tz")}
	return in, nil
}

func (c *Console) createTenant(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	in, err := tenantInput(r.PostForm)
	var t herald.Tenant
	if err == nil {
		t, err = c.cfg.Services.Tenants.CreateTenant(r.Context(), a, in)
	}
	if err != nil {
		return c.tenantRefused(w, r, a, tenantForm{Action: tenantsPath}, err)
	}
	redirect(w, r, tenantsPath+"/"+url.PathEscape(t.ID), t.Name+" was added.")
	return nil
}

func (c *Console) updateTenant(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	cur, err := c.cfg.Services.Tenants.Tenant(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := tenantForm{Action: tenantsPath + "/" + url.PathEscape(cur.ID), ID: cur.ID, Name: cur.Name}
	in, err := tenantInput(r.PostForm)
	var t herald.Tenant
	if err == nil {
		t, err = c.cfg.Services.Tenants.UpdateTenant(r.Context(), a, cur.ID, in)
	}
	if err != nil {
		return c.tenantRefused(w, r, a, f, err)
	}
	redirect(w, r, tenantsPath+"/"+url.PathEscape(t.ID), t.Name+" was saved.")
	return nil
}

// tenantRefused shows the form again with the person's input and why.
func (c *Console) tenantRefused(w http.ResponseWriter, r *http.Request, a herald.Actor, f tenantForm, err error) error {
	he, status, ok := refusal(err)
	if !ok {
		return err
	}
	if he.Code == herald.EConflict && f.ID != "" && len(he.Fields) == 0 {
		he.Message += ". Open the tenant again to see the change, then make yours."
	}
	f.Input, f.Error = r.PostForm, he
	return c.renderTenantForm(w, r, a, status, f)
}
