package herald

import (
	"strings"
	"testing"
)

func TestRule45_GuardFindsInternalDetails(t *testing.T) {
	p := DefaultGuardPatterns()
	p.StaffDomains = []string{"acme.com"}
	p.AllowedAddresses = []string{"support@acme.com"}
	p.InternalDomains = append(p.InternalDomains, "acme.net")
	p = p.Allow("status.acme.com")
	type want struct {
		kind, text string
	}
	cases := []struct {
		name string
		text string
		want []want
	}{
		// Positives.
		{"internal host", "Requests to db1.prod.internal time out.", []want{{GuardInternalHost, "db1.prod.internal"}}},
		{"corp host", "We restarted api-7.corp", []want{{GuardInternalHost, "api-7.corp"}}},
		{"kubernetes service", "payments.default.svc.cluster.local is down", []want{{GuardInternalHost, "payments.default.svc.cluster.local"}}},
		{"configured internal domain", "queue.eu.acme.net is slow", []want{{GuardInternalHost, "queue.eu.acme.net"}}},
		{"private IPv4", "The host 10.0.3.17 failed.", []want{{GuardIPAddress, "10.0.3.17"}}},
		{"public IPv4 with CIDR", "Traffic from 203.0.113.0/24 is blocked", []want{{GuardIPAddress, "203.0.113.0/24"}}},
		{"IPv6", "Routing to 2001:db8::1 failed", []want{{GuardIPAddress, "2001:db8::1"}}},
		{"IPv6 loopback", "bound to ::1 only", []want{{GuardIPAddress, "::1"}}},
		{"log line", "We saw 2026-11-30T05:00:01Z ERROR connection refused\nand more", []want{{GuardLogLine, "2026-11-30T05:00:01Z ERROR connection refused"}}},
		{"logfmt", `level=error msg="pool exhausted"`, []want{{GuardLogLine, `level=error msg="pool exhausted"`}}},
		{"go panic", "panic: runtime error: invalid memory address\n\ngoroutine 1 [running]:\nmain.main()", []want{{GuardStackTrace, "panic: runtime error: invalid memory address"}, {GuardStackTrace, "goroutine 1 [running]:"}}},
		{"java trace", "java.lang.NullPointerException\n\tat com.acme.Billing.charge(Billing.java:12)", []want{{GuardStackTrace, "java.lang.NullPointerException"}, {GuardStackTrace, "at com.acme.Billing.charge(Billing.java:12)"}}},
		{"python trace", "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>", []want{{GuardStackTrace, "Traceback (most recent call last):"}, {GuardStackTrace, `File "app.py", line 3, in <module>`}}},
		{"staff address", "Write to jane.doe@acme.com for details", []want{{GuardStaffEmail, "jane.doe@acme.com"}}},
		{"staff subdomain address", "ops@eu.acme.com", []want{{GuardStaffEmail, "ops@eu.acme.com"}}},
		{"grafana link", "See https://grafana.acme.com/d/abc?from=now-1h.", []want{{GuardDashboardLink, "https://grafana.acme.com/d/abc?from=now-1h"}}},
		{"admin link", "http://admin.acme.com/users", []want{{GuardDashboardLink, "http://admin.acme.com/users"}}},
		{"kibana path", "https://logs-gw.acme.com/kibana/app", []want{{GuardDashboardLink, "https://logs-gw.acme.com/kibana/app"}}},
		{"bare dashboard host", "check kibana.acme.com now", []want{{GuardDashboardLink, "kibana.acme.com"}}},
		{"link to internal host", "https://wiki.corp/page", []want{{GuardInternalHost, "https://wiki.corp/page"}}},
		{"link to an IP", "http://192.168.1.4:8080/health", []want{{GuardIPAddress, "http://192.168.1.4:8080/health"}}},
		{"IP inside a log line once", "2026-11-30 05:00:01 WARN 10.0.0.1 slow", []want{{GuardLogLine, "2026-11-30 05:00:01 WARN 10.0.0.1 slow"}}},
		// Negatives.
		{"version number", "Fixed in version 1.2.3 and v2.0.1.", nil},
		{"four-part version", "Upgraded to version 10.1.0.2 today", nil},
		{"long dotted number", "build 1.2.3.4.5 is out", nil},
		{"times", "Between 05:00 and 05:42:10 UTC on 2026-11-30 some requests failed.", nil},
		{"ISO time without level", "Since 2026-11-30T05:00:01Z checkout is slower.", nil},
		{"status page link", "Details: https://status.acme.com/incidents/abc123", nil},
		{"public link", "Read https://www.acme.com/blog/outage", nil},
		{"support address", "Questions? support@acme.com", nil},
		{"customer address", "We wrote to ops@customer.org", nil},
		{"plain words", "e.g. the i.e. part of U.S. customers saw errors. Checkout error rates rose.", nil},
		{"word error", "Some customers saw an error at checkout.", nil},
		{"scope", "std::vector and a::b are code words", nil},
		{"MAC-like", "ratio 3:2:1", nil},
		{"empty", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Guard(c.text, p)
			if len(got) != len(c.want) {
				t.Fatalf("Guard(%q) = %+v, want %d findings %v", c.text, got, len(c.want), c.want)
			}
			for i, w := range c.want {
				f := got[i]
				if f.Kind != w.kind || f.Text != w.text {
					t.Errorf("finding %d = %s %q, want %s %q", i, f.Kind, f.Text, w.kind, w.text)
				}
				if c.text[f.Offset:f.Offset+len(f.Text)] != f.Text {
					t.Errorf("offset %d does not point at %q", f.Offset, f.Text)
				}
				if f.Message == "" || f.Line < 1 || f.Column < 1 {
					t.Errorf("finding %+v lacks a message or position", f)
				}
			}
		})
	}
}

func TestRule45_GuardPositions(t *testing.T) {
	text := "Line one ☃ ok\nthen db1.corp failed"
	fs := Guard(text, DefaultGuardPatterns())
	if len(fs) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
	f := fs[0]
	if f.Offset != strings.Index(text, "db1.corp") || f.Line != 2 || f.Column != 6 {
		t.Errorf("position = byte %d line %d column %d, want byte %d line 2 column 6", f.Offset, f.Line, f.Column, strings.Index(text, "db1.corp"))
	}
	fs = Guard("☃☃ 10.1.2.3", DefaultGuardPatterns())
	if len(fs) != 1 || fs[0].Column != 4 || fs[0].Offset != 7 {
		t.Errorf("columns count characters: %+v", fs)
	}
	if !strings.Contains(fs[0].String(), "line 1, column 4 (byte 7)") {
		t.Errorf("String() = %q", fs[0].String())
	}
}

func TestRule45_GuardOffAndCustomRules(t *testing.T) {
	p := DefaultGuardPatterns()
	p.Extra = []GuardRule{{Name: "ticket", Pattern: `\bOPS-\d+\b`, Message: "an internal ticket number"}}
	fs := Guard("See OPS-1234.", p)
	if len(fs) != 1 || fs[0].Kind != GuardCustom || fs[0].Text != "OPS-1234" || fs[0].Message != "an internal ticket number" {
		t.Errorf("custom rule: %+v", fs)
	}
	p.Off = true
	if fs := Guard("db1.corp 10.0.0.1", p); len(fs) != 0 {
		t.Errorf("guard off found %+v", fs)
	}
}

func TestRule45_GuardSettingsAreValidated(t *testing.T) {
	for name, c := range map[string]struct {
		change func(*GuardPatterns)
		want   string
	}{
		"bad regexp":       {func(p *GuardPatterns) { p.DashboardLinks = append(p.DashboardLinks, `(grafana`) }, `dashboard_links: "(grafana" is not a regular expression`},
		"bad log pattern":  {func(p *GuardPatterns) { p.LogLines = []string{`[a-`} }, `log_lines: "[a-" is not a regular expression`},
		"bad extra":        {func(p *GuardPatterns) { p.Extra = []GuardRule{{Name: "x", Pattern: `*`}} }, `extra: rule "x"`},
		"extra needs name": {func(p *GuardPatterns) { p.Extra = []GuardRule{{Pattern: `x`}} }, `needs a name`},
		"bad domain":       {func(p *GuardPatterns) { p.InternalDomains = []string{"not a domain"} }, `internal_domains: "not a domain"`},
		"bad staff domain": {func(p *GuardPatterns) { p.StaffDomains = []string{"com"} }, `staff_domains: "com"`},
		"bad address":      {func(p *GuardPatterns) { p.AllowedAddresses = []string{"support"} }, `allowed_addresses: "support"`},
	} {
		t.Run(name, func(t *testing.T) {
			s := DefaultSettings()
			c.change(&s.Guard)
			err := s.Validate()
			e, ok := err.(*Error)
			if !ok || e.Code != EInvalid || !strings.Contains(e.Fields["guard"], c.want) {
				t.Fatalf("Validate() = %v (%+v), want guard: %s", err, e, c.want)
			}
		})
	}
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}
