package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	neturl "net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/heraldhq/herald/internal/bucket"
	"github.com/heraldhq/herald/internal/testdb"
)

// The status page copied to a real S3-compatible server (MinIO) and read
// back anonymously over its HTTP, as a browser or a CDN in front of the
// bucket would.
func TestExportStatic_S3(t *testing.T) {
	s3 := testdb.StartMinIO(t)
	ctx := context.Background()
	admin, err := minio.New(strings.TrimPrefix(s3.Endpoint, "http://"), &minio.Options{Creds: credentials.NewStaticV4(s3.AccessKey, s3.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.MakeBucket(ctx, "status", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := admin.SetBucketPolicy(ctx, "status", bucket.PublicReadPolicy("status")); err != nil {
		t.Fatal(err)
	}
	// The page of an incident that no longer exists, and a file that is
	// not the page's, under the same prefix.
	for _, key := range []string{"site/incidents/gone/index.html", "site/favicon.ico"} {
		if _, err := admin.PutObject(ctx, "status", key, bytes.NewReader([]byte("old")), 3, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	// A database with something to show, made through the server.
	vars := map[string]string{"HERALD_DATA": t.TempDir(), "HERALD_ADMIN_TOKEN": testAdminToken}
	env := func(k string) string { return vars[k] }
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	var sout testdb.SyncBuffer
	go func() {
		done <- run(sctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo"}, env, nil, &sout, &bytes.Buffer{})
	}()
	for !strings.Contains(sout.String(), "Admin token") {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done

	export := []string{"export-static", "s3://status/site", "--s3-endpoint", s3.Endpoint, "--base-url", "https://status.example.com"}
	// No credentials: refused, naming where they come from.
	var out bytes.Buffer
	if err := run(ctx, export, env, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "HERALD_S3_ACCESS_KEY_ID") {
		t.Fatalf("export without credentials: %v", err)
	}
	vars["HERALD_S3_ACCESS_KEY_ID"], vars["HERALD_S3_SECRET_ACCESS_KEY"] = s3.AccessKey, s3.SecretKey

	// Two exports in the same minute: the second uploads nothing (the
	// pages are made as of the minute; across a minute, try again).
	exportOnce := func() string {
		t.Helper()
		out.Reset()
		if err := run(ctx, export, env, nil, &out, &out); err != nil {
			t.Fatal(err, out.String())
		}
		return out.String()
	}
	first, second := exportOnce(), ""
	for {
		minute := time.Now().Truncate(time.Minute)
		exportOnce()
		second = exportOnce()
		if time.Now().Truncate(time.Minute).Equal(minute) {
			break
		}
	}
	if !regexp.MustCompile(`^exported s3://status/site/: [1-9][0-9]+ uploaded, 1 deleted, 0 unchanged\n$`).MatchString(first) {
		t.Fatalf("first export: %q", first)
	}
	if !regexp.MustCompile(`^exported s3://status/site/: 0 uploaded, 0 deleted, [1-9][0-9]+ unchanged\n$`).MatchString(second) {
		t.Fatalf("second export: %q", second)
	}

	get := func(url string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	site := s3.Endpoint + "/status/site/"
	if resp, _ := get(site + "incidents/gone/index.html"); resp.StatusCode != 404 {
		t.Errorf("the page of an incident that no longer exists: %d", resp.StatusCode)
	}
	if resp, _ := get(site + "favicon.ico"); resp.StatusCode != 200 {
		t.Errorf("a file beside the page was deleted: %d", resp.StatusCode)
	}
	resp, index := get(site + "index.html")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("Cache-Control") != "public, max-age=10" {
		t.Fatalf("index.html: %d %v", resp.StatusCode, resp.Header)
	}
	// Served from the bucket's own URL, under a prefix, every link of the
	// front page leads to an object (or to Herald: the subscription form).
	incident := regexp.MustCompile(`href="(incidents/[^"/]+/index.html)"`).FindStringSubmatch(index)
	if incident == nil {
		t.Fatalf("no incident on the front page: %s", index)
	}
	base, _ := neturl.Parse(site + "index.html")
	for _, m := range regexp.MustCompile(`\s(?:href|src|action)="([^"#]+)"`).FindAllStringSubmatch(index, -1) {
		u, err := base.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		if u.Host != base.Host {
			continue
		}
		if resp, _ := get(u.String()); resp.StatusCode != 200 {
			t.Errorf("the front page links to %s: %d", m[1], resp.StatusCode)
		}
	}
	for _, c := range []struct{ key, ctype, cache, has string }{
		{incident[1], "text/html; charset=utf-8", "public, max-age=10", "<h1"},
		{"api/v2/summary.json", "application/json; charset=utf-8", "public, max-age=10", `"url":"https://status.example.com"`},
		{"api/v2/incidents/unresolved.json", "application/json; charset=utf-8", "public, max-age=10", `"incidents":[{`},
		{"static/style.css", "text/css; charset=utf-8", "public, max-age=3600", "{"},
		{"history.rss", "application/rss+xml; charset=utf-8", "public, max-age=60", "<rss"},
	} {
		resp, body := get(site + c.key)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.ctype || resp.Header.Get("Cache-Control") != c.cache || !strings.Contains(body, c.has) {
			t.Errorf("%s: %d %q %q %.200s", c.key, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), body)
		}
	}

	// --watch with the storage down: it says so, naming the object, keeps
	// trying, and catches up once the storage is back.
	if err := admin.RemoveObject(ctx, "status", "site/index.html", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	s3.Stop()
	wctx, stop := context.WithCancel(ctx)
	var wout, werr testdb.SyncBuffer
	go func() { done <- run(wctx, append(export, "--watch"), env, nil, &wout, &werr) }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(werr.String(), "s3://status/site/") {
		if time.Now().After(deadline) {
			t.Fatalf("no error while the storage is down: %q %q", wout.String(), werr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // at least one more tick, still down
	s3.Start()
	deadline = time.Now().Add(60 * time.Second)
	for !strings.Contains(werr.String(), "exported again") {
		if time.Now().After(deadline) {
			t.Fatalf("--watch did not recover: %q %q", wout.String(), werr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("--watch ended with %v", err)
	}
	if resp, body := get(site + "index.html"); resp.StatusCode != 200 || !strings.Contains(body, "<html") {
		t.Fatalf("index.html after the outage: %d", resp.StatusCode)
	}
	if strings.Count(werr.String(), "trying again") != 1 {
		t.Errorf("the same failure was reported more than once a minute:\n%s", werr.String())
	}
	if all := out.String() + wout.String() + werr.String(); strings.Contains(all, s3.SecretKey) {
		t.Fatalf("the secret key was printed:\n%s", all)
	}
	t.Logf("while down:\n%s", werr.String())
}
