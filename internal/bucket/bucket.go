// Package bucket keeps the static copy of the status page in S3-compatible
// object storage (Amazon S3, MinIO, Cloudflare R2, Backblaze B2, Ceph...),
// so the page can be served from there when Herald's own host is down.
//
// A sync uploads only the files whose content differs from the object
// under the same key (the listing's ETag is the MD5 of a plainly uploaded
// object), so a sync with nothing changed sends nothing but one listing,
// and deletes the objects of pages that no longer exist, under the prefix
// and only those named like a page (statuspage.IsStaticName): other objects
// beside the copy are left alone.
package bucket

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/heraldhq/herald/internal/statuspage"
)

// Config says where the copy goes and with which credentials. The keys
// come from the environment, never from a flag: a command line is visible
// to every user of the host.
type Config struct {
	// URL is s3://BUCKET or s3://BUCKET/PREFIX.
	URL string
	// Endpoint is the storage's URL: https://s3.eu-west-1.amazonaws.com,
	// http://127.0.0.1:9000. Empty means Amazon S3.
	Endpoint string
	// Region, when the storage needs one named ("auto" for R2); empty
	// lets the client find it.
	Region                             string
	AccessKey, SecretKey, SessionToken string
}

// Mirror is one bucket and prefix the copy is kept in.
type Mirror struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	where  string
}

// ParseURL splits s3://BUCKET/PREFIX into the bucket and the prefix of the
// keys ("" or ending in a slash).
func ParseURL(raw string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URL (s3://BUCKET/PREFIX)", raw)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket (s3://BUCKET/PREFIX)", raw)
	}
	prefix = strings.Trim(prefix, "/")
	if strings.Contains(prefix, "//") || strings.Contains("/"+prefix+"/", "/../") || strings.Contains("/"+prefix+"/", "/./") {
		return "", "", fmt.Errorf("%q: the prefix must be plain folder names", raw)
	}
	if prefix != "" {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// New checks cfg and returns its mirror; it does not contact the storage.
func New(cfg Config) (*Mirror, error) {
	bucket, prefix, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("no credentials for %s: set HERALD_S3_ACCESS_KEY_ID and HERALD_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", cfg.URL)
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
		return nil, fmt.Errorf("--endpoint %q: give the storage's URL, such as https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000", endpoint)
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure: u.Scheme == "https",
		Region: cfg.Region,
		// A failed sync is tried again at the next one; the client's own
		// ten retries with back-off would hold a watch for minutes.
		MaxRetries: 2,
	})
	if err != nil {
		return nil, fmt.Errorf("--endpoint %q: %w", endpoint, err)
	}
	return &Mirror{client: c, bucket: bucket, prefix: prefix, where: "s3://" + bucket + "/" + prefix}, nil
}

// String names the copy: s3://BUCKET/PREFIX/.
func (m *Mirror) String() string { return m.where }

// Result says what a sync did.
type Result struct {
	Uploaded, Deleted, Unchanged int
}

// CacheControl is what a file's object is served with: the page's own
// max-age (HTML and JSON seconds, the stylesheet an hour), public, so a CDN
// in front of the bucket keeps it as long as a browser would.
func CacheControl(f statuspage.File) string {
	return "public, max-age=" + strconv.Itoa(f.MaxAge)
}

// Sync makes the objects under the prefix match files: it uploads each
// file whose object is missing or differs, in order (statuspage.StaticFiles
// puts the front page last), then deletes the objects of pages not in
// files. It stops at the first failure, which names the object; what was
// not done is done by the next sync, which compares again.
func (m *Mirror) Sync(ctx context.Context, files []statuspage.File) (Result, error) {
	var res Result
	have := map[string]string{} // key -> ETag
	for obj := range m.client.ListObjectsIter(ctx, m.bucket, minio.ListObjectsOptions{Prefix: m.prefix, Recursive: true}) {
		if obj.Err != nil {
			return res, fmt.Errorf("list %s: %w", m.where, obj.Err)
		}
		have[obj.Key] = strings.Trim(obj.ETag, `"`)
	}
	want := map[string]bool{}
	for _, f := range files {
		key := m.prefix + f.Name
		want[key] = true
		sum := md5.Sum(f.Body)
		if etag, ok := have[key]; ok && strings.EqualFold(etag, hex.EncodeToString(sum[:])) {
			res.Unchanged++
			continue
		}
		_, err := m.client.PutObject(ctx, m.bucket, key, bytes.NewReader(f.Body), int64(len(f.Body)), minio.PutObjectOptions{
			ContentType:    f.ContentType,
			CacheControl:   CacheControl(f),
			SendContentMd5: true,
		})
		if err != nil {
			return res, fmt.Errorf("upload s3://%s/%s: %w", m.bucket, key, err)
		}
		res.Uploaded++
	}
	for _, key := range slices.Sorted(maps.Keys(have)) {
		if want[key] || !statuspage.IsStaticName(strings.TrimPrefix(key, m.prefix)) {
			continue
		}
		if err := m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{}); err != nil {
			return res, fmt.Errorf("delete s3://%s/%s: %w", m.bucket, key, err)
		}
		res.Deleted++
	}
	return res, nil
}

// PublicReadPolicy is the bucket policy that lets anyone read the objects
// of bucket (and nothing else: no listing, no writing), for a bucket that
// serves the page itself or sits behind a CDN without its own access.
func PublicReadPolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"PublicReadStatusPage","Effect":"Allow","Principal":{"AWS":["*"]},` +
		`"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::` + bucket + `/*"]}]}`
}
