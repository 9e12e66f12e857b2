package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/chatops"
)

// The status update composer as a Slack modal (issue 15 item 2): `status`
// from Slack (the slash command, the "Status update" and "Publish update"
// buttons) opens it with views.open on the request's trigger_id. It holds
// the incident's state, the message, the templates the executor fills
// for the incident and the status of each component of its status page
// incident. While the person types, Slack sends block_actions
// (dispatch_action on character entered) and Herald answers with
// views.update showing the count against the limits (R14: 220 before
// the link, 280 in all); choosing a template fills the message. On
// submission the text is checked again and published through the same
// service call as the API (chatops.PublishStatus), or the modal shows the
// errors beside the fields.

// Block Kit's limits for modals (Slack's reference for views, blocks and
// elements).
const (
	MaxViewBlocks       = 100  // blocks in a modal
	MaxViewTitle        = 24   // characters of a modal's title
	MaxViewButton       = 24   // characters of its submit and close texts
	MaxPrivateMetadata  = 3000 // characters of private_metadata
	MaxBlockID          = 255  // characters of a block_id, action_id or callback_id
	MaxOptions          = 100  // options of a static_select
	MaxOptionText       = 75   // characters of an option's text
	MaxOptionValue      = 150  // characters of an option's value
	MaxInputLabel       = 2000 // characters of an input block's label
	MaxPlaceholder      = 150  // characters of a placeholder
	MaxInputValue       = 3000 // characters of a plain_text_input's value
	MaxContextElements  = 10   // elements of a context block
	maxViewError        = 150  // characters of an error beside a field (kept short to show whole)
	maxComponentsInView = 40   // component selects shown; more are set in the console
)

// StatusCallback is the callback_id of the status composer's modal.
const StatusCallback = "herald_status"

// Block and action ids of the composer.
const (
	blockState     = "state"
	blockTemplate  = "template"
	blockMessage   = "message" // + "-<version>": a template's text replaces what was typed
	blockCount     = "count"
	blockComponent = "component:" // + the component's id
	actionMessage  = "message"
	actionSelect   = "select"
)

// View is a Slack view (a modal), as JSON.
type View map[string]any

// modalMeta is what the modal carries in private_metadata: the incident,
// where to say it was published (the response URL of the command or
// button that opened it), and the message block's generation.
type modalMeta struct {
	Incident    string `json:"i"`
	ResponseURL string `json:"r,omitempty"`
	Version     int    `json:"v"`
}

// composerView is what a modal shows.
type composerView struct {
	Incident   *herald.Incident
	Composer   *herald.StatusComposer
	Components []componentChoice
	Settings   herald.Settings
	Meta       modalMeta
	// Text is the message as typed (or filled from a template); Template
	// the template chosen, State the state chosen.
	Text, Template string
	State          herald.State
}

type componentChoice struct {
	ID, Name string
	Status   herald.ComponentStatus
}

func plain(s string, n int) map[string]any {
	return map[string]any{"type": "plain_text", "text": cut(s, n)}
}

func option(text, value string) map[string]any {
	return map[string]any{"text": plain(text, MaxOptionText), "value": value}
}

// StatusView builds the composer's modal within Block Kit's limits.
func (v composerView) build() View {
	inc, comp := v.Incident, v.Composer
	head := fmt.Sprintf("*%s* (%s, %s): %s", escape(inc.Reference), escape(string(inc.Severity)), escape(inc.State.Title()), escape(inc.Title))
	if comp.StatusIncidentID == "" {
		head += "\nThis is the first public update: it creates the incident on the status page."
	}
	blocks := []Block{{"type": "section", "text": mrkdwn(cut(head, MaxSectionText))}}

	var states []any
	var initial map[string]any
	for _, s := range herald.States {
		o := option(s.Title(), string(s))
		if s == v.State {
			initial = o
		}
		states = append(states, o)
	}
	sel := map[string]any{"type": "static_select", "action_id": actionSelect, "options": states}
	if initial != nil {
		sel["initial_option"] = initial
	}
	blocks = append(blocks, Block{"type": "input", "block_id": blockState, "label": plain("State", MaxInputLabel), "element": sel})

	var tmpls []any
	var chosen map[string]any
	for _, t := range comp.Templates {
		if len(tmpls) == MaxOptions || len(t.Name) > MaxOptionValue {
			continue
		}
		o := option(t.Name, t.Name)
		if t.Name == v.Template {
			chosen = o
		}
		tmpls = append(tmpls, o)
	}
	if len(tmpls) > 0 {
		ts := map[string]any{"type": "static_select", "action_id": actionSelect, "options": tmpls, "placeholder": plain("Start from a template", MaxPlaceholder)}
		if chosen != nil {
			ts["initial_option"] = chosen
		}
		blocks = append(blocks, Block{"type": "input", "block_id": blockTemplate, "optional": true, "dispatch_action": true,
			"label": plain("Template", MaxInputLabel), "element": ts})
	}

	msg := map[string]any{"type": "plain_text_input", "action_id": actionMessage, "multiline": true,
		"placeholder":            plain("What people need to know now, and what happens next", MaxPlaceholder),
		"dispatch_action_config": map[string]any{"trigger_actions_on": []string{"on_character_entered"}}}
	if v.Text != "" {
		msg["initial_value"] = cutRunes(v.Text, MaxInputValue)
	}
	hint := "Herald checks the length as you type."
	if v.Settings.IncidentLink == herald.LinkAppend {
		hint = "Herald adds the incident's link at the end; it checks the length as you type."
	}
	blocks = append(blocks, Block{"type": "input", "block_id": fmt.Sprintf("%s-%d", blockMessage, v.Meta.Version), "dispatch_action": true,
		"label": plain("Message", MaxInputLabel), "hint": plain(hint, MaxInputLabel), "element": msg})
	blocks = append(blocks, Block{"type": "context", "block_id": blockCount, "elements": []any{mrkdwn(countText(v.Text, v.Settings))}})

	for _, c := range v.Components {
		if len(blocks) == MaxViewBlocks {
			break
		}
		var opts []any
		var cur map[string]any
		for _, s := range herald.ComponentStatuses {
			o := option(s.Label(), string(s))
			if s == c.Status {
				cur = o
			}
			opts = append(opts, o)
		}
		el := map[string]any{"type": "static_select", "action_id": actionSelect, "options": opts}
		if cur != nil {
			el["initial_option"] = cur
		}
		id := blockComponent + c.ID
		if len(id) > MaxBlockID {
			continue
		}
		blocks = append(blocks, Block{"type": "input", "block_id": id, "optional": true, "label": plain(c.Name, MaxInputLabel), "element": el})
	}
	meta, _ := json.Marshal(v.Meta)
	return View{"type": "modal", "callback_id": StatusCallback, "private_metadata": string(meta),
		"title": plain("Status update", MaxViewTitle), "submit": plain("Publish", MaxViewButton), "close": plain("Cancel", MaxViewButton),
		"blocks": blocks}
}

// cutRunes shortens s to n characters (a plain text value: no escapes).
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// updateLength is how long an update is as the checks count it (R14):
// the characters before the incident link, and the whole with each link
// counted as LinkCountsAs, the link Herald appends included.
func updateLength(text string, s herald.Settings) (before, total int) {
	text = strings.TrimSpace(text)
	lim := s.UpdateLimits
	before = utf8.RuneCountInString(text)
	total = herald.SocialLength(text, lim.LinkCountsAs)
	if s.IncidentLink == herald.LinkAppend {
		total += 1 + lim.LinkCountsAs
	}
	return before, total
}

// countText is the live count under the message.
func countText(text string, s herald.Settings) string {
	before, total := updateLength(text, s)
	lim := s.UpdateLimits
	out := fmt.Sprintf("%d of %d characters before the link · %d of %d in all (a link counts as %d)", before, lim.BeforeLink, total, lim.Total, lim.LinkCountsAs)
	if before > lim.BeforeLink || total > lim.Total {
		out = ":warning: Too long: " + out
	}
	return out
}

// lengthError says what is wrong with an update's length, "" when it
// fits.
func lengthError(text string, s herald.Settings) string {
	before, total := updateLength(text, s)
	lim := s.UpdateLimits
	switch {
	case strings.TrimSpace(text) == "":
		return "Write the update, or start from a template."
	case before > lim.BeforeLink:
		return fmt.Sprintf("%d characters before the link: at most %d. Shorten it.", before, lim.BeforeLink)
	case total > lim.Total:
		return fmt.Sprintf("%d characters in all with the link: at most %d. Shorten it.", total, lim.Total)
	}
	return ""
}

// OpenView opens a modal on a trigger_id (valid 3 s after the
// interaction) and answers the view's id.
func (c *Client) OpenView(ctx context.Context, triggerID string, view View) (string, error) {
	var out struct {
		View struct {
			ID string `json:"id"`
		} `json:"view"`
	}
	err := c.call(ctx, "views.open", map[string]any{"trigger_id": triggerID, "view": view}, false, &out)
	return out.View.ID, err
}

// UpdateView replaces an open modal; hash (when given) refuses to
// overwrite a newer state of it.
func (c *Client) UpdateView(ctx context.Context, viewID, hash string, view View) error {
	args := map[string]any{"view_id": viewID, "view": view}
	if hash != "" {
		args["hash"] = hash
	}
	return c.call(ctx, "views.update", args, false, &struct{}{})
}

// composer gathers what the modal shows for an incident: the executor's
// composer (templates filled, the state), the settings, the components of
// its status page incident.
func (a *App) composer(ctx context.Context, actor herald.Actor, ref string) (composerView, error) {
	out, err := a.Exec.Execute(ctx, actor, herald.ChatCommand{Verb: herald.ChatStatus, Incident: ref}, chatops.Request{Platform: herald.ChatSlack})
	if err != nil {
		return composerView{}, err
	}
	if out.Composer == nil {
		return composerView{}, fmt.Errorf("the status command opened no composer")
	}
	inc, err := a.Exec.Services.Incidents.Incident(ctx, out.Incident)
	if err != nil {
		return composerView{}, err
	}
	s, err := a.Exec.Services.Settings.Settings(ctx)
	if err != nil {
		return composerView{}, err
	}
	v := composerView{Incident: inc, Composer: out.Composer, Settings: s, State: out.Composer.State}
	if inc.StatusIncidentID != "" {
		si, err := a.Exec.Services.StatusPage.StatusIncident(ctx, inc.StatusIncidentID)
		if err != nil {
			return composerView{}, err
		}
		comps, err := a.Exec.Services.StatusPage.Components(ctx)
		if err != nil {
			return composerView{}, err
		}
		for _, c := range comps {
			if st, ok := si.Components[c.ID]; ok && len(v.Components) < maxComponentsInView {
				v.Components = append(v.Components, componentChoice{ID: c.ID, Name: c.Name, Status: st})
			}
		}
	}
	return v, nil
}

// openComposer opens the modal for a `status` without text; false when it
// cannot (the incident is restricted, Slack refused), and the composer is
// answered as a message instead. A FedRAMP tenant's incident (R46) gets
// no modal: its title and templates would be shown in Slack.
func (a *App) openComposer(ctx context.Context, cr herald.SlackCredentials, actor herald.Actor, c command, ref string) bool {
	if r, err := a.Store.ChatRestriction(ctx, ref); err != nil || r != nil {
		return false
	}
	v, err := a.composer(ctx, actor, ref)
	if err != nil {
		return false
	}
	v.Meta = modalMeta{Incident: v.Incident.Reference, ResponseURL: c.ResponseURL}
	view := v.build()
	if err := CheckView(view); err != nil {
		a.log().Error("slack: the status composer breaks Block Kit's limits", "err", err)
		return false
	}
	if _, err := a.client(cr).OpenView(ctx, c.TriggerID, view); err != nil {
		a.log().Warn("slack: views.open failed; answering the composer as a message", "err", err)
		return false
	}
	return true
}

// viewPayload is the part of an interaction payload that concerns a view.
type viewPayload struct {
	ID              string `json:"id"`
	Hash            string `json:"hash"`
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	State           struct {
		Values map[string]map[string]viewValue `json:"values"`
	} `json:"state"`
}

type viewValue struct {
	Type           string `json:"type"`
	Value          string `json:"value"`
	SelectedOption *struct {
		Value string `json:"value"`
	} `json:"selected_option"`
}

// value is what one input of the view holds: the text typed or the
// option chosen.
func (p viewPayload) value(block string) string {
	for _, v := range p.State.Values[block] {
		if v.SelectedOption != nil {
			return v.SelectedOption.Value
		}
		return v.Value
	}
	return ""
}

// messageBlock is the message input's block id in this state of the view.
func (p viewPayload) messageBlock(meta modalMeta) string {
	return fmt.Sprintf("%s-%d", blockMessage, meta.Version)
}

func (p viewPayload) meta() (modalMeta, error) {
	var m modalMeta
	err := json.Unmarshal([]byte(p.PrivateMetadata), &m)
	if err == nil && m.Incident == "" {
		err = errors.New("no incident")
	}
	return m, err
}

// composerAction answers a block_actions of the modal: typing updates the
// count; a template fills the message (a new message block, so Slack
// shows the template's text instead of what was typed).
func (a *App) composerAction(ctx context.Context, cr herald.SlackCredentials, team, user, name string, p viewPayload, blockID, actionValue string) {
	meta, err := p.meta()
	if err != nil {
		return
	}
	if r, err := a.Store.ChatRestriction(ctx, meta.Incident); err != nil || r != nil {
		return // restricted since the modal opened (R46): show nothing more of it
	}
	actor, reply, err := a.identify(ctx, cr, team, user, name)
	if err != nil || reply != nil {
		return
	}
	v, err := a.composer(ctx, actor, meta.Incident)
	if err != nil {
		a.log().Warn("slack: refreshing the status composer failed", "err", herald.ErrorCode(err))
		return
	}
	v.Text = p.value(p.messageBlock(meta))
	v.Template = p.value(blockTemplate)
	if st := herald.State(p.value(blockState)); st.Valid() {
		v.State = st
	}
	for i, c := range v.Components {
		if st := herald.ComponentStatus(p.value(blockComponent + c.ID)); st.Valid() {
			v.Components[i].Status = st
		}
	}
	switch {
	case blockID == blockTemplate:
		i := slices.IndexFunc(v.Composer.Templates, func(t herald.ChatTemplate) bool { return t.Name == actionValue })
		if i < 0 {
			return
		}
		v.Template, v.Text = actionValue, v.Composer.Templates[i].Text
		meta.Version++
	case strings.HasPrefix(blockID, blockMessage):
		v.Text = actionValue
	default:
		return
	}
	v.Meta = meta
	view := v.build()
	if err := CheckView(view); err != nil {
		a.log().Error("slack: the status composer breaks Block Kit's limits", "err", err)
		return
	}
	if err := a.client(cr).UpdateView(ctx, p.ID, p.Hash, view); err != nil {
		a.log().Warn("slack: views.update failed", "err", err)
	}
}

// submitComposer answers a view_submission of the modal, within Slack's
// 3 s: the errors beside their fields, or an empty answer that closes it
// once the update is published; the published text follows through the
// response URL of what opened the modal.
func (a *App) submitComposer(w http.ResponseWriter, ctx context.Context, cr herald.SlackCredentials, team, user, name string, p viewPayload) {
	meta, err := p.meta()
	if err != nil {
		http.Error(w, "not Herald's view", http.StatusBadRequest)
		return
	}
	msgBlock := p.messageBlock(meta)
	fail := func(errs map[string]string) {
		for k, v := range errs {
			errs[k] = cutRunes(v, maxViewError)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"response_action": "errors", "errors": errs})
	}
	actor, reply, err := a.identify(ctx, cr, team, user, name)
	if err != nil || reply != nil {
		msg := "Herald does not know you yet: type /herald help to link your account."
		if err != nil {
			msg = chatops.ErrorReply(err).Text
		}
		fail(map[string]string{msgBlock: msg})
		return
	}
	s, err := a.Exec.Services.Settings.Settings(ctx)
	if err != nil {
		fail(map[string]string{msgBlock: chatops.ErrorReply(err).Text})
		return
	}
	text := strings.TrimSpace(p.value(msgBlock))
	if e := lengthError(text, s); e != "" {
		fail(map[string]string{msgBlock: e})
		return
	}
	in := chatops.StatusInput{State: herald.State(p.value(blockState)), Text: text, Components: map[string]herald.ComponentStatus{}}
	for block := range p.State.Values {
		if id, ok := strings.CutPrefix(block, blockComponent); ok {
			if st := herald.ComponentStatus(p.value(block)); st != "" {
				in.Components[id] = st
			}
		}
	}
	out, err := a.Exec.PublishStatus(ctx, actor, meta.Incident, in)
	if err != nil {
		fail(submitErrors(err, msgBlock))
		return
	}
	w.WriteHeader(http.StatusOK) // closes the modal
	a.respond(ctx, meta.ResponseURL, out)
}

// submitErrors puts a refusal beside the field it is about: the state,
// a component, or else the message.
func submitErrors(err error, msgBlock string) map[string]string {
	var he *herald.Error
	if !errors.As(err, &he) || len(he.Fields) == 0 {
		return map[string]string{msgBlock: chatops.ErrorReply(err).Text}
	}
	out := map[string]string{}
	for f, msg := range he.Fields {
		block := msgBlock
		switch {
		case f == "status":
			block = blockState
		case strings.HasPrefix(f, "components."):
			block = blockComponent + strings.TrimPrefix(f, "components.")
		}
		if out[block] != "" {
			out[block] += "; "
		}
		out[block] += msg
	}
	if _, ok := out[msgBlock]; !ok && len(out) > 0 && he.Message != "" {
		out[msgBlock] = he.Message
	}
	return out
}
