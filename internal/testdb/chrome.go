package testdb

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chrome starts a headless Chromium with a profile of its own (cookies,
// cache) for the test, and stops it when the test ends; without Chromium
// the test ends through Missing (NeedChromium).
func Chrome(t testing.TB) context.Context {
	t.Helper()
	exe := Tool(t, NeedChromium, "chromium", "chromium-browser")
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}
