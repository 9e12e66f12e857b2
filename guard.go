package herald

import (
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// The content guard (R45): what goes to the public, and later to each
// customer, describes the effect on them, never the inner workings. Guard
// finds the inner workings people paste by mistake while writing under
// pressure: internal host names, IP addresses, log lines, stack traces,
// staff e-mail addresses and links to internal dashboards. It is a root
// function over a text and the organisation's patterns so that every sender
// (status updates, maintenances, customer notices) judges a text the same
// way, without a database.

// Kinds of finding.
const (
	GuardInternalHost  = "internal_host"
	GuardIPAddress     = "ip_address"
	GuardLogLine       = "log_line"
	GuardStackTrace    = "stack_trace"
	GuardStaffEmail    = "staff_email"
	GuardDashboardLink = "dashboard_link"
	GuardCustom        = "custom"
)

// GuardKinds lists every kind of finding.
var GuardKinds = []string{GuardInternalHost, GuardIPAddress, GuardLogLine, GuardStackTrace, GuardStaffEmail, GuardDashboardLink, GuardCustom}

// GuardFinding is one piece of a text the guard refuses. Offset is in bytes
// from the start of the text; Line and Column count from 1, the column in
// characters, as an editor shows them.
type GuardFinding struct {
	Kind    string `json:"kind" enum:"guard_kind"`
	Text    string `json:"text"`
	Offset  int    `json:"offset"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	// Field is the input field the text came from ("body", "name"), when
	// the caller checked more than one.
	Field string `json:"field,omitempty"`
}

// Position is the finding's place as people read it: "line 1, column 15".
func (f GuardFinding) Position() string {
	return "line " + itoa(f.Line) + ", column " + itoa(f.Column)
}

// String is the finding in one line, for error messages and the CLI.
func (f GuardFinding) String() string {
	s := f.Position() + " (byte " + itoa(f.Offset) + "): " + f.Message
	if f.Field != "" {
		s = f.Field + " " + s
	}
	return s
}

// GuardRule is an organisation's own pattern: a regular expression and
// what to say when it matches.
type GuardRule struct {
	Name    string `json:"name" required:"true"`
	Pattern string `json:"pattern" required:"true"`
	Message string `json:"message,omitempty"`
}

// GuardPatterns are the guard's settings. Every list has a default
// (DefaultGuardPatterns); regular expressions use Go's syntax (RE2).
type GuardPatterns struct {
	// Off turns the guard off: nothing is checked.
	Off bool `json:"off,omitempty"`
	// InternalDomains are domain suffixes that are never public: a host
	// name that is one of them or ends in one ("db1.prod.internal") is an
	// internal host. Add the organisation's own internal zones here.
	InternalDomains []string `json:"internal_domains"`
	// DashboardLinks are regular expressions matched against a link
	// without its scheme ("grafana.example.com/d/abc"), or a bare host
	// name: a match is a link to an internal dashboard.
	DashboardLinks []string `json:"dashboard_links"`
	// StaffDomains are the organisation's own mail domains: an address at
	// one of them (or a subdomain) is a staff address.
	StaffDomains []string `json:"staff_domains"`
	// AllowedAddresses are addresses meant for customers
	// ("support@example.com"): never findings.
	AllowedAddresses []string `json:"allowed_addresses"`
	// AllowedHosts are host names never flagged (the status page's own
	// host is always allowed).
	AllowedHosts []string `json:"allowed_hosts"`
	// LogLines and StackTraces are regular expressions that recognise a
	// log line and a stack trace.
	LogLines    []string `json:"log_lines"`
	StackTraces []string `json:"stack_traces"`
	// Extra are the organisation's own patterns (kind "custom").
	Extra []GuardRule `json:"extra,omitempty"`
}

// DefaultGuardPatterns are what the guard looks for unless the
// organisation says otherwise.
func DefaultGuardPatterns() GuardPatterns {
	return GuardPatterns{
		InternalDomains: []string{"internal", "corp", "local", "localdomain", "lan", "intranet", "intra", "private", "home.arpa", "svc.cluster.local", "cluster.local"},
		DashboardLinks: []string{
			`^(grafana|kibana|prometheus|alertmanager|admin|jenkins|argocd|argo|splunk|sentry|datadog|dashboard|dashboards|metrics|logs|logging|monitoring|tracing|jaeger|consul|vault|nomad|rancher|k8s|kubernetes)[.-]`,
			`^[^/]+/(grafana|kibana|admin|dashboards?|_plugin/kibana)(/|$)`,
		},
		StaffDomains:     []string{},
		AllowedAddresses: []string{},
		AllowedHosts:     []string{},
		LogLines: []string{
			// 2026-11-30T05:00:01Z ERROR ..., [2026-11-30 05:00:01] [warn] ...
			`\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?\]?\s+(\[(?i:trace|debug|info|notice|warn|warning|error|err|fatal|crit|critical|panic)\]|(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|PANIC)\b)`,
			// logfmt and JSON logs: level=error msg=..., "level":"error"
			`(?i)\b(level|lvl)=("?)(trace|debug|info|warn|warning|error|err|fatal|panic|critical)\b`,
			`(?i)"(level|severity)"\s*:\s*"(trace|debug|info|warn|warning|error|fatal|panic|critical)"`,
			// glog: E1130 05:00:01.123456 ...
			`(?m)^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s`,
		},
		StackTraces: []string{
			`goroutine \d+ \[[a-zA-Z ,0-9]+\]:`,
			`(?m)^\s*panic: `,
			`\bpanic: runtime error\b`,
			`\bat [\w$.<>]+\([\w$]+\.(java|kt|scala):\d+\)`,
			`\bat [\w$.<>]+\((Native Method|Unknown Source)\)`,
			`Exception in thread "[^"]*"`,
			`\b(?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b`,
			`Traceback \(most recent call last\)`,
			`\bFile "[^"]+", line \d+`,
			`\bat \S+ \([\w./:\\-]+:\d+:\d+\)`,
			`[\w./-]+\.(go|py|java|js|ts|rb|rs|php|cs|kt|scala|c|cc|cpp):\d+\b`,
		},
	}
}

// validate reports a pattern that is not a regular expression, or a list
// entry that cannot work, naming it.
func (p GuardPatterns) validate(fe FieldErrors) {
	for _, d := range p.InternalDomains {
		if !validDomain(normalizeDomain(d)) {
			fe.Add("guard", "internal_domains: "+quote(d)+" is not a domain name")
		}
	}
	for _, d := range p.StaffDomains {
		if !validDomain(normalizeDomain(d)) || !strings.Contains(normalizeDomain(d), ".") {
			fe.Add("guard", "staff_domains: "+quote(d)+" is not a domain name like example.com")
		}
	}
	for _, h := range p.AllowedHosts {
		if !validDomain(normalizeDomain(h)) {
			if _, err := netip.ParseAddr(h); err != nil {
				fe.Add("guard", "allowed_hosts: "+quote(h)+" is not a host name or IP address")
			}
		}
	}
	for _, a := range p.AllowedAddresses {
		if !emailRE.MatchString(a) || emailRE.FindString(a) != a {
			fe.Add("guard", "allowed_addresses: "+quote(a)+" is not an e-mail address")
		}
	}
	for name, list := range map[string][]string{"dashboard_links": p.DashboardLinks, "log_lines": p.LogLines, "stack_traces": p.StackTraces} {
		for _, re := range list {
			if _, err := regexp.Compile(re); err != nil {
				fe.Add("guard", name+": "+quote(re)+" is not a regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range p.Extra {
		if strings.TrimSpace(r.Name) == "" || len(r.Name) > MaxNameLen {
			fe.Add("guard", "extra: each rule needs a name of at most "+itoa(MaxNameLen)+" characters")
		}
		if seen[r.Name] {
			fe.Add("guard", "extra: rule "+quote(r.Name)+" is listed twice")
		}
		seen[r.Name] = true
		if r.Pattern == "" {
			fe.Add("guard", "extra: rule "+quote(r.Name)+" needs a pattern")
		} else if _, err := regexp.Compile(r.Pattern); err != nil {
			fe.Add("guard", "extra: rule "+quote(r.Name)+": "+quote(r.Pattern)+" is not a regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
}

// Validate checks the patterns alone (the guard check endpoint, the
// settings).
func (p GuardPatterns) Validate() error {
	fe := FieldErrors{}
	p.validate(fe)
	return fe.Err()
}

// Allow returns a copy of p that also allows hosts: a sender adds the
// status page's own host, so its links are never findings.
func (p GuardPatterns) Allow(hosts ...string) GuardPatterns {
	p.AllowedHosts = append(slices.Clone(p.AllowedHosts), hosts...)
	return p
}

func normalizeDomain(d string) string {
	return strings.Trim(strings.ToLower(strings.TrimSpace(d)), ".")
}

var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

func validDomain(d string) bool { return d != "" && len(d) <= 253 && domainRE.MatchString(d) }

var (
	guardURLRE   = regexp.MustCompile(`(?i)\b(?:https?|ftp|wss?)://[^\s<>"'` + "`" + `)\]]+`)
	emailRE      = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`)
	hostRE       = regexp.MustCompile(`(?i)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+`)
	ipv4RE       = regexp.MustCompile(`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:/\d{1,2})?`)
	ipv6RE       = regexp.MustCompile(`(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%[0-9a-z]+)?(?:/\d{1,3})?`)
	versionWords = []string{"version", "release", "build", "v", "ver"}
	guardREs     sync.Map // pattern -> *regexp.Regexp, compiled once
)

// guardRE compiles a validated pattern once; a pattern that does not
// compile (settings saved before validation) matches nothing.
func guardRE(pattern string) *regexp.Regexp {
	if v, ok := guardREs.Load(pattern); ok {
		return v.(*regexp.Regexp)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		re = nil
	}
	guardREs.Store(pattern, re)
	return re
}

// Guard returns what in text must not reach the public or a customer,
// in the order it appears. A finding inside a larger one (the IP address
// in a log line) is not repeated. Nothing is found when the guard is off.
func Guard(text string, p GuardPatterns) []GuardFinding {
	if p.Off || text == "" {
		return nil
	}
	g := guardRun{text: text, p: p, allowedHosts: map[string]bool{}, allowedAddrs: map[string]bool{}}
	for _, h := range p.AllowedHosts {
		g.allowedHosts[normalizeDomain(h)] = true
	}
	for _, a := range p.AllowedAddresses {
		g.allowedAddrs[strings.ToLower(strings.TrimSpace(a))] = true
	}
	g.run()
	return g.result()
}

type guardRun struct {
	text         string
	p            GuardPatterns
	allowedHosts map[string]bool
	allowedAddrs map[string]bool
	found        []GuardFinding
	// covered are spans already read as a link or an address, so their
	// parts are not read again as host names.
	covered [][2]int
}

func (g *guardRun) add(kind string, start, end int, msg string) {
	g.found = append(g.found, GuardFinding{Kind: kind, Text: g.text[start:end], Offset: start, Message: msg})
}

func (g *guardRun) isCovered(start, end int) bool {
	for _, c := range g.covered {
		if start >= c[0] && end <= c[1] {
			return true
		}
	}
	return false
}

func (g *guardRun) internalHost(host string) bool {
	host = normalizeDomain(host)
	if g.allowedHosts[host] {
		return false
	}
	for _, d := range g.p.InternalDomains {
		d = normalizeDomain(d)
		if d != "" && (host == d || strings.HasSuffix(host, "."+d)) {
			return true
		}
	}
	return false
}

func (g *guardRun) dashboard(s string) bool {
	for _, pat := range g.p.DashboardLinks {
		if re := guardRE(pat); re != nil && re.MatchString(s) {
			return true
		}
	}
	return false
}

func (g *guardRun) run() {
	t := g.text
	// Links first: a link to a dashboard, or to an internal or numeric host.
	for _, m := range guardURLRE.FindAllStringIndex(t, -1) {
		u := strings.TrimRight(t[m[0]:m[1]], ".,;:!?")
		end := m[0] + len(u)
		g.covered = append(g.covered, [2]int{m[0], end})
		rest := u[strings.Index(u, "://")+3:]
		hostport := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			hostport = rest[:i]
		}
		if i := strings.LastIndex(hostport, "@"); i >= 0 {
			hostport = hostport[i+1:]
		}
		host := hostport
		if strings.HasPrefix(host, "[") {
			if i := strings.Index(host, "]"); i > 0 {
				host = host[1:i]
			}
		} else if i := strings.LastIndex(host, ":"); i >= 0 {
			host = host[:i]
		}
		lower := strings.ToLower(strings.TrimPrefix(rest, "www."))
		switch {
		case g.allowedHosts[normalizeDomain(host)]:
		case g.dashboard(lower):
			g.add(GuardDashboardLink, m[0], end, "a link to an internal dashboard: describe what customers see instead")
		case g.internalHost(host):
			g.add(GuardInternalHost, m[0], end, "a link to the internal host "+host+": name the affected part of the service instead")
		case isIP(host):
			g.add(GuardIPAddress, m[0], end, "a link to the IP address "+host+": name the affected part of the service instead")
		}
	}
	// E-mail addresses: staff addresses, and addresses at internal hosts.
	for _, m := range emailRE.FindAllStringIndex(t, -1) {
		if g.isCovered(m[0], m[1]) {
			continue
		}
		g.covered = append(g.covered, [2]int{m[0], m[1]})
		addr := strings.ToLower(t[m[0]:m[1]])
		if g.allowedAddrs[addr] {
			continue
		}
		domain := addr[strings.LastIndex(addr, "@")+1:]
		staff := g.internalHost(domain)
		for _, d := range g.p.StaffDomains {
			d = normalizeDomain(d)
			if domain == d || strings.HasSuffix(domain, "."+d) {
				staff = true
			}
		}
		if staff {
			g.add(GuardStaffEmail, m[0], m[1], "the staff address "+t[m[0]:m[1]]+": give the support address instead")
		}
	}
	// Host names outside links and addresses.
	for _, m := range hostRE.FindAllStringIndex(t, -1) {
		if g.isCovered(m[0], m[1]) || !wordBoundary(t, m[0], m[1], ".-_") {
			continue
		}
		host := t[m[0]:m[1]]
		switch {
		case g.internalHost(host):
			g.add(GuardInternalHost, m[0], m[1], "the internal host name "+host+": name the affected part of the service instead")
		case !g.allowedHosts[normalizeDomain(host)] && !isNumeric(host) && strings.Count(host, ".") >= 2 && g.dashboard(strings.ToLower(host)):
			g.add(GuardDashboardLink, m[0], m[1], "the internal dashboard "+host+": describe what customers see instead")
		}
	}
	// IP addresses: IPv4 (not a version number such as 1.2.3.4 after
	// "version") and IPv6 (not a time such as 05:00:01).
	for _, m := range ipv4RE.FindAllStringIndex(t, -1) {
		if g.isCovered(m[0], m[1]) || !wordBoundary(t, m[0], m[1], ".") || versionBefore(t, m[0]) {
			continue
		}
		ip := t[m[0]:m[1]]
		if i := strings.Index(ip, "/"); i >= 0 {
			ip = ip[:i]
		}
		if isIP(ip) && !g.allowedHosts[ip] {
			g.add(GuardIPAddress, m[0], m[1], "the IP address "+ip+": name the affected part of the service instead")
		}
	}
	for _, m := range ipv6RE.FindAllStringIndex(t, -1) {
		if g.isCovered(m[0], m[1]) || !wordBoundary(t, m[0], m[1], ":.") || !strings.Contains(t[m[0]:m[1]], ":") {
			continue
		}
		ip := t[m[0]:m[1]]
		if i := strings.Index(ip, "/"); i >= 0 {
			ip = ip[:i]
		}
		a, err := netip.ParseAddr(ip)
		// A digit is required: "a::b" is code, not an address.
		if err != nil || !a.Is6() || !strings.ContainsAny(ip, "0123456789") || g.allowedHosts[strings.ToLower(ip)] {
			continue
		}
		g.add(GuardIPAddress, m[0], m[1], "the IP address "+ip+": name the affected part of the service instead")
	}
	// Log lines and stack traces: the finding runs to the end of the line.
	for _, pat := range g.p.LogLines {
		g.matchLines(pat, GuardLogLine, "a log line: say what customers see instead")
	}
	for _, pat := range g.p.StackTraces {
		g.matchLines(pat, GuardStackTrace, "a stack trace: say what customers see instead")
	}
	for _, r := range g.p.Extra {
		re := guardRE(r.Pattern)
		if re == nil {
			continue
		}
		msg := r.Message
		if msg == "" {
			msg = "matches the rule " + r.Name
		}
		for _, m := range re.FindAllStringIndex(t, -1) {
			if m[1] > m[0] {
				g.add(GuardCustom, m[0], m[1], msg)
			}
		}
	}
}

// matchLines adds a finding for each match of pat, extended to the end of
// its line (at most 200 bytes, cut at a character boundary).
func (g *guardRun) matchLines(pat, kind, msg string) {
	re := guardRE(pat)
	if re == nil {
		return
	}
	for _, m := range re.FindAllStringIndex(g.text, -1) {
		start, end := m[0], m[1]
		for start < end && (g.text[start] == '\n' || g.text[start] == ' ' || g.text[start] == '\t' || g.text[start] == '\r') {
			start++
		}
		if start == end {
			continue
		}
		if i := strings.IndexByte(g.text[end:], '\n'); i >= 0 {
			end += i
		} else {
			end = len(g.text)
		}
		end = max(m[1], min(end, start+200))
		for end > start && end < len(g.text) && !utf8.RuneStart(g.text[end]) {
			end--
		}
		end = start + len(strings.TrimRight(g.text[start:end], " \t\r"))
		g.add(kind, start, end, msg)
	}
}

// result orders the findings, drops those inside a larger one, and fills
// in lines and columns.
func (g *guardRun) result() []GuardFinding {
	fs := g.found
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Offset != fs[j].Offset {
			return fs[i].Offset < fs[j].Offset
		}
		return len(fs[i].Text) > len(fs[j].Text)
	})
	var out []GuardFinding
	for _, f := range fs {
		inside := false
		for _, o := range out {
			if f.Offset >= o.Offset && f.Offset+len(f.Text) <= o.Offset+len(o.Text) {
				inside = true
				break
			}
		}
		if !inside {
			f.Line, f.Column = lineColumn(g.text, f.Offset)
			out = append(out, f)
		}
	}
	return out
}

// lineColumn turns a byte offset into a line and a column in characters,
// both from 1.
func lineColumn(text string, off int) (int, int) {
	before := text[:off]
	line := strings.Count(before, "\n") + 1
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, utf8.RuneCountInString(before) + 1
}

// wordBoundary reports whether text[start:end] stands alone: no letter or
// digit (or one of extra) touches it on either side. A trailing full stop
// ends a sentence, so "db1.corp." is a host at the end of one.
func wordBoundary(text string, start, end int, extra string) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:start])
		if isWordRune(r) || strings.ContainsRune(extra, r) {
			return false
		}
	}
	if end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if isWordRune(r) {
			return false
		}
		if strings.ContainsRune(extra, r) {
			// A separator followed by more of the same token joins it
			// ("1.2.3.4.5"); followed by a space or the end it closes a
			// sentence.
			if end+n < len(text) {
				if r2, _ := utf8.DecodeRuneInString(text[end+n:]); isWordRune(r2) {
					return false
				}
			}
		}
	}
	return true
}

func isWordRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
}

// versionBefore reports whether the word before off says a version
// ("version 10.1.0.2", "v1.2.3.4").
func versionBefore(text string, off int) bool {
	before := strings.ToLower(strings.TrimRight(text[:off], " "))
	for _, w := range versionWords {
		if strings.HasSuffix(before, w) {
			i := len(before) - len(w)
			if i == 0 || !isWordRune(rune(before[i-1])) {
				return true
			}
		}
	}
	return false
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func isNumeric(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}

// GuardChecks shows findings as checks, for a preview: one failed check
// per finding, or one passed check when there is none.
func GuardChecks(fs []GuardFinding) []Check {
	if len(fs) == 0 {
		return []Check{{Name: "content_guard", OK: true, Message: "no internal details found (R45)"}}
	}
	out := make([]Check, len(fs))
	for i, f := range fs {
		out[i] = Check{Name: "content_guard", OK: false, Message: f.Kind + " " + quote(f.Text) + " at " + f.String()}
	}
	return out
}

// GuardError is the refusal of a text with findings: 422, each finding a
// field named by where it is ("body:1:15"), so a client shows it in place.
func GuardError(fs []GuardFinding) *Error {
	e := &Error{Code: EUnprocessable, Fields: map[string]string{},
		Message: "the text contains internal details customers must not see (R45): " + itoa(len(fs)) + " finding(s); remove them, or send override_guard: true with override_guard_reason"}
	for _, f := range fs {
		field := f.Field
		if field == "" {
			field = "body"
		}
		e.Fields[field+":"+itoa(f.Line)+":"+itoa(f.Column)] = f.Kind + " " + quote(f.Text) + " (byte " + itoa(f.Offset) + "): " + f.Message
	}
	return e
}

// GuardOverride records that a publisher sent a text despite its findings.
type GuardOverride struct {
	Reason   string         `json:"reason"`
	Findings []GuardFinding `json:"findings"`
}

// MaxGuardReasonLen bounds an override's reason.
const MaxGuardReasonLen = 500

// CheckGuardOverride validates the override fields of an input: a reason
// is required with the override, and only with it.
func CheckGuardOverride(fe FieldErrors, override bool, reason *string) {
	*reason = strings.TrimSpace(*reason)
	switch {
	case override && *reason == "":
		fe.Add("override_guard_reason", "is required with override_guard: say why these details may be published")
	case !override && *reason != "":
		fe.Add("override_guard_reason", "goes with override_guard: true")
	case len(*reason) > MaxGuardReasonLen:
		fe.Add("override_guard_reason", "must be at most "+itoa(MaxGuardReasonLen)+" characters")
	}
}

// GuardFields runs the guard on several fields of one input, each finding
// naming its field; fields are checked in the order given.
func GuardFields(p GuardPatterns, fields ...[2]string) []GuardFinding {
	var out []GuardFinding
	for _, f := range fields {
		for _, x := range Guard(f[1], p) {
			x.Field = f[0]
			out = append(out, x)
		}
	}
	return out
}

// PublicGuard is the guard for the public page: the settings' patterns,
// with the page's own link hosts allowed.
func (s *Settings) PublicGuard(links ...string) GuardPatterns {
	var hosts []string
	for _, l := range append(slices.Clone(links), pageLinkURLs(s.Page)...) {
		if h := linkHost(l); h != "" {
			hosts = append(hosts, h)
		}
	}
	return s.Guard.Allow(hosts...)
}

func pageLinkURLs(p PageSettings) []string {
	out := []string{p.LogoURL}
	for _, l := range p.Links {
		out = append(out, l.URL)
	}
	return out
}

// linkHost is the host of an http(s) link, or "".
func linkHost(link string) string {
	i := strings.Index(link, "://")
	if i < 0 {
		return ""
	}
	rest := link[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.LastIndex(rest, "@"); j >= 0 {
		rest = rest[j+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if j := strings.Index(rest, "]"); j > 0 {
			return rest[1:j]
		}
	}
	if j := strings.LastIndex(rest, ":"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// GuardOverrideText is how an override reads on a timeline: who, why, and
// each finding with its place.
func GuardOverrideText(who string, o *GuardOverride) string {
	var b strings.Builder
	b.WriteString("Content guard overridden by " + who + " (R45): " + o.Reason + ". Published with " + itoa(len(o.Findings)) + " finding(s):")
	for i, f := range o.Findings {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" " + f.Kind + " " + quote(f.Text) + " at " + f.Position())
		if f.Field != "" && f.Field != "body" {
			b.WriteString(" of the " + f.Field)
		}
	}
	return b.String()
}
