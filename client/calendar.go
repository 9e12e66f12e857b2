package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// NewCalendarFeed makes a user's calendar feed links for calendar apps,
// replacing the old ones (yourself, or anyone as admin). The links are in
// the answer only: they are the credential.
func (c *PeopleClient) NewCalendarFeed(ctx context.Context, user string) (herald.CalendarFeed, error) {
	var out herald.CalendarFeed
	return out, c.do(ctx, "POST", "/api/v1/users/"+esc(user)+"/calendar-feed", nil, &out)
}

// CalendarFeed says whether a user has calendar feed links, and since when.
func (c *PeopleClient) CalendarFeed(ctx context.Context, user string) (herald.CalendarFeed, error) {
	var out herald.CalendarFeed
	return out, c.do(ctx, "GET", "/api/v1/users/"+esc(user)+"/calendar-feed", nil, &out)
}

// RevokeCalendarFeed ends a user's calendar feed links.
func (c *PeopleClient) RevokeCalendarFeed(ctx context.Context, user string) error {
	return c.do(ctx, "DELETE", "/api/v1/users/"+esc(user)+"/calendar-feed", nil, nil)
}
