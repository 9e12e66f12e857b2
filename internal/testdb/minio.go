package testdb

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// MinIO is a real S3-compatible server for tests, on a loopback port, with
// its data in a temporary folder. Stop and Start take it down and bring it
// back on the same port with the same data, as a brief outage would.
type MinIO struct {
	Endpoint  string // http://host:port
	AccessKey string
	SecretKey string

	t       testing.TB
	bin     string
	dir     string
	addr    string
	console string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// StartMinIO starts MinIO for the test (see Tool for where it is found),
// with no bucket yet; it stops when the test ends.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	m := &MinIO{t: t, bin: Tool(t, NeedS3, "minio"), dir: t.TempDir(), AccessKey: "herald-test", SecretKey: "herald-test-secret"}
	// A free port can be taken between choosing it and MinIO binding it;
	// then MinIO exits, and we try new ports.
	for attempt := 0; attempt < 3; attempt++ {
		m.addr, m.console = freeAddr(t), freeAddr(t)
		m.Endpoint = "http://" + m.addr
		if m.start() {
			t.Cleanup(m.Stop)
			return m
		}
	}
	t.Fatal("minio exited three times at start")
	return nil
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the server and waits until it is ready; false when it exited.
func (m *MinIO) start() bool {
	m.t.Helper()
	cmd := exec.Command(m.bin, "server", m.dir, "--address", m.addr, "--console-address", m.console, "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(m.Endpoint + "/minio/health/live"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				m.cmd, m.exited = cmd, exited
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			m.t.Fatal("minio did not start within 60 s")
		}
	}
}

// Stop takes the server down (its data stays); Start brings it back.
func (m *MinIO) Stop() {
	if m.cmd != nil {
		m.cmd.Process.Kill()
		<-m.exited
		m.cmd = nil
	}
}

// Start brings a stopped server back on the same port with the same data.
func (m *MinIO) Start() {
	m.t.Helper()
	if m.cmd == nil && !m.start() {
		m.t.Fatal("minio did not start again on " + m.addr)
	}
}
