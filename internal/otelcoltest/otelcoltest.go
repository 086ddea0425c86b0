// Package otelcoltest runs the real otelfleet OpenTelemetry Collector binary in tests.
//
// The binary comes from tools/otelcol.sh (an ocb build of tools/otelcol/builder-config.yaml,
// cached under ~/.cache/otelfleet/otelcol/<hash>/) unless $OTELFLEET_OTELCOL points at one;
// telemetrygen comes from tools/telemetrygen.sh unless $OTELFLEET_TELEMETRYGEN is set.
//
// A cold collector build takes ~20 minutes on 2 cores, longer than `go test`'s default
// 10 minute timeout: build it once beforehand (tools/otelcol.sh) or pass -timeout=40m.
// When the build cannot finish before the test deadline it is stopped and the test fails
// with a message saying so. A failed build always fails the test (it never skips).
//
// The package uses only the standard library.
package otelcoltest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// EnvOtelcol overrides the collector binary (skips tools/otelcol.sh).
	EnvOtelcol = "OTELFLEET_OTELCOL"
	// EnvTelemetrygen overrides the telemetrygen binary (skips tools/telemetrygen.sh).
	EnvTelemetrygen = "OTELFLEET_TELEMETRYGEN"
)

// Binary returns the absolute path of the otelfleet collector binary, building it with
// tools/otelcol.sh when $OTELFLEET_OTELCOL is not set. A build failure fails the test
// with the script's output.
func Binary(t testing.TB) string {
	t.Helper()
	return toolBinary(t, EnvOtelcol, "otelcol.sh")
}

// Telemetrygen returns the absolute path of telemetrygen, installing it with
// tools/telemetrygen.sh when $OTELFLEET_TELEMETRYGEN is not set.
func Telemetrygen(t testing.TB) string {
	t.Helper()
	return toolBinary(t, EnvTelemetrygen, "telemetrygen.sh")
}

type toolResult struct {
	path   string
	output string
	err    error
}

var (
	toolMu    sync.Mutex
	toolCache = map[string]*toolResult{} // successful runs only, per script
)

func toolBinary(t testing.TB, envVar, script string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatalf("$%s=%q: %v", envVar, p, err)
		}
		if err := checkExecutable(abs); err != nil {
			t.Fatalf("$%s=%q: %v", envVar, p, err)
		}
		return abs
	}

	// One build at a time inside this process; tools scripts also lock across processes.
	toolMu.Lock()
	defer toolMu.Unlock()
	if r, ok := toolCache[script]; ok {
		return r.path
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("locating tools/%s: %v", script, err)
	}
	deadline, hasDeadline := testDeadline(t)
	r := runToolScript(filepath.Join(root, "tools", script), deadline, hasDeadline)
	if r.err != nil {
		t.Fatalf("tools/%s failed: %v (set $%s to use a prebuilt binary)\n--- script output ---\n%s",
			script, r.err, envVar, r.output)
	}
	toolCache[script] = r
	return r.path
}

// testDeadline returns the `go test -timeout` deadline when t exposes it.
func testDeadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

func runToolScript(script string, deadline time.Time, hasDeadline bool) *toolResult {
	ctx := context.Background()
	var cancel context.CancelFunc = func() {}
	if hasDeadline {
		// Leave time to report the failure before the test binary panics on its timeout.
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-20*time.Second))
	}
	defer cancel()

	var stdout, combined bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Stdout = &multiWriter{a: &stdout, b: &combined}
	cmd.Stderr = &combined
	cmd.SysProcAttr = groupProcAttr() // the script spawns go/builder children
	if err := cmd.Start(); err != nil {
		return &toolResult{err: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// SIGTERM the whole group: the script removes its temp dir; the cache stays consistent.
		signalGroup(cmd, false)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			signalGroup(cmd, true)
			<-done
		}
		err = fmt.Errorf("stopped: it did not finish before the test deadline (%s); "+
			"run %s once beforehand or raise go test -timeout (a cold collector build takes ~20 min)",
			deadline.Format(time.RFC3339), script)
	}
	out := combined.String()
	if err != nil {
		return &toolResult{output: out, err: err}
	}
	path := lastLine(stdout.String())
	if path == "" {
		return &toolResult{output: out, err: errors.New("script printed no binary path")}
	}
	if err := checkExecutable(path); err != nil {
		return &toolResult{output: out, err: fmt.Errorf("last line %q: %w", path, err)}
	}
	return &toolResult{path: path, output: out}
}

type multiWriter struct {
	mu   sync.Mutex
	a, b *bytes.Buffer
}

func (w *multiWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.a.Write(p)
	w.b.Write(p)
	return len(p), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func checkExecutable(path string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%s is not an absolute path", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// RepoRoot walks up from the working directory to the directory holding go.mod and
// tools/otelcol.sh (the otelfleet repository root).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "tools", "otelcol.sh")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no directory with go.mod and tools/otelcol.sh above the working directory")
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ---------------------------------------------------------------------------------------
// validate

// Option configures Validate and Start.
type Option func(*options)

type options struct {
	noNetwork      bool
	serviceAccount string
	timeout        time.Duration
	healthURL      string
	startTimeout   time.Duration
	extraArgs      []string
}

// NoNetwork runs `validate` in a new, empty network namespace (`unshare -n`, needs root or
// CAP_SYS_ADMIN) with AWS_EC2_METADATA_DISABLED=true, dummy AWS credentials and AWS_REGION
// (see DummyAWSEnv). Use it for configs with AWS exporters or sigv4auth, whose SDK would
// otherwise probe the instance-metadata endpoint or resolve AWS hosts. Values in the env
// argument of Validate override the dummies.
func NoNetwork() Option { return func(o *options) { o.noNetwork = true } }

// WithServiceAccount runs `validate` with dir (ca.crt, token, namespace) where a pod has
// its service account, /var/run/secrets/kubernetes.io/serviceaccount: in a new mount
// namespace (`unshare -m`, root) with a tmpfs over /run, so nothing of the machine changes.
// Receivers authenticating with auth_type serviceAccount read those files when they are
// created (kubelet_stats reads the CA even with insecure_skip_verify).
func WithServiceAccount(dir string) Option { return func(o *options) { o.serviceAccount = dir } }

// WithTimeout bounds a Validate run (default 2 minutes).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithHealthURL tells Start which URL answers 200 once the collector is ready, instead of
// reading the health_check extension's endpoint from the config file.
func WithHealthURL(url string) Option { return func(o *options) { o.healthURL = url } }

// WithHealthPort is WithHealthURL("http://127.0.0.1:<port>/").
func WithHealthPort(port int) Option {
	return WithHealthURL("http://127.0.0.1:" + strconv.Itoa(port) + "/")
}

// WithStartTimeout bounds how long Start waits for the health endpoint (default 60 s).
func WithStartTimeout(d time.Duration) Option { return func(o *options) { o.startTimeout = d } }

// WithArgs appends extra command-line arguments (e.g. "--feature-gates=...") to the collector.
func WithArgs(args ...string) Option {
	return func(o *options) { o.extraArgs = append(o.extraArgs, args...) }
}

func collectOptions(opts []Option) options {
	o := options{timeout: 2 * time.Minute, startTimeout: 60 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// DummyAWSEnv is the environment NoNetwork adds: no instance-metadata lookups and static,
// obviously fake credentials, so the AWS SDK never needs the network.
func DummyAWSEnv() []string {
	return []string{
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=AKIAOTELFLEETTESTKEY",
		"AWS_SECRET_ACCESS_KEY=otelfleet-test-secret-not-real",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_SDK_LOAD_CONFIG=false",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}

// ErrNoNetworkUnavailable is returned (wrapped) by Validate with NoNetwork when `unshare -n`
// cannot create a network namespace here.
var ErrNoNetworkUnavailable = errors.New("cannot run without network: `unshare -n` failed")

var (
	unshareOnce sync.Once
	unshareErr  error
)

// CheckNoNetwork reports whether NoNetwork can work on this machine (runs `unshare -n true`).
func CheckNoNetwork() error {
	unshareOnce.Do(func() {
		out, err := exec.Command("unshare", "-n", "true").CombinedOutput()
		if err != nil {
			unshareErr = fmt.Errorf("%w: %v: %s", ErrNoNetworkUnavailable, err, strings.TrimSpace(string(out)))
		}
	})
	return unshareErr
}

// Validate runs `<bin> validate --config=<configPath>` and returns its combined
// stdout/stderr. env entries are added to the current environment (later entries win).
// A non-zero exit returns an error whose text includes the collector's output.
func Validate(bin, configPath string, env []string, opts ...Option) (output string, err error) {
	o := collectOptions(opts)
	args := append([]string{"validate", "--config=" + configPath}, o.extraArgs...)
	name := bin
	environ := os.Environ()
	var unshare []string
	if o.noNetwork {
		if err := CheckNoNetwork(); err != nil {
			return "", err
		}
		unshare = append(unshare, "-n")
		environ = append(environ, DummyAWSEnv()...)
	}
	if o.serviceAccount != "" {
		// $0 is the directory to install; "$@" the collector command line.
		const install = `mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io && cp -r "$0" /run/secrets/kubernetes.io/serviceaccount && exec "$@"`
		unshare = append(unshare, "-m", "--propagation", "private", "--", "sh", "-c", install, o.serviceAccount)
	} else if len(unshare) > 0 {
		unshare = append(unshare, "--")
	}
	if len(unshare) > 0 {
		args = append(append(unshare, bin), args...)
		name = "unshare"
	}
	environ = append(environ, env...)

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = environ
	out, runErr := cmd.CombinedOutput()
	output = string(out)
	if ctx.Err() != nil {
		return output, fmt.Errorf("otelcol validate --config=%s: timed out after %s\n%s", configPath, o.timeout, output)
	}
	if runErr != nil {
		return output, fmt.Errorf("otelcol validate --config=%s: %v\n%s", configPath, runErr, output)
	}
	return output, nil
}

// ---------------------------------------------------------------------------------------
// running the collector

// Process is a running collector started by Start.
type Process struct {
	t          testing.TB
	bin        string
	configPath string
	env        []string
	opts       options
	healthURL  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	out     *syncBuffer
}

// Start runs `<bin> --config=<configPath>` with env added to the current environment, waits
// until the health endpoint answers 200 and registers a t.Cleanup that stops it. The health
// endpoint is taken from WithHealthURL/WithHealthPort, or else from the config file's
// health_check extension (`endpoint:` and `path:`, default localhost:13133 and /).
// Output (stdout+stderr) is kept in a buffer and logged when the test fails.
func Start(t testing.TB, bin, configPath string, env []string, opts ...Option) *Process {
	t.Helper()
	o := collectOptions(opts)
	p := &Process{t: t, bin: bin, configPath: configPath, env: env, opts: o, out: &syncBuffer{}}
	p.healthURL = o.healthURL
	if p.healthURL == "" {
		u, err := HealthURLFromConfig(configPath, env)
		if err != nil {
			t.Fatalf("otelcoltest.Start: %v (pass WithHealthURL/WithHealthPort)", err)
		}
		p.healthURL = u
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("collector %s output:\n%s", configPath, p.Output())
		}
	})
	if err := p.start(); err != nil {
		t.Fatalf("otelcoltest.Start: %v\n--- collector output ---\n%s", err, p.Output())
	}
	return p
}

// HealthURL is the URL polled for readiness.
func (p *Process) HealthURL() string { return p.healthURL }

// Output returns everything the collector wrote to stdout/stderr so far (all runs).
func (p *Process) Output() string { return p.out.String() }

// Pid returns the process id of the current run (0 if not running).
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Running reports whether the collector process is still alive.
func (p *Process) Running() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Wait blocks until the process exits or d passes; it reports whether the process exited
// and, if so, its exit error.
func (p *Process) Wait(d time.Duration) (exited bool, err error) {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return true, nil
	}
	select {
	case <-done:
		return true, p.exitErr()
	case <-time.After(d):
		return false, nil
	}
}

func (p *Process) start() error {
	args := append([]string{"--config=" + p.configPath}, p.opts.extraArgs...)
	cmd := exec.Command(p.bin, args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	cmd.SysProcAttr = sysProcAttr()
	fmt.Fprintf(p.out, "=== otelcoltest: starting %s %s\n", p.bin, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.waitErr = cmd, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.waitErr = err
		p.mu.Unlock()
		close(done)
	}()
	return p.waitHealthy(done)
}

func (p *Process) waitHealthy(done chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(p.opts.startTimeout)
	var last string
	for {
		select {
		case <-done:
			return fmt.Errorf("collector exited before becoming healthy: %v", p.waitErr)
		default:
		}
		resp, err := client.Get(p.healthURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			p.Stop()
			return fmt.Errorf("health endpoint %s did not answer 200 within %s (last: %s)",
				p.healthURL, p.opts.startTimeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop sends SIGTERM, waits up to 15 s for a clean shutdown, then kills the process.
// It returns the process's exit error of a clean shutdown (nil for exit 0). Safe to call
// more than once.
func (p *Process) Stop() error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || done == nil {
		return nil
	}
	select {
	case <-done:
		return p.exitErr()
	default:
	}
	terminate(cmd)
	select {
	case <-done:
		return p.exitErr()
	case <-time.After(15 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("collector did not stop within 15s of SIGTERM; killed")
}

func (p *Process) exitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waitErr
}

// Restart stops the collector and starts it again with the same arguments (the config file
// is re-read, so tests may rewrite it in between), waiting until it is healthy again.
// Failure to come back fails the test.
func (p *Process) Restart() {
	p.t.Helper()
	if err := p.Stop(); err != nil {
		p.t.Logf("otelcoltest: stop before restart: %v", err)
	}
	if err := p.start(); err != nil {
		p.t.Fatalf("otelcoltest.Restart: %v\n--- collector output ---\n%s", err, p.Output())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ---------------------------------------------------------------------------------------
// helpers

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// MustFreePort is FreePort that fails the test on error.
func MustFreePort(t testing.TB) int {
	t.Helper()
	p, err := FreePort()
	if err != nil {
		t.Fatalf("FreePort: %v", err)
	}
	return p
}

var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// HealthURLFromConfig finds the health_check extension (first `health_check` or
// `health_check/<name>` key under top-level `extensions:`) in a YAML config and returns
// http://<endpoint><path>. ${env:VAR} / ${VAR} references are expanded from env, then the
// process environment. The scan is line based (stdlib only): keep that block in plain
// block-style YAML.
func HealthURLFromConfig(configPath string, env []string) (string, error) {
	f, err := os.Open(configPath)
	if err != nil {
		return "", err
	}
	defer f.Close()

	lookup := func(name string) (string, bool) {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
				return v, true
			}
		}
		return os.LookupEnv(name)
	}
	expand := func(s string) string {
		return envRef.ReplaceAllStringFunc(s, func(m string) string {
			sm := envRef.FindStringSubmatch(m)
			if v, ok := lookup(sm[1]); ok {
				return v
			}
			return sm[2]
		})
	}

	var (
		inExtensions, inHC, found bool
		hcIndent                  = -1
		endpoint, path            string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(trimmed)
		if indent == 0 {
			if inHC {
				break
			}
			inExtensions = strings.HasPrefix(trimmed, "extensions:")
			continue
		}
		if !inExtensions {
			continue
		}
		key, val, _ := strings.Cut(trimmed, ":")
		val = strings.Trim(strings.TrimSpace(stripComment(val)), `"'`)
		if !inHC {
			if key == "health_check" || strings.HasPrefix(key, "health_check/") {
				inHC, found, hcIndent = true, true, indent
			}
			continue
		}
		if indent <= hcIndent {
			break
		}
		switch key {
		case "endpoint":
			if endpoint == "" {
				endpoint = val
			}
		case "path":
			if path == "" {
				path = val
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("%s: no health_check extension under extensions:", configPath)
	}
	endpoint = expand(endpoint)
	if endpoint == "" {
		endpoint = "localhost:13133"
	}
	path = expand(path)
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return "", fmt.Errorf("%s: health_check endpoint %q: %v", configPath, endpoint, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		return s[:i]
	}
	return s
}

// WriteConfig writes a config file into t.TempDir() and returns its path.
func WriteConfig(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatalf("WriteConfig: %v", err)
	}
	return p
}
