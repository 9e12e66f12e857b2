package client

import (
	"context"
	"net/url"

	"github.com/heraldhq/herald"
)

// OfferShift offers a window of your shift on a schedule to others.
func (c *ScheduleClient) OfferShift(ctx context.Context, schedule string, in herald.ShiftOfferInput) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	return out, c.do(ctx, "POST", "/api/v1/schedules/"+esc(schedule)+"/offers", in, &out)
}

// ShiftOffers lists shift offers: schedule an id or name (empty: every
// schedule's), status open, taken, withdrawn or expired (empty: all).
func (c *ScheduleClient) ShiftOffers(ctx context.Context, schedule, status string) ([]herald.ShiftOffer, error) {
	q := url.Values{}
	if schedule != "" {
		q.Set("schedule", schedule)
	}
	if status != "" {
		q.Set("status", status)
	}
	var out struct {
		Offers []herald.ShiftOffer `json:"offers"`
	}
	return out.Offers, c.do(ctx, "GET", "/api/v1/shift-offers?"+q.Encode(), nil, &out)
}

// ShiftOffer reads one shift offer.
func (c *ScheduleClient) ShiftOffer(ctx context.Context, id string) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	return out, c.do(ctx, "GET", "/api/v1/shift-offers/"+esc(id), nil, &out)
}

// TakeShiftOffer takes an open offer: you are on call for its window.
func (c *ScheduleClient) TakeShiftOffer(ctx context.Context, id string) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	return out, c.do(ctx, "POST", "/api/v1/shift-offers/"+esc(id)+"/take", nil, &out)
}

// WithdrawShiftOffer withdraws your open offer.
func (c *ScheduleClient) WithdrawShiftOffer(ctx context.Context, id string) (herald.ShiftOffer, error) {
	var out herald.ShiftOffer
	return out, c.do(ctx, "POST", "/api/v1/shift-offers/"+esc(id)+"/withdraw", nil, &out)
}
