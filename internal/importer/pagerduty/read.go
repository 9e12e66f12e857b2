// Package pagerduty reads an account's on-call configuration through
// PagerDuty's REST API (users with their contact methods and notification
// rules, teams, schedules with their layers and coming overrides,
// escalation policies, services) and turns it into Herald's configuration
// document, with a warning for everything Herald cannot represent.
//
// It only reads. What it produces is shown and applied the way any
// configuration document is (internal/config), so an import is reviewed
// before it changes anything.
package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/importer"
)

// DefaultAPIURL is PagerDuty's REST API; EU accounts use
// https://api.eu.pagerduty.com.
const DefaultAPIURL = "https://api.pagerduty.com"

// Options say where and how to read.
type Options struct {
	// Token is a REST API key. It is sent only in the Authorization header
	// and never appears in an error.
	Token string
	// APIURL is the API's base URL; empty means DefaultAPIURL.
	APIURL string
	// Now is the moment the import is taken at: layers that ended before it
	// are history, overrides are read from it on.
	Now time.Time
	// OverridesWithin is how far ahead overrides are read (default four
	// weeks): PagerDuty lists overrides only for a time range.
	OverridesWithin time.Duration
	// PageSize is how many records a list request asks for (default and
	// most: 100).
	PageSize uint
	// HTTPClient, if set, replaces the client's default.
	HTTPClient *http.Client
}

// Import reads the account and returns the document and the warnings:
// one for each thing that Herald cannot represent and that was changed or
// left out. Nothing is changed on either side.
func Import(ctx context.Context, o Options) (*config.Document, []string, error) {
	if o.Token == "" {
		return nil, nil, errors.New("pagerduty: no API token")
	}
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if err := checkAPIURL(o.APIURL); err != nil {
		return nil, nil, err
	}
	if o.Now.IsZero() {
		return nil, nil, errors.New("pagerduty: no time to import at")
	}
	if o.OverridesWithin <= 0 {
		o.OverridesWithin = 28 * 24 * time.Hour
	}
	if o.PageSize == 0 || o.PageSize > 100 {
		o.PageSize = 100
	}
	c := pd.NewClient(o.Token, pd.WithAPIEndpoint(strings.TrimRight(o.APIURL, "/")))
	hc := &http.Client{Timeout: 10 * time.Minute} // a request and its waits for the rate limit
	if o.HTTPClient != nil {
		copied := *o.HTTPClient
		hc = &copied
	}
	hc.Transport = patient{next: hc.Transport, tries: rateLimitTries}
	c.HTTPClient = hc
	a, err := read(ctx, c, o)
	if err != nil {
		return nil, nil, explain(err, o.APIURL)
	}
	doc, warnings := convert(a, o.Now)
	return doc, warnings, nil
}

// checkAPIURL refuses a URL the key should not be sent to in the clear:
// https, or http to this machine only (a replay in a test, a local proxy).
func checkAPIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("pagerduty: the API URL %q is not a URL like %s", raw, DefaultAPIURL)
	}
	if u.Scheme == "https" {
		return nil
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && (u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("pagerduty: the API URL %q must use https: the API key travels with every request", raw)
}

// explain turns the API's refusals into errors that say what to do.
func explain(err error, api string) error {
	var ae pd.APIError
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("pagerduty: %s refused the API token (401 Unauthorized): give a valid REST API key of the account (an EU account's API is https://api.eu.pagerduty.com)", api)
		case http.StatusForbidden:
			return fmt.Errorf("pagerduty: the API token may not read everything the import needs (403 Forbidden): use a full-access or read-only REST API key, not a user token with fewer rights: %w", err)
		case http.StatusTooManyRequests:
			return fmt.Errorf("pagerduty: rate limited (429 Too Many Requests): wait a minute and run the import again: %w", err)
		}
	}
	return fmt.Errorf("pagerduty: %w", err)
}

// rateLimitTries is how many times a request refused for the rate limit
// is sent again.
const rateLimitTries = 5

// patient sends a request again when PagerDuty refuses it for the
// account's rate limit (429), after waiting as the answer says: the
// Retry-After or ratelimit-reset seconds, at most a minute. An import of
// a large account makes two requests per user and can reach the limit;
// every request it makes is a GET, so sending one again is harmless.
type patient struct {
	next  http.RoundTripper
	tries int
}

func (p patient) RoundTrip(r *http.Request) (*http.Response, error) {
	next := p.next
	if next == nil {
		next = http.DefaultTransport
	}
	for i := 0; ; i++ {
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || i == p.tries || r.Method != http.MethodGet {
			return resp, err
		}
		wait := time.Second << min(i, 5)
		for _, h := range []string{"Retry-After", "Ratelimit-Reset"} {
			if n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get(h))); err == nil && n >= 0 {
				wait = time.Duration(n) * time.Second
				break
			}
		}
		resp.Body.Close()
		t := time.NewTimer(min(wait, time.Minute))
		select {
		case <-r.Context().Done():
			t.Stop()
			return nil, r.Context().Err()
		case <-t.C:
		}
	}
}

// account is what was read, by PagerDuty id.
type account struct {
	users     []pd.User
	contacts  map[string][]pd.ContactMethod    // by user id
	rules     map[string][]pd.NotificationRule // by user id, high urgency
	teams     []pd.Team
	members   map[string][]pd.Member // by team id
	schedules []pd.Schedule          // with layers
	overrides map[string][]pd.Override
	policies  []pd.EscalationPolicy
	// roundRobin marks the rules (by policy id, by index) that give an
	// incident to one of their targets in turn rather than to all.
	roundRobin map[string][]bool
	services   []pd.Service
}

// maxPages bounds a listing, so a server that always says "more" cannot
// keep the import going forever.
const maxPages = importer.MaxPages

// list reads every page of a listing: PagerDuty's classic pagination,
// offset and limit in, "more" out.
func list[T any](o Options, what string, page func(limit, offset uint) ([]T, pd.APIListObject, error)) ([]T, error) {
	var all []T
	var offset uint
	for range maxPages {
		items, p, err := page(o.PageSize, offset)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		all = append(all, items...)
		if !p.More || len(items) == 0 {
			return all, nil
		}
		offset += uint(len(items))
	}
	return nil, fmt.Errorf("list %s: more than %d pages", what, maxPages)
}

func read(ctx context.Context, c *pd.Client, o Options) (*account, error) {
	a := &account{contacts: map[string][]pd.ContactMethod{}, rules: map[string][]pd.NotificationRule{},
		members: map[string][]pd.Member{}, overrides: map[string][]pd.Override{}}
	var err error
	a.users, err = list(o, "users", func(limit, offset uint) ([]pd.User, pd.APIListObject, error) {
		r, err := c.ListUsersWithContext(ctx, pd.ListUsersOptions{Limit: limit, Offset: offset})
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		return r.Users, r.APIListObject, nil
	})
	if err != nil {
		return nil, err
	}
	for _, u := range a.users {
		cm, err := c.ListUserContactMethodsWithContext(ctx, u.ID)
		if err != nil {
			return nil, fmt.Errorf("contact methods of %s: %w", u.Email, err)
		}
		a.contacts[u.ID] = cm.ContactMethods
		nr, err := c.ListUserNotificationRulesWithContext(ctx, u.ID)
		if err != nil {
			return nil, fmt.Errorf("notification rules of %s: %w", u.Email, err)
		}
		a.rules[u.ID] = nr.NotificationRules
	}
	a.teams, err = list(o, "teams", func(limit, offset uint) ([]pd.Team, pd.APIListObject, error) {
		r, err := c.ListTeamsWithContext(ctx, pd.ListTeamOptions{Limit: limit, Offset: offset})
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		return r.Teams, r.APIListObject, nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range a.teams {
		a.members[t.ID], err = list(o, "members of team "+t.Name, func(limit, offset uint) ([]pd.Member, pd.APIListObject, error) {
			r, err := c.ListTeamMembers(ctx, t.ID, pd.ListTeamMembersOptions{Limit: limit, Offset: offset})
			if err != nil {
				return nil, pd.APIListObject{}, err
			}
			return r.Members, r.APIListObject, nil
		})
		if err != nil {
			return nil, err
		}
	}
	// The list gives each schedule's id; the schedule itself gives its
	// layers and teams.
	listed, err := list(o, "schedules", func(limit, offset uint) ([]pd.Schedule, pd.APIListObject, error) {
		r, err := c.ListSchedulesWithContext(ctx, pd.ListSchedulesOptions{Limit: limit, Offset: offset})
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		return r.Schedules, r.APIListObject, nil
	})
	if err != nil {
		return nil, err
	}
	since, until := o.Now.UTC().Format(time.RFC3339), o.Now.Add(o.OverridesWithin).UTC().Format(time.RFC3339)
	for _, s := range listed {
		full, err := c.GetScheduleWithContext(ctx, s.ID, pd.GetScheduleOptions{})
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %w", s.Name, err)
		}
		a.schedules = append(a.schedules, *full)
		// overflow: an override already under way comes with its real
		// start, not cut at "since".
		ov, err := c.ListOverridesWithContext(ctx, s.ID, pd.ListOverridesOptions{Since: since, Until: until, Overflow: true})
		if err != nil {
			return nil, fmt.Errorf("overrides of schedule %s: %w", s.Name, err)
		}
		a.overrides[s.ID] = ov.Overrides
	}
	a.policies, a.roundRobin, err = listPolicies(ctx, c, o)
	if err != nil {
		return nil, err
	}
	a.services, err = list(o, "services", func(limit, offset uint) ([]pd.Service, pd.APIListObject, error) {
		r, err := c.ListServicesWithContext(ctx, pd.ListServiceOptions{Limit: limit, Offset: offset})
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		return r.Services, r.APIListObject, nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// listPolicies lists the escalation policies with each rule's assignment
// strategy. The client's EscalationRule has no field for the strategy,
// and the API sends it only when asked (include[]), so the list is asked
// for through the client's Do (its authentication and headers) and each
// policy decoded twice: as the client's type and for the strategies. The
// API reference shows the strategy as a string, an object and an array of
// objects; any of them naming round_robin counts.
func listPolicies(ctx context.Context, c *pd.Client, o Options) ([]pd.EscalationPolicy, map[string][]bool, error) {
	rr := map[string][]bool{}
	policies, err := list(o, "escalation policies", func(limit, offset uint) ([]pd.EscalationPolicy, pd.APIListObject, error) {
		q := url.Values{"include[]": {"escalation_rule_assignment_strategies"}, "limit": {strconv.Itoa(int(limit))}}
		if offset > 0 {
			q.Set("offset", strconv.Itoa(int(offset)))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(o.APIURL, "/")+"/escalation_policies?"+q.Encode(), nil)
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		resp, err := c.Do(req, true)
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return nil, pd.APIListObject{}, err
		}
		if resp.StatusCode != http.StatusOK {
			ae := pd.APIError{}
			_ = json.Unmarshal(body, &ae)
			ae.StatusCode = resp.StatusCode
			return nil, pd.APIListObject{}, ae
		}
		var page struct {
			pd.APIListObject
			EscalationPolicies []json.RawMessage `json:"escalation_policies"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, pd.APIListObject{}, err
		}
		out := make([]pd.EscalationPolicy, len(page.EscalationPolicies))
		for i, raw := range page.EscalationPolicies {
			var strategies struct {
				Rules []struct {
					Strategy json.RawMessage `json:"escalation_rule_assignment_strategy"`
				} `json:"escalation_rules"`
			}
			if err := json.Unmarshal(raw, &out[i]); err != nil {
				return nil, pd.APIListObject{}, err
			}
			if err := json.Unmarshal(raw, &strategies); err != nil {
				return nil, pd.APIListObject{}, err
			}
			for _, r := range strategies.Rules {
				rr[out[i].ID] = append(rr[out[i].ID], bytes.Contains(r.Strategy, []byte("round_robin")))
			}
		}
		return out, page.APIListObject, nil
	})
	return policies, rr, err
}
