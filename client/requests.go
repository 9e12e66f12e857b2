package client

import (
	"context"
	"net/url"

	"github.com/heraldhq/herald"
)

// ContactRequests lists contact requests: status open, done or cancelled
// (empty: all), owner a user's id or e-mail (empty: everyone's).
func (c *RequestsClient) ContactRequests(ctx context.Context, status, owner string) ([]herald.ContactRequest, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if owner != "" {
		q.Set("owner", owner)
	}
	var out struct {
		ContactRequests []herald.ContactRequest `json:"contact_requests"`
	}
	return out.ContactRequests, c.do(ctx, "GET", "/api/v1/contact-requests?"+q.Encode(), nil, &out)
}

// OpenContactRequest opens a contact request (R61).
func (c *RequestsClient) OpenContactRequest(ctx context.Context, in herald.ContactRequestInput) (herald.ContactRequest, error) {
	var out herald.ContactRequest
	return out, c.do(ctx, "POST", "/api/v1/contact-requests", in, &out)
}

// ContactRequest reads one contact request with its notes.
func (c *RequestsClient) ContactRequest(ctx context.Context, id string) (herald.ContactRequest, error) {
	var out herald.ContactRequest
	return out, c.do(ctx, "GET", "/api/v1/contact-requests/"+esc(id), nil, &out)
}

// NoteContactRequest adds progress to an open contact request.
func (c *RequestsClient) NoteContactRequest(ctx context.Context, id, text string) (herald.ContactRequest, error) {
	var out herald.ContactRequest
	return out, c.do(ctx, "POST", "/api/v1/contact-requests/"+esc(id)+"/notes", map[string]string{"text": text}, &out)
}

// CompleteContactRequest closes a contact request as done.
func (c *RequestsClient) CompleteContactRequest(ctx context.Context, id string, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	var out herald.ContactRequest
	return out, c.do(ctx, "POST", "/api/v1/contact-requests/"+esc(id)+"/complete", in, &out)
}

// CancelContactRequest cancels a contact request with a reason.
func (c *RequestsClient) CancelContactRequest(ctx context.Context, id string, in herald.ContactRequestClose) (herald.ContactRequest, error) {
	var out herald.ContactRequest
	return out, c.do(ctx, "POST", "/api/v1/contact-requests/"+esc(id)+"/cancel", in, &out)
}
