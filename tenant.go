package herald

import (
	"encoding/json"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Single-tenant customers (R40, R34). A tenant is a customer with its own
// deployment: Herald keeps what the people who talk to it need (where it
// runs, whom to write to, who looks after it, when it may be changed, under
// which rules), so that notices, approvals, redaction and cadence can be
// decided per tenant and never from memory.

// Compliance is the rule set a tenant's data lives under.
type Compliance string

// Compliance profiles. FedRAMP tenants' details must never reach the
// paging system (R46).
const (
	ComplianceStandard Compliance = "standard"
	ComplianceFedRAMP  Compliance = "fedramp"
)

// Compliances lists every profile.
var Compliances = []Compliance{ComplianceStandard, ComplianceFedRAMP}

// Enum lists the values, for the OpenAPI document.
func (Compliance) Enum() []string { return enumStrings(Compliances) }

// Valid reports whether c is a known profile.
func (c Compliance) Valid() bool { return slices.Contains(Compliances, c) }

// Tenant is one single-tenant customer.
type Tenant struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	ProductVersion string `json:"product_version"`
	// PrimaryRegion is a cloud region code ("us-east-1", "europe-west1")
	// from the settings' support_regions table; SupportRegion is what that
	// table maps it to (AMER, EMEA, APAC): the support team that answers
	// the tenant's notices (R41). "" once the table no longer lists it.
	PrimaryRegion string `json:"primary_region"`
	SupportRegion string `json:"support_region"`
	// DisasterRecovery: the tenant also runs in SecondaryRegion.
	DisasterRecovery bool   `json:"disaster_recovery"`
	SecondaryRegion  string `json:"secondary_region,omitempty"`
	// Emails are the operational addresses, in order: a notice goes to the
	// first and copies the others (R41).
	Emails   []string       `json:"emails"`
	Contacts TenantContacts `json:"contacts"`
	// MaintenanceWindow is the weekly window agreed with the tenant (R34);
	// nil: none agreed yet.
	MaintenanceWindow *MaintenanceWindow `json:"maintenance_window,omitempty"`
	// BusinessHours are the tenant's, for the customer cadence (R43).
	BusinessHours BusinessHours `json:"business_hours"`
	Compliance    Compliance    `json:"compliance"`
	// Components (status page component ids) and Services (paging service
	// ids) are what serve the tenant.
	Components []string   `json:"components"`
	Services   []string   `json:"services"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DeletedAt  *time.Time `json:"deleted_at,omitempty"` // set on a deleted tenant still linked to past incidents
}

// TenantContacts are the account team (R40, R41): the technical account
// manager, customer success manager and assigned support engineer.
type TenantContacts struct {
	AccountManager  *TenantContact `json:"account_manager,omitempty"`
	CustomerSuccess *TenantContact `json:"customer_success,omitempty"`
	SupportEngineer *TenantContact `json:"support_engineer,omitempty"`
}

// TenantContact is one person of the account team: a Herald user (User,
// an id or e-mail address on input, the user's id on output, with the
// user's current name and address), or a name and an address. A contact
// given by an address that belongs to a Herald user is linked to that user.
type TenantContact struct {
	User  string `json:"user,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// String writes the contact as an address ("Ann Lee <ann@example.com>").
func (c *TenantContact) String() string {
	if c == nil {
		return ""
	}
	if c.Name == "" {
		return c.Email
	}
	if plainNameRE.MatchString(c.Name) {
		return c.Name + " <" + c.Email + ">"
	}
	return (&mail.Address{Name: c.Name, Address: c.Email}).String()
}

// plainNameRE is a name an address can carry without quotes.
var plainNameRE = regexp.MustCompile(`^[\p{L}\p{N} .'-]+$`)

// ShortDuration writes d as a person would: "4h", "90m" is "1h30m".
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// each calls fn with each contact's field name and a pointer to it.
func (c *TenantContacts) each(fn func(field string, p **TenantContact)) {
	fn("account_manager", &c.AccountManager)
	fn("customer_success", &c.CustomerSuccess)
	fn("support_engineer", &c.SupportEngineer)
}

// Each calls fn with each contact that is set and its field name
// ("account_manager"...), in that order.
func (c *TenantContacts) Each(fn func(field string, p *TenantContact)) {
	c.each(func(field string, p **TenantContact) {
		if *p != nil {
			fn(field, *p)
		}
	})
}

// Weekdays are the days of the week as tenants' windows and hours name them.
var Weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// weekday reads "monday" or "mon" in any case.
func weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, d := range Weekdays {
		if s == d || (len(s) == 3 && s == d[:3]) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

// clockMinutes reads "HH:MM" as minutes after midnight.
func clockMinutes(s string) (int, bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	return (int(m[1][0]-'0')*10+int(m[1][1]-'0'))*60 + int(m[2][0]-'0')*10 + int(m[2][1]-'0'), true
}

// MaintenanceWindow is a weekly window: each Weekday from Start (local
// time in TimeZone) for Duration.
type MaintenanceWindow struct {
	Weekday  string   `json:"weekday" required:"true"`   // monday ... sunday
	Start    string   `json:"start" required:"true"`     // HH:MM, local time
	Duration Duration `json:"duration" required:"true"`  // 15m to 24h
	TimeZone string   `json:"time_zone" required:"true"` // IANA, e.g. Europe/Berlin
}

// normalize validates the window, naming maintenance_window.FIELD.
func (w *MaintenanceWindow) normalize(fe FieldErrors) {
	const f = "maintenance_window."
	if d, ok := weekday(w.Weekday); ok {
		w.Weekday = Weekdays[d]
	} else {
		fe.Add(f+"weekday", "must be a day of the week (monday ... sunday)")
	}
	w.Start = strings.TrimSpace(w.Start)
	if _, ok := clockMinutes(w.Start); !ok {
		fe.Add(f+"start", "must be a time of day like 02:00 (HH:MM, 24 hours)")
	}
	if d := time.Duration(w.Duration); d < 15*time.Minute || d > 24*time.Hour {
		fe.Add(f+"duration", "must be between 15m and 24h")
	}
	w.TimeZone = strings.TrimSpace(w.TimeZone)
	if !validZone(w.TimeZone) {
		fe.Add(f+"time_zone", "must be an IANA time zone like Europe/Berlin or UTC")
	}
}

func validZone(tz string) bool {
	if tz == "" || strings.EqualFold(tz, "local") {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

// Contains reports whether t falls inside a window. The window must be
// valid (as Normalize leaves it).
func (w MaintenanceWindow) Contains(t time.Time) bool {
	start := w.Next(t.Add(-time.Duration(w.Duration)))
	return !start.IsZero() && !t.Before(start) && t.Before(start.Add(time.Duration(w.Duration)))
}

// Next returns the first start of the window after t (in UTC), or the zero
// time for an invalid window.
func (w MaintenanceWindow) Next(t time.Time) time.Time {
	day, ok1 := weekday(w.Weekday)
	min, ok2 := clockMinutes(w.Start)
	loc, err := time.LoadLocation(w.TimeZone)
	if !ok1 || !ok2 || err != nil || w.TimeZone == "" {
		return time.Time{}
	}
	lt := t.In(loc)
	for k := 0; k <= 8; k++ {
		d := lt.AddDate(0, 0, k)
		if d.Weekday() != day {
			continue
		}
		s := time.Date(d.Year(), d.Month(), d.Day(), min/60, min%60, 0, 0, loc)
		if s.After(t) {
			return s.UTC()
		}
	}
	return time.Time{}
}

// String writes the window as the CSV does: "monday 02:00 4h0m0s Europe/Berlin".
func (w *MaintenanceWindow) String() string {
	if w == nil {
		return ""
	}
	return w.Weekday + " " + w.Start + " " + ShortDuration(time.Duration(w.Duration)) + " " + w.TimeZone
}

// ParseMaintenanceWindow reads "WEEKDAY HH:MM DURATION TIMEZONE"; "" is no
// window. The parts are validated by TenantInput.Normalize.
func ParseMaintenanceWindow(s string) (*MaintenanceWindow, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, nil
	}
	if len(f) != 4 {
		return nil, Errorf(EInvalid, "must be WEEKDAY HH:MM DURATION TIMEZONE, like monday 02:00 4h Europe/Berlin")
	}
	var d Duration
	if err := d.UnmarshalText([]byte(f[2])); err != nil {
		return nil, Errorf(EInvalid, "duration %q is not a duration like 4h", f[2])
	}
	return &MaintenanceWindow{Weekday: f[0], Start: f[1], Duration: d, TimeZone: f[3]}, nil
}

// BusinessHours are the hours a tenant works: Days from Start to End,
// local time in TimeZone (R43).
type BusinessHours struct {
	Days     []string `json:"days" required:"true"`      // monday ... sunday
	Start    string   `json:"start" required:"true"`     // HH:MM
	End      string   `json:"end" required:"true"`       // HH:MM, after Start
	TimeZone string   `json:"time_zone" required:"true"` // IANA
}

// DefaultBusinessHours are Monday to Friday, 09:00 to 17:00, in tz.
func DefaultBusinessHours(tz string) BusinessHours {
	return BusinessHours{Days: []string{"monday", "tuesday", "wednesday", "thursday", "friday"}, Start: "09:00", End: "17:00", TimeZone: tz}
}

func (b *BusinessHours) normalize(fe FieldErrors) {
	const f = "business_hours."
	seen := map[time.Weekday]bool{}
	for _, s := range b.Days {
		d, ok := weekday(s)
		if !ok {
			fe.Add(f+"days", quote(s)+" is not a day of the week (monday ... sunday)")
			continue
		}
		seen[d] = true
	}
	if len(b.Days) == 0 {
		fe.Add(f+"days", "name at least one day")
	}
	b.Days = b.Days[:0]
	for i, d := range Weekdays {
		if seen[time.Weekday(i)] {
			b.Days = append(b.Days, d)
		}
	}
	b.Start, b.End = strings.TrimSpace(b.Start), strings.TrimSpace(b.End)
	s, ok1 := clockMinutes(b.Start)
	if !ok1 {
		fe.Add(f+"start", "must be a time of day like 09:00 (HH:MM, 24 hours)")
	}
	e, ok2 := clockMinutes(b.End)
	if b.End == "24:00" {
		e, ok2 = 24*60, true
	}
	if !ok2 {
		fe.Add(f+"end", "must be a time of day like 17:00 (HH:MM, 24 hours; 24:00 for midnight)")
	} else if ok1 && e <= s {
		fe.Add(f+"end", "must be after start")
	}
	b.TimeZone = strings.TrimSpace(b.TimeZone)
	if !validZone(b.TimeZone) {
		fe.Add(f+"time_zone", "must be an IANA time zone like America/New_York or UTC")
	}
}

// Contains reports whether t is within business hours. The hours must be
// valid (as Normalize leaves them).
func (b BusinessHours) Contains(t time.Time) bool {
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil || b.TimeZone == "" {
		return false
	}
	lt := t.In(loc)
	if !slices.Contains(b.Days, Weekdays[lt.Weekday()]) {
		return false
	}
	s, _ := clockMinutes(b.Start)
	e, ok := clockMinutes(b.End)
	if !ok {
		e = 24 * 60
	}
	m := lt.Hour()*60 + lt.Minute()
	return m >= s && m < e
}

// NextStart is the first start of business hours after t (at or after t
// when t is a start), within the coming week; false when the hours name no
// day or cannot be read. Starts are wall-clock times in the tenant's zone,
// so 09:00 stays 09:00 across a daylight saving change.
func (b BusinessHours) NextStart(t time.Time) (time.Time, bool) {
	loc, err := time.LoadLocation(b.TimeZone)
	s, ok := clockMinutes(b.Start)
	if err != nil || b.TimeZone == "" || !ok {
		return time.Time{}, false
	}
	lt := t.In(loc)
	for i := 0; i <= 7; i++ {
		day := lt.AddDate(0, 0, i)
		if !slices.Contains(b.Days, Weekdays[day.Weekday()]) {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), s/60, s%60, 0, 0, loc)
		if !start.Before(t) {
			return start, true
		}
	}
	return time.Time{}, false
}

// String writes the hours as the CSV does: "mon,tue,wed 09:00-17:00 Europe/Berlin".
func (b BusinessHours) String() string {
	days := make([]string, len(b.Days))
	for i, d := range b.Days {
		days[i] = d[:min(3, len(d))]
	}
	return strings.Join(days, ",") + " " + b.Start + "-" + b.End + " " + b.TimeZone
}

// ParseBusinessHours reads "DAYS HH:MM-HH:MM TIMEZONE" (days separated by
// commas); "" is none (the defaults apply).
func ParseBusinessHours(s string) (*BusinessHours, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, nil
	}
	start, end, ok := strings.Cut(f[min(1, len(f)-1)], "-")
	if len(f) != 3 || !ok {
		return nil, Errorf(EInvalid, "must be DAYS HH:MM-HH:MM TIMEZONE, like mon,tue,wed,thu,fri 09:00-17:00 Europe/Berlin")
	}
	return &BusinessHours{Days: strings.Split(f[0], ","), Start: start, End: end, TimeZone: f[2]}, nil
}

// TenantInput creates a tenant or replaces one whole (PUT): fields left
// out take their defaults.
type TenantInput struct {
	Name             string         `json:"name" required:"true"`
	ProductVersion   string         `json:"product_version,omitempty"`
	PrimaryRegion    string         `json:"primary_region" required:"true"`
	DisasterRecovery bool           `json:"disaster_recovery,omitempty"`
	SecondaryRegion  string         `json:"secondary_region,omitempty"`
	Emails           []string       `json:"emails,omitempty"`
	Contacts         TenantContacts `json:"contacts,omitzero"`
	// MaintenanceWindow: nil is none agreed yet.
	MaintenanceWindow *MaintenanceWindow `json:"maintenance_window,omitempty"`
	// BusinessHours: nil is Monday to Friday, 09:00 to 17:00 in the
	// maintenance window's time zone (UTC without a window).
	BusinessHours *BusinessHours `json:"business_hours,omitempty"`
	// Compliance: "" is standard.
	Compliance Compliance `json:"compliance,omitempty"`
	// Components are status page component ids; Services are paging
	// service ids or names.
	Components []string `json:"components,omitempty"`
	Services   []string `json:"services,omitempty"`
	// Version, on a replace, is the version read: a tenant changed since
	// is refused (409). 0 replaces whatever is there.
	Version int `json:"version,omitempty"`
}

// Limits of a tenant's lists.
const (
	MaxTenantEmails = 20
	maxTenantLinks  = 200
)

var regionRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)

// Normalize validates the input against the region table (the settings'
// support_regions), naming each bad field, and fills the defaults.
func (in *TenantInput) Normalize(regions RegionTable) error {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	checkText(fe, "name", in.Name, MaxNameLen, true)
	if strings.ContainsAny(in.Name, "\n\r") {
		fe.Add("name", "must be one line")
	}
	in.ProductVersion = strings.TrimSpace(in.ProductVersion)
	if utf8.RuneCountInString(in.ProductVersion) > 40 || strings.ContainsAny(in.ProductVersion, "\x00\n\r") || !utf8.ValidString(in.ProductVersion) {
		fe.Add("product_version", "must be one line of at most 40 characters")
	}
	in.PrimaryRegion = strings.ToLower(strings.TrimSpace(in.PrimaryRegion))
	in.SecondaryRegion = strings.ToLower(strings.TrimSpace(in.SecondaryRegion))
	checkRegion := func(field, r string) {
		if _, ok := regions[r]; !ok {
			fe.Add(field, quote(r)+" is not a region of the support_regions setting")
		}
	}
	if in.PrimaryRegion == "" {
		fe.Add("primary_region", "is required: a cloud region code like us-east-1")
	} else {
		checkRegion("primary_region", in.PrimaryRegion)
	}
	switch {
	case in.DisasterRecovery && in.SecondaryRegion == "":
		fe.Add("secondary_region", "is required when disaster_recovery is enabled")
	case !in.DisasterRecovery && in.SecondaryRegion != "":
		fe.Add("secondary_region", "is only set when disaster_recovery is enabled")
	case in.SecondaryRegion != "" && in.SecondaryRegion == in.PrimaryRegion:
		fe.Add("secondary_region", "must differ from primary_region")
	case in.SecondaryRegion != "":
		checkRegion("secondary_region", in.SecondaryRegion)
	}
	emails := []string{}
	seen := map[string]bool{}
	for _, e := range in.Emails {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
			fe.Add("emails", quote(e)+" is not an e-mail address")
			continue
		}
		if !seen[strings.ToLower(e)] {
			seen[strings.ToLower(e)] = true
			emails = append(emails, e)
		}
	}
	if len(emails) > MaxTenantEmails {
		fe.Add("emails", "at most "+itoa(MaxTenantEmails)+" addresses")
	}
	in.Emails = emails
	in.Contacts.each(func(field string, p **TenantContact) {
		c := *p
		if c == nil {
			return
		}
		f := "contacts." + field
		c.User, c.Name, c.Email = strings.TrimSpace(c.User), strings.TrimSpace(c.Name), strings.TrimSpace(c.Email)
		switch {
		case c.User == "" && c.Name == "" && c.Email == "":
			*p = nil
		case c.User != "":
			// A user's name and address are the user's: what a read
			// showed may be sent back unchanged.
			c.Name, c.Email = "", ""
		default:
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > 254 {
				fe.Add(f, "needs an e-mail address ("+quote(c.Email)+" is not one)")
			}
			if c.Name == "" || utf8.RuneCountInString(c.Name) > MaxNameLen || strings.ContainsAny(c.Name, "\x00\n\r<>") {
				fe.Add(f, "needs a name of 1 to "+itoa(MaxNameLen)+" characters on one line")
			}
		}
	})
	if in.MaintenanceWindow != nil {
		in.MaintenanceWindow.normalize(fe)
	}
	if in.BusinessHours == nil {
		tz := "UTC"
		if in.MaintenanceWindow != nil && validZone(in.MaintenanceWindow.TimeZone) {
			tz = in.MaintenanceWindow.TimeZone
		}
		bh := DefaultBusinessHours(tz)
		in.BusinessHours = &bh
	}
	in.BusinessHours.normalize(fe)
	if in.Compliance == "" {
		in.Compliance = ComplianceStandard
	}
	if !in.Compliance.Valid() {
		fe.Add("compliance", "must be standard or fedramp")
	}
	in.Components = normalizeNames(fe, "components", in.Components)
	in.Services = normalizeNames(fe, "services", in.Services)
	if len(in.Components) > maxTenantLinks {
		fe.Add("components", "at most "+itoa(maxTenantLinks)+" components")
	}
	if len(in.Services) > maxTenantLinks {
		fe.Add("services", "at most "+itoa(maxTenantLinks)+" services")
	}
	if in.Version < 0 {
		fe.Add("version", "must not be negative")
	}
	return fe.Err()
}

// TenantLinksInput sets the tenants an incident or a maintenance affects:
// the whole list, by tenant id or name.
type TenantLinksInput struct {
	Tenants []string `json:"tenants" required:"true"`
}

// MaxLinkedTenants is how many tenants one incident or maintenance may
// name: an emergency maintenance of a shared component may touch every
// tenant (R33).
const MaxLinkedTenants = 2000

// Normalize trims and de-duplicates the list.
func (in *TenantLinksInput) Normalize() error {
	fe := FieldErrors{}
	in.Tenants = normalizeNamesUpTo(fe, "tenants", in.Tenants, MaxLinkedTenants)
	return fe.Err()
}

// TenantImportResult says what an import did.
type TenantImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// RegionTable maps a cloud region code to the support region that serves
// customers there (R41: the preferred support region of a notice comes from
// the tenant's primary region).
type RegionTable map[string]string

// UnmarshalJSON replaces the table whole, so that a region left out of a
// saved table is gone rather than kept from the defaults.
func (t *RegionTable) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = m
	return nil
}

var supportRegionRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,19}$`)

// validate checks the table: region codes in lower case, support regions
// as short capital names (AMER, EMEA, APAC).
func (t RegionTable) validate(fe FieldErrors) {
	for _, r := range sortedKeysOf(t) {
		if !regionRE.MatchString(r) {
			fe.Add("support_regions", "region "+quote(r)+" must be a cloud region code: lower-case letters, digits and -")
		}
		if !supportRegionRE.MatchString(t[r]) {
			fe.Add("support_regions", quote(r)+": support region "+quote(t[r])+" must be 2 to 20 capital letters, digits or _ (AMER, EMEA, APAC)")
		}
	}
}

func sortedKeysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// DefaultSupportRegions maps the usual AWS, Google Cloud and Azure regions
// to the support regions AMER, EMEA and APAC.
func DefaultSupportRegions() RegionTable {
	t := RegionTable{}
	add := func(support string, regions ...string) {
		for _, r := range regions {
			t[r] = support
		}
	}
	add("AMER",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "us-gov-east-1", "us-gov-west-1",
		"us-central1", "us-east1", "us-east4", "us-west1", "us-west2", "northamerica-northeast1", "southamerica-east1",
		"eastus", "eastus2", "centralus", "westus2", "canadacentral", "brazilsouth")
	add("EMEA",
		"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "me-south-1", "af-south-1",
		"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-north1", "me-west1",
		"westeurope", "northeurope", "uksouth", "germanywestcentral")
	add("APAC",
		"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-east-1",
		"asia-east1", "asia-northeast1", "asia-southeast1", "asia-south1", "australia-southeast1",
		"southeastasia", "australiaeast", "japaneast", "centralindia")
	return t
}

// NoticeRecipients is whom a notice to the tenant is addressed to (R41):
// the first operational address, with the other addresses and the account
// manager in copy. A tenant without an operational address cannot be told
// (EUnprocessable, naming emails).
func (t Tenant) NoticeRecipients() (to string, cc []string, err error) {
	if len(t.Emails) == 0 {
		return "", nil, &Error{Code: EUnprocessable, Message: "tenant " + t.Name + " has no operational e-mail address to send a notice to",
			Fields: map[string]string{"emails": "add at least one operational address"}}
	}
	cc = slices.Clone(t.Emails[1:])
	if am := t.Contacts.AccountManager; am != nil && am.Email != "" && !slices.ContainsFunc(t.Emails, func(e string) bool { return strings.EqualFold(e, am.Email) }) {
		cc = append(cc, am.Email)
	}
	return t.Emails[0], cc, nil
}

// Input is the tenant as the input that would save it again, with its
// version: the start of an edit (the console's form, herald tenant update).
// A contact who is a Herald user is named by the user's id.
func (t Tenant) Input() TenantInput {
	in := TenantInput{Name: t.Name, ProductVersion: t.ProductVersion, PrimaryRegion: t.PrimaryRegion, DisasterRecovery: t.DisasterRecovery,
		SecondaryRegion: t.SecondaryRegion, Emails: slices.Clone(t.Emails), Compliance: t.Compliance,
		Components: slices.Clone(t.Components), Services: slices.Clone(t.Services), Version: t.Version}
	t.Contacts.each(func(field string, p **TenantContact) {
		if *p == nil {
			return
		}
		c := **p
		if c.User != "" {
			c.Name, c.Email = "", ""
		}
		in.Contacts.each(func(f string, q **TenantContact) {
			if f == field {
				*q = &c
			}
		})
	})
	if t.MaintenanceWindow != nil {
		w := *t.MaintenanceWindow
		in.MaintenanceWindow = &w
	}
	bh := t.BusinessHours
	bh.Days = slices.Clone(bh.Days)
	in.BusinessHours = &bh
	return in
}

// ParseTenantContact reads a contact as people type it: "Name <address>"
// is a name and an address, anything else a Herald user (id or e-mail
// address); "" is none.
func ParseTenantContact(s string) *TenantContact {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if strings.Contains(s, "<") {
		if a, err := mail.ParseAddress(s); err == nil && a.Name != "" {
			return &TenantContact{Name: a.Name, Email: a.Address}
		}
		return &TenantContact{Name: s, Email: s} // refused by Normalize, naming the field
	}
	return &TenantContact{User: s}
}
