package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// Customer notice threads (noticethread.go; R41, R42, R48, R49). A thread
// is opened per affected tenant; each notice sent is a message row and a
// row on the outbox's notice lane, written in one transaction, so a notice
// promised is sent by the worker even after a crash, and its Message-ID
// (the row's) stays the same on every attempt. Replies come in through
// ReceiveReply (internal/inbound's SMTP listener).

var _ herald.NoticeService = (*NoticeService)(nil)

const threadSelect = `SELECT t.id, t.token, t.source_kind, t.source_id, COALESCE(t.incident_id, ''), t.tenant_id, tn.name, t.subject, t.tag,
	t.support_region, t.to_addr, t.cc, t.owner_id, u.name, t.created_at, t.first_sent_at, t.last_message_at, t.awaiting_since, t.next_notice_due,
	(SELECT count(*) FROM notice_messages m WHERE m.thread_id = t.id)
	FROM notice_threads t JOIN tenants tn ON tn.id = t.tenant_id JOIN users u ON u.id = t.owner_id`

func scanThread(row interface{ Scan(...any) error }, ns herald.NoticeSettings) (herald.NoticeThread, error) {
	var t herald.NoticeThread
	var token, cc string
	var created int64
	var first, last, awaiting, next sql.NullInt64
	err := row.Scan(&t.ID, &token, &t.SourceKind, &t.SourceID, &t.IncidentID, &t.TenantID, &t.TenantName, &t.Subject, &t.Tag,
		&t.SupportRegion, &t.To, &cc, &t.OwnerID, &t.OwnerName, &created, &first, &last, &awaiting, &next, &t.MessageCount)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(cc), &t.Cc); err != nil {
		return t, fmt.Errorf("decode thread cc: %w", err)
	}
	t.CreatedAt, t.FirstSentAt, t.LastMessageAt = fromMicros(created), fromNullMicros(first), fromNullMicros(last)
	t.AwaitingReplySince, t.NextNoticeDue = fromNullMicros(awaiting), fromNullMicros(next)
	t.ReplyTo = ns.ReplyAddress(token)
	return t, nil
}

// threads reads the threads a condition on t selects.
func (tx *tx) threads(ctx context.Context, ns herald.NoticeSettings, where string, args ...any) ([]herald.NoticeThread, error) {
	rows, err := tx.QueryContext(ctx, threadSelect+` WHERE `+where+` ORDER BY tn.name, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read notice threads: %w", err)
	}
	out := []herald.NoticeThread{}
	for rows.Next() {
		t, err := scanThread(rows, ns)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read notice threads: %w", err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		msgs, err := tx.noticeMessages(ctx, out[i].ID, true)
		if err != nil {
			return nil, err
		}
		if len(msgs) > 0 {
			out[i].LastMessage = &msgs[0]
		}
	}
	return out, tx.noticeDueWords(ctx, out)
}

func (tx *tx) thread(ctx context.Context, ns herald.NoticeSettings, id string) (herald.NoticeThread, error) {
	t, err := scanThread(tx.QueryRowContext(ctx, threadSelect+` WHERE t.id = $1`, id), ns)
	if errors.Is(err, sql.ErrNoRows) {
		return t, herald.Errorf(herald.ENotFound, "no notice thread %q", id)
	}
	if err != nil {
		return t, fmt.Errorf("read notice thread: %w", err)
	}
	return t, nil
}

// noticeMessages reads a thread's messages oldest first, or only the last
// one (lastOnly).
func (tx *tx) noticeMessages(ctx context.Context, threadID string, lastOnly bool) ([]herald.NoticeMessage, error) {
	q := `SELECT m.id, m.direction, m.template, m.subject, m.body, m.message_id, m.in_reply_to, m.from_addr, m.author_id, m.author, m.guard_override,
		m.substantial, m.created_at, COALESCE(d.status, ''), COALESCE(d.attempts, 0), COALESCE(d.last_error, '')
		FROM notice_messages m LEFT JOIN notice_deliveries d ON d.message_id = m.id WHERE m.thread_id = $1`
	if lastOnly {
		q += ` ORDER BY m.created_at DESC, m.id DESC LIMIT 1`
	} else {
		q += ` ORDER BY m.created_at, m.id`
	}
	rows, err := tx.QueryContext(ctx, q, threadID)
	if err != nil {
		return nil, fmt.Errorf("read notice messages: %w", err)
	}
	defer rows.Close()
	var out []herald.NoticeMessage
	for rows.Next() {
		var m herald.NoticeMessage
		var override string
		var at int64
		if err := rows.Scan(&m.ID, &m.Direction, &m.Template, &m.Subject, &m.Body, &m.MessageID, &m.InReplyTo, &m.From, &m.AuthorID, &m.Author,
			&override, &m.Substantial, &at, &m.Delivery, &m.Attempts, &m.LastError); err != nil {
			return nil, fmt.Errorf("read notice messages: %w", err)
		}
		m.CreatedAt = fromMicros(at)
		m.GuardOverride = tx.readGuardOverride(override, m.ID)
		out = append(out, m)
	}
	return out, rows.Err()
}

// newToken makes a thread's reply token: 120 random bits, lower-case hex.
func newToken() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// OpenIncidentNotices opens a thread per tenant the incident affects.
func (db *NoticeService) OpenIncidentNotices(ctx context.Context, actor herald.Actor, ref string) (herald.NoticeOpenResult, error) {
	var res herald.NoticeOpenResult
	err := db.write(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		tenants, err := tx.linkedTenants(ctx, "incident_tenants", "incident_id", inc.ID)
		if err != nil {
			return err
		}
		owner := actor.User.ID
		if a, ok := inc.Role(herald.RoleCommunications); ok && a.UserID != "" {
			owner = a.UserID
		}
		res, err = tx.openThreads(ctx, actor, "incident", inc.ID, inc.ID, inc.Title, tenants, owner)
		return err
	})
	return res, err
}

// OpenMaintenanceNotices opens a thread per tenant the maintenance affects,
// owned by the actor.
func (db *NoticeService) OpenMaintenanceNotices(ctx context.Context, actor herald.Actor, id string) (herald.NoticeOpenResult, error) {
	var res herald.NoticeOpenResult
	err := db.write(ctx, func(tx *tx) error {
		m, err := tx.maintenance(ctx, id)
		if err != nil {
			return err
		}
		tenants, err := tx.linkedTenants(ctx, "maintenance_tenants", "maintenance_id", m.ID)
		if err != nil {
			return err
		}
		res, err = tx.openThreads(ctx, actor, "maintenance", m.ID, "", m.Name, tenants, actor.User.ID)
		return err
	})
	return res, err
}

func (tx *tx) openThreads(ctx context.Context, actor herald.Actor, kind, sourceID, incidentID, description string, tenants []herald.Tenant, owner string) (herald.NoticeOpenResult, error) {
	res := herald.NoticeOpenResult{Opened: []string{}}
	if owner == "" {
		return res, herald.Errorf(herald.EForbidden, "opening notice threads needs a person: an API token acts for nobody")
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return res, err
	}
	if len(tenants) == 0 {
		return res, herald.Errorf(herald.EUnprocessable, "the %s affects no tenant: link its tenants first", kind)
	}
	// All or none: a tenant that cannot be told is named, and nobody is
	// opened, so no tenant is left out without anyone noticing.
	refused := &herald.Error{Code: herald.EUnprocessable, Fields: map[string]string{}}
	for _, t := range tenants {
		if t.DeletedAt != nil {
			continue
		}
		if _, _, err := t.NoticeRecipients(); err != nil {
			refused.Fields["tenants."+t.Name] = "has no operational e-mail address"
		}
	}
	if len(refused.Fields) > 0 {
		refused.Message = fmt.Sprintf("%d tenant(s) have no operational e-mail address to send a notice to; add one and open again", len(refused.Fields))
		return res, refused
	}
	var incID any
	if incidentID != "" {
		incID = incidentID
	}
	subject := herald.NoticeSubject(s.Notices.Product, description)
	for _, t := range tenants {
		if t.DeletedAt != nil {
			continue
		}
		to, cc, _ := t.NoticeRecipients()
		ccJSON, _ := json.Marshal(orEmpty(cc))
		r, err := tx.ExecContext(ctx, `INSERT INTO notice_threads (id, token, source_kind, source_id, incident_id, tenant_id, subject, tag, support_region,
			to_addr, cc, owner_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (source_kind, source_id, tenant_id) DO NOTHING`,
			newID(), newToken(), kind, sourceID, incID, t.ID, subject, herald.NoticeTag, t.SupportRegion, to, string(ccJSON), owner, micros(tx.now))
		if err != nil {
			return res, fmt.Errorf("open notice thread: %w", err)
		}
		if n, _ := r.RowsAffected(); n > 0 {
			res.Opened = append(res.Opened, t.Name)
		}
	}
	if res.Threads, err = tx.threads(ctx, s.Notices, `t.source_kind = $1 AND t.source_id = $2`, kind, sourceID); err != nil {
		return res, err
	}
	if incidentID != "" && len(res.Opened) > 0 {
		var ownerName string
		for _, th := range res.Threads {
			ownerName = th.OwnerName
		}
		text := fmt.Sprintf("Customer notice threads opened for %s (owner %s)", strings.Join(res.Opened, ", "), ownerName)
		if err := tx.appendEntry(ctx, incidentID, actor, herald.EntryNotice, text, map[string]any{"opened": res.Opened}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// NoticeThreads lists the threads of an incident or a maintenance.
func (db *NoticeService) NoticeThreads(ctx context.Context, kind, ref string) ([]herald.NoticeThread, error) {
	var out []herald.NoticeThread
	err := db.read(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		var id string
		switch kind {
		case "incident":
			inc, err := tx.incident(ctx, ref)
			if err != nil {
				return err
			}
			id = inc.ID
		case "maintenance":
			m, err := tx.maintenance(ctx, ref)
			if err != nil {
				return err
			}
			id = m.ID
		default:
			return herald.Errorf(herald.EInvalid, "kind must be incident or maintenance")
		}
		out, err = tx.threads(ctx, s.Notices, `t.source_kind = $1 AND t.source_id = $2`, kind, id)
		return err
	})
	return out, err
}

// NoticeThread reads a thread with its messages.
func (db *NoticeService) NoticeThread(ctx context.Context, id string) (herald.NoticeThread, error) {
	var t herald.NoticeThread
	err := db.read(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if t, err = tx.thread(ctx, s.Notices, id); err != nil {
			return err
		}
		t.Messages, err = tx.noticeMessages(ctx, t.ID, false)
		if n := len(t.Messages); n > 0 {
			t.LastMessage = &t.Messages[n-1]
		}
		if err != nil {
			return err
		}
		if t.Approvals, err = tx.approvals(ctx, "DESC", `a.thread_id = $1`, t.ID); err != nil {
			return err
		}
		one := []herald.NoticeThread{t}
		err = tx.noticeDueWords(ctx, one)
		t = one[0]
		return err
	})
	return t, err
}

// threadToWrite reads the settings and a thread the actor is about to
// write on (send, or ask approval of a text), refusing one who may not
// write to customers (R49).
func (tx *tx) threadToWrite(ctx context.Context, actor herald.Actor, threadID string) (herald.Settings, herald.NoticeThread, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return s, herald.NoticeThread{}, err
	}
	th, err := tx.thread(ctx, s.Notices, threadID)
	if err != nil {
		return s, th, err
	}
	return s, th, tx.mayWriteToCustomers(ctx, actor, th)
}

// mayWriteToCustomers applies R49: the incident's communications manager
// or an admin writes to customers; on a maintenance's thread, its owner or
// an admin. The incident lead may not.
func (tx *tx) mayWriteToCustomers(ctx context.Context, actor herald.Actor, th herald.NoticeThread) error {
	if actor.Role == herald.RoleAdmin {
		return nil
	}
	if th.IncidentID == "" {
		if actor.User.ID != "" && actor.User.ID == th.OwnerID {
			return nil
		}
		return herald.Errorf(herald.EForbidden, "R49: only the thread's owner (%s) or an admin writes to customers", th.OwnerName)
	}
	inc, err := tx.incident(ctx, th.IncidentID)
	if err != nil {
		return err
	}
	a, ok := inc.Role(herald.RoleCommunications)
	if ok && a.UserID != "" && a.UserID == actor.User.ID {
		return nil
	}
	holder := "nobody holds it now"
	if ok {
		holder = a.UserName + " holds it"
	}
	return herald.Errorf(herald.EForbidden, "R49: only the incident's communications manager (%s) or an admin writes to customers; the incident lead and engineers pass their news to them", holder)
}

// noticeVars are the variables of a thread's templates.
func (tx *tx) noticeVars(ctx context.Context, s herald.Settings, th herald.NoticeThread, actor herald.Actor, in herald.NoticeSendInput) (herald.NoticeVars, error) {
	v := herald.NoticeVars{
		"Product": s.Notices.Product, "Tenant": th.TenantName, "SupportRegion": th.SupportRegion, "Interval": s.Notices.Interval(),
		"Sender": actor.User.Name, "Status": in.Status, "ActionsTaken": in.ActionsTaken, "NextSteps": in.NextSteps, "NextUpdate": in.NextUpdate,
	}
	if v["Sender"] == "" {
		v["Sender"] = s.Notices.Product + " Support"
	}
	var region string
	if err := tx.QueryRowContext(ctx, `SELECT primary_region FROM tenants WHERE id = $1`, th.TenantID).Scan(&region); err != nil {
		return nil, fmt.Errorf("read tenant: %w", err)
	}
	v["Region"] = region
	switch th.SourceKind {
	case "incident":
		inc, err := tx.incident(ctx, th.SourceID)
		if err != nil {
			return nil, err
		}
		v["Reference"], v["Title"], v["Summary"] = inc.Reference, inc.Title, inc.Summary
		v["Severity"], v["State"] = string(inc.Severity), string(inc.State)
	case "maintenance":
		m, err := tx.maintenance(ctx, th.SourceID)
		if err != nil {
			return nil, err
		}
		v["Title"], v["Summary"] = m.Name, m.Body
		v["MaintenanceStart"] = m.ScheduledFor.UTC().Format("2006-01-02 15:04 UTC")
		v["MaintenanceEnd"] = m.ScheduledUntil.UTC().Format("2006-01-02 15:04 UTC")
		var affected int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM maintenance_tenants WHERE maintenance_id = $1 AND tenant_id = $2`, m.ID, th.TenantID).Scan(&affected); err != nil {
			return nil, fmt.Errorf("read maintenance tenants: %w", err)
		}
		v["Affected"] = map[bool]string{true: "yes", false: "no"}[affected > 0]
	}
	return v, nil
}

// composeNotice writes the text of a notice: the body given, or the
// template filled in; the first notice of a thread says how often the
// customer will hear from us (R48).
func (tx *tx) composeNotice(ctx context.Context, s herald.Settings, th herald.NoticeThread, actor herald.Actor, in herald.NoticeSendInput) (string, error) {
	body := in.Body
	if body == "" {
		v, err := tx.noticeVars(ctx, s, th, actor, in)
		if err != nil {
			return "", err
		}
		if body, err = herald.RenderNotice(s.Notices.Templates[in.Template], v); err != nil {
			return "", err
		}
	}
	if th.FirstSentAt == nil {
		body = strings.TrimRight(body, "\n") + "\n\n" + herald.NoticeCadenceLine(s.Notices.Interval())
	}
	return body, nil
}

// PreviewNotice fills in a notice for a thread without sending it.
func (db *NoticeService) PreviewNotice(ctx context.Context, actor herald.Actor, threadID string, in herald.NoticeSendInput) (herald.NoticeMessage, error) {
	if err := in.Normalize(); err != nil {
		return herald.NoticeMessage{}, err
	}
	var m herald.NoticeMessage
	err := db.read(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		th, err := tx.thread(ctx, s.Notices, threadID)
		if err != nil {
			return err
		}
		body, err := tx.composeNotice(ctx, s, th, actor, in)
		m = herald.NoticeMessage{Direction: "out", Template: in.Template, Subject: th.Subject, Body: body, From: th.ReplyTo, Author: actor.User.Name}
		if err != nil {
			return err
		}
		m.Substantial, m.Warnings, err = tx.noticeCadenceOf(ctx, th, in)
		return err
	})
	return m, err
}

// SendNotice queues a notice on a thread (R49, R45).
func (db *NoticeService) SendNotice(ctx context.Context, actor herald.Actor, threadID string, in herald.NoticeSendInput) (herald.NoticeMessage, error) {
	if err := in.Normalize(); err != nil {
		return herald.NoticeMessage{}, err
	}
	var m herald.NoticeMessage
	err := db.write(ctx, func(tx *tx) error {
		s, th, err := tx.threadToWrite(ctx, actor, threadID)
		if err != nil {
			return err
		}
		if s.Notices.ReplyDomain == "" {
			return &herald.Error{Code: herald.EUnprocessable, Message: "notices cannot be sent before settings name notices.reply_domain, the domain replies come back to",
				Fields: map[string]string{"notices.reply_domain": "is not set"}}
		}
		// R44: a text whose class needs an approval goes only as approved.
		approval, body, template, err := tx.approvedText(ctx, s, th, actor, in)
		if err != nil {
			return err
		}
		in.Template = template
		override, err := tx.guardPublic(ctx, actor, in.OverrideGuard, in.OverrideGuardReason, [2]string{"body", body})
		if err != nil {
			return err
		}
		var inReplyTo string
		if err := tx.QueryRowContext(ctx, `SELECT message_id FROM notice_messages WHERE thread_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, th.ID).
			Scan(&inReplyTo); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read last message: %w", err)
		}
		id := newID()
		m = herald.NoticeMessage{ID: id, Direction: "out", Template: in.Template, Subject: th.Subject, Body: body,
			MessageID: id + "@" + s.Notices.ReplyDomain, InReplyTo: inReplyTo, From: th.ReplyTo, AuthorID: actor.User.ID, Author: actor.User.Name,
			CreatedAt: tx.now, Delivery: "pending", GuardOverride: override}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_messages (id, thread_id, direction, template, subject, body, message_id, in_reply_to, from_addr,
			author_id, author, guard_override, created_at) VALUES ($1, $2, 'out', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, th.ID, m.Template, m.Subject, m.Body, m.MessageID, m.InReplyTo, m.From, m.AuthorID, m.Author, guardOverrideJSON(override), micros(tx.now)); err != nil {
			return fmt.Errorf("record notice: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_deliveries (id, message_id, status, due_at) VALUES ($1, $1, 'pending', $2)`, id, micros(tx.now)); err != nil {
			return fmt.Errorf("queue notice: %w", err)
		}
		if err := tx.markApprovalSent(ctx, approval, id); err != nil {
			return err
		}
		if err := tx.markNoticeCadence(ctx, th, &m, in); err != nil {
			return err
		}
		first := tx.now
		if th.FirstSentAt != nil {
			first = *th.FirstSentAt
		}
		// The next notice is owed by the customer cadence (R43): in the
		// tenant's business hours, or at S1 at any hour.
		next, err := tx.nextCustomerNotice(ctx, s, th)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notice_threads SET first_sent_at = $2, last_message_at = $3, awaiting_since = NULL, next_notice_due = $4 WHERE id = $1`,
			th.ID, micros(first), micros(tx.now), micros(next)); err != nil {
			return fmt.Errorf("update notice thread: %w", err)
		}
		if th.IncidentID != "" {
			text := fmt.Sprintf("Customer notice to %s sent by %s: %s", th.TenantName, actor.User.Name, th.Subject)
			if in.Template != "" {
				text += " (" + in.Template + ")"
			}
			data := map[string]any{"thread_id": th.ID, "message_id": id, "template": in.Template}
			if approval != nil {
				text += fmt.Sprintf("; %s message approved by %s (R44)", approval.Class, approval.DecidedByName)
				data["approval_id"], data["approval"] = approval.ID, herald.ApprovalSent
			}
			if err := tx.appendEntry(ctx, th.IncidentID, actor, herald.EntryNotice, text, data); err != nil {
				return err
			}
			if override != nil {
				if err := tx.appendEntry(ctx, th.IncidentID, actor, herald.EntryNote, herald.GuardOverrideText(actor.User.Name, override),
					map[string]any{"thread_id": th.ID, "message_id": id, "guard_override": override}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		db.log.Info("customer notice queued", "thread", threadID, "message", m.ID, "by", actor.User.ID)
	}
	return m, err
}

// KnowsReplyAddress reports whether addr is a thread's reply address.
func (db *NoticeService) KnowsReplyAddress(ctx context.Context, addr string) (bool, error) {
	var ok bool
	err := db.read(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if s.Notices.IsBareReplyAddress(addr) {
			ok = true // matched by In-Reply-To when the mail comes
			return nil
		}
		token := s.Notices.ReplyToken(addr)
		if token == "" {
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notice_threads WHERE token = $1`, token).Scan(&n); err != nil {
			return fmt.Errorf("find thread: %w", err)
		}
		ok = n > 0
		return nil
	})
	return ok, err
}

// maxReplyText bounds a reply kept on a thread; the timeline quotes less.
const (
	maxReplyText    = 20000
	maxReplyOnEntry = 500
)

// ReceiveReply appends a customer's reply to its thread.
func (db *NoticeService) ReceiveReply(ctx context.Context, in herald.InboundMail) (herald.NoticeThread, error) {
	var th herald.NoticeThread
	err := db.write(ctx, func(tx *tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		threadID := ""
		for _, r := range in.Recipients {
			if token := s.Notices.ReplyToken(r); token != "" {
				err := tx.QueryRowContext(ctx, `SELECT id FROM notice_threads WHERE token = $1`, token).Scan(&threadID)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("find thread: %w", err)
				}
				if threadID != "" {
					break
				}
			}
		}
		if threadID == "" {
			// Fallback: the message it answers (In-Reply-To, then References).
			for _, ref := range append([]string{in.InReplyTo}, in.References...) {
				ref = strings.Trim(strings.TrimSpace(ref), "<>")
				if ref == "" {
					continue
				}
				err := tx.QueryRowContext(ctx, `SELECT thread_id FROM notice_messages WHERE message_id = $1`, ref).Scan(&threadID)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("find thread: %w", err)
				}
				if threadID != "" {
					break
				}
			}
		}
		if threadID == "" {
			return herald.Errorf(herald.ENotFound, "no notice thread for this reply")
		}
		if th, err = tx.thread(ctx, s.Notices, threadID); err != nil {
			return err
		}
		msgID := strings.Trim(strings.TrimSpace(in.MessageID), "<>")
		if msgID == "" {
			msgID = newID() + "@inbound.invalid"
		}
		var seen int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notice_messages WHERE message_id = $1`, msgID).Scan(&seen); err != nil {
			return fmt.Errorf("find message: %w", err)
		}
		if seen > 0 {
			return nil // the same mail again (a retry by the sending server)
		}
		text := cleanText(strings.TrimSpace(in.Text), maxReplyText)
		from := cleanText(in.From, 254)
		subject := cleanText(in.Subject, 500)
		id := newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_messages (id, thread_id, direction, template, subject, body, message_id, in_reply_to, from_addr,
			author_id, author, guard_override, created_at) VALUES ($1, $2, 'in', '', $3, $4, $5, $6, $7, '', $7, '', $8)`,
			id, th.ID, subject, text, msgID, strings.Trim(in.InReplyTo, "<> "), from, micros(tx.now)); err != nil {
			return fmt.Errorf("record reply: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notice_threads SET last_message_at = $2, awaiting_since = COALESCE(awaiting_since, $2) WHERE id = $1`,
			th.ID, micros(tx.now)); err != nil {
			return fmt.Errorf("update notice thread: %w", err)
		}
		url := tx.db.links.Console() + "/notices/" + th.ID
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptNoticeReply, IncidentID: th.IncidentID, Occurrence: id,
			Notice: herald.NoticeReplyPrompt(th.TenantName, th.Subject, from, truncate(text, 2000), url)}, th.OwnerID)
		if err != nil {
			return err
		}
		if th.IncidentID != "" {
			entry := fmt.Sprintf("Reply from %s (%s) on the customer notice thread: %s", from, th.TenantName, truncate(text, maxReplyOnEntry))
			if err := tx.appendEntry(ctx, th.IncidentID, herald.Actor{User: herald.User{Name: from}}, herald.EntryNotice,
				entry+promptedText(prompted, unreachable, "told"), map[string]any{"thread_id": th.ID, "message_id": id, "direction": "in"}); err != nil {
				return err
			}
		}
		th.MessageCount++
		return nil
	})
	if err == nil {
		db.log.Info("customer reply received", "thread", th.ID)
	}
	return th, err
}

// remindNoticeReplies prompts a thread's owner when a customer's reply has
// waited longer than notices.reply_reminder (R48): once per reply waiting.
func (tx *tx) remindNoticeReplies(ctx context.Context, s herald.Settings) error {
	limit := tx.now.Add(-time.Duration(s.Notices.ReplyReminder))
	rows, err := tx.QueryContext(ctx, `SELECT t.id, COALESCE(t.incident_id, ''), t.owner_id, t.awaiting_since, tn.name, t.subject
		FROM notice_threads t JOIN tenants tn ON tn.id = t.tenant_id WHERE t.awaiting_since IS NOT NULL AND t.awaiting_since <= $1`, micros(limit))
	if err != nil {
		return fmt.Errorf("read waiting replies: %w", err)
	}
	type waiting struct {
		id, incident, owner, tenant, subject string
		since                                int64
	}
	var list []waiting
	for rows.Next() {
		var w waiting
		if err := rows.Scan(&w.id, &w.incident, &w.owner, &w.since, &w.tenant, &w.subject); err != nil {
			rows.Close()
			return err
		}
		list = append(list, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, w := range list {
		since := fromMicros(w.since)
		url := tx.db.links.Console() + "/notices/" + w.id
		waited := herald.ShortDuration(tx.now.Sub(since).Truncate(time.Minute))
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptNoticeUnanswered, IncidentID: w.incident, Occurrence: occurrenceAt(since, w.id),
			Notice: herald.NoticeUnansweredPrompt(w.tenant, w.subject, waited, url)}, w.owner)
		if err != nil {
			return err
		}
		if w.incident != "" && len(prompted)+len(unreachable) > 0 {
			text := "A reply from " + w.tenant + " has waited " + waited + " for an answer (R48)"
			if err := tx.appendEntry(ctx, w.incident, herald.Actor{}, herald.EntryPrompt, text+promptedText(prompted, unreachable, "reminded"),
				map[string]any{"kind": herald.PromptNoticeUnanswered, "thread_id": w.id}); err != nil {
				return err
			}
		}
	}
	return nil
}

// remindNoticeChecks reminds each owner of threads of an open incident,
// every notices.check_interval after the first notice, to go over the
// incident, its chat and the customers' threads (R48): one prompt per
// owner and incident each time, however many tenants.
func (tx *tx) remindNoticeChecks(ctx context.Context, s herald.Settings) error {
	every := time.Duration(s.Notices.CheckInterval)
	if every <= 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.incident_id, t.owner_id, MIN(t.first_sent_at), count(*) FROM notice_threads t JOIN incidents i ON i.id = t.incident_id
		WHERE t.first_sent_at IS NOT NULL AND i.state <> $1 GROUP BY t.incident_id, t.owner_id`, herald.Resolved)
	if err != nil {
		return fmt.Errorf("read notice threads to check: %w", err)
	}
	type due struct {
		incident, owner string
		first           int64
		n               int
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.incident, &d.owner, &d.first, &d.n); err != nil {
			rows.Close()
			return err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range list {
		first := fromMicros(d.first)
		slots := tx.now.Sub(first) / every
		if slots < 1 {
			continue
		}
		at := first.Add(slots * every)
		inc, err := tx.incident(ctx, d.incident)
		if err != nil {
			return err
		}
		url := tx.db.links.Console() + "/incidents/" + inc.Reference + "/notices"
		_, _, err = tx.prompt(ctx, promptSpec{Kind: herald.PromptNoticeCheck, IncidentID: d.incident, Occurrence: occurrenceAt(at, "check"),
			Notice: herald.NoticeCheckPrompt(inc.Reference, d.n, url)}, d.owner)
		if err != nil {
			return err
		}
	}
	return nil
}

// noticeIncidentOpen: a check reminder goes only while its incident is open.
func (tx *tx) noticeIncidentOpen(ctx context.Context, incidentID, _ string) (bool, error) {
	inc, err := tx.incident(ctx, incidentID)
	return err == nil && inc.State != herald.Resolved, nil
}

// noticeStillUnanswered: the reminder goes only while the reply it is
// about still waits.
func (tx *tx) noticeStillUnanswered(ctx context.Context, _ string, occurrence string) (bool, error) {
	since, err := occurrenceTime(occurrence)
	if err != nil {
		return false, nil
	}
	_, threadID, _ := strings.Cut(occurrence, "/")
	var n int
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM notice_threads WHERE id = $1 AND awaiting_since = $2`, threadID, micros(since)).Scan(&n)
	return n > 0, err
}

// IncidentNotices is the incident's view of its tenants (item 10).
func (db *NoticeService) IncidentNotices(ctx context.Context, ref string) (herald.IncidentNotices, error) {
	out := herald.IncidentNotices{Tenants: []herald.TenantNoticeStatus{}, PendingApprovals: []herald.NoticeApproval{}}
	err := db.read(ctx, func(tx *tx) error {
		inc, err := tx.incident(ctx, ref)
		if err != nil {
			return err
		}
		out.IncidentID, out.Reference = inc.ID, inc.Reference
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		tenants, err := tx.linkedTenants(ctx, "incident_tenants", "incident_id", inc.ID)
		if err != nil {
			return err
		}
		threads, err := tx.threads(ctx, s.Notices, `t.source_kind = 'incident' AND t.source_id = $1`, inc.ID)
		if err != nil {
			return err
		}
		byTenant := map[string]herald.NoticeThread{}
		for _, th := range threads {
			byTenant[th.TenantID] = th
		}
		for _, t := range tenants {
			st := herald.TenantNoticeStatus{TenantID: t.ID, TenantName: t.Name}
			if _, _, err := t.NoticeRecipients(); err != nil {
				st.Problem = "no operational e-mail address"
			}
			if th, ok := byTenant[t.ID]; ok {
				st.ThreadID, st.OwnerName, st.Told = th.ID, th.OwnerName, th.FirstSentAt != nil
				st.LastMessageAt, st.LastMessage, st.NextNoticeDue, st.AwaitingReplySince = th.LastMessageAt, th.LastMessage, th.NextNoticeDue, th.AwaitingReplySince
				st.NoticeDue = th.NoticeDue
				delete(byTenant, t.ID)
			}
			out.Tenants = append(out.Tenants, st)
		}
		out.PendingApprovals, err = tx.approvals(ctx, "", `a.status = 'pending' AND t.incident_id = $1`, inc.ID)
		return err
	})
	return out, err
}

// CustomerNotice is what a notice delivery is: one e-mail to the tenant's
// first address with the others in copy, threaded by its Message-ID.
type CustomerNotice struct {
	Subject, Body string
	// MessageID, InReplyTo and References are without angle brackets.
	MessageID     string
	InReplyTo     string
	References    []string
	ReplyTo       string
	Cc            []string
	Tag           string
	SupportRegion string
}

// prepareNotice reads what a notice delivery needs.
func (tx *tx) prepareNotice(ctx context.Context, o *Outgoing) error {
	n := &CustomerNotice{}
	var threadID, token, cc string
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT m.thread_id, m.subject, m.body, m.message_id, m.in_reply_to, m.created_at, t.to_addr, t.cc, t.token, t.tag, t.support_region
		FROM notice_deliveries d JOIN notice_messages m ON m.id = d.message_id JOIN notice_threads t ON t.id = m.thread_id WHERE d.id = $1`, o.ID).
		Scan(&threadID, &n.Subject, &n.Body, &n.MessageID, &n.InReplyTo, &at, &o.Target, &cc, &token, &n.Tag, &n.SupportRegion)
	if err != nil {
		return dbErr("read notice delivery", err)
	}
	o.Kind = "email"
	o.Notice = n
	if err := json.Unmarshal([]byte(cc), &n.Cc); err != nil {
		return fmt.Errorf("decode thread cc: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT message_id FROM notice_messages WHERE thread_id = $1 AND id <> $2 AND created_at <= $3 ORDER BY created_at, id`, threadID, o.ID, at)
	if err != nil {
		return dbErr("read thread references", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return dbErr("read thread references", err)
		}
		n.References = append(n.References, id)
	}
	rows.Close()
	s, err := tx.settings(ctx)
	if err != nil {
		return dbErr("read settings", err)
	}
	n.ReplyTo = s.Notices.ReplyAddress(token)
	return nil
}

// nextCustomerNotice is when the thread's next notice is owed after one
// sent now: the incident's severity (a maintenance's thread counts as not
// S1) and the tenant's business hours decide (herald.NextCustomerNotice).
func (tx *tx) nextCustomerNotice(ctx context.Context, s herald.Settings, th herald.NoticeThread) (time.Time, error) {
	t, err := tx.tenant(ctx, th.TenantID)
	if err != nil {
		return time.Time{}, err
	}
	sev := herald.S4
	if th.IncidentID != "" {
		inc, err := tx.incident(ctx, th.IncidentID)
		if err != nil {
			return time.Time{}, err
		}
		sev = inc.Severity
	}
	return herald.NextCustomerNotice(tx.now, sev, t.BusinessHours, s.Notices), nil
}
