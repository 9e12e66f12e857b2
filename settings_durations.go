package herald

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Every duration in the settings is written as a duration ("10m"). The
// cadence table and the monitoring period were once whole minutes; what
// was saved then still reads: a JSON number in the cadence is minutes, and
// the old "monitoring_minutes" is taken when "monitoring" is not given.

// CadenceTable is the time between public updates by state and severity
// (R13); 0 means no further update is owed.
type CadenceTable map[State]map[Severity]Duration

// UnmarshalJSON reads durations ("10m"), and numbers as minutes (settings
// saved before the cadence was written as durations). Like a plain map it
// merges states into what is there, each state's row replaced whole.
func (c *CadenceTable) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var raw map[State]map[Severity]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if *c == nil {
		*c = CadenceTable{}
	}
	for st, row := range raw {
		out := map[Severity]Duration{}
		for sev, v := range row {
			d, err := minutesOrDuration(v)
			if err != nil {
				return &Error{Code: EInvalid, Message: "cadence." + string(st) + "." + string(sev) + ": " + err.Error(),
					Fields: map[string]string{"cadence": string(st) + " " + string(sev) + ": a duration like 10m"}}
			}
			out[sev] = d
		}
		(*c)[st] = out
	}
	return nil
}

// minutesOrDuration reads "10m" as a duration and 10 as minutes.
func minutesOrDuration(v json.RawMessage) (Duration, error) {
	var d Duration
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		err := d.UnmarshalText([]byte(s))
		return d, err
	}
	n, err := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
	if err != nil {
		return 0, Errorf(EInvalid, "%s is neither a duration like \"10m\" nor a number of minutes", v)
	}
	return Duration(time.Duration(n * float64(time.Minute))), nil
}

// MonitoringPeriod is how long an incident stays in Monitoring before it
// is ready to resolve (R16), unless an update sets its own.
func (s *Settings) MonitoringPeriod() time.Duration {
	return time.Duration(s.Monitoring)
}

// Upgrade moves what older settings wrote into today's fields: the
// monitoring period saved as whole minutes. The store calls it when it
// reads settings; Validate calls it before checking them.
func (s *Settings) Upgrade() {
	if s.LegacyMonitoringMinutes != nil {
		s.Monitoring = Duration(time.Duration(*s.LegacyMonitoringMinutes) * time.Minute)
		s.LegacyMonitoringMinutes = nil
	}
}
