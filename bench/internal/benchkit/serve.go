package benchkit

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Token is the admin token the benchmarks start herald with.
const Token = "bench-admin-token-0123456789"

// secretKey is a fixed HERALD_SECRET_KEY (32 bytes, base64): a benchmark's
// data is thrown away, so nothing needs a secret one.
const secretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// ServeCommand returns `bin serve` on addr with its data folder, the
// database at dbURL ("" is SQLite in data), Token as admin token and a fixed
// secret key. It logs errors only, to os.Stderr, runs its loops every tick,
// and may deliver webhooks to loopback, where the benchmarks' receivers
// are. args are added to the command line; set Env further or Stderr before
// Start.
func ServeCommand(bin, addr, data, dbURL string, tick time.Duration, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--data", data, "--log-level", "error",
		"--tick", tick.String(), "--webhook-allow-private"}, args...)...)
	cmd.Env = append(os.Environ(), "HERALD_ADMIN_TOKEN="+Token, "HERALD_DATABASE_URL="+dbURL, "HERALD_SECRET_KEY="+secretKey)
	cmd.Stderr = os.Stderr
	return cmd
}

// Start starts cmd and waits until base (its http:// address) answers
// /readyz; if it does not within 30 s, the process is killed so that no
// herald outlives the benchmark.
func Start(cmd *exec.Cmd, base string) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := WaitReady(base+"/readyz", 30*time.Second); err != nil {
		Kill(cmd)
		return err
	}
	return nil
}

// Stop asks the process to stop (SIGTERM, herald's graceful shutdown) and
// kills it if it has not within 15 s.
func Stop(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	t := time.AfterFunc(15*time.Second, func() { cmd.Process.Kill() })
	cmd.Wait()
	t.Stop()
}

// Kill kills the process (SIGKILL: a crash, nothing flushed) and waits for
// it.
func Kill(cmd *exec.Cmd) {
	cmd.Process.Kill()
	cmd.Wait()
}
