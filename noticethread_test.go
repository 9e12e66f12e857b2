package herald_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

// R42: the default templates are valid; a template naming a variable
// outside the fixed set is refused naming it; one that does not parse is
// refused; a kind that is not a template is refused.
func TestRule42_NoticeTemplatesValidated(t *testing.T) {
	s := herald.DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, kind := range herald.NoticeTemplateKinds {
		if _, ok := s.Notices.Templates[kind]; !ok {
			t.Fatalf("no default template %s", kind)
		}
	}
	cases := []struct {
		name, kind, text, field, want string
	}{
		{"unknown variable", herald.NoticeUpdate, "Status: {{.Status}} {{.Hostname}}", "notices.templates.update", "Hostname"},
		{"does not parse", herald.NoticeResolved, "{{.Title", "notices.templates.resolved", "parse"},
		{"empty", herald.NoticeEscalated, " ", "notices.templates.escalated", "1 to"},
		{"unknown kind", "apology", "Sorry", "notices.templates.apology", "not a template kind"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := herald.DefaultSettings()
			s.Notices.Templates[c.kind] = c.text
			err := s.Validate()
			e, ok := err.(*herald.Error)
			if !ok || !strings.Contains(e.Fields[c.field], c.want) {
				t.Fatalf("%s: %#v", c.field, err)
			}
		})
	}
	s = herald.DefaultSettings()
	s.Notices.ReplyDomain, s.Notices.UpdateInterval, s.Notices.ReplyReminder = "not a domain", herald.Duration(time.Second), 0
	e, _ := s.Validate().(*herald.Error)
	if e == nil || e.Fields["notices.reply_domain"] == "" || e.Fields["notices.update_interval"] == "" || e.Fields["notices.reply_reminder"] == "" {
		t.Fatalf("bad settings: %#v", e)
	}
}

func TestRenderNotice_MissingVariablesNamed(t *testing.T) {
	out, err := herald.RenderNotice("Hi {{.Tenant}}: {{.Status}} / {{.NextUpdate}}", herald.NoticeVars{"Tenant": "Globex", "Status": "ok"})
	e, ok := err.(*herald.Error)
	if !ok || e.Code != herald.EUnprocessable || e.Fields["vars.NextUpdate"] == "" || len(e.Fields) != 1 || out != "" {
		t.Fatalf("%q %#v", out, err)
	}
	out, err = herald.RenderNotice("Hi {{.Tenant}}", herald.NoticeVars{"Tenant": "Globex"})
	if err != nil || out != "Hi Globex" {
		t.Fatalf("%q %v", out, err)
	}
	// A variable written only under a condition that tests it is optional.
	tmpl := "{{if .Summary}}Summary: {{.Summary}}. {{end}}Hi {{.Tenant}}"
	if out, err = herald.RenderNotice(tmpl, herald.NoticeVars{"Tenant": "Globex"}); err != nil || out != "Hi Globex" {
		t.Fatalf("optional: %q %v", out, err)
	}
	if out, err = herald.RenderNotice(tmpl, herald.NoticeVars{"Tenant": "Globex", "Summary": "Slow"}); err != nil || out != "Summary: Slow. Hi Globex" {
		t.Fatalf("optional given: %q %v", out, err)
	}
}

func TestNoticeSettings_ReplyToken(t *testing.T) {
	n := herald.NoticeSettings{ReplyDomain: "reply.example.com"}
	addr := n.ReplyAddress("0123456789abcdef0123")
	for in, want := range map[string]string{
		addr: "0123456789abcdef0123", "<" + strings.ToUpper(addr) + ">": "0123456789abcdef0123",
		"notices+0123456789abcdef0123@other.example": "", "notices+short@reply.example.com": "", "ops@reply.example.com": "",
	} {
		if got := n.ReplyToken(in); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
