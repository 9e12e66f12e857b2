package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/httperr"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/worker"
)

// Services is a list of services.
type Services struct {
	Services []*herald.Service `json:"services"`
}

// Pages is a list of pages.
type Pages struct {
	Pages []*herald.Page `json:"pages"`
}

// PageDetail is a page with its log and notifications.
type PageDetail struct {
	*herald.Page
	Log           []herald.PageLogEntry `json:"log"`
	Notifications []herald.Notification `json:"notifications"`
}

// ManualPage pages a service's responders by hand (the source's /pd trigger).
type ManualPage struct {
	Service  string `json:"service" required:"true"` // id or name
	Summary  string `json:"summary" required:"true"`
	Severity string `json:"severity"`
	DedupKey string `json:"dedup_key"`
}

func (s *Server) listServices(r *http.Request, a herald.Actor, _ noBody) (Services, error) {
	list, err := s.app.Paging.Services(r.Context())
	return Services{Services: list}, err
}

func (s *Server) createService(r *http.Request, a herald.Actor, in herald.ServiceInput) (*herald.Service, error) {
	return s.app.Paging.CreateService(r.Context(), in)
}

func (s *Server) createPolicy(r *http.Request, a herald.Actor, in herald.EscalationPolicyInput) (*herald.EscalationPolicy, error) {
	return s.app.Paging.CreateEscalationPolicy(r.Context(), in)
}

// Policies is a list of escalation policies.
type Policies struct {
	Policies []*herald.EscalationPolicy `json:"escalation_policies"`
}

func (s *Server) listPolicies(r *http.Request, a herald.Actor, _ noBody) (Policies, error) {
	list, err := s.app.Paging.EscalationPolicies(r.Context())
	return Policies{Policies: list}, err
}

func (s *Server) getPolicy(r *http.Request, a herald.Actor, _ noBody) (*herald.EscalationPolicy, error) {
	return s.app.Paging.EscalationPolicy(r.Context(), r.PathValue("id"))
}

func (s *Server) listPages(r *http.Request, a herald.Actor, _ noBody) (Pages, error) {
	q := r.URL.Query()
	st := herald.PageStatus(q.Get("status"))
	switch st {
	case "", herald.PageTriggered, herald.PageAcknowledged, herald.PageResolved:
	default:
		return Pages{}, &herald.Error{Code: herald.EInvalid, Message: "status must be triggered, acknowledged or resolved", Fields: map[string]string{"status": "unknown status"}}
	}
	list, err := s.app.Paging.Pages(r.Context(), q.Get("service_id"), st, 200)
	return Pages{Pages: list}, err
}

func (s *Server) getPage(r *http.Request, a herald.Actor, _ noBody) (PageDetail, error) {
	p, err := s.app.Paging.Page(r.Context(), r.PathValue("id"))
	if err != nil {
		return PageDetail{}, err
	}
	d := PageDetail{Page: p}
	if d.Log, err = s.app.Paging.PageLog(r.Context(), p.ID); err != nil {
		return d, err
	}
	d.Notifications, err = s.app.Paging.Notifications(r.Context(), p.ID)
	return d, err
}

func (s *Server) ackPage(r *http.Request, a herald.Actor, _ noBody) (*herald.Page, error) {
	return s.app.Paging.AcknowledgePage(r.Context(), a, r.PathValue("id"))
}

func (s *Server) resolvePage(r *http.Request, a herald.Actor, _ noBody) (*herald.Page, error) {
	return s.app.Paging.ResolvePage(r.Context(), a, r.PathValue("id"))
}

func (s *Server) manualPage(r *http.Request, a herald.Actor, in ManualPage) (*herald.Page, error) {
	svc, err := s.app.Paging.Service(r.Context(), strings.TrimSpace(in.Service))
	if err != nil {
		if herald.ErrorCode(err) == herald.ENotFound {
			return nil, &herald.Error{Code: herald.EInvalid, Message: "no service " + in.Service, Fields: map[string]string{"service": "no such service"}}
		}
		return nil, err
	}
	if in.Severity == "" {
		in.Severity = "critical"
	}
	key, err := s.app.Paging.Enqueue(r.Context(), herald.Event{RoutingKey: svc.IntegrationKey, EventAction: "trigger", DedupKey: in.DedupKey,
		Payload: &herald.EventPayload{Summary: in.Summary, Source: "manual: " + a.User.Name, Severity: in.Severity}})
	if he, ok := err.(*herald.Error); ok && he.Fields["errors"] != "" {
		return nil, &herald.Error{Code: herald.EInvalid, Message: strings.ReplaceAll(strings.ReplaceAll(he.Fields["errors"], "'payload.", "'"), "\n", "; ")}
	}
	if err != nil {
		return nil, err
	}
	return s.app.Paging.OpenPage(r.Context(), svc.ID, key)
}

// pdResponse is PagerDuty's Events API v2 answer.
type pdResponse struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key,omitempty"`
	Errors   []string `json:"errors,omitempty"`
}

func writePD(w http.ResponseWriter, status int, body pdResponse) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// enqueue is POST /v2/enqueue, compatible with PagerDuty's Events API v2,
// so anything that can page PagerDuty can page Herald. An unknown routing
// key gets the same 404 whatever the key, revealing nothing.
func (s *Server) enqueue(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	var ev herald.Event
	if err := decodeJSON(r.Body, &ev); err != nil {
		if herald.ErrorCode(err) == herald.ETooLarge {
			writePD(w, http.StatusRequestEntityTooLarge, pdResponse{Status: "invalid event", Message: "Event object is too large", Errors: []string{err.(*herald.Error).Message}})
			return
		}
		writePD(w, http.StatusBadRequest, pdResponse{Status: "invalid event", Message: "Event object is invalid", Errors: []string{err.(*herald.Error).Message}})
		return
	}
	key, err := s.app.Paging.Enqueue(r.Context(), ev)
	switch {
	case err == nil:
		writePD(w, http.StatusAccepted, pdResponse{Status: "success", Message: "Event processed", DedupKey: key})
	case errors.Is(err, store.ErrUnknownKey):
		writePD(w, http.StatusNotFound, pdResponse{Status: "invalid event", Message: "Event object is invalid", Errors: []string{"unknown routing_key"}})
	case herald.ErrorCode(err) == herald.EInvalid:
		he := err.(*herald.Error)
		writePD(w, http.StatusBadRequest, pdResponse{Status: "invalid event", Message: he.Message, Errors: strings.Split(he.Fields["errors"], "\n")})
	case store.Unavailable(err):
		s.log.Warn("enqueue: database unavailable", "err", err)
		httperr.SetRetryAfter(w, httperr.UnavailableRetry)
		writePD(w, http.StatusServiceUnavailable, pdResponse{Status: "error", Message: "the database cannot be reached; retry"})
	default:
		s.log.Error("enqueue", "err", err)
		writePD(w, http.StatusInternalServerError, pdResponse{Status: "error", Message: "internal error"})
	}
}

// amWebhook is Prometheus Alertmanager's webhook payload (version 4).
type amWebhook struct {
	Version           string            `json:"version" required:"true"`
	GroupKey          string            `json:"groupKey" required:"true"`
	Status            string            `json:"status" required:"true"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     string            `json:"startsAt"`
		EndsAt       string            `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	} `json:"alerts"`
	TruncatedAlerts int `json:"truncatedAlerts"`
}

func writeAM(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"status": map[bool]string{true: "success", false: "error"}[status < 300], "message": msg})
}

// alertmanager receives Alertmanager's webhook: a firing group triggers a
// page keyed by the group key (so each notification of the same group
// folds into one page), a resolved group resolves it.
func (s *Server) alertmanager(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	body, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeAM(w, http.StatusRequestEntityTooLarge, "payload too large")
		return
	}
	if err != nil {
		writeAM(w, http.StatusBadRequest, "the payload could not be read (too slow, or cut off)")
		return
	}
	var m amWebhook
	if err := json.Unmarshal(body, &m); err != nil {
		writeAM(w, http.StatusBadRequest, "not an Alertmanager webhook payload: "+err.Error())
		return
	}
	if err := checkParams(r, []string{"key"}); err != nil {
		writeAM(w, http.StatusBadRequest, err.(*herald.Error).Message)
		return
	}
	if err := checkJSONText(body); err != nil {
		writeAM(w, http.StatusBadRequest, err.(*herald.Error).Message)
		return
	}
	if m.Version != "4" || m.GroupKey == "" || (m.Status != "firing" && m.Status != "resolved") {
		writeAM(w, http.StatusBadRequest, "expected an Alertmanager webhook payload version 4 with groupKey and status firing or resolved")
		return
	}
	ev := herald.Event{RoutingKey: r.PathValue("key"), DedupKey: m.GroupKey, EventAction: "resolve"}
	if m.Status == "firing" {
		summary := m.CommonAnnotations["summary"]
		if summary == "" {
			summary = m.CommonLabels["alertname"]
		}
		if summary == "" {
			summary = "Alertmanager group " + m.GroupKey
		}
		if n := len(m.Alerts); n > 1 {
			summary += " (" + strconv.Itoa(n) + " alerts)"
		}
		severity := "critical"
		switch m.CommonLabels["severity"] {
		case "warning", "info", "error", "critical":
			severity = m.CommonLabels["severity"]
		}
		source := m.Receiver
		if source == "" {
			source = "alertmanager"
		}
		details, _ := json.Marshal(map[string]any{"labels": m.CommonLabels, "annotations": m.CommonAnnotations, "alerts": len(m.Alerts), "external_url": m.ExternalURL})
		ev.EventAction = "trigger"
		ev.Payload = &herald.EventPayload{Summary: truncateRunes(summary, 1024), Source: source, Severity: severity, CustomDetails: details}
	}
	_, err = s.app.Paging.Enqueue(r.Context(), ev)
	switch {
	case err == nil:
		writeAM(w, http.StatusOK, "processed")
	case errors.Is(err, store.ErrUnknownKey):
		writeAM(w, http.StatusNotFound, "unknown integration key")
	case herald.ErrorCode(err) == herald.EInvalid:
		writeAM(w, http.StatusBadRequest, err.Error())
	case store.Unavailable(err):
		s.log.Warn("alertmanager webhook: database unavailable", "err", err)
		httperr.SetRetryAfter(w, httperr.UnavailableRetry)
		writeAM(w, http.StatusServiceUnavailable, "the database cannot be reached; retry")
	default:
		s.log.Error("alertmanager webhook", "err", err)
		writeAM(w, http.StatusInternalServerError, "internal error")
	}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// ContactMethods is a user's contact methods.
type ContactMethods struct {
	ContactMethods []herald.ContactMethod `json:"contact_methods"`
}

// RuleInput adds a notification rule.
type RuleInput struct {
	ContactMethodID string `json:"contact_method_id" required:"true"`
	DelayMinutes    int    `json:"delay_minutes"`
}

// selfOrAdmin lets people manage their own contact methods, and admins
// anyone's.
func (s *Server) selfOrAdmin(r *http.Request, a herald.Actor) (herald.User, error) {
	return s.selfOrAdminFor(r, a, "contact methods")
}

// selfOrAdminFor is the user of the path when the caller is that user or an
// admin; what names what is refused to anyone else.
func (s *Server) selfOrAdminFor(r *http.Request, a herald.Actor, what string) (herald.User, error) {
	u, err := s.app.People.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return u, err
	}
	if a.Role != herald.RoleAdmin && a.User.ID != u.ID {
		return u, herald.Errorf(herald.EForbidden, "only %s or an admin manages %s's %s", u.Name, u.Name, what)
	}
	return u, nil
}

// TestSent says a test notification left: the sender took it.
type TestSent struct {
	ContactMethodID string `json:"contact_method_id"`
	Kind            string `json:"kind"`
	Target          string `json:"target"`
}

// testContactMethod sends the console's test notification (worker.SendTest,
// the one function both call). A send that fails is 422 with the sender's
// error, so a script sees the method does not work.
func (s *Server) testContactMethod(r *http.Request, a herald.Actor, _ noBody) (TestSent, error) {
	u, err := s.selfOrAdmin(r, a)
	if err != nil {
		return TestSent{}, err
	}
	res, err := worker.SendTest(r.Context(), s.cfg.Sender, s.app, s.cfg.Links, u.ID, r.PathValue("method"))
	if err != nil {
		return TestSent{}, err
	}
	m := res.Method
	if res.Failed != nil {
		s.log.Warn("test notification failed", "user", u.ID, "method", m.ID, "err", res.Failed)
		return TestSent{}, herald.Errorf(herald.EUnprocessable, "the test notification to %s %s failed: %v", m.Kind, m.Target, res.Failed)
	}
	s.log.Info("test notification sent", "user", u.ID, "method", m.ID, "by", a.User.ID)
	return TestSent{ContactMethodID: m.ID, Kind: m.Kind, Target: m.Target}, nil
}

func (s *Server) listContactMethods(r *http.Request, a herald.Actor, _ noBody) (ContactMethods, error) {
	u, err := s.app.People.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return ContactMethods{}, err
	}
	list, err := s.app.People.ContactMethods(r.Context(), u.ID)
	return ContactMethods{ContactMethods: list}, err
}

func (s *Server) createContactMethod(r *http.Request, a herald.Actor, in herald.ContactMethodInput) (herald.ContactMethod, error) {
	u, err := s.selfOrAdmin(r, a)
	if err != nil {
		return herald.ContactMethod{}, err
	}
	return s.app.People.CreateContactMethod(r.Context(), u.ID, in)
}

func (s *Server) createRule(r *http.Request, a herald.Actor, in RuleInput) (herald.NotificationRule, error) {
	u, err := s.selfOrAdmin(r, a)
	if err != nil {
		return herald.NotificationRule{}, err
	}
	return s.app.People.AddNotificationRule(r.Context(), u.ID, in.ContactMethodID, in.DelayMinutes)
}

// EscalateInput chooses the level to page now.
type EscalateInput struct {
	Level int `json:"level"`
}

func (s *Server) escalatePage(r *http.Request, a herald.Actor, in EscalateInput) (*herald.Page, error) {
	return s.app.Paging.EscalatePage(r.Context(), a, r.PathValue("id"), in.Level)
}
