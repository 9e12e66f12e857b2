// Package deploy holds the tests of the files an operator deploys Herald
// with: the Dockerfile at the root of the repository, and the compose
// example, the Caddyfile and the systemd units in this folder. Checking
// them needs no container engine; podman_test.go (build tag podman) builds
// and runs the image for real.
package deploy

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// instruction is one Dockerfile instruction with its continuation lines
// joined.
type instruction struct {
	cmd, args string
}

// stage is one FROM and what follows it.
type stage struct {
	from string
	ins  []instruction
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// parseDockerfile reads the stages of a Dockerfile: comments dropped,
// lines ending in a backslash joined.
func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, stage{from: in.args})
			return
		}
		if len(stages) == 0 { // ARG before the first FROM
			stages = append(stages, stage{})
		}
		stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	return stages
}

// envOf is the variables an ENV instruction sets (the KEY=VALUE form).
func envOf(args []string) map[string]string {
	env := map[string]string{}
	for _, a := range args {
		for _, kv := range strings.Fields(a) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	return env
}

var space = regexp.MustCompile(`\s+`)

// goBuild is the flags of the first `go build` in text, up to -o, with
// whitespace collapsed and the version variable named alike.
func goBuild(t *testing.T, what, text string) string {
	t.Helper()
	text = strings.ReplaceAll(text, "\\\n", " ")
	m := regexp.MustCompile(`go build (.*?) -o `).FindStringSubmatch(space.ReplaceAllString(text, " "))
	if m == nil {
		t.Fatalf("%s: no go build ... -o", what)
	}
	return regexp.MustCompile(`\$\{?(version|VERSION)\}?`).ReplaceAllString(m[1], "$$VERSION")
}

// The image's binary is the release's binary: the same go build flags,
// the same environment, the same way of picking the version when none is
// given; the image is FROM scratch with the CA certificates, runs as a
// numeric non-root user, keeps its data in the /data volume and listens on
// the port it exposes.
func TestDockerfile_BuildsTheReleaseBinaryIntoAMinimalNonRootImage(t *testing.T) {
	release, err := os.ReadFile("../scripts/release")
	if err != nil {
		t.Fatal(err)
	}
	stages := parseDockerfile(t, "../Dockerfile")
	if len(stages) < 3 { // the ARG before FROM, the builder, the image
		t.Fatalf("want a builder stage and a final stage, got %d stages", len(stages))
	}
	build, final := stages[len(stages)-2], stages[len(stages)-1]

	// The build stage.
	runs := strings.Join(build.all("RUN"), "\n")
	if got, want := goBuild(t, "Dockerfile", runs), goBuild(t, "scripts/release", string(release)); got != want {
		t.Errorf("go build flags differ:\nDockerfile:      %s\nscripts/release: %s", got, want)
	}
	m := regexp.MustCompile(`(?m)^export (CGO_ENABLED=.*)$`).FindStringSubmatch(string(release))
	if m == nil {
		t.Fatal("scripts/release: no export line for the build environment")
	}
	benv := envOf(build.all("ENV"))
	for _, kv := range strings.Fields(m[1]) {
		k, v, _ := strings.Cut(kv, "=")
		if got, ok := benv[k]; !ok || got != v {
			t.Errorf("build stage ENV %s=%q, scripts/release exports %s=%q", k, got, k, v)
		}
	}
	// The version when none is given, picked the same way.
	for _, same := range []string{`git describe --tags --exact-match`, `s/^## \[\([0-9][^]]*\)\].*/\1/p`, `-dev+$short`, `CHANGELOG.md`} {
		if !strings.Contains(string(release), same) || !strings.Contains(runs, same) {
			t.Errorf("the version is not picked alike: %q is not in both scripts/release and the Dockerfile's RUN", same)
		}
	}
	// The default builder has the Go of go.mod.
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	arg := strings.Join(stages[0].all("ARG"), "\n")
	if goVer == nil || !strings.Contains(arg, "GO_IMAGE=docker.io/library/golang:"+string(goVer[1])+"-") {
		t.Errorf("ARG GO_IMAGE (%s) is not the golang image of go.mod's Go %s", arg, goVer[1])
	}
	if build.from != "${GO_IMAGE} AS build" {
		t.Errorf("builder FROM %q, want ${GO_IMAGE} AS build", build.from)
	}

	// The final stage.
	if final.from != "scratch" {
		t.Errorf("final stage FROM %q, want scratch", final.from)
	}
	copies := strings.Join(final.all("COPY"), "\n")
	for _, want := range []string{"/etc/ssl/certs/ca-certificates.crt", "/usr/local/bin/herald", "--chown=65532:65532 /out/data /data"} {
		if !strings.Contains(copies, want) {
			t.Errorf("final stage does not COPY %s", want)
		}
	}
	users := final.all("USER")
	if len(users) != 1 {
		t.Fatalf("final stage USER %q, want one", users)
	}
	uid, gid, _ := strings.Cut(users[0], ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("USER %q: want a numeric user other than root", users[0])
	}
	if n, err := strconv.Atoi(gid); err != nil || n == 0 {
		t.Errorf("USER %q: want a numeric group other than root", users[0])
	}
	if !strings.Contains(copies, "--chown="+users[0]+" ") {
		t.Errorf("/data is not owned by the USER %s", users[0])
	}
	fenv := envOf(final.all("ENV"))
	if fenv["HERALD_DATA"] != "/data" {
		t.Errorf("HERALD_DATA=%q, want /data", fenv["HERALD_DATA"])
	}
	if v := final.all("VOLUME"); len(v) != 1 || v[0] != "/data" {
		t.Errorf("VOLUME %q, want /data", v)
	}
	host, port, _ := strings.Cut(fenv["HERALD_ADDR"], ":")
	if host != "" {
		t.Errorf("HERALD_ADDR=%q: listen on every interface of the container (:PORT)", fenv["HERALD_ADDR"])
	}
	if e := final.all("EXPOSE"); len(e) != 1 || e[0] != port {
		t.Errorf("EXPOSE %q, want the port of HERALD_ADDR %q", e, port)
	}
	if e, c := final.all("ENTRYPOINT"), final.all("CMD"); len(e) != 1 || e[0] != `["herald"]` || len(c) != 1 || c[0] != `["serve"]` {
		t.Errorf("ENTRYPOINT %q CMD %q, want [\"herald\"] and [\"serve\"]", e, c)
	}
	if h := final.all("HEALTHCHECK"); len(h) != 0 {
		t.Errorf("HEALTHCHECK %q in an image with no shell and no probing command", h)
	}
}

// The build context leaves out only what git ignores: a tracked file
// missing from the context would mark the build "with uncommitted
// changes", and .git must be there for the commit.
func TestDockerignore_LeavesOutOnlyWhatGitIgnores(t *testing.T) {
	read := func(path string) []string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
		return out
	}
	gitignore := map[string]bool{}
	for _, l := range read("../.gitignore") {
		gitignore[l] = true
	}
	for _, l := range read("../.dockerignore") {
		if strings.Contains(l, ".git") && !strings.Contains(l, ".gitignore") {
			t.Errorf(".dockerignore leaves out %s: the build needs .git for the commit", l)
		}
		if !gitignore[l] && !gitignore["/"+l] {
			t.Errorf(".dockerignore leaves out %s, which .gitignore does not ignore", l)
		}
	}
}

// The compose example runs what docs/DEPLOY.md says several instances
// need: two instances of the image on one PostgreSQL with the same secret
// key, mail to mailpit, and a load balancer that checks /readyz and knows
// every instance.
func TestCompose_TwoInstancesShareTheDatabaseAndTheKey(t *testing.T) {
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type service struct {
		Image       string
		Build       struct{ Context, Dockerfile string }
		Environment map[string]string
		Ports       []string
		Volumes     []string
	}
	var doc struct {
		Services map[string]service
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var heralds []string
	byImage := map[string]string{}
	for name, s := range doc.Services {
		if s.Build.Context != "" {
			heralds = append(heralds, name)
			if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
				t.Errorf("%s builds %s/%s: %v", name, s.Build.Context, s.Build.Dockerfile, err)
			}
			continue
		}
		for _, img := range []string{"postgres", "mailpit", "caddy"} {
			if strings.Contains(s.Image, img) {
				byImage[img] = name
			}
		}
	}
	if len(heralds) < 2 {
		t.Fatalf("Herald services %q, want two or more", heralds)
	}
	for _, img := range []string{"postgres", "mailpit", "caddy"} {
		if byImage[img] == "" {
			t.Errorf("no %s service", img)
		}
	}
	first := doc.Services[heralds[0]].Environment
	for _, k := range []string{"HERALD_SECRET_KEY", "HERALD_DATABASE_URL", "HERALD_SMTP_URL"} {
		if first[k] == "" {
			t.Errorf("%s: %s is not set", heralds[0], k)
		}
		for _, h := range heralds[1:] {
			if got := doc.Services[h].Environment[k]; got != first[k] {
				t.Errorf("%s differs: %s has %q, %s has %q", k, heralds[0], first[k], h, got)
			}
		}
	}
	for _, k := range []string{"HERALD_SECRET_KEY", "HERALD_ADMIN_TOKEN"} {
		if !strings.HasPrefix(first[k], "${"+k+":?") {
			t.Errorf("%s=%q: take it from the environment, required", k, first[k])
		}
	}
	// podman-compose 1.0 passes ${VAR:-} on as the literal text: a
	// secret with a default would be a known secret.
	for name, s := range doc.Services {
		for k, v := range s.Environment {
			if strings.Contains(v, ":-") {
				t.Errorf("%s: %s=%q has a default", name, k, v)
			}
		}
	}
	for k, svc := range map[string]string{"HERALD_DATABASE_URL": byImage["postgres"], "HERALD_SMTP_URL": byImage["mailpit"]} {
		u, err := url.Parse(regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(first[k], "x"))
		if err != nil || u.Hostname() != svc {
			t.Errorf("%s=%q does not name the %s service", k, first[k], svc)
		}
	}
	// The proxy balances over every instance, on the port the image
	// exposes, and checks /readyz.
	proxy := doc.Services[byImage["caddy"]]
	if len(proxy.Volumes) != 1 || !strings.HasPrefix(proxy.Volumes[0], "./Caddyfile:") {
		t.Fatalf("proxy volumes %q, want ./Caddyfile", proxy.Volumes)
	}
	caddy, err := os.ReadFile("Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range heralds {
		if !strings.Contains(string(caddy), " "+h+":8080") {
			t.Errorf("the Caddyfile does not send requests to %s:8080", h)
		}
		if len(doc.Services[h].Ports) != 0 {
			t.Errorf("%s publishes %q: only the proxy, which Herald trusts, should reach it", h, doc.Services[h].Ports)
		}
	}
	if !strings.Contains(string(caddy), "health_uri /readyz") {
		t.Error("the Caddyfile does not check /readyz")
	}
}
