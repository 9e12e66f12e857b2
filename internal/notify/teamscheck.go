package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// teams14Elements are the element types of Adaptive Card schema 1.4, and
// teams14Actions its actions: a card with anything newer is not shown by
// every Teams client.
var teams14Elements = map[string]bool{"TextBlock": true, "Image": true, "Media": true, "RichTextBlock": true, "TextRun": true,
	"Container": true, "ColumnSet": true, "Column": true, "FactSet": true, "ImageSet": true, "ActionSet": true,
	"Input.Text": true, "Input.Number": true, "Input.Date": true, "Input.Time": true, "Input.Toggle": true, "Input.ChoiceSet": true}

var teams14Actions = map[string]bool{"Action.OpenUrl": true, "Action.Submit": true, "Action.ShowCard": true,
	"Action.ToggleVisibility": true, "Action.Execute": true}

// CheckTeamsCard checks a Teams webhook body against the limits that can
// be checked without Microsoft: the envelope (a message with one Adaptive
// Card attachment, contentUrl null), schema version 1.4 or below, only 1.4
// element and action types, at most TeamsMaxPayload bytes, every TextBlock
// and fact a string, and every Action.OpenUrl URL absolute https or under
// one of base (the console's base URL, which may be http on a private
// network).
func CheckTeamsCard(body []byte, base ...string) error {
	if len(body) > TeamsMaxPayload {
		return fmt.Errorf("the body is %d bytes, over %d", len(body), TeamsMaxPayload)
	}
	var env struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string           `json:"contentType"`
			ContentURL  *json.RawMessage `json:"contentUrl"`
			Content     map[string]any   `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if env.Type != "message" || len(env.Attachments) != 1 {
		return fmt.Errorf("the envelope must be a message with one attachment, not %q with %d", env.Type, len(env.Attachments))
	}
	a := env.Attachments[0]
	if a.ContentType != "application/vnd.microsoft.card.adaptive" {
		return fmt.Errorf("contentType %q", a.ContentType)
	}
	if a.ContentURL != nil && string(*a.ContentURL) != "null" {
		return fmt.Errorf("contentUrl must be null")
	}
	card := a.Content
	if card["type"] != "AdaptiveCard" {
		return fmt.Errorf("content type %v, not AdaptiveCard", card["type"])
	}
	v, _ := card["version"].(string)
	major, minor, ok := strings.Cut(v, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if !ok || err1 != nil || err2 != nil || ma != 1 || mi > 4 {
		return fmt.Errorf("version %q: must be 1.4 or below", v)
	}
	body0, _ := card["body"].([]any)
	if len(body0) == 0 {
		return fmt.Errorf("the card has no body")
	}
	if err := checkElements(body0, base); err != nil {
		return err
	}
	if acts, ok := card["actions"]; ok {
		list, _ := acts.([]any)
		if err := checkActions(list, base); err != nil {
			return err
		}
	}
	return nil
}

func checkElements(list []any, base []string) error {
	for _, e := range list {
		el, _ := e.(map[string]any)
		t, _ := el["type"].(string)
		if !teams14Elements[t] {
			return fmt.Errorf("element type %q is not in schema 1.4", t)
		}
		switch t {
		case "TextBlock":
			if s, ok := el["text"].(string); !ok || s == "" {
				return fmt.Errorf("a TextBlock without text")
			}
		case "FactSet":
			facts, _ := el["facts"].([]any)
			if len(facts) == 0 {
				return fmt.Errorf("a FactSet without facts")
			}
			for _, f := range facts {
				fm, _ := f.(map[string]any)
				if _, ok := fm["title"].(string); !ok {
					return fmt.Errorf("a fact without a title")
				}
				if _, ok := fm["value"].(string); !ok {
					return fmt.Errorf("a fact without a value")
				}
			}
		case "ActionSet":
			acts, _ := el["actions"].([]any)
			if err := checkActions(acts, base); err != nil {
				return err
			}
		}
		for _, k := range []string{"items", "columns"} {
			if sub, ok := el[k].([]any); ok {
				if err := checkElements(sub, base); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkActions(list []any, base []string) error {
	for _, x := range list {
		a, _ := x.(map[string]any)
		t, _ := a["type"].(string)
		if !teams14Actions[t] {
			return fmt.Errorf("action type %q is not in schema 1.4", t)
		}
		if title, _ := a["title"].(string); title == "" {
			return fmt.Errorf("an action without a title")
		}
		if t != "Action.OpenUrl" {
			continue
		}
		u, _ := a["url"].(string)
		under := strings.HasPrefix(u, "https://")
		for _, b := range base {
			under = under || (b != "" && strings.HasPrefix(u, strings.TrimSuffix(b, "/")+"/"))
		}
		if !under {
			return fmt.Errorf("Action.OpenUrl to %q: must be absolute https or under the console's base URL", u)
		}
		if !openable(u) {
			return fmt.Errorf("Action.OpenUrl to %q is not an absolute URL", u)
		}
	}
	return nil
}
