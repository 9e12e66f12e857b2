package console

import (
	"net/http"
	"net/url"

	"github.com/heraldhq/herald"
)

// Approvals of customer messages (R44): every text waiting for an
// approval, and one text as it will go, with the forms to approve or
// reject it. The approve form carries the hash of the text shown, so an
// approver approves what they read and nothing else.
func (c *Console) approvalsRoutes() []route {
	return []route{
		{method: "GET", path: "/app/approvals", role: herald.RoleViewer, serve: c.approvals},
		{method: "GET", path: "/app/approvals/{id}", role: herald.RoleViewer, serve: c.approval},
		{method: "POST", path: "/app/approvals/{id}", role: herald.RoleResponder, serve: c.decideApproval},
	}
}

type approvalsView struct {
	List []herald.NoticeApproval
}

func (c *Console) approvals(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	list, err := c.cfg.Services.Notices.PendingApprovals(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "approvals", a, approvalsView{List: list})
	return nil
}

type approvalView struct {
	Approval herald.NoticeApproval
	Input    url.Values
	Error    *herald.Error
}

func (c *Console) approval(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	return c.renderApproval(w, r, a, http.StatusOK, url.Values{}, nil)
}

func (c *Console) renderApproval(w http.ResponseWriter, r *http.Request, a herald.Actor, status int, in url.Values, herr *herald.Error) error {
	ap, err := c.cfg.Services.Notices.NoticeApproval(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, status, "approval", a, approvalView{Approval: ap, Input: in, Error: herr})
	return nil
}

// decideApproval approves or rejects the text shown (action approve or
// reject); a refusal shows the text again with the reason typed.
func (c *Console) decideApproval(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.EInvalid, "unreadable form")
	}
	f, id := r.PostForm, r.PathValue("id")
	in := herald.NoticeDecisionInput{Hash: f.Get("hash"), Reason: f.Get("reason")}
	s := c.cfg.Services.Notices
	var err error
	msg := "Approved: the writer may send this text now."
	switch f.Get("action") {
	case "approve":
		var ap herald.NoticeApproval
		if ap, err = s.ApproveNotice(r.Context(), a, id, in); err == nil && ap.Event != "" {
			msg = "Approved: the notices are going to each linked tenant now."
		}
	case "reject":
		_, err = s.RejectNotice(r.Context(), a, id, in)
		msg = "Rejected: the writer sees your reason."
	default:
		err = herald.FieldErrors{"action": "must be approve or reject"}.Err()
	}
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		return c.renderApproval(w, r, a, status, f, herr)
	}
	redirect(w, r, "/app/approvals/"+url.PathEscape(id), msg)
	return nil
}
