package collector

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"sigs.k8s.io/yaml"
)

// collectorRun is one generated config running on loopback.
type collectorRun struct {
	Workload loopback.Workload
	Ports    loopback.Ports
	Config   string // after loopback.Rewrite
	Path     string
	TLSDir   string // ca.crt, tls.crt, tls.key of this collector ("" without TLS)
	Proc     *otelcoltest.Process
}

// Endpoint is the OTLP gRPC receiver's loopback address.
func (c *collectorRun) Endpoint() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Ports.OTLPGRPC))
}

// Scrape reads the collector's own metrics.
func (c *collectorRun) Scrape(t testing.TB) loopback.Metrics {
	t.Helper()
	m, err := loopback.Scrape(c.Ports.Metrics)
	if err != nil {
		t.Fatalf("scrape %s: %v", c.Workload.File, err)
	}
	return m
}

// freePorts picks a collector's loopback ports below the ephemeral range (see
// loopback.FreePort), so no outgoing connection can take one first.
func freePorts(t testing.TB) loopback.Ports {
	t.Helper()
	p, err := loopback.FreePorts()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// freePort is one such port.
func freePort(t testing.TB) int {
	t.Helper()
	p, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// usesTLSFiles reports whether a config reads certificate files.
func usesTLSFiles(config string) bool {
	return regexp.MustCompile(`(?m)^\s*(ca_file|cert_file|key_file|client_ca_file):`).MatchString(config)
}

// prepare rewrites workload w's rendered config for loopback (o's Role and Ports are
// filled in here) and writes it, with test certificates for the workload's Certificate
// names when the config uses TLS files (gateways also get the IP SAN 127.0.0.1, the
// address agents dial on loopback instead of the Service name).
func prepare(t testing.TB, s *renderedStack, w loopback.Workload, o loopback.Options, ca *loopback.CA) *collectorRun {
	t.Helper()
	text, ok := s.Result.Collector[w.File]
	if !ok {
		t.Fatalf("stack %s renders no collector config %s", s.Name, w.File)
	}
	o.Role = w.Role
	if o.Ports == (loopback.Ports{}) {
		o.Ports = freePorts(t)
	}
	dir := t.TempDir()
	if usesTLSFiles(text) {
		if len(w.TLSNames) == 0 {
			t.Fatalf("%s uses TLS files but its workload %s/%s mounts no cert-manager Certificate secret", w.File, w.Namespace, w.Name)
		}
		var ips []net.IP
		if w.Role == loopback.Gateway {
			ips = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		o.TLSDir = filepath.Join(dir, "tls")
		if err := ca.WriteTLSDir(o.TLSDir, w.TLSNames, ips); err != nil {
			t.Fatal(err)
		}
	}
	if o.StorageDir == "" && strings.Contains(text, "file_storage") {
		o.StorageDir = filepath.Join(dir, "queue")
	}
	rewritten, err := loopback.Rewrite(text, o)
	if err != nil {
		t.Fatalf("%s: %v", w.File, err)
	}
	path := filepath.Join(dir, w.File)
	if err := os.WriteFile(path, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	return &collectorRun{Workload: w, Ports: o.Ports, Config: rewritten, Path: path, TLSDir: o.TLSDir}
}

// patch edits a prepared (not yet started) collector's config in place: the tests that
// need a generated config pushed to a corner (a small buffer, a default limit) say what
// they change and why.
func (c *collectorRun) patch(t testing.TB, edit func(map[string]any)) {
	t.Helper()
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(c.Config), &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Config = string(out)
	if err := os.WriteFile(c.Path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fileSinkFleet is a stack's gateway, exporting to a file sink, and its DaemonSet agent
// sending to it, both running on loopback.
type fileSinkFleet struct {
	gw, agent *collectorRun
	sinkFile  string
}

// startFileSinkFleet runs stack's gateway and DaemonSet agent as generated; patchGateway,
// when not nil, edits the gateway's config before it starts (see collectorRun.patch).
func startFileSinkFleet(t testing.TB, stack string, patchGateway func(map[string]any)) fileSinkFleet {
	t.Helper()
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	s := render(t, stack)
	ca := newCA(t)
	f := fileSinkFleet{sinkFile: filepath.Join(t.TempDir(), "sink.json")}
	f.gw = prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: f.sinkFile}}, ca)
	if patchGateway != nil {
		f.gw.patch(t, patchGateway)
	}
	f.gw.start(t, bin)
	f.agent = prepare(t, s, daemonSetAgent(t, s), loopback.Options{GatewayEndpoint: f.gw.Endpoint()}, ca).start(t, bin)
	return f
}

// start runs a prepared collector with its workload's environment and waits for health.
func (c *collectorRun) start(t testing.TB, bin string) *collectorRun {
	t.Helper()
	c.Proc = otelcoltest.Start(t, bin, c.Path, c.Workload.Env, otelcoltest.WithHealthPort(c.Ports.Health))
	return c
}

// startSinkCollector runs a small downstream collector the test controls: OTLP gRPC on
// loopback (messages up to 256 MiB: a stand-in backend must not be the limit) into a
// `file` exporter (appending, so restarts keep one file).
func startSinkCollector(t testing.TB, bin, file string, port int) *otelcoltest.Process {
	t.Helper()
	health, metrics := freePort(t), freePort(t)
	cfg := map[string]any{
		"receivers":  map[string]any{"otlp": map[string]any{"protocols": map[string]any{"grpc": map[string]any{"endpoint": fmt.Sprintf("127.0.0.1:%d", port), "max_recv_msg_size_mib": 256}}}},
		"exporters":  map[string]any{"file": map[string]any{"path": file, "append": true, "flush_interval": "100ms"}},
		"extensions": map[string]any{"health_check": map[string]any{"endpoint": fmt.Sprintf("127.0.0.1:%d", health)}},
		"service": map[string]any{
			"extensions": []string{"health_check"},
			"pipelines": map[string]any{
				"traces":  map[string]any{"receivers": []string{"otlp"}, "exporters": []string{"file"}},
				"metrics": map[string]any{"receivers": []string{"otlp"}, "exporters": []string{"file"}},
				"logs":    map[string]any{"receivers": []string{"otlp"}, "exporters": []string{"file"}},
			},
			"telemetry": map[string]any{"metrics": map[string]any{"readers": []any{map[string]any{"pull": map[string]any{"exporter": map[string]any{"prometheus": map[string]any{"host": "127.0.0.1", "port": metrics}}}}}}},
		},
	}
	text, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := otelcoltest.WriteConfig(t, "sink.yaml", string(text))
	return otelcoltest.Start(t, bin, path, nil, otelcoltest.WithHealthPort(health))
}

// send runs telemetrygen for one signal ("traces", "metrics", "logs") against an OTLP
// gRPC endpoint: exactly n items (traces of two spans), unthrottled, for service. It returns
// telemetrygen's output and exit error.
func send(t testing.TB, signal, endpoint string, n int, service string, extra ...string) (string, error) {
	t.Helper()
	countFlag := map[string]string{"traces": "--traces", "metrics": "--metrics", "logs": "--logs"}[signal]
	if countFlag == "" {
		t.Fatalf("unknown signal %q", signal)
	}
	count := n
	if signal == "traces" {
		// A trace is a parent and at least one child span (telemetrygen's minimum).
		if n%2 != 0 {
			t.Fatalf("send: an even number of spans, please (got %d)", n)
		}
		count = n / 2
	}
	args := []string{signal, "--otlp-endpoint", endpoint, "--rate", "0", "--workers", "1",
		"--service", service, countFlag, strconv.Itoa(count)}
	if signal == "traces" {
		// Export each span as it ends: unthrottled, the SDK's batch span processor drops
		// spans once its 2048-span queue is full, which would be the generator's loss.
		args = append(args, "--child-spans", "1", "--batch=false")
	}
	args = append(args, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, otelcoltest.Telemetrygen(t), args...).CombinedOutput()
	return string(out), err
}

// insecure is the telemetrygen flag for a plaintext OTLP connection (agents' receivers).
const insecure = "--otlp-insecure"

// waitSink polls a file sink until want says the received items are complete or timeout
// passes, then returns the last read.
func waitSink(t testing.TB, file, service string, timeout time.Duration, done func(*loopback.Received) bool) *loopback.Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r, err := loopback.ReadSink(file, service)
		if err != nil {
			t.Fatalf("read sink: %v", err)
		}
		if done(r) || time.Now().After(deadline) {
			return r
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// deprecationWarnings returns the collector log lines that warn about a deprecated
// component name or setting.
func deprecationWarnings(output string) []string {
	var out []string
	for _, line := range strings.Split(output, "\n") {
		if strings.Contains(strings.ToLower(line), "deprecat") {
			out = append(out, line)
		}
	}
	return out
}

// assertNoDeprecations fails when a running collector logged a deprecation warning.
func assertNoDeprecations(t testing.TB, runs ...*collectorRun) {
	t.Helper()
	for _, r := range runs {
		if w := deprecationWarnings(r.Proc.Output()); len(w) > 0 {
			t.Errorf("%s logged deprecation warnings (use the current names):\n%s", r.Workload.File, strings.Join(w, "\n"))
		}
	}
}

// prepareOutside is prepare for a collector that runs outside Kubernetes (the ECS task, the
// ACI container group): its config is rewritten as a gateway's with o (Role and Ports set
// here) and it runs with env as its environment.
func prepareOutside(t *testing.T, name, config string, o loopback.Options, env []string) *collectorRun {
	t.Helper()
	o.Role, o.Ports = loopback.Gateway, freePorts(t)
	rewritten, err := loopback.Rewrite(config, o)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	file := strings.ReplaceAll(name, " ", "-") + ".yaml"
	path := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(path, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	w := loopback.Workload{File: file, Role: loopback.Gateway, Name: name, Env: env}
	return &collectorRun{Workload: w, Ports: o.Ports, Config: rewritten, Path: path}
}
