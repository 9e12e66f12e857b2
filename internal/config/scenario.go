package config

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// ScenarioJSON turns a practice scenario's text (docs/PRACTICE.md), JSON or
// YAML, into JSON for herald.ParseScenario, which checks it. JSON is
// passed through as it is; YAML is read with the same library as the
// configuration document.
func ScenarioJSON(text []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(text)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return trimmed, nil
	}
	var v any
	if err := yaml.Unmarshal(trimmed, &v); err != nil {
		return nil, fmt.Errorf("neither JSON nor YAML: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("the scenario must be an object with title and steps")
	}
	return json.Marshal(v)
}
