package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Heartbeat calls target (GET) every interval while this instance can page:
// its escalation and page delivery loops have made progress lately and
// the database takes writes (ready). An outside watcher that stops hearing
// it (a dead man's switch) knows that Herald itself cannot page: the one
// failure Herald cannot report on its own. It returns when ctx ends.
func (w *Worker) Heartbeat(ctx context.Context, target string, interval time.Duration, ready func(context.Context) error) {
	client := &http.Client{Timeout: 10 * time.Second}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := w.beat(ctx, client, target, interval, ready); err != nil && ctx.Err() == nil {
			w.Log.Warn("heartbeat not sent", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) beat(ctx context.Context, client *http.Client, target string, interval time.Duration, ready func(context.Context) error) error {
	if !w.pagingReady(max(2*time.Minute, 2*interval)) {
		return fmt.Errorf("paging loops are not making progress")
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ready(rctx); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Herald heartbeat")
	resp, err := client.Do(req)
	if err != nil {
		// The URL often holds the watcher's secret: never log it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("heartbeat: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode > 299 {
		return fmt.Errorf("heartbeat: %s", resp.Status)
	}
	return nil
}
