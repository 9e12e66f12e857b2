package herald

import (
	"strings"
	"testing"
)

// R44: the class of a thread's messages comes from the thread (security
// work is security), the writer may only raise it to security, and the
// settings refuse a review mode for security or an unknown mode or class.
func TestRule44_ClassesAndSettings(t *testing.T) {
	inc := NoticeThread{SourceKind: "incident"}
	maint := NoticeThread{SourceKind: "maintenance"}
	for _, c := range []struct {
		th   NoticeThread
		m    *Maintenance
		want NoticeClass
	}{
		{inc, nil, ClassIncident},
		{maint, &Maintenance{Kind: KindEmergency, Security: true}, ClassSecurity},
		{maint, &Maintenance{Kind: KindScheduled, Security: true}, ClassSecurity},
		{maint, &Maintenance{Kind: KindOutOfBand}, ClassOutOfBand},
		{maint, &Maintenance{Kind: KindScheduled}, ClassOther},
	} {
		if got := DefaultNoticeClass(c.th, c.m); got != c.want {
			t.Errorf("DefaultNoticeClass(%s, %+v) = %s, want %s", c.th.SourceKind, c.m, got, c.want)
		}
	}
	for _, c := range []struct {
		given, def NoticeClass
		want       NoticeClass
		code       string
	}{
		{"", ClassIncident, ClassIncident, ""},
		{ClassSecurity, ClassIncident, ClassSecurity, ""},
		{ClassIncident, ClassIncident, ClassIncident, ""},
		{ClassOther, ClassIncident, "", EUnprocessable},
		{ClassIncident, ClassSecurity, "", EUnprocessable},
		{"secret", ClassIncident, "", EInvalid},
	} {
		got, err := CheckNoticeClass(c.given, c.def)
		if got != c.want || ErrorCode(err) != c.code {
			t.Errorf("CheckNoticeClass(%q, %q) = %q, %v; want %q, %q", c.given, c.def, got, err, c.want, c.code)
		}
	}

	a := DefaultApprovalSettings()
	if a.Mode(ClassSecurity) != ReviewModeRequired || a.Mode(ClassIncident) != ReviewModeOptional {
		t.Fatalf("default modes: %+v", a)
	}
	a.Review[ClassOther] = ReviewModeOff
	delete(a.Review, ClassOutOfBand)
	if a.Mode(ClassOther) != ReviewModeOff || a.Mode(ClassOutOfBand) != ReviewModeOptional {
		t.Fatalf("modes: %+v", a)
	}
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	s.Approvals.Review = map[NoticeClass]string{ClassSecurity: ReviewModeOff, ClassIncident: "maybe", "chat": ReviewModeOff}
	s.Approvals.SecurityTeam = string(make([]byte, MaxNameLen+1))
	err := s.Validate()
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("bad settings accepted: %v", err)
	}
	for _, f := range []string{"approvals.review.security", "approvals.review.incident", "approvals.review.chat", "approvals.security_team"} {
		if e.Fields[f] == "" {
			t.Errorf("no error for %s: %v", f, e.Fields)
		}
	}
	if NoticeTextHash("a", "b") == NoticeTextHash("a", "b ") || NoticeTextHash("ab", "") == NoticeTextHash("a", "b") {
		t.Fatal("the hash does not bind the exact subject and body")
	}
}

// R44 with R46: an approval prompt about a FedRAMP tenant names neither
// the tenant nor the subject.
func TestRule44_ApprovalPromptOfAFedRAMPTenantNamesNothing(t *testing.T) {
	a := NoticeApproval{TenantName: "Gov", Subject: "Herald Notice: Kernel patch", RequestedByName: "Cara", Class: ClassSecurity}
	open := NoticeApprovalPrompt(a, "https://h/app/approvals/1", false)
	if !strings.Contains(open.Subject, "Gov") || !strings.Contains(open.Body, "Cara") {
		t.Fatalf("open prompt: %+v", open)
	}
	closed := NoticeApprovalPrompt(a, "https://h/app/approvals/1", true)
	if strings.Contains(closed.Subject+closed.Body, "Gov") || strings.Contains(closed.Subject+closed.Body, "Kernel") || !strings.Contains(closed.Body, "https://h/app/approvals/1") {
		t.Fatalf("restricted prompt: %+v", closed)
	}
}
