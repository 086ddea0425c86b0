package loopback

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const agentFixture = `
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 0.0.0.0:4317}
      http: {endpoint: 0.0.0.0:4318}
  file_log:
    include: [/var/log/pods/*/*/*.log]
    storage: file_storage/logs
processors:
  memory_limiter: {check_interval: 1s, limit_mib: 409, spike_limit_mib: 102}
  k8s_attributes: {auth_type: serviceAccount}
  resource:
    attributes: [{action: upsert, key: deployment.environment, value: production}]
  batch: {timeout: 200ms, send_batch_size: 1024}
exporters:
  otlp_grpc/gateway:
    endpoint: otel-gateway.observability.svc.cluster.local:4317
    compression: gzip
    tls: {ca_file: /etc/otelcol-tls/ca.crt, cert_file: /etc/otelcol-tls/tls.crt, key_file: /etc/otelcol-tls/tls.key}
  load_balancing/gateway:
    routing_key: traceID
    protocol:
      otlp:
        tls: {ca_file: /etc/otelcol-tls/ca.crt, server_name_override: otel-gateway.observability.svc.cluster.local}
    resolver:
      dns: {hostname: otel-gateway-headless.observability.svc.cluster.local, port: "4317", interval: 5s}
extensions:
  health_check: {endpoint: 0.0.0.0:13133}
  pprof: {endpoint: 127.0.0.1:1777}
  zpages: {endpoint: 127.0.0.1:55679}
  file_storage/logs: {directory: /var/lib/otelcol/logs}
service:
  extensions: [health_check, pprof, zpages, file_storage/logs]
  pipelines:
    traces: {receivers: [otlp], processors: [memory_limiter, k8s_attributes, resource, batch], exporters: [load_balancing/gateway]}
    logs: {receivers: [otlp, file_log], processors: [memory_limiter, k8s_attributes, resource, batch], exporters: [otlp_grpc/gateway]}
  telemetry:
    metrics:
      level: detailed
      readers: [{pull: {exporter: {prometheus: {host: 0.0.0.0, port: 8888}}}}]
`

const gatewayFixture = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
        tls: {cert_file: /etc/otelcol-tls/tls.crt, key_file: /etc/otelcol-tls/tls.key, client_ca_file: /etc/otelcol-tls/ca.crt}
processors:
  batch: {}
exporters:
  awsxray: {region: us-east-1}
  awss3/traces:
    s3uploader: {region: us-east-1, s3_bucket: b}
    retry_on_failure: {enabled: true, max_elapsed_time: 300s}
    sending_queue: {enabled: true, queue_size: 5000, storage: file_storage/queue}
  awscloudwatchlogs:
    log_group_name: g
    retry_on_failure: {enabled: true, max_elapsed_time: 300s}
    sending_queue: {enabled: true, queue_size: 5000, storage: file_storage/queue}
extensions:
  health_check: {endpoint: 0.0.0.0:13133}
  file_storage/queue: {directory: /var/lib/otelcol/queue, create_directory: true}
service:
  extensions: [health_check, file_storage/queue]
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [awsxray, awss3/traces]}
    logs: {receivers: [otlp], processors: [batch], exporters: [awscloudwatchlogs]}
  telemetry:
    metrics:
      readers: [{pull: {exporter: {prometheus: {host: 0.0.0.0, port: 8888}}}}]
`

var testPorts = Ports{OTLPGRPC: 14317, OTLPHTTP: 14318, Health: 13133, Metrics: 18888, Pprof: 11777, ZPages: 15679}

func rewrite(t *testing.T, config string, o Options) (map[string]any, map[string]any) {
	t.Helper()
	out, err := Rewrite(config, o)
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]any
	if err := yaml.Unmarshal([]byte(config), &before); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(out), &after); err != nil {
		t.Fatal(err)
	}
	return before, after
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		v = asMap(v)[p]
	}
	return v
}

func TestRewriteAgent(t *testing.T) {
	before, after := rewrite(t, agentFixture, Options{Role: Agent, Ports: testPorts, GatewayEndpoint: "127.0.0.1:24317", TLSDir: "/tmp/tls"})
	checks := []struct {
		path []string
		want any
	}{
		{[]string{"receivers", "otlp", "protocols", "grpc", "endpoint"}, "127.0.0.1:14317"},
		{[]string{"receivers", "otlp", "protocols", "http", "endpoint"}, "127.0.0.1:14318"},
		{[]string{"extensions", "health_check", "endpoint"}, "127.0.0.1:13133"},
		{[]string{"extensions", "pprof", "endpoint"}, "127.0.0.1:11777"},
		{[]string{"extensions", "zpages", "endpoint"}, "127.0.0.1:15679"},
		{[]string{"exporters", "otlp_grpc/gateway", "endpoint"}, "127.0.0.1:24317"},
		{[]string{"exporters", "load_balancing/gateway", "resolver", "dns", "hostname"}, "127.0.0.1"},
		{[]string{"exporters", "load_balancing/gateway", "resolver", "dns", "port"}, "24317"},
		{[]string{"exporters", "otlp_grpc/gateway", "tls", "cert_file"}, "/tmp/tls/tls.crt"},
		{[]string{"exporters", "load_balancing/gateway", "protocol", "otlp", "tls", "ca_file"}, "/tmp/tls/ca.crt"},
		// kept as generated
		{[]string{"exporters", "load_balancing/gateway", "protocol", "otlp", "tls", "server_name_override"}, "otel-gateway.observability.svc.cluster.local"},
		{[]string{"exporters", "otlp_grpc/gateway", "compression"}, "gzip"},
		{[]string{"processors", "k8s_attributes"}, nil},
		{[]string{"receivers", "file_log"}, nil},
		{[]string{"extensions", "file_storage/logs"}, nil}, // its checkpoints go with it
		{[]string{"service", "extensions"}, []any{"health_check", "pprof", "zpages"}},
	}
	for _, c := range checks {
		if got := get(after, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	reader := asMap(get(after, "service", "telemetry", "metrics", "readers").([]any)[0])
	if prom := get(reader, "pull", "exporter", "prometheus"); !reflect.DeepEqual(prom, map[string]any{"host": "127.0.0.1", "port": float64(18888)}) {
		t.Errorf("prometheus reader = %v", prom)
	}
	if got := get(after, "service", "pipelines", "traces", "processors"); !reflect.DeepEqual(got, []any{"memory_limiter", "resource", "batch"}) {
		t.Errorf("traces processors = %v (order must stay, only k8s_attributes leaves)", got)
	}
	if got := get(after, "service", "pipelines", "logs", "receivers"); !reflect.DeepEqual(got, []any{"otlp"}) {
		t.Errorf("logs receivers = %v", got)
	}
	for _, untouched := range []string{"memory_limiter", "resource", "batch"} {
		if !reflect.DeepEqual(get(before, "processors", untouched), get(after, "processors", untouched)) {
			t.Errorf("processor %s changed", untouched)
		}
	}
}

func TestRewriteGatewayFileSink(t *testing.T) {
	_, after := rewrite(t, gatewayFixture, Options{Role: Gateway, Ports: testPorts, Sink: Sink{File: "/tmp/sink.json"}, TLSDir: "/tmp/tls", StorageDir: "/tmp/q"})
	if got := get(after, "exporters"); !reflect.DeepEqual(got, map[string]any{FileSinkID: map[string]any{"path": "/tmp/sink.json"}}) {
		t.Errorf("exporters = %v", got)
	}
	for _, p := range []string{"traces", "logs"} {
		if got := get(after, "service", "pipelines", p, "exporters"); !reflect.DeepEqual(got, []any{FileSinkID}) {
			t.Errorf("%s exporters = %v", p, got)
		}
	}
	if got := get(after, "receivers", "otlp", "protocols", "grpc", "tls", "client_ca_file"); got != "/tmp/tls/ca.crt" {
		t.Errorf("client_ca_file = %v (mTLS must stay on)", got)
	}
	if got := get(after, "extensions", "file_storage/queue", "directory"); got != "/tmp/q" {
		t.Errorf("file_storage directory = %v", got)
	}
}

func TestRewriteGatewayOTLPSinkKeepsQueuePolicy(t *testing.T) {
	_, after := rewrite(t, gatewayFixture, Options{Role: Gateway, Ports: testPorts, Sink: Sink{OTLPEndpoint: "127.0.0.1:9999"}, TLSDir: "/tmp/tls", StorageDir: "/tmp/q"})
	sink := asMap(get(after, "exporters", OTLPSinkID))
	if sink["endpoint"] != "127.0.0.1:9999" {
		t.Errorf("sink endpoint = %v", sink["endpoint"])
	}
	want := map[string]any{"enabled": true, "queue_size": float64(5000), "storage": "file_storage/queue"}
	if !reflect.DeepEqual(sink["sending_queue"], want) {
		t.Errorf("sink sending_queue = %v, want the generated %v", sink["sending_queue"], want)
	}
	if get(sink, "retry_on_failure", "max_elapsed_time") != "300s" {
		t.Errorf("sink retry_on_failure = %v", sink["retry_on_failure"])
	}
}

func TestRewriteGatewayKeepsOnlyItsUpstream(t *testing.T) {
	withUpstream := strings.Replace(gatewayFixture, "  awsxray: {region: us-east-1}\n", `  awsxray: {region: us-east-1}
  otlp_grpc/upstream:
    endpoint: otlp.observability.example.com:4317
    tls: {ca_pem: "${env:OTELFLEET_TLS_CA}", cert_pem: "${env:OTELFLEET_TLS_CLIENT}", key_pem: "${env:OTELFLEET_TLS_CLIENT}"}
`, 1)
	withUpstream = strings.Replace(withUpstream, "exporters: [awsxray, awss3/traces]", "exporters: [awsxray, awss3/traces, otlp_grpc/upstream]", 1)
	withUpstream = strings.Replace(withUpstream, "exporters: [awscloudwatchlogs]", "exporters: [awscloudwatchlogs, otlp_grpc/upstream]", 1)
	before, after := rewrite(t, withUpstream, Options{Role: Gateway, Ports: testPorts, Upstream: "127.0.0.1:9999", TLSDir: "/tmp/tls", StorageDir: "/tmp/q"})
	up := asMap(get(after, "exporters", "otlp_grpc/upstream"))
	if up["endpoint"] != "127.0.0.1:9999" || !reflect.DeepEqual(up["tls"], get(before, "exporters", "otlp_grpc/upstream", "tls")) {
		t.Errorf("upstream exporter = %v; want the test gateway's address with the TLS as generated", up)
	}
	if n := len(asMap(get(after, "exporters"))); n != 1 {
		t.Errorf("%d exporters left; want the upstream only", n)
	}
	if got := get(after, "service", "pipelines", "traces", "exporters"); !reflect.DeepEqual(got, []any{"otlp_grpc/upstream"}) {
		t.Errorf("traces exporters = %v", got)
	}
	// A signal kept in the region (its pipeline forwards nothing) has nothing to run here.
	resident := strings.Replace(withUpstream, "exporters: [awscloudwatchlogs, otlp_grpc/upstream]", "exporters: [awscloudwatchlogs]", 1)
	_, after = rewrite(t, resident, Options{Role: Gateway, Ports: testPorts, Upstream: "127.0.0.1:9999", TLSDir: "/tmp/tls", StorageDir: "/tmp/q"})
	if get(after, "service", "pipelines", "logs") != nil || get(after, "service", "pipelines", "traces") == nil {
		t.Errorf("pipelines = %v; want traces only (logs forward nothing upstream)", get(after, "service", "pipelines"))
	}
	if _, err := Rewrite(gatewayFixture, Options{Role: Gateway, Ports: testPorts, Upstream: "127.0.0.1:9999", TLSDir: "/t", StorageDir: "/q"}); err == nil || !strings.Contains(err.Error(), "no upstream exporter") {
		t.Errorf("a gateway without an upstream exporter: err = %v", err)
	}
}

func TestRewriteRejects(t *testing.T) {
	cases := map[string]struct {
		config string
		o      Options
		want   string
	}{
		"agent without gateway endpoint": {agentFixture, Options{Role: Agent, Ports: testPorts, TLSDir: "/t"}, "GatewayEndpoint"},
		"missing port":                   {agentFixture, Options{Role: Agent, Ports: Ports{OTLPGRPC: 1}, GatewayEndpoint: "127.0.0.1:1"}, "Ports."},
		"TLS without TLSDir":             {agentFixture, Options{Role: Agent, Ports: testPorts, GatewayEndpoint: "127.0.0.1:1"}, "TLSDir"},
		"storage without StorageDir":     {gatewayFixture, Options{Role: Gateway, Ports: testPorts, Sink: Sink{File: "f"}, TLSDir: "/t"}, "StorageDir"},
		"gateway with two sinks":         {gatewayFixture, Options{Role: Gateway, Ports: testPorts, Sink: Sink{File: "f", OTLPEndpoint: "e"}}, "exactly one"},
		"agent exporting elsewhere": {strings.Replace(agentFixture, "otlp_grpc/gateway", "debug", 1), Options{Role: Agent, Ports: testPorts, GatewayEndpoint: "127.0.0.1:1", TLSDir: "/t"},
			"not an otlp_grpc or load_balancing"},
	}
	for name, c := range cases {
		if _, err := Rewrite(c.config, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestEnvRefs(t *testing.T) {
	req, def := EnvRefs("a: ${env:K8S_POD_NAME}\nb: ${env:HOSTNAME:-collector}\nc: ${env:K8S_POD_NAME} ${BUCKET}")
	if !reflect.DeepEqual(req, []string{"BUCKET", "K8S_POD_NAME"}) || !reflect.DeepEqual(def, []string{"HOSTNAME"}) {
		t.Errorf("required %v, defaulted %v", req, def)
	}
	if got := ConfigEnv("x: ${env:APPLICATIONINSIGHTS_CONNECTION_STRING}"); len(got) != 1 || !strings.HasPrefix(got[0], "APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=") {
		t.Errorf("ConfigEnv = %v", got)
	}
}

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(`# HELP x
otelcol_exporter_sent_spans{exporter="a",server_port="1"} 10
otelcol_exporter_sent_spans{exporter="b"} 5
otelcol_process_uptime 3.5
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Sum("otelcol_exporter_sent_spans") != 15 || m.Sum("otelcol_exporter_sent_spans", `exporter="b"`) != 5 || !m.Has("otelcol_process_uptime") || m.Has("otelcol_x") {
		t.Errorf("parsed %+v", m)
	}
}
