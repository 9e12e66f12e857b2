package client

import (
	"context"

	"github.com/heraldhq/herald"
)

// GuardCheck is what the content guard (R45) found in a text.
type GuardCheck struct {
	OK       bool                  `json:"ok"`
	Findings []herald.GuardFinding `json:"findings"`
}

// GuardCheck runs the content guard on text with the organisation's
// patterns, as a public update is checked.
func (c *StatusPageClient) GuardCheck(ctx context.Context, text string) (GuardCheck, error) {
	var out GuardCheck
	return out, c.do(ctx, "POST", "/api/v1/guard/check", map[string]string{"text": text}, &out)
}
