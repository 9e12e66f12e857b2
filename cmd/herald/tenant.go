package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/client"
)

// tenantFlags are the fields of herald tenant create and update: on update
// only the flags given change the tenant.
type tenantFlags struct {
	name, version, primary, secondary, window, hours, compliance *string
	manager, success, engineer                                   *string
	dr, noDR, noWindow                                           *bool
	emails, components, services                                 *list
}

func addTenantFlags(f *flags) *tenantFlags {
	return &tenantFlags{
		name:       f.String("name", "", "the tenant's name (unique)"),
		version:    f.String("product-version", "", "the product version the tenant runs"),
		primary:    f.String("primary-region", "", "cloud region code (us-east-1), from the support_regions setting"),
		secondary:  f.String("secondary-region", "", "the disaster recovery region; turns disaster recovery on"),
		dr:         f.Bool("dr", false, "disaster recovery is enabled (needs --secondary-region)"),
		noDR:       f.Bool("no-dr", false, "disaster recovery is off: clears the secondary region"),
		emails:     f.list("email", "an operational address, repeated, in order: the first receives notices, the others are copied (the whole new list)"),
		manager:    f.String("account-manager", "", `"Name <address>", or a Herald user's e-mail or id; "-" clears`),
		success:    f.String("customer-success", "", `"Name <address>", or a Herald user's e-mail or id; "-" clears`),
		engineer:   f.String("support-engineer", "", `"Name <address>", or a Herald user's e-mail or id; "-" clears`),
		window:     f.String("window", "", `weekly maintenance window: "WEEKDAY HH:MM DURATION TIMEZONE" (monday 02:00 4h Europe/Berlin)`),
		noWindow:   f.Bool("no-window", false, "no maintenance window agreed"),
		hours:      f.String("hours", "", `business hours: "DAYS HH:MM-HH:MM TIMEZONE" (mon,tue,wed,thu,fri 09:00-17:00 Europe/Berlin)`),
		compliance: f.String("compliance", "", "standard or fedramp"),
		components: f.list("component", "a status page component (name or id) that serves the tenant, repeated (the whole new list)"),
		services:   f.list("service", "a paging service (name or id) that serves the tenant, repeated (the whole new list)"),
	}
}

// apply sets the flags given on in.
func (tf *tenantFlags) apply(ctx context.Context, c *client.Client, f *flags, in *herald.TenantInput) error {
	if f.set("name") {
		in.Name = *tf.name
	}
	if f.set("product-version") {
		in.ProductVersion = *tf.version
	}
	if f.set("primary-region") {
		in.PrimaryRegion = *tf.primary
	}
	if f.set("secondary-region") {
		in.SecondaryRegion, in.DisasterRecovery = *tf.secondary, *tf.secondary != ""
	}
	if *tf.dr {
		in.DisasterRecovery = true
	}
	if *tf.noDR {
		in.DisasterRecovery, in.SecondaryRegion = false, ""
	}
	if f.set("email") {
		in.Emails = values(*tf.emails)
	}
	for _, ct := range []struct {
		flag string
		v    *string
		to   **herald.TenantContact
	}{{"account-manager", tf.manager, &in.Contacts.AccountManager}, {"customer-success", tf.success, &in.Contacts.CustomerSuccess}, {"support-engineer", tf.engineer, &in.Contacts.SupportEngineer}} {
		if f.set(ct.flag) {
			if *ct.v == "-" {
				*ct.to = nil
			} else {
				*ct.to = herald.ParseTenantContact(*ct.v)
			}
		}
	}
	if f.set("window") {
		w, err := herald.ParseMaintenanceWindow(*tf.window)
		if err != nil {
			return usagef("--window: %s", err.(*herald.Error).Message)
		}
		in.MaintenanceWindow = w
	}
	if *tf.noWindow {
		in.MaintenanceWindow = nil
	}
	if f.set("hours") {
		h, err := herald.ParseBusinessHours(*tf.hours)
		if err != nil {
			return usagef("--hours: %s", err.(*herald.Error).Message)
		}
		in.BusinessHours = h
	}
	if f.set("compliance") {
		in.Compliance = herald.Compliance(*tf.compliance)
	}
	if f.set("component") {
		ids, err := componentIDs(ctx, c, values(*tf.components))
		if err != nil {
			return err
		}
		in.Components = ids
	}
	if f.set("service") {
		in.Services = values(*tf.services)
	}
	return nil
}

// values reads a repeated flag, dropping empty values: --email "" clears
// the list.
func values(l list) []string {
	out := []string{}
	for _, v := range l {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// runTenant is `herald tenant list|show|create|update|delete|import|export|link`:
// single-tenant customers.
func runTenant(ctx context.Context, args []string, e env) error {
	var tf *tenantFlags
	var linkNone *bool
	return runCommands(ctx, "tenant", map[string]command{
		"list": {n: 0, help: "the tenants by name", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			list, err := c.Tenants.Tenants(ctx)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { tenantsTable(tw, list) })
		}},
		"show": {args: "TENANT", n: 1, help: "one tenant by name or id", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			t, err := c.Tenants.Tenant(ctx, pos[0])
			if err != nil {
				return err
			}
			return cf.print(e.stdout, t, func(tw *tabwriter.Writer) { tenantTable(tw, t) })
		}},
		"create": {n: 0, help: "add a tenant (admin): --name and --primary-region at least", flags: func(f *flags) { tf = addTenantFlags(f) },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				in := herald.TenantInput{}
				if err := tf.apply(ctx, c, f, &in); err != nil {
					return err
				}
				t, err := c.Tenants.CreateTenant(ctx, in)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, t, func(tw *tabwriter.Writer) { tenantTable(tw, t) })
			}},
		"update": {args: "TENANT", n: 1, help: "change a tenant (admin): only the flags given change", flags: func(f *flags) { tf = addTenantFlags(f) },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				cur, err := c.Tenants.Tenant(ctx, pos[0])
				if err != nil {
					return err
				}
				in := cur.Input()
				if err := tf.apply(ctx, c, f, &in); err != nil {
					return err
				}
				t, err := c.Tenants.UpdateTenant(ctx, cur.ID, in)
				if err != nil {
					return err
				}
				return cf.print(e.stdout, t, func(tw *tabwriter.Writer) { tenantTable(tw, t) })
			}},
		"delete": {args: "TENANT", n: 1, help: "remove a tenant no open incident or maintenance references (admin)", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			if err := c.Tenants.DeleteTenant(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Tenant %s deleted.\n", pos[0])
			return nil
		}},
		"export": {args: "[FILE]", n: -1, help: "write every tenant as CSV to FILE, or to stdout", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			return exportCSV(e, "tenant", pos, func() (string, error) { return c.Tenants.ExportTenants(ctx) })
		}},
		"import": {args: "FILE", n: 1, help: "create or replace (by name) the tenants of a CSV with the export's header (- reads stdin; admin): all rows or none", run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
			r, done, err := openCSV(e, pos[0])
			if err != nil {
				return err
			}
			defer done()
			res, err := c.Tenants.ImportTenants(ctx, r)
			if err != nil {
				return err
			}
			return cf.print(e.stdout, res, func(tw *tabwriter.Writer) {
				fmt.Fprintf(tw, "%d tenants added, %d replaced.\n", res.Created, res.Updated)
			})
		}},
		"link": {args: "incident|maintenance REF [TENANT...]", n: -1, help: "show the tenants an incident or maintenance affects; with TENANTs (or --none) set them",
			flags: func(f *flags) { linkNone = f.Bool("none", false, "it affects no tenant") },
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				if len(pos) < 2 || (pos[0] != "incident" && pos[0] != "maintenance") {
					return usagef("herald tenant link takes incident|maintenance REF [TENANT...]")
				}
				kind, ref, names := pos[0], pos[1], pos[2:]
				var list []herald.Tenant
				var err error
				switch {
				case len(names) == 0 && !*linkNone && kind == "incident":
					list, err = c.Tenants.IncidentTenants(ctx, ref)
				case len(names) == 0 && !*linkNone:
					list, err = c.Tenants.MaintenanceTenants(ctx, ref)
				case kind == "incident":
					list, err = c.Tenants.SetIncidentTenants(ctx, ref, names)
				default:
					list, err = c.Tenants.SetMaintenanceTenants(ctx, ref, names)
				}
				if err != nil {
					return err
				}
				return cf.print(e.stdout, list, func(tw *tabwriter.Writer) { tenantsTable(tw, list) })
			}},
		"page": {args: "url|rotate|sign-in|subscribers|subscribe TENANT [on|off|ADDRESS [confirmed]]", n: -1, help: "the tenant's private status page (admin): url shows it (the URL itself only when made), rotate makes a new URL and stops the old one, sign-in on|off asks for an operational address first, subscribers lists its subscribers, subscribe adds an e-mail address (mailed a confirmation unless confirmed) or a webhook URL",
			run: func(ctx context.Context, f *flags, cf clientFlags, c *client.Client, pos []string) error {
				return tenantPage(ctx, c, cf, e, pos)
			}},
	}, args, e)
}

// tenantPage runs herald tenant page.
func tenantPage(ctx context.Context, c *client.Client, cf clientFlags, e env, pos []string) error {
	usage := usagef("herald tenant page takes url|rotate|subscribers TENANT, sign-in TENANT on|off, or subscribe TENANT ADDRESS|URL [confirmed]")
	if len(pos) < 2 {
		return usage
	}
	if pos[0] == "subscribers" || pos[0] == "subscribe" {
		return tenantPageSubscribers(ctx, c, cf, e, pos, usage)
	}
	var p herald.TenantPage
	var err error
	switch {
	case pos[0] == "url" && len(pos) == 2:
		p, err = c.Tenants.TenantPage(ctx, pos[1])
	case pos[0] == "rotate" && len(pos) == 2:
		p, err = c.Tenants.RotateTenantPage(ctx, pos[1])
	case pos[0] == "sign-in" && len(pos) == 3 && (pos[2] == "on" || pos[2] == "off"):
		p, err = c.Tenants.SetTenantPageSignIn(ctx, pos[1], pos[2] == "on")
	default:
		return usage
	}
	if err != nil {
		return err
	}
	return cf.print(e.stdout, p, func(tw *tabwriter.Writer) {
		signIn := "off"
		if p.SignIn {
			signIn = "on (a one-time link to an operational address)"
		}
		switch {
		case p.URL != "":
			row(tw, "URL", p.URL)
			row(tw, "", "shown once: Herald keeps only its hash; rotate again for a new one")
		case p.HasURL:
			row(tw, "URL", "made "+p.RotatedAt.UTC().Format("2006-01-02 15:04 UTC")+"; shown only then (rotate for a new one)")
		default:
			row(tw, "URL", "none yet: herald tenant page rotate "+p.TenantName)
		}
		row(tw, "SIGN-IN", signIn)
	})
}

// tenantPageSubscribers runs herald tenant page subscribers|subscribe.
func tenantPageSubscribers(ctx context.Context, c *client.Client, cf clientFlags, e env, pos []string, usage error) error {
	var list []herald.Subscriber
	switch {
	case pos[0] == "subscribers" && len(pos) == 2:
		var err error
		if list, err = c.Tenants.TenantPageSubscribers(ctx, pos[1]); err != nil {
			return err
		}
	case pos[0] == "subscribe" && (len(pos) == 3 || len(pos) == 4 && pos[3] == "confirmed"):
		in := herald.SubscriberInput{Email: pos[2], Confirmed: len(pos) == 4}
		if strings.HasPrefix(pos[2], "http://") || strings.HasPrefix(pos[2], "https://") {
			in = herald.SubscriberInput{WebhookURL: pos[2]}
		}
		s, err := c.Tenants.SubscribeTenantPage(ctx, pos[1], in)
		if err != nil {
			return err
		}
		list = []herald.Subscriber{s}
	default:
		return usage
	}
	return cf.print(e.stdout, list, func(tw *tabwriter.Writer) {
		row(tw, "KIND", "TARGET", "CONFIRMED", "SINCE", "ID")
		for _, s := range list {
			confirmed := "no (a confirmation mail is sent)"
			if s.Confirmed {
				confirmed = "yes"
			}
			row(tw, s.Kind, s.Target, confirmed, s.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), s.ID)
		}
		for _, s := range list {
			if s.Secret != "" {
				row(tw, "", "signing secret of "+s.Target+" (shown once): "+s.Secret)
			}
		}
	})
}

func tenantsTable(tw *tabwriter.Writer, list []herald.Tenant) {
	row(tw, "NAME", "VERSION", "REGION", "SUPPORT", "DR", "COMPLIANCE", "FIRST ADDRESS", "ID")
	for _, t := range list {
		dr := "-"
		if t.DisasterRecovery {
			dr = t.SecondaryRegion
		}
		first := "-"
		if len(t.Emails) > 0 {
			first = t.Emails[0]
		}
		name := t.Name
		if t.DeletedAt != nil {
			name += " (deleted)"
		}
		row(tw, name, orDash(t.ProductVersion), t.PrimaryRegion, orDash(t.SupportRegion), dr, t.Compliance, first, t.ID)
	}
}

func tenantTable(tw *tabwriter.Writer, t herald.Tenant) {
	row(tw, "Name", t.Name)
	row(tw, "ID", t.ID)
	row(tw, "Product version", orDash(t.ProductVersion))
	row(tw, "Primary region", t.PrimaryRegion+" (support: "+orDash(t.SupportRegion)+")")
	if t.DisasterRecovery {
		row(tw, "Disaster recovery", t.SecondaryRegion)
	} else {
		row(tw, "Disaster recovery", "off")
	}
	row(tw, "Operational addresses", orDash(strings.Join(t.Emails, ", ")))
	row(tw, "Account manager", orDash(t.Contacts.AccountManager.String()))
	row(tw, "Customer success", orDash(t.Contacts.CustomerSuccess.String()))
	row(tw, "Support engineer", orDash(t.Contacts.SupportEngineer.String()))
	row(tw, "Maintenance window", orDash(t.MaintenanceWindow.String()))
	row(tw, "Business hours", t.BusinessHours.String())
	row(tw, "Compliance", t.Compliance)
	row(tw, "Components", orDash(strings.Join(t.Components, ", ")))
	row(tw, "Services", orDash(strings.Join(t.Services, ", ")))
	row(tw, "Version", t.Version)
}
