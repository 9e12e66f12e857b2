//go:build podman

// The container image built and run for real with podman (rootful). Run:
//
//	go test -tags podman -count=1 -v -run TestContainer ./deploy
//
// It needs no registry: the builder image is made here from the host's Go
// toolchain (podman import), and the image is FROM scratch. The first run
// takes minutes (the builder downloads the modules and compiles everything
// into its cache mounts); later runs reuse them. Not in scripts/test: it
// takes longer than the rest put together, and this machine runs it only
// with runc and lowered rlimits (see podmanRun).

package deploy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// podmanRun are the flags podman run needs here. runc: crun 1.8 refuses
// this host's hybrid cgroup layout ("cgroups in hybrid mode not
// supported"). The rlimits: podman asks for nofile and nproc above the
// host's hard limits, which the runtime cannot raise without
// CAP_SYS_RESOURCE, so it fails with "setrlimit: operation not permitted".
func podmanRun() []string {
	var flags []string
	if _, err := exec.LookPath("runc"); err == nil {
		flags = append(flags, "--runtime", "runc")
	}
	return flags
}

var ulimits = []string{"--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"}

func podman(t *testing.T, args ...string) string {
	t.Helper()
	out, err := podmanErr(args...)
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func podmanErr(args ...string) (string, error) {
	cmd := exec.Command("podman", append(podmanRun(), args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestContainer_BuildRunAsNonRootWithAVolume(t *testing.T) {
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("podman is not installed (apt-get install podman runc)")
	}
	if os.Getuid() != 0 {
		t.Fatal("run as root: the test runs rootful podman")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	goImage := builderImage(t)

	// A clean clone of HEAD as the context, as scripts/release builds from
	// (a worktree's .git is a file pointing outside any context), with the
	// Dockerfile of the working tree, the one under test.
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	git(t, root, "clone", "-q", "--no-checkout", root, src)
	git(t, src, "-c", "advice.detachedHead=false", "checkout", "-q", git(t, root, "rev-parse", "HEAD"))
	commit := git(t, src, "rev-parse", "HEAD")

	tag := fmt.Sprintf("localhost/herald-test:%d", time.Now().UnixNano())
	start := time.Now()
	podman(t, append([]string{"build", "--layers=false", "--network", "host", "-f", filepath.Join(root, "Dockerfile"),
		"--build-arg", "GO_IMAGE=" + goImage, "--build-arg", "GOPROXY=" + goEnv(t, "GOPROXY"), "-t", tag}, append(ulimits, src)...)...)
	t.Logf("podman build: %s", time.Since(start).Round(time.Second))
	t.Cleanup(func() { podmanErr("rmi", "-f", tag) })

	// The image: small (a builder stage leaking in would show), the same
	// binary as scripts/release's, with the CA certificates.
	var size int64
	fmt.Sscan(podman(t, "image", "inspect", "-f", "{{.Size}}", tag), &size)
	t.Logf("image size: %d bytes (%.1f MB)", size, float64(size)/1e6)
	if size > 40e6 {
		t.Errorf("image is %d bytes: more than the binary and the certificates", size)
	}
	cid := podman(t, "create", tag)
	podman(t, "cp", cid+":/usr/local/bin/herald", filepath.Join(tmp, "herald-image"))
	podman(t, "cp", cid+":/etc/ssl/certs/ca-certificates.crt", filepath.Join(tmp, "ca.crt"))
	podman(t, "rm", "-v", cid)
	if b, err := os.ReadFile(filepath.Join(tmp, "ca.crt")); err != nil || !bytes.Contains(b, []byte("BEGIN CERTIFICATE")) {
		t.Errorf("no CA certificates in the image: %v", err)
	}
	released := releaseBinary(t, root, filepath.Join(tmp, "dist"))
	imaged, err := os.ReadFile(filepath.Join(tmp, "herald-image"))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(imaged) != sha256.Sum256(released) {
		t.Errorf("the image's binary (%d bytes) differs from scripts/release's (%d bytes)", len(imaged), len(released))
	}

	// herald version in the image: the version and the commit.
	out := podman(t, append(append([]string{"run", "--rm"}, ulimits...), tag, "version")...)
	if !regexp.MustCompile(`(?m)^herald \d+\.\d+\.\d+`).MatchString(out) || !strings.Contains(out, "commit "+commit+"\n") {
		t.Errorf("herald version in the image:\n%s\nwant a version and commit %s", out, commit)
	}

	// Serve, as the image's user, with a named volume for /data. --demo
	// loads schedules in Europe/Berlin: it starts only if the time zone
	// database is in the binary (the image has no /usr/share/zoneinfo).
	volume := strings.ReplaceAll(strings.TrimPrefix(tag, "localhost/"), ":", "-")
	t.Cleanup(func() { podmanErr("volume", "rm", "-f", volume) })
	serve := func(args ...string) (name, url string) {
		name = fmt.Sprintf("%s-%d", volume, time.Now().UnixNano())
		// Hardened: no capabilities, nothing writable but the volume.
		run := append([]string{"run", "-d", "--name", name, "--cap-drop", "all", "--read-only",
			"-p", "127.0.0.1::8080", "-v", volume + ":/data"}, ulimits...)
		podman(t, append(append(run, tag, "serve"), args...)...)
		t.Cleanup(func() { podmanErr("rm", "-f", "-v", "-t", "5", name) })
		port := podman(t, "port", name, "8080")
		url = "http://" + port[strings.LastIndex(port, "\n")+1:]
		deadline := time.Now().Add(2 * time.Minute)
		for {
			resp, err := http.Get(url + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return name, url
				}
			}
			if time.Now().After(deadline) {
				logs, _ := podmanErr("logs", name)
				t.Fatalf("%s/readyz not 200 in 2m (%v)\n%s", url, err, logs)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	name, _ := serve("--demo")

	// Not root: the process as the host sees it.
	pid := podman(t, "inspect", "-f", "{{.State.Pid}}", name)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`(?m)^(Uid|Gid):\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$`).FindAllStringSubmatch(string(status), -1)
	if len(ids) != 2 {
		t.Fatalf("no Uid and Gid in /proc/%s/status", pid)
	}
	for _, id := range ids {
		for _, n := range id[2:] {
			if n != "65532" {
				t.Errorf("herald runs with %s %s: want 65532 throughout", id[1], strings.Join(id[2:], " "))
				break
			}
		}
	}

	// The data is in the volume, owned by that user.
	mount := podman(t, "volume", "inspect", "-f", "{{.Mountpoint}}", volume)
	for _, f := range []string{"herald.db", "secret.key"} {
		fi, err := os.Stat(filepath.Join(mount, f))
		if err != nil {
			t.Errorf("not in the volume: %v", err)
			continue
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65532 {
			t.Errorf("%s is owned by %d, want 65532", f, st.Uid)
		}
	}

	// A new container on the same volume (an upgrade replaces the
	// container) has the data: the demo admin token still signs in.
	logs := podman(t, "logs", name)
	m := regexp.MustCompile(`"token":"(hrd_[A-Za-z0-9_-]+)"`).FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no admin token in the demo's log:\n%s", logs)
	}
	podman(t, "stop", "-t", "30", name)
	_, url := serve()
	req, _ := http.NewRequest("GET", url+"/api/v1/schedules", nil)
	req.Header.Set("Authorization", "Bearer "+m[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Europe/Berlin") {
		t.Errorf("after a restart on the volume: GET /api/v1/schedules %d %s", resp.StatusCode, body)
	}
}

// builderImage is a builder for the Dockerfile's GO_IMAGE made from the
// host: its Go toolchain in /usr/local/go, git, sh, sed and mkdir with the
// shared libraries they load, and the CA certificates (the final stage
// copies them). It is kept between runs, one per Go version.
func builderImage(t *testing.T) string {
	t.Helper()
	name := "localhost/herald-test-go:" + strings.TrimPrefix(runtime.Version(), "go")
	if _, err := podmanErr("image", "exists", name); err == nil {
		return name
	}
	files := map[string]string{ // in the image: on the host
		"/etc/ssl/certs/ca-certificates.crt": "/etc/ssl/certs/ca-certificates.crt",
	}
	for _, bin := range []string{"/bin/sh", "/usr/bin/git", "/bin/sed", "/bin/mkdir"} {
		files[bin] = bin
		out, err := exec.Command("ldd", bin).Output()
		if err != nil {
			t.Fatalf("ldd %s: %v", bin, err)
		}
		for _, lib := range regexp.MustCompile(`(/\S+)`).FindAllString(string(out), -1) {
			files[lib] = lib
		}
	}
	goroot := goEnv(t, "GOROOT")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	dir := func(d string, mode int64) {
		for _, p := range parents(d) {
			if !dirs[p] {
				dirs[p] = true
				m := int64(0o755)
				if p == d {
					m = mode
				}
				tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "." + p + "/", Mode: m})
			}
		}
	}
	add := func(name, host string) {
		b, err := os.ReadFile(host) // follows symbolic links
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(host)
		dir(filepath.Dir(name), 0o755)
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "." + name, Mode: int64(fi.Mode().Perm()), Size: int64(len(b))})
		tw.Write(b)
	}
	for name, host := range files {
		add(name, host)
	}
	dir("/tmp", 0o1777)
	dir("/root", 0o700)
	err := filepath.WalkDir(goroot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		rel, _ := filepath.Rel(goroot, p)
		add("/usr/local/go/"+filepath.ToSlash(rel), p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	passwd := []byte("root:x:0:0:root:/root:/bin/sh\n")
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "./etc/passwd", Mode: 0o644, Size: int64(len(passwd))})
	tw.Write(passwd)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("podman", "import", "--change", "ENV PATH=/usr/local/go/bin:/usr/bin:/bin", "--change", "ENV HOME=/root", "-", name)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("podman import: %v\n%s", err, out)
	}
	return name
}

// parents is /a, /a/b, /a/b/c for /a/b/c.
func parents(d string) []string {
	var out []string
	for p := filepath.Clean(d); p != "/" && p != "."; p = filepath.Dir(p) {
		out = append([]string{p}, out...)
	}
	return out
}

// releaseBinary runs scripts/release for this machine's architecture and
// returns the herald binary from its archive.
func releaseBinary(t *testing.T, root, out string) []byte {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "scripts", "release"))
	cmd.Env = append(os.Environ(), "OUT="+out, "ARCHES="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/release: %v\n%s", err, b)
	}
	archives, _ := filepath.Glob(filepath.Join(out, "herald-*-linux-"+runtime.GOARCH+".tar.gz"))
	if len(archives) != 1 {
		t.Fatalf("scripts/release made %q", archives)
	}
	f, err := os.Open(archives[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no herald in %s: %v", archives[0], err)
		}
		if filepath.Base(h.Name) == "herald" {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
