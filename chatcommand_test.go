package herald

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseChatCommand(t *testing.T) {
	for _, tc := range []struct {
		line string
		want ChatCommand
	}{
		{"declare S1 Checkout is down", ChatCommand{Verb: ChatDeclare, Severity: S1, Text: "Checkout is down"}},
		{"  DECLARE   s2    Checkout   slow  ", ChatCommand{Verb: ChatDeclare, Severity: S2, Text: "Checkout   slow"}},
		{"declare 3 \"Login fails\"", ChatCommand{Verb: ChatDeclare, Severity: S3, Text: "Login fails"}},
		{"declare S1 “Zahlungen schlagen fehl” für alle", ChatCommand{Verb: ChatDeclare, Severity: S1, Text: "“Zahlungen schlagen fehl” für alle"}},
		{"declare S1 支付失败 🔥", ChatCommand{Verb: ChatDeclare, Severity: S1, Text: "支付失败 🔥"}},
		{"status", ChatCommand{Verb: ChatStatus}},
		{"status INC-12", ChatCommand{Verb: ChatStatus, Incident: "INC-12"}},
		{"status inc-12 We are investigating.", ChatCommand{Verb: ChatStatus, Incident: "INC-12", Text: "We are investigating."}},
		{"status \"INC-12\" is the ticket", ChatCommand{Verb: ChatStatus, Text: "\"INC-12\" is the ticket"}},
		{"page Checkout payments fail for 5% of users", ChatCommand{Verb: ChatPage, Service: "Checkout", Text: "payments fail for 5% of users"}},
		{"page \"Incident Management - CMOC\" need comms", ChatCommand{Verb: ChatPage, Service: "Incident Management - CMOC", Text: "need comms"}},
		{"trigger db disk full", ChatCommand{Verb: ChatPage, Service: "db", Text: "disk full"}},
		{"ack", ChatCommand{Verb: ChatAck}},
		{"Ack INC-7", ChatCommand{Verb: ChatAck, Incident: "INC-7"}},
		{"escalate", ChatCommand{Verb: ChatEscalate}},
		{"escalate 2", ChatCommand{Verb: ChatEscalate, Level: 2}},
		{"escalate INC-3 level 3", ChatCommand{Verb: ChatEscalate, Incident: "INC-3", Level: 3}},
		{"escalate L2", ChatCommand{Verb: ChatEscalate, Level: 2}},
		{"resolve", ChatCommand{Verb: ChatResolve}},
		{"role incident_lead <@U123ABC>", ChatCommand{Verb: ChatRole, Role: "incident_lead", Mention: "<@U123ABC>"}},
		{"role Incident Lead @jörg.müller", ChatCommand{Verb: ChatRole, Role: "Incident Lead", Mention: "@jörg.müller"}},
		{"role INC-4 eoc ada@example.com", ChatCommand{Verb: ChatRole, Incident: "INC-4", Role: "eoc", Mention: "ada@example.com"}},
		{"role eoc <mailto:ada@example.com|ada@example.com>", ChatCommand{Verb: ChatRole, Role: "eoc", Mention: "<mailto:ada@example.com|ada@example.com>"}},
		{"decision roll back 4.2 because errors began with it", ChatCommand{Verb: ChatDecision, Text: "roll back 4.2", Reason: "errors began with it"}},
		{"Decision: fail over BECAUSE: the primary is gone", ChatCommand{Verb: ChatDecision, Text: "fail over", Reason: "the primary is gone"}},
		{"decision \"wait because of the freeze\" because the freeze", ChatCommand{Verb: ChatDecision, Text: "wait because of the freeze", Reason: "the freeze"}},
		{"decision INC-9 keep it because fine", ChatCommand{Verb: ChatDecision, Incident: "INC-9", Text: "keep it", Reason: "fine"}},
		{"follow-up add an alert on queue depth", ChatCommand{Verb: ChatFollowUp, Text: "add an alert on queue depth"}},
		{"followup x", ChatCommand{Verb: ChatFollowUp, Text: "x"}},
		{"note checked the logs\nnothing there", ChatCommand{Verb: ChatNote, Text: "checked the logs\nnothing there"}},
		{"note don't panic", ChatCommand{Verb: ChatNote, Text: "don't panic"}},
		{"severity s2 because only EU is affected", ChatCommand{Verb: ChatSeverity, Severity: S2, Reason: "only EU is affected"}},
		{"severity INC-2 S1 because all regions", ChatCommand{Verb: ChatSeverity, Incident: "INC-2", Severity: S1, Reason: "all regions"}},
		{"handover", ChatCommand{Verb: ChatHandover}},
		{"handover INC-3", ChatCommand{Verb: ChatHandover, Incident: "INC-3"}},
		{"handover communications <@U2|bob> owns the 14:30 update", ChatCommand{Verb: ChatHandover, Role: "communications", Mention: "<@U2|bob>", Text: "owns the 14:30 update"}},
		{"handover INC-3 Incident Lead bob@example.com \"rollback is half done\"", ChatCommand{Verb: ChatHandover, Incident: "INC-3", Role: "Incident Lead", Mention: "bob@example.com", Text: "rollback is half done"}},
		{"oncall", ChatCommand{Verb: ChatOnCall}},
		{"oncall Primary DB", ChatCommand{Verb: ChatOnCall, Schedule: "Primary DB"}},
		{"help", ChatCommand{Verb: ChatHelp}},
		{"help Decision", ChatCommand{Verb: ChatHelp, Topic: ChatDecision}},
		{"", ChatCommand{Verb: ChatHelp}},
		{"   ", ChatCommand{Verb: ChatHelp}},
	} {
		got, err := ParseChatCommand(tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}

func TestParseChatCommand_Errors(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string // in the message
	}{
		{"frobnicate", []string{`unknown command "frobnicate"`, "declare, status"}},
		{"declare", []string{"needs a severity and a title", "Usage: declare <S1-S4> <title>"}},
		{"declare S5 Checkout", []string{`"S5" is not a severity`, "Usage: declare"}},
		{"declare Checkout is down", []string{`"Checkout" is not a severity`}},
		{"declare S1", []string{"needs a title", "Usage: declare"}},
		{"declare S1 " + strings.Repeat("é", 201), []string{"title must be at most 200 characters (it has 201)"}},
		{"page Checkout", []string{"needs a service and a summary", "Usage: page <service> <summary>"}},
		{"ack now please", []string{`ack takes no text ("now please" was given)`, "Usage: ack"}},
		{"escalate high", []string{`"high" is not a level`, "Usage: escalate"}},
		{"escalate 0", []string{"levels start at 1"}},
		{"escalate 2 3", []string{"at most a level"}},
		{"role incident_lead", []string{"needs a role and a person", "Usage: role"}},
		{"role incident_lead Ada", []string{`"Ada" is not a person`}},
		{"decision roll back", []string{"needs its rationale", "Usage: decision [INC-n] <what> because <why>"}},
		{"decision because reasons", []string{"say what was decided"}},
		{"decision roll back because", []string{`say why after "because"`}},
		{"severity S2", []string{"say why", "Usage: severity"}},
		{"severity S9 because x", []string{`"S9" is not a severity`}},
		{"severity S2 bad because x", []string{"say why"}},
		{"note", []string{"note needs text", "Usage: note"}},
		{"handover communications", []string{"names the role, the person who takes it and a note", "Usage: handover [INC-n] [<role> @person <note>]"}},
		{"handover @bob take it", []string{`say which role you hand over before "@bob"`}},
		{"handover eoc @bob", []string{"add a short note"}},
		{"handover eoc @bob " + strings.Repeat("n", MaxRoleHandoverNote+1), []string{"note must be at most 1000 characters"}},
		{"follow-up   ", []string{"follow-up needs text"}},
		{"note \"unclosed", []string{"quote opened at character 6 is never closed"}},
		{"help frob", []string{`no command "frob"`}},
		{"note a\x00b", []string{"valid text"}},
		{"note " + strings.Repeat("x", MaxChatCommandLen), []string{"must be at most 12000 bytes"}},
	} {
		_, err := ParseChatCommand(tc.line)
		if err == nil {
			t.Errorf("%q: parsed", tc.line)
			continue
		}
		if ErrorCode(err) != EInvalid {
			t.Errorf("%q: code %s", tc.line, ErrorCode(err))
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %q lacks %q", tc.line, err.Error(), w)
			}
		}
	}
}

func TestChatCommand_Writes(t *testing.T) {
	for line, want := range map[string]bool{"help": false, "oncall": false, "handover": false, "status": false,
		"status going well": true, "note x": true, "ack": true, "declare S1 x": true, "role eoc a@b.c": true, "handover INC-2": false, "handover eoc @bob over to you": true} {
		c, err := ParseChatCommand(line)
		if err != nil {
			t.Fatal(err)
		}
		if c.Writes() != want {
			t.Errorf("%q writes = %v", line, !want)
		}
	}
	if h := ChatHelpReply(""); !strings.Contains(h, "decision [INC-n] <what> because <why>") || strings.Count(h, "\n") != len(ChatVerbs) {
		t.Errorf("help:\n%s", h)
	}
}

func TestBridgeSettings(t *testing.T) {
	inc := &Incident{ID: "0190-ab", Reference: "INC-42", Title: "Checkout: payments fail (EU)!"}
	for _, tc := range []struct {
		b     BridgeSettings
		field string // the error's field; "" for valid
		link  string
	}{
		{BridgeSettings{}, "", ""},
		{BridgeSettings{Provider: "url_template", Template: "https://meet.example.org/herald-{reference}"}, "", "https://meet.example.org/herald-INC-42"},
		{BridgeSettings{Provider: "url_template", Template: " https://meet.example.org/{slug}-{id} "}, "", "https://meet.example.org/checkout-payments-fail-eu-0190-ab"},
		{BridgeSettings{Provider: "url_template", Template: "https://meet.example.org/standing"}, "", "https://meet.example.org/standing"},
		{BridgeSettings{Provider: "url_template", Template: "http://meet.example.org/{reference}"}, "chat.bridge.template", ""},
		{BridgeSettings{Provider: "url_template", Template: "https://meet.example.org/{title}"}, "chat.bridge.template", ""},
		{BridgeSettings{Provider: "url_template", Template: "https://meet.example.org/{reference"}, "chat.bridge.template", ""},
		{BridgeSettings{Provider: "url_template", Template: "meet.example.org/{reference}"}, "chat.bridge.template", ""},
		{BridgeSettings{Provider: "url_template"}, "chat.bridge.template", ""},
		{BridgeSettings{Provider: "zoom", Template: "https://x.example.org/{id}"}, "chat.bridge.provider", ""},
		{BridgeSettings{Template: "https://x.example.org/{id}"}, "chat.bridge.provider", ""},
	} {
		fe := FieldErrors{}
		b := tc.b
		b.validate(fe)
		if tc.field == "" && len(fe) > 0 || tc.field != "" && fe[tc.field] == "" {
			t.Errorf("%+v: errors %v, want field %q", tc.b, fe, tc.field)
		}
		if tc.field == "" {
			if got := b.Link(inc); got != tc.link {
				t.Errorf("%+v: link %q, want %q", tc.b, got, tc.link)
			}
		}
	}
	s := DefaultSettings()
	s.Chat.Bridge = BridgeSettings{Provider: "url_template", Template: "https://meet.example.org/{nope}"}
	if err := s.Validate(); err == nil || !strings.Contains(err.(*Error).Fields["chat.bridge.template"], "unknown placeholder {nope}") {
		t.Errorf("settings: %v", err)
	}
	if got := Slug("Ünïcode   ünd Spaß", 40); got != "n-code-nd-spa" {
		t.Errorf("slug %q", got)
	}
	if got := Slug("!!!", 40); got != "incident" {
		t.Errorf("slug %q", got)
	}
}
