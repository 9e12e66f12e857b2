package bucket_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/heraldhq/herald/internal/bucket"
	"github.com/heraldhq/herald/internal/statuspage"
	"github.com/heraldhq/herald/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		raw, bucket, prefix, err string
	}{
		{"s3://status", "status", "", ""},
		{"s3://status/", "status", "", ""},
		{"s3://status/site", "status", "site/", ""},
		{"s3://status/a/b/", "status", "a/b/", ""},
		{"status/site", "", "", "not an s3:// URL"},
		{"s3:///site", "", "", "names no bucket"},
		{"s3://status/a/../b", "", "", "plain folder names"},
		{"s3://status/a//b", "", "", "plain folder names"},
	} {
		b, p, err := bucket.ParseURL(c.raw)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.raw, err, c.err)
			}
			continue
		}
		if err != nil || b != c.bucket || p != c.prefix {
			t.Errorf("%s: %q %q %v, want %q %q", c.raw, b, p, err, c.bucket, c.prefix)
		}
	}
}

func TestNew_RefusesMissingCredentialsAndBadEndpoints(t *testing.T) {
	for _, c := range []struct {
		cfg bucket.Config
		err string
	}{
		{bucket.Config{URL: "s3://b/p"}, "no credentials for s3://b/p"},
		{bucket.Config{URL: "s3://b/p", AccessKey: "k"}, "no credentials"},
		{bucket.Config{URL: "s3://b/p", AccessKey: "k", SecretKey: "s", Endpoint: "127.0.0.1:9000"}, "--endpoint"},
		{bucket.Config{URL: "s3://b/p", AccessKey: "k", SecretKey: "s", Endpoint: "http://127.0.0.1:9000/bucket"}, "--endpoint"},
		{bucket.Config{URL: "s3://b/p", AccessKey: "k", SecretKey: "s", Endpoint: "http://user:pw@127.0.0.1:9000"}, "--endpoint"},
	} {
		if _, err := bucket.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%+v: error %v, want %q", c.cfg.Endpoint, err, c.err)
		}
	}
}

// storage starts MinIO with a bucket anyone may read, as a status page's
// is, and returns an admin client for the test's own checks.
func storage(t *testing.T, name string) (*testdb.MinIO, *minio.Client) {
	t.Helper()
	s := testdb.StartMinIO(t)
	admin, err := minio.New(strings.TrimPrefix(s.Endpoint, "http://"), &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := admin.MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := admin.SetBucketPolicy(ctx, name, bucket.PublicReadPolicy(name)); err != nil {
		t.Fatal(err)
	}
	return s, admin
}

func files(pairs ...string) []statuspage.File {
	var out []statuspage.File
	for i := 0; i+1 < len(pairs); i += 2 {
		f := statuspage.File{Name: pairs[i], Body: []byte(pairs[i+1]), ContentType: "text/html; charset=utf-8", MaxAge: 10}
		switch {
		case strings.HasSuffix(f.Name, ".json"):
			f.ContentType = "application/json; charset=utf-8"
		case strings.HasSuffix(f.Name, ".css"):
			f.ContentType, f.MaxAge = "text/css; charset=utf-8", 3600
		case strings.HasSuffix(f.Name, ".ics"):
			f.ContentType, f.MaxAge = "text/calendar; charset=utf-8", 300
		}
		out = append(out, f)
	}
	return out
}

// get reads an object anonymously over the server's HTTP, as a browser
// or a CDN would.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestSync_UploadsWhatChangedAndDeletesOnlyRemovedPages(t *testing.T) {
	s, admin := storage(t, "status")
	ctx := context.Background()
	m, err := bucket.New(bucket.Config{URL: "s3://status/site", Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	// Objects that are not the page's: beside it, and outside the prefix.
	for _, key := range []string{"site/favicon.ico", "site/notes/readme.txt", "other/incidents/x/index.html"} {
		if _, err := admin.PutObject(ctx, "status", key, bytes.NewReader([]byte("keep")), 4, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	first := files("incidents/a/index.html", "<p>A</p>", "incidents/b/index.html", "<p>B</p>",
		"components/c/maintenances.ics", "BEGIN:VCALENDAR", "api/v2/summary.json", `{"status":{}}`,
		"static/style.css", "body{}", "index.html", "<p>home</p>")
	res, err := m.Sync(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if res != (bucket.Result{Uploaded: 6}) {
		t.Fatalf("first sync: %+v", res)
	}
	for _, c := range []struct{ key, ctype, cache, body string }{
		{"index.html", "text/html; charset=utf-8", "public, max-age=10", "<p>home</p>"},
		{"incidents/a/index.html", "text/html; charset=utf-8", "public, max-age=10", "<p>A</p>"},
		{"api/v2/summary.json", "application/json; charset=utf-8", "public, max-age=10", `{"status":{}}`},
		{"static/style.css", "text/css; charset=utf-8", "public, max-age=3600", "body{}"},
	} {
		resp, body := get(t, s.Endpoint+"/status/site/"+c.key)
		if resp.StatusCode != 200 || body != c.body || resp.Header.Get("Content-Type") != c.ctype || resp.Header.Get("Cache-Control") != c.cache {
			t.Errorf("%s: %d %q %q %q", c.key, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), body)
		}
	}

	// Nothing changed: nothing is sent.
	if res, err := m.Sync(ctx, first); err != nil || res != (bucket.Result{Unchanged: 6}) {
		t.Fatalf("second sync: %+v %v", res, err)
	}

	// Incident a changed, b's page and c's calendar are gone.
	second := files("incidents/a/index.html", "<p>A, resolved</p>", "api/v2/summary.json", `{"status":{}}`,
		"static/style.css", "body{}", "index.html", "<p>home</p>")
	if res, err := m.Sync(ctx, second); err != nil || res != (bucket.Result{Uploaded: 1, Deleted: 2, Unchanged: 3}) {
		t.Fatalf("third sync: %+v %v", res, err)
	}
	var keys []string
	for obj := range admin.ListObjectsIter(ctx, "status", minio.ListObjectsOptions{Recursive: true}) {
		keys = append(keys, obj.Key)
	}
	want := "other/incidents/x/index.html site/api/v2/summary.json site/favicon.ico site/incidents/a/index.html site/index.html site/notes/readme.txt site/static/style.css"
	if strings.Join(keys, " ") != want {
		t.Fatalf("objects:\n%s\nwant\n%s", strings.Join(keys, " "), want)
	}
	if _, body := get(t, s.Endpoint+"/status/site/incidents/a/index.html"); body != "<p>A, resolved</p>" {
		t.Fatalf("incident a: %q", body)
	}
}

func TestSync_StorageDownFailsNamingItAndTheNextSyncCatchesUp(t *testing.T) {
	s, _ := storage(t, "status")
	ctx := context.Background()
	m, err := bucket.New(bucket.Config{URL: "s3://status", Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	page := files("index.html", "<p>one</p>")
	if _, err := m.Sync(ctx, page); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	page = files("index.html", "<p>two</p>")
	if _, err := m.Sync(ctx, page); err == nil || !strings.Contains(err.Error(), "s3://status/") {
		t.Fatalf("sync while the storage is down: %v", err)
	}
	s.Start()
	if res, err := m.Sync(ctx, page); err != nil || res.Uploaded != 1 {
		t.Fatalf("sync after: %+v %v", res, err)
	}
	if _, body := get(t, s.Endpoint+"/status/index.html"); body != "<p>two</p>" {
		t.Fatalf("index.html: %q", body)
	}

	// A bucket that refuses the upload (it does not exist): the error
	// names the object.
	gone, _ := bucket.New(bucket.Config{URL: "s3://nobucket/site", Endpoint: s.Endpoint, AccessKey: s.AccessKey, SecretKey: s.SecretKey})
	if _, err := gone.Sync(ctx, page); err == nil || !strings.Contains(err.Error(), "s3://nobucket/site/") {
		t.Fatalf("sync to a missing bucket: %v", err)
	}
}
