package slack

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// CheckView checks a modal against Block Kit's published limits for
// views, blocks and elements (the ones Herald's modals use): a title,
// submit and close of at most 24 characters, at most 100 blocks with
// unique block ids of at most 255, private_metadata of at most 3,000,
// labels of 2,000, placeholders of 150, selects of at most 100 options
// (text 75, value 150) whose initial option is one of them, text inputs
// whose initial value fits 3,000, sections of 3,000 and context blocks of
// at most 10 elements. Slack refuses a view that breaks one
// (invalid_arguments); the tests check every modal Herald sends with it.
func CheckView(v View) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var view struct {
		Type            string           `json:"type"`
		CallbackID      string           `json:"callback_id"`
		PrivateMetadata string           `json:"private_metadata"`
		Title           *textObject      `json:"title"`
		Submit          *textObject      `json:"submit"`
		Close           *textObject      `json:"close"`
		Blocks          []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &view); err != nil {
		return err
	}
	if view.Type != "modal" {
		return fmt.Errorf("type %q is not modal", view.Type)
	}
	if view.Title == nil {
		return fmt.Errorf("a modal needs a title")
	}
	for name, t := range map[string]*textObject{"title": view.Title, "submit": view.Submit, "close": view.Close} {
		if t == nil {
			continue
		}
		if err := t.check(name, MaxViewTitle, true); err != nil {
			return err
		}
	}
	if n := utf8.RuneCountInString(view.CallbackID); n > MaxBlockID {
		return fmt.Errorf("callback_id of %d characters", n)
	}
	if n := utf8.RuneCountInString(view.PrivateMetadata); n > MaxPrivateMetadata {
		return fmt.Errorf("private_metadata of %d characters", n)
	}
	if len(view.Blocks) == 0 || len(view.Blocks) > MaxViewBlocks {
		return fmt.Errorf("%d blocks: a modal has 1 to %d", len(view.Blocks), MaxViewBlocks)
	}
	ids := map[string]bool{}
	for i, b := range view.Blocks {
		raw, _ := json.Marshal(b)
		if err := checkBlock(raw, ids); err != nil {
			return fmt.Errorf("block %d: %w", i, err)
		}
	}
	return nil
}

type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func (t textObject) check(name string, max int, plainOnly bool) error {
	if t.Type != "plain_text" && (plainOnly || t.Type != "mrkdwn") {
		return fmt.Errorf("%s is %q text", name, t.Type)
	}
	if n := utf8.RuneCountInString(t.Text); n == 0 || n > max {
		return fmt.Errorf("%s of %d characters: 1 to %d", name, n, max)
	}
	return nil
}

type optionObject struct {
	Text  textObject `json:"text"`
	Value string     `json:"value"`
}

func checkBlock(raw []byte, ids map[string]bool) error {
	var b struct {
		Type     string          `json:"type"`
		BlockID  string          `json:"block_id"`
		Text     *textObject     `json:"text"`
		Label    *textObject     `json:"label"`
		Hint     *textObject     `json:"hint"`
		Elements []textObject    `json:"elements"`
		Element  json.RawMessage `json:"element"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return err
	}
	if b.BlockID != "" {
		if utf8.RuneCountInString(b.BlockID) > MaxBlockID || ids[b.BlockID] {
			return fmt.Errorf("block_id %q is too long or not unique", b.BlockID)
		}
		ids[b.BlockID] = true
	}
	switch b.Type {
	case "section":
		if b.Text == nil {
			return fmt.Errorf("a section without text")
		}
		return b.Text.check("section text", MaxSectionText, false)
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > MaxContextElements {
			return fmt.Errorf("a context of %d elements", len(b.Elements))
		}
		for _, e := range b.Elements {
			if err := e.check("context text", MaxSectionText, false); err != nil {
				return err
			}
		}
		return nil
	case "input":
		if b.Label == nil {
			return fmt.Errorf("an input without a label")
		}
		if err := b.Label.check("label", MaxInputLabel, true); err != nil {
			return err
		}
		if b.Hint != nil {
			if err := b.Hint.check("hint", MaxInputLabel, true); err != nil {
				return err
			}
		}
		return checkElement(b.Element)
	}
	return fmt.Errorf("block type %q is not one Herald's modals use", b.Type)
}

func checkElement(raw json.RawMessage) error {
	var el struct {
		Type          string         `json:"type"`
		ActionID      string         `json:"action_id"`
		Placeholder   *textObject    `json:"placeholder"`
		Options       []optionObject `json:"options"`
		InitialOption *optionObject  `json:"initial_option"`
		InitialValue  string         `json:"initial_value"`
		MaxLength     int            `json:"max_length"`
		Dispatch      *struct {
			TriggerActionsOn []string `json:"trigger_actions_on"`
		} `json:"dispatch_action_config"`
	}
	if err := json.Unmarshal(raw, &el); err != nil {
		return err
	}
	if el.ActionID == "" || utf8.RuneCountInString(el.ActionID) > MaxBlockID {
		return fmt.Errorf("action_id %q", el.ActionID)
	}
	if el.Placeholder != nil {
		if err := el.Placeholder.check("placeholder", MaxPlaceholder, true); err != nil {
			return err
		}
	}
	switch el.Type {
	case "static_select":
		if len(el.Options) == 0 || len(el.Options) > MaxOptions {
			return fmt.Errorf("a select of %d options", len(el.Options))
		}
		values := map[string]bool{}
		for _, o := range el.Options {
			if err := o.Text.check("option text", MaxOptionText, true); err != nil {
				return err
			}
			if n := utf8.RuneCountInString(o.Value); n == 0 || n > MaxOptionValue || values[o.Value] {
				return fmt.Errorf("option value %q: 1 to %d characters, unique", o.Value, MaxOptionValue)
			}
			values[o.Value] = true
		}
		if el.InitialOption != nil && !values[el.InitialOption.Value] {
			return fmt.Errorf("initial option %q is not an option", el.InitialOption.Value)
		}
	case "plain_text_input":
		if n := utf8.RuneCountInString(el.InitialValue); n > MaxInputValue || (el.MaxLength > 0 && n > el.MaxLength) {
			return fmt.Errorf("initial value of %d characters", n)
		}
		if el.Dispatch != nil {
			for _, on := range el.Dispatch.TriggerActionsOn {
				if on != "on_enter_pressed" && on != "on_character_entered" {
					return fmt.Errorf("trigger_actions_on %q", on)
				}
			}
		}
	default:
		return fmt.Errorf("element type %q is not one Herald's modals use", el.Type)
	}
	return nil
}
