package store

import "time"

// TraceMeasures makes the measures report tell fn how long each of its
// steps took (by name); nil stops it. For the benchmark.
func TraceMeasures(fn func(step string, took time.Duration)) {
	if fn == nil {
		measuresTrace = nil
		return
	}
	measuresTrace = func(i int, took time.Duration) { fn(measuresSteps[i], took) }
}
