package otelcoltest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// minimalConfig: otlp receiver on loopback -> debug exporter, health_check extension.
// Internal telemetry metrics are off so parallel collectors do not fight over :8888.
func minimalConfig(grpcPort, httpPort, healthPort int) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
      http:
        endpoint: 127.0.0.1:%d
exporters:
  debug:
    verbosity: detailed
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
`, grpcPort, httpPort, healthPort)
}

func TestFreePort(t *testing.T) {
	p, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if p <= 0 || p > 65535 {
		t.Fatalf("port %d out of range", p)
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		t.Fatalf("port %d not free: %v", p, err)
	}
	l.Close()
}

func TestHealthURLFromConfig(t *testing.T) {
	cases := []struct {
		name, yaml string
		env        []string
		want       string
	}{
		{"explicit", "extensions:\n  health_check:\n    endpoint: 127.0.0.1:1234\n    path: /health\n", nil, "http://127.0.0.1:1234/health"},
		{"default", "extensions:\n  health_check:\nservice:\n  extensions: [health_check]\n", nil, "http://localhost:13133/"},
		{"named+wildcard", "receivers: {}\nextensions:\n  pprof:\n    endpoint: 127.0.0.1:1777\n  health_check/k8s:\n    endpoint: \"0.0.0.0:13133\" # probes\n", nil, "http://127.0.0.1:13133/"},
		{"env", "extensions:\n  health_check:\n    endpoint: ${env:MY_POD_IP}:${env:HC_PORT}\n", []string{"MY_POD_IP=127.0.0.2", "HC_PORT=4321"}, "http://127.0.0.2:4321/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := WriteConfig(t, "c.yaml", tc.yaml)
			got, err := HealthURLFromConfig(p, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	p := WriteConfig(t, "none.yaml", "extensions:\n  pprof:\n")
	if _, err := HealthURLFromConfig(p, nil); err == nil {
		t.Fatal("expected an error without health_check")
	}
}

func TestValidateMinimalConfig(t *testing.T) {
	bin := Binary(t)
	cfg := WriteConfig(t, "minimal.yaml", minimalConfig(MustFreePort(t), MustFreePort(t), MustFreePort(t)))
	out, err := Validate(bin, cfg, nil)
	if err != nil {
		t.Fatalf("minimal config rejected: %v", err)
	}
	t.Logf("validate output: %q", out)
}

// TestValidateRejectsBrokenConfigs: each edit of the minimal config must be rejected by
// the real binary, with an error naming what is wrong.
func TestValidateRejectsBrokenConfigs(t *testing.T) {
	bin := Binary(t)
	for _, c := range []struct{ name, old, new, want string }{
		{"undefined exporter", "exporters: [debug]", "exporters: [debug, otlp_grpc/missing]", `references exporter "otlp_grpc/missing" which is not configured`},
		{"unknown component type", "exporters:\n  debug:\n", "exporters:\n  nosuchexporter:\n    foo: bar\n  debug:\n", `unknown type: "nosuchexporter"`},
		{"unknown key", "    verbosity: detailed\n", "    verbosity: detailed\n    no_such_key: 1\n", "no_such_key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := minimalConfig(MustFreePort(t), MustFreePort(t), MustFreePort(t))
			if !strings.Contains(text, c.old) {
				t.Fatalf("the minimal config has no %q to edit", c.old)
			}
			_, err := Validate(bin, WriteConfig(t, "broken.yaml", strings.Replace(text, c.old, c.new, 1)), nil)
			if err == nil {
				t.Fatal("the broken config was accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error does not contain %q:\n%v", c.want, err)
			}
		})
	}
}

func TestStartHealthRestartStop(t *testing.T) {
	bin := Binary(t)
	grpcPort, httpPort, healthPort := MustFreePort(t), MustFreePort(t), MustFreePort(t)
	cfg := WriteConfig(t, "run.yaml", minimalConfig(grpcPort, httpPort, healthPort))

	p := Start(t, bin, cfg, nil)
	if want := fmt.Sprintf("http://127.0.0.1:%d/", healthPort); p.HealthURL() != want {
		t.Fatalf("health URL %q, want %q", p.HealthURL(), want)
	}
	assertHealthy(t, p.HealthURL())

	// OTLP/HTTP JSON span in, debug exporter prints it.
	body := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"otelcoltest"}}]},` +
		`"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",` +
		`"name":"otelcoltest-span","kind":1,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"}]}]}]}`
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/v1/traces", httpPort), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("OTLP/HTTP export: %s", resp.Status)
	}
	waitForOutput(t, p, "otelcoltest-span", 10*time.Second)

	firstPid := p.Pid()
	p.Restart()
	if p.Pid() == firstPid {
		t.Fatal("Restart did not start a new process")
	}
	assertHealthy(t, p.HealthURL())

	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v\n%s", err, p.Output())
	}
	if p.Running() {
		t.Fatal("still running after Stop")
	}
	if _, err := http.Get(p.HealthURL()); err == nil {
		t.Fatal("health endpoint still answers after Stop")
	}
	if !strings.Contains(p.Output(), "Shutdown complete") {
		t.Errorf("no clean shutdown in output:\n%s", p.Output())
	}
}

func TestStartFailsFastOnBadConfig(t *testing.T) {
	bin := Binary(t)
	cfg := WriteConfig(t, "bad.yaml", "receivers:\n  nosuch: {}\n")
	expectStartFailure(t, bin, cfg, nil, "exited before becoming healthy", `unknown type: "nosuch"`)
}

// expectStartFailure runs Start against a fake TB and checks that it fails with all of want.
func expectStartFailure(t *testing.T, bin, cfg string, env []string, want ...string) {
	t.Helper()
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(ft, bin, cfg, env, WithHealthPort(MustFreePort(t)), WithStartTimeout(30*time.Second))
	}()
	<-done
	ft.runCleanups()
	if !ft.failed {
		t.Fatal("Start did not fail")
	}
	for _, w := range want {
		if !strings.Contains(ft.msg, w) {
			t.Fatalf("Start failure does not contain %q:\n%s", w, ft.msg)
		}
	}
}

// fakeTB records Fatalf instead of failing the real test.
type fakeTB struct {
	testing.TB
	failed   bool
	msg      string
	cleanups []func()
}

func (f *fakeTB) Helper()             {}
func (f *fakeTB) Failed() bool        { return f.failed }
func (f *fakeTB) Cleanup(fn func())   { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Logf(string, ...any) {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestTelemetrygenToCollector(t *testing.T) {
	bin, tg := Binary(t), Telemetrygen(t)
	grpcPort := MustFreePort(t)
	cfg := WriteConfig(t, "tg.yaml", minimalConfig(grpcPort, MustFreePort(t), MustFreePort(t)))
	p := Start(t, bin, cfg, nil)

	cmd := exec.Command(tg, "traces", "--otlp-endpoint", fmt.Sprintf("127.0.0.1:%d", grpcPort),
		"--otlp-insecure", "--traces", "3", "--rate", "0", "--service", "otelcoltest-tg")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("telemetrygen: %v\n%s", err, out)
	}
	waitForOutput(t, p, "otelcoltest-tg", 15*time.Second)
}

// awsConfig uses every AWS component of the distribution. Keys verified against the
// component sources: awss3 keeps its target under s3uploader:, awsemf/awscloudwatchlogs
// need log_group_name + log_stream_name, sigv4auth is an authenticator for an HTTP exporter.
const awsConfig = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
extensions:
  sigv4auth:
    region: us-east-1
    service: aps
exporters:
  awsxray:
    region: us-east-1
    indexed_attributes: [otel.resource.service.name]
    index_all_attributes: false
  awss3:
    s3uploader:
      region: us-east-1
      s3_bucket: otelfleet-test-bucket
      s3_prefix: otel
      s3_partition_format: "year=%%Y/month=%%m/day=%%d/hour=%%H/minute=%%M"
      compression: gzip
    marshaler: otlp_json
  awsemf:
    region: us-east-1
    namespace: otelfleet
    log_group_name: /otelfleet/metrics
    log_stream_name: collector
    dimension_rollup_option: NoDimensionRollup
    resource_to_telemetry_conversion:
      enabled: true
  awscloudwatchlogs:
    region: us-east-1
    log_group_name: /otelfleet/logs
    log_stream_name: collector
    log_retention: 30
  otlp_http/amp:
    endpoint: https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-00000000-0000-0000-0000-000000000000
    auth:
      authenticator: sigv4auth
service:
  extensions: [sigv4auth]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [awsxray, awss3]
    metrics:
      receivers: [otlp]
      exporters: [awsemf, otlp_http/amp]
    logs:
      receivers: [otlp]
      exporters: [awscloudwatchlogs, awss3]
`

func TestValidateAWSNoNetwork(t *testing.T) {
	if err := CheckNoNetwork(); err != nil {
		t.Fatalf("no-network mode unavailable (needs root / CAP_SYS_ADMIN): %v", err)
	}
	bin := Binary(t)
	cfg := WriteConfig(t, "aws.yaml", fmt.Sprintf(awsConfig, MustFreePort(t)))
	out, err := Validate(bin, cfg, nil, NoNetwork())
	if err != nil {
		t.Fatalf("AWS config rejected: %v", err)
	}
	t.Logf("validate output: %q", out)

	// The s3 target outside s3uploader: is an unknown key.
	bad := WriteConfig(t, "aws-bad.yaml", strings.Replace(fmt.Sprintf(awsConfig, MustFreePort(t)),
		"  awss3:\n    s3uploader:\n      region: us-east-1\n      s3_bucket: otelfleet-test-bucket\n",
		"  awss3:\n    s3_bucket: otelfleet-test-bucket\n    s3uploader:\n      region: us-east-1\n", 1))
	if _, err := Validate(bin, bad, nil, NoNetwork()); err == nil || !strings.Contains(err.Error(), "s3_bucket") {
		t.Fatalf("awss3 with s3_bucket at the top level: want an error naming s3_bucket, got %v", err)
	}
}

func TestNoNetworkHasNoNetwork(t *testing.T) {
	if err := CheckNoNetwork(); err != nil {
		t.Fatalf("no-network mode unavailable: %v", err)
	}
	// Inside the namespace only a down loopback exists: connecting anywhere fails.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out, err := exec.Command("unshare", "-n", "--", "bash", "-c",
		fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d", l.Addr().(*net.TCPAddr).Port)).CombinedOutput()
	if err == nil {
		t.Fatalf("connected to the host's loopback from inside unshare -n: %s", out)
	}
}

const azureConfig = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
exporters:
  azure_monitor:
    connection_string: ${env:APPLICATIONINSIGHTS_CONNECTION_STRING}
    spaneventsenabled: true
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [azure_monitor]
    logs:
      receivers: [otlp]
      exporters: [azure_monitor]
`

func TestValidateAzureMonitor(t *testing.T) {
	bin := Binary(t)
	cfg := WriteConfig(t, "azure.yaml", fmt.Sprintf(azureConfig, MustFreePort(t), MustFreePort(t)))
	dummy := "APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=00000000-0000-0000-0000-000000000000;" +
		"IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
	if _, err := Validate(bin, cfg, []string{dummy}, NoNetwork()); err != nil {
		t.Fatalf("azure_monitor config rejected: %v", err)
	}
	// The connection string is only parsed when the exporter starts: validate accepts an
	// empty one, but the collector refuses to start.
	empty := []string{"APPLICATIONINSIGHTS_CONNECTION_STRING="}
	if _, err := Validate(bin, cfg, empty, NoNetwork()); err != nil {
		t.Fatalf("validate with an empty connection string: %v", err)
	}
	expectStartFailure(t, bin, cfg, empty,
		`failed to start "azure_monitor" exporter: ConnectionString and InstrumentationKey cannot be empty`)
	// With the dummy connection string it starts (nothing is sent without data).
	Start(t, bin, cfg, []string{dummy}).Stop()
}

// TestValidateOtherComponents validates a config touching the remaining components of the
// manifest (file exporter, file_storage, filelog, k8s/host/kubelet receivers etc.), so a
// manifest or key regression shows up here.
func TestValidateOtherComponents(t *testing.T) {
	bin := Binary(t)
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	if err := os.Mkdir(storage, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := WriteConfig(t, "all.yaml", fmt.Sprintf(otherComponentsConfig,
		MustFreePort(t), MustFreePort(t), MustFreePort(t), storage, storage, MustFreePort(t), dir, dir))
	if out, err := Validate(bin, cfg, []string{"K8S_NODE_NAME=node-1"}, NoNetwork()); err != nil {
		t.Fatalf("config rejected: %v", err)
	} else {
		t.Logf("validate output: %q", out)
	}
}

const otherComponentsConfig = `extensions:
  health_check:
    endpoint: 127.0.0.1:%d
  pprof:
    endpoint: 127.0.0.1:%d
  zpages:
    endpoint: 127.0.0.1:%d
  file_storage:
    directory: %s
    timeout: 2s
    compaction:
      on_start: true
      directory: %s
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
  file_log:
    include: [%s/*.log]
    start_at: beginning
    storage: file_storage
  host_metrics:
    collection_interval: 30s
    scrapers:
      cpu: {}
      memory: {}
      filesystem: {}
  # auth_type serviceAccount reads the pod's SA token/CA while the receiver is created,
  # which validate does too: outside a pod it fails, so this test uses auth_type none.
  kubelet_stats:
    collection_interval: 30s
    auth_type: none
    endpoint: http://${env:K8S_NODE_NAME}:10255
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  batch: {}
  k8s_attributes:
    auth_type: serviceAccount
    passthrough: true
  resource_detection:
    detectors: [env, system]
    override: false
  resource:
    attributes:
      - key: deployment.environment.name
        value: test
        action: upsert
  attributes:
    actions:
      - key: http.request.header.authorization
        action: delete
  filter:
    error_mode: ignore
    traces:
      span:
        - 'attributes["http.route"] == "/healthz"'
  transform:
    error_mode: ignore
    trace_statements:
      - set(span.attributes["otelfleet"], "yes")
  tail_sampling:
    decision_wait: 10s
    policies:
      - name: errors
        type: status_code
        status_code:
          status_codes: [ERROR]
  probabilistic_sampler:
    sampling_percentage: 25
exporters:
  debug: {}
  otlp_grpc:
    endpoint: 127.0.0.1:4317
    tls:
      insecure: true
  file:
    path: %s/out.jsonl
    format: json
    rotation:
      max_megabytes: 10
      max_backups: 3
  load_balancing:
    routing_key: traceID
    protocol:
      otlp:
        tls:
          insecure: true
    resolver:
      static:
        hostnames: [127.0.0.1:4317]
service:
  extensions: [health_check, pprof, zpages, file_storage]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, k8s_attributes, resource_detection, resource, attributes, filter, transform, tail_sampling, probabilistic_sampler, batch]
      exporters: [load_balancing, debug]
    metrics:
      receivers: [otlp, host_metrics, kubelet_stats]
      processors: [memory_limiter, batch]
      exporters: [otlp_grpc, file]
    logs:
      receivers: [file_log]
      processors: [memory_limiter, batch]
      exporters: [file]
`

func assertHealthy(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health %s: %s %s", url, resp.Status, b)
	}
}

func waitForOutput(t *testing.T, p *Process, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(p.Output(), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("collector output does not contain %q after %s:\n%s", want, d, tail(p.Output(), 4000))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// aliasConfig spells every renamed component of the manifest with its pre-v0.161 type
// name (deprecated alias). The otlp receiver was not renamed; the otlp exporter was.
const aliasConfig = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
  filelog:
    include: [%s/*.log]
  hostmetrics:
    collection_interval: 1h
    scrapers:
      memory: {}
  kubeletstats:
    collection_interval: 1h
    auth_type: none
    endpoint: http://127.0.0.1:%d
processors:
  k8sattributes:
    passthrough: true
  resourcedetection:
    detectors: [env]
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
exporters:
  otlp:
    endpoint: 127.0.0.1:%d
    tls:
      insecure: true
  otlphttp:
    endpoint: http://127.0.0.1:%d
  loadbalancing:
    protocol:
      otlp:
        tls:
          insecure: true
    resolver:
      static:
        hostnames: [127.0.0.1:%d]
  azuremonitor:
    connection_string: InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:%d/
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [k8sattributes, resourcedetection]
      exporters: [otlp, otlphttp, loadbalancing, azuremonitor]
    metrics:
      receivers: [hostmetrics, kubeletstats]
      exporters: [otlp]
    logs:
      receivers: [filelog]
      exporters: [otlphttp]
`

// TestDeprecatedAliases documents v0.161 behaviour: the old type names still load;
// `validate` accepts them silently (its component builders log to a no-op logger), and
// only a running collector warns `"<old>" alias is deprecated; use "<new>" instead`.
func TestDeprecatedAliases(t *testing.T) {
	bin := Binary(t)
	cfg := WriteConfig(t, "alias.yaml", fmt.Sprintf(aliasConfig, MustFreePort(t), t.TempDir(),
		MustFreePort(t), MustFreePort(t), MustFreePort(t), MustFreePort(t), MustFreePort(t), MustFreePort(t)))
	out, err := Validate(bin, cfg, nil)
	if err != nil {
		t.Fatalf("config with deprecated aliases rejected: %v", err)
	}
	if strings.Contains(out, "deprecated") {
		t.Errorf("validate now prints deprecation warnings (update the docs): %s", out)
	}

	p := Start(t, bin, cfg, nil)
	renames := map[string]string{
		"otlp": "otlp_grpc", "otlphttp": "otlp_http", "loadbalancing": "load_balancing",
		"azuremonitor": "azure_monitor", "k8sattributes": "k8s_attributes",
		"resourcedetection": "resource_detection", "filelog": "file_log",
		"hostmetrics": "host_metrics", "kubeletstats": "kubelet_stats",
	}
	for old, cur := range renames {
		want := fmt.Sprintf(`"%s" alias is deprecated; use "%s" instead`, old, cur)
		if !strings.Contains(p.Output(), want) {
			t.Errorf("running collector did not warn %s", want)
		}
	}
}

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tool.sh")
	if err := os.WriteFile(p, []byte("#!/usr/bin/env bash\nset -euo pipefail\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunToolScript(t *testing.T) {
	t.Run("last line is the binary", func(t *testing.T) {
		bin := writeScript(t, "") // any executable file will do
		s := writeScript(t, fmt.Sprintf("echo progress >&2\necho not-this\necho %s\n", bin))
		r := runToolScript(s, time.Time{}, false)
		if r.err != nil || r.path != bin {
			t.Fatalf("got path %q err %v\n%s", r.path, r.err, r.output)
		}
	})
	t.Run("failure keeps the output", func(t *testing.T) {
		s := writeScript(t, "echo 'go: module example.com/x@v1: 403 Forbidden' >&2\nexit 3\n")
		r := runToolScript(s, time.Time{}, false)
		if r.err == nil || !strings.Contains(r.output, "403 Forbidden") {
			t.Fatalf("got err %v output %q", r.err, r.output)
		}
	})
	t.Run("not executable", func(t *testing.T) {
		plain := filepath.Join(t.TempDir(), "plain")
		if err := os.WriteFile(plain, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		s := writeScript(t, "echo "+plain+"\n")
		if r := runToolScript(s, time.Time{}, false); r.err == nil {
			t.Fatal("accepted a non-executable path")
		}
	})
	t.Run("stopped at the test deadline", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "child-alive")
		// A child process in the same group must be stopped too.
		s := writeScript(t, fmt.Sprintf("(sleep 3; touch %s) &\nsleep 60\n", marker))
		start := time.Now()
		r := runToolScript(s, time.Now().Add(21*time.Second), true) // stops 20 s early
		if r.err == nil || !strings.Contains(r.err.Error(), "test deadline") {
			t.Fatalf("got err %v", r.err)
		}
		if d := time.Since(start); d > 15*time.Second {
			t.Fatalf("took %s", d)
		}
		time.Sleep(4 * time.Second)
		if fileExists(marker) {
			t.Fatal("child of the script survived")
		}
	})
}
