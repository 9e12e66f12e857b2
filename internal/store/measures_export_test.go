package store

import (
	"context"
	"time"

	"github.com/heraldhq/herald"
)

// TraceMeasures makes the measures report tell fn how long each of its
// steps took (by name); nil stops it. For the benchmark.
func TraceMeasures(fn func(step string, took time.Duration)) {
	if fn == nil {
		measuresTrace = nil
		return
	}
	measuresTrace = func(i int, took time.Duration) { fn(measuresSteps[i], took) }
}

// MeasuresReportRows computes the report from the rows only, never the
// roll-ups: the oracle the roll-ups are tested against.
func (db *IncidentService) MeasuresReportRows(ctx context.Context, q herald.MeasuresQuery) (herald.MeasuresReport, error) {
	var r herald.MeasuresReport
	err := db.read(ctx, func(tx *tx) error {
		var err error
		r, err = tx.measuresReportFrom(ctx, q, true)
		return err
	})
	return r, err
}

// MeasuresFallbacks is how many steps of the report fell back to the rows
// because a roll-up disagreed with them.
func MeasuresFallbacks() int64 { return measuresFallbacks.Load() }
