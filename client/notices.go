package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// NoticeTemplates are the customer notice templates with their variables.
type NoticeTemplates struct {
	Templates map[string]string       `json:"templates"`
	Variables []herald.NoticeVariable `json:"variables"`
	Kinds     []string                `json:"kinds"`
}

// OpenIncidentNotices opens a notice thread per tenant the incident affects.
func (c *NoticeClient) OpenIncidentNotices(ctx context.Context, ref string) (herald.NoticeOpenResult, error) {
	var out herald.NoticeOpenResult
	return out, c.do(ctx, "POST", "/api/v1/incidents/"+esc(ref)+"/notices", nil, &out)
}

// OpenMaintenanceNotices opens a notice thread per tenant the maintenance affects.
func (c *NoticeClient) OpenMaintenanceNotices(ctx context.Context, id string) (herald.NoticeOpenResult, error) {
	var out herald.NoticeOpenResult
	return out, c.do(ctx, "POST", "/api/v1/maintenances/"+esc(id)+"/notices", nil, &out)
}

// IncidentNotices is the incident's view of its tenants.
func (c *NoticeClient) IncidentNotices(ctx context.Context, ref string) (herald.IncidentNotices, error) {
	var out herald.IncidentNotices
	return out, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/notices", nil, &out)
}

// NoticeThreads lists the threads of an incident ("incident", ref) or a
// maintenance ("maintenance", id).
func (c *NoticeClient) NoticeThreads(ctx context.Context, kind, ref string) ([]herald.NoticeThread, error) {
	var out struct {
		Threads []herald.NoticeThread `json:"threads"`
	}
	return out.Threads, c.do(ctx, "GET", "/api/v1/"+kind+"s/"+esc(ref)+"/notice-threads", nil, &out)
}

// NoticeThread reads a thread with its messages.
func (c *NoticeClient) NoticeThread(ctx context.Context, id string) (herald.NoticeThread, error) {
	var out herald.NoticeThread
	return out, c.do(ctx, "GET", "/api/v1/notice-threads/"+esc(id), nil, &out)
}

// SendNotice sends a notice on a thread.
func (c *NoticeClient) SendNotice(ctx context.Context, id string, in herald.NoticeSendInput) (herald.NoticeMessage, error) {
	var out herald.NoticeMessage
	return out, c.do(ctx, "POST", "/api/v1/notice-threads/"+esc(id)+"/messages", in, &out)
}

// PreviewNotice fills in a notice without sending it.
func (c *NoticeClient) PreviewNotice(ctx context.Context, id string, in herald.NoticeSendInput) (herald.NoticeMessage, error) {
	var out herald.NoticeMessage
	return out, c.do(ctx, "POST", "/api/v1/notice-threads/"+esc(id)+"/preview", in, &out)
}

// NoticeTemplates reads the templates and their variables.
func (c *NoticeClient) NoticeTemplates(ctx context.Context) (NoticeTemplates, error) {
	var out NoticeTemplates
	return out, c.do(ctx, "GET", "/api/v1/notice-templates", nil, &out)
}

// SetNoticeTemplate replaces one template (admin).
func (c *NoticeClient) SetNoticeTemplate(ctx context.Context, kind, text string) (NoticeTemplates, error) {
	var out NoticeTemplates
	return out, c.do(ctx, "PUT", "/api/v1/notice-templates/"+esc(kind), map[string]string{"text": text}, &out)
}

// RequestNoticeApproval asks for the approval of a notice's exact text (R44).
func (c *NoticeClient) RequestNoticeApproval(ctx context.Context, thread string, in herald.NoticeSendInput) (herald.NoticeApproval, error) {
	var out herald.NoticeApproval
	return out, c.do(ctx, "POST", "/api/v1/notice-threads/"+esc(thread)+"/approvals", in, &out)
}

// PendingApprovals lists every customer message waiting for an approval.
func (c *NoticeClient) PendingApprovals(ctx context.Context) ([]herald.NoticeApproval, error) {
	var out struct {
		Approvals []herald.NoticeApproval `json:"approvals"`
	}
	return out.Approvals, c.do(ctx, "GET", "/api/v1/notice-approvals", nil, &out)
}

// IncidentPendingApprovals lists the incident's messages waiting for an approval.
func (c *NoticeClient) IncidentPendingApprovals(ctx context.Context, ref string) ([]herald.NoticeApproval, error) {
	var out struct {
		Approvals []herald.NoticeApproval `json:"approvals"`
	}
	return out.Approvals, c.do(ctx, "GET", "/api/v1/incidents/"+esc(ref)+"/notice-approvals", nil, &out)
}

// NoticeApproval reads one approval with its exact text.
func (c *NoticeClient) NoticeApproval(ctx context.Context, id string) (herald.NoticeApproval, error) {
	var out herald.NoticeApproval
	return out, c.do(ctx, "GET", "/api/v1/notice-approvals/"+esc(id), nil, &out)
}

// ApproveNotice approves the text (hash: the one read, or "").
func (c *NoticeClient) ApproveNotice(ctx context.Context, id string, in herald.NoticeDecisionInput) (herald.NoticeApproval, error) {
	var out herald.NoticeApproval
	return out, c.do(ctx, "POST", "/api/v1/notice-approvals/"+esc(id)+"/approve", in, &out)
}

// RejectNotice rejects the text with a reason.
func (c *NoticeClient) RejectNotice(ctx context.Context, id string, in herald.NoticeDecisionInput) (herald.NoticeApproval, error) {
	var out herald.NoticeApproval
	return out, c.do(ctx, "POST", "/api/v1/notice-approvals/"+esc(id)+"/reject", in, &out)
}
