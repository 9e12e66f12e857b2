package herald

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// SubscriberCSVHeader is the header of a subscriber export: kind, target,
// components (ids separated by spaces), confirmed, created_at. An import
// reads the same file back (kind and target are required; components is
// optional; the other columns are ignored).
var SubscriberCSVHeader = []string{"kind", "target", "components", "confirmed", "created_at"}

// WriteSubscribersCSV writes the export: the header, then one row for each
// subscriber export hands it. export is SubscriberService.ExportSubscribers
// (bound to a context); rows are written as they come, so the API and the
// console stream the list whatever its length.
func WriteSubscribersCSV(w io.Writer, export func(fn func(Subscriber) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SubscriberCSVHeader); err != nil {
		return err
	}
	err := export(func(s Subscriber) error {
		return cw.Write([]string{s.Kind, s.Target, strings.Join(s.Components, " "), strconv.FormatBool(s.Confirmed), s.CreatedAt.Format(time.RFC3339)})
	})
	cw.Flush()
	return errors.Join(err, cw.Error())
}

// ReadSubscribersCSV reads an import: a header naming at least kind and
// target (components is optional: ids separated by spaces), then one
// subscriber per line. The first line that cannot be read refuses the whole
// file (EInvalid, "line N: ..."); rows that read are validated by
// SubscriberService.ImportSubscribers, which names their lines the same
// way (the header is line 1).
func ReadSubscribersCSV(r io.Reader) ([]SubscriberInput, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, Errorf(EInvalid, "the body must be CSV with a header line: kind,target,components")
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	ki, ok1 := col["kind"]
	ti, ok2 := col["target"]
	if !ok1 || !ok2 {
		return nil, Errorf(EInvalid, "the header must name the columns kind and target (components is optional)")
	}
	ci, hasComps := col["components"]
	var rows []SubscriberInput
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, Errorf(EInvalid, "line %d: %v", line, err)
		}
		get := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		in := SubscriberInput{}
		switch get(ki) {
		case "email":
			in.Email = get(ti)
		case "webhook":
			in.WebhookURL = get(ti)
		case "slack":
			in.SlackURL = get(ti)
		case "teams":
			in.TeamsURL = get(ti)
		case "mattermost":
			in.MattermostURL = get(ti)
		default:
			return nil, &Error{Code: EInvalid, Message: fmt.Sprintf("line %d: kind must be email, webhook, slack, teams or mattermost", line)}
		}
		if hasComps && get(ci) != "" {
			in.Components = strings.Fields(get(ci))
		}
		rows = append(rows, in)
	}
}
