package collector

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The presets are checked through the YAML the collector will read, not through the Go
// values, so a wrong json tag or a missing field fails here too.

const (
	testGatewayEndpoint = "otelfleet-gateway.observability.svc.cluster.local:4317"
	testHeadless        = "otelfleet-gateway-headless.observability.svc.cluster.local"
	testQueueDir        = "/var/lib/otelfleet/queue"
)

var testClientTLS = &ClientTLS{
	CAFile:   "/etc/otelfleet/tls/ca.crt",
	CertFile: "/etc/otelfleet/tls/tls.crt",
	KeyFile:  "/etc/otelfleet/tls/tls.key",
}

func daemonSetOptions() AgentOptions {
	return AgentOptions{
		Mode:                 AgentDaemonSet,
		Environment:          "staging",
		GatewayEndpoint:      testGatewayEndpoint,
		LoadBalancingHost:    testHeadless,
		TLS:                  testClientTLS,
		MemoryLimitMiB:       1000,
		K8sAttributes:        true,
		LogCollection:        true,
		ExcludeLogNamespaces: []string{"observability", "observability-agent"},
		QueueSize:            1500,
		QueueDir:             testQueueDir,
		ResourceAttributes:   []AttributeAction{{Key: "k8s.cluster.name", Value: "prod-eu", Action: "insert"}},
	}
}

func sidecarOptions() AgentOptions {
	return AgentOptions{
		Mode:            AgentSidecar,
		Environment:     "dev",
		GatewayEndpoint: testGatewayEndpoint,
		MemoryLimitMiB:  512,
		QueueSize:       200,
	}
}

func gatewayOptions(sampling Sampling, queueDir string) GatewayOptions {
	return GatewayOptions{
		MemoryLimitMiB: 4096,
		TLS:            &ServerTLS{CertFile: "/etc/otelfleet/tls/tls.crt", KeyFile: "/etc/otelfleet/tls/tls.key", ClientCAFile: "/etc/otelfleet/tls/ca.crt"},
		Sampling:       sampling,
		QueueSize:      5000,
		QueueDir:       queueDir,
		Exporters: []Exporter{
			{ID: "otlp_http/backend", Config: OTLPHTTPExporter{Endpoint: "https://otlp.example.com", Compression: "zstd"}, Signals: []string{Traces, Metrics, Logs}},
			{ID: "otlp_grpc/archive", Config: OTLPExporter{Endpoint: "archive.example.com:4317"}, Signals: []string{Traces}},
			{ID: "debug", Config: DebugExporter{Verbosity: "basic"}, Signals: []string{Logs}},
		},
		ResourceAttributes: []AttributeAction{{Key: "cloud.region", Value: "eu-west-1", Action: "upsert"}},
	}
}

// rendered is a collector configuration as generic YAML.
type rendered map[string]any

func render(t *testing.T, cfg *Config) rendered {
	t.Helper()
	out, err := cfg.YAML()
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("rendered YAML does not parse: %v\n%s", err, out)
	}
	return m
}

// lookup follows a path of map keys (and list indexes, as ints) through the rendered YAML.
func (r rendered) lookup(path ...any) (any, bool) {
	var cur any = map[string]any(r)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			l, ok := cur.([]any)
			if !ok || k >= len(l) {
				return nil, false
			}
			cur = l[k]
		}
	}
	return cur, true
}

func (r rendered) get(t *testing.T, path ...any) any {
	t.Helper()
	v, ok := r.lookup(path...)
	if !ok {
		t.Fatalf("rendered config has no %s", showPath(path))
	}
	return v
}

func (r rendered) str(t *testing.T, path ...any) string {
	t.Helper()
	s, ok := r.get(t, path...).(string)
	if !ok {
		t.Fatalf("%s is %#v, not a string", showPath(path), r.get(t, path...))
	}
	return s
}

func (r rendered) num(t *testing.T, path ...any) float64 {
	t.Helper()
	n, ok := r.get(t, path...).(float64)
	if !ok {
		t.Fatalf("%s is %#v, not a number", showPath(path), r.get(t, path...))
	}
	return n
}

func (r rendered) strs(t *testing.T, path ...any) []string {
	t.Helper()
	l, ok := r.get(t, path...).([]any)
	if !ok {
		t.Fatalf("%s is %#v, not a list", showPath(path), r.get(t, path...))
	}
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func (r rendered) keys(t *testing.T, path ...any) []string {
	t.Helper()
	m, ok := r.get(t, path...).(map[string]any)
	if !ok {
		t.Fatalf("%s is %#v, not a map", showPath(path), r.get(t, path...))
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (r rendered) wantEqual(t *testing.T, want any, path ...any) {
	t.Helper()
	if got := r.get(t, path...); !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v; want %#v", showPath(path), got, want)
	}
}

func (r rendered) wantAbsent(t *testing.T, path ...any) {
	t.Helper()
	if v, ok := r.lookup(path...); ok {
		t.Errorf("%s = %#v; want it absent", showPath(path), v)
	}
}

func showPath(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// keyPaths lists the path of every map key named key anywhere in v.
func keyPaths(v any, key, at string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if k == key {
				out = append(out, at+"."+k)
			}
			out = append(out, keyPaths(child, key, at+"."+k)...)
		}
	case []any:
		for i, child := range x {
			out = append(out, keyPaths(child, key, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return out
}

// checkCommon asserts what every preset shares: OTLP on all interfaces, memory_limiter first
// in every pipeline sized from the container limit, health_check for the kubelet, and the
// collector's own metrics as a Prometheus pull reader (the removed `address` key nowhere).
func checkCommon(t *testing.T, r rendered, memLimitMiB int) {
	t.Helper()
	r.wantEqual(t, "0.0.0.0:4317", "receivers", "otlp", "protocols", "grpc", "endpoint")
	r.wantEqual(t, "0.0.0.0:4318", "receivers", "otlp", "protocols", "http", "endpoint")

	for _, p := range r.keys(t, "service", "pipelines") {
		procs := r.strs(t, "service", "pipelines", p, "processors")
		if len(procs) == 0 || procs[0] != "memory_limiter" {
			t.Errorf("pipeline %s: processors %v; want memory_limiter first", p, procs)
		}
		if procs[len(procs)-1] != "batch" {
			t.Errorf("pipeline %s: processors %v; want batch last", p, procs)
		}
	}
	limit := r.num(t, "processors", "memory_limiter", "limit_mib")
	spike := r.num(t, "processors", "memory_limiter", "spike_limit_mib")
	if want := 0.8 * float64(memLimitMiB); limit > want || limit <= want-1 {
		t.Errorf("memory_limiter limit_mib = %v; want 80%% of %d MiB (%v, rounded down)", limit, memLimitMiB, want)
	}
	if want := 0.2 * float64(memLimitMiB); spike > want || spike <= want-1 {
		t.Errorf("memory_limiter spike_limit_mib = %v; want 20%% of %d MiB (%v, rounded down)", spike, memLimitMiB, want)
	}
	if r.str(t, "processors", "memory_limiter", "check_interval") == "" {
		t.Error("memory_limiter has no check_interval")
	}

	r.wantEqual(t, "0.0.0.0:13133", "extensions", "health_check", "endpoint")
	if exts := r.strs(t, "service", "extensions"); !slices.Contains(exts, "health_check") {
		t.Errorf("service.extensions = %v; want health_check enabled", exts)
	}

	readers, _ := r.get(t, "service", "telemetry", "metrics", "readers").([]any)
	if len(readers) != 1 {
		t.Fatalf("service.telemetry.metrics.readers = %v; want one pull reader", readers)
	}
	r.wantEqual(t, float64(PortMetrics), "service", "telemetry", "metrics", "readers", 0, "pull", "exporter", "prometheus", "port")
	r.wantEqual(t, "0.0.0.0", "service", "telemetry", "metrics", "readers", 0, "pull", "exporter", "prometheus", "host")
	if paths := keyPaths(map[string]any(r), "address", ""); len(paths) > 0 {
		t.Errorf("rendered config uses the removed `address` key at %v", paths)
	}
}

// checkQueue asserts an exporter's retry and sending queue, persistent exactly when storage
// is not empty.
func checkQueue(t *testing.T, r rendered, exporter string, queueSize int, storage string, path ...any) {
	t.Helper()
	base := append([]any{"exporters", exporter}, path...)
	at := func(p ...any) []any { return append(slices.Clone(base), p...) }
	r.wantEqual(t, true, at("retry_on_failure", "enabled")...)
	r.wantEqual(t, true, at("sending_queue", "enabled")...)
	r.wantEqual(t, float64(queueSize), at("sending_queue", "queue_size")...)
	if storage == "" {
		r.wantAbsent(t, at("sending_queue", "storage")...)
	} else {
		r.wantEqual(t, storage, at("sending_queue", "storage")...)
	}
}

// With LogCheckpointDir the log receiver keeps its offsets in a file_storage extension and
// reads files it has no offset for from the beginning; without, it starts at their end.
func TestAgentConfigLogCheckpoints(t *testing.T) {
	o := daemonSetOptions()
	o.LogCheckpointDir = "/var/lib/otelcol/logs"
	cfg, err := AgentConfig(o)
	if err != nil {
		t.Fatalf("AgentConfig: %v", err)
	}
	r := render(t, cfg)
	r.wantEqual(t, "/var/lib/otelcol/logs", "extensions", "file_storage/logs", "directory")
	r.wantEqual(t, "file_storage/logs", "receivers", "file_log", "storage")
	r.wantEqual(t, "beginning", "receivers", "file_log", "start_at")
	if got := r.strs(t, "service", "extensions"); !slices.Contains(got, "file_storage/logs") {
		t.Errorf("service.extensions = %v; want file_storage/logs", got)
	}
	o.LogCheckpointDir = ""
	cfg, _ = AgentConfig(o)
	r = render(t, cfg)
	r.wantEqual(t, "end", "receivers", "file_log", "start_at")
	r.wantAbsent(t, "receivers", "file_log", "storage")
}

func TestAgentConfigDaemonSet(t *testing.T) {
	o := daemonSetOptions()
	cfg, err := AgentConfig(o)
	if err != nil {
		t.Fatalf("AgentConfig: %v", err)
	}
	r := render(t, cfg)
	checkCommon(t, r, o.MemoryLimitMiB)

	// Processors: memory_limiter, node-scoped Kubernetes metadata, the environment, batch.
	wantProcs := []string{"memory_limiter", "k8s_attributes", "resource", "batch"}
	for _, p := range []string{"traces", "metrics", "logs"} {
		if got := r.strs(t, "service", "pipelines", p, "processors"); !slices.Equal(got, wantProcs) {
			t.Errorf("pipeline %s processors = %v; want %v", p, got, wantProcs)
		}
	}
	r.wantEqual(t, "K8S_NODE_NAME", "processors", "k8s_attributes", "filter", "node_from_env_var")
	r.wantEqual(t, "serviceAccount", "processors", "k8s_attributes", "auth_type")
	r.wantEqual(t, map[string]any{"key": "deployment.environment", "value": "staging", "action": "upsert"}, "processors", "resource", "attributes", 0)
	r.wantEqual(t, map[string]any{"key": "k8s.cluster.name", "value": "prod-eu", "action": "insert"}, "processors", "resource", "attributes", 1)

	// Log collection: the filelog receiver feeds only the logs pipeline and skips the
	// excluded namespaces.
	if got := r.strs(t, "service", "pipelines", "logs", "receivers"); !slices.Equal(got, []string{"otlp", "file_log"}) {
		t.Errorf("logs receivers = %v; want [otlp filelog]", got)
	}
	for _, p := range []string{"traces", "metrics"} {
		if got := r.strs(t, "service", "pipelines", p, "receivers"); !slices.Equal(got, []string{"otlp"}) {
			t.Errorf("%s receivers = %v; want [otlp]", p, got)
		}
	}
	r.wantEqual(t, []any{"/var/log/pods/*/*/*.log"}, "receivers", "file_log", "include")
	excl := r.strs(t, "receivers", "file_log", "exclude")
	for _, ns := range o.ExcludeLogNamespaces {
		if !slices.Contains(excl, "/var/log/pods/"+ns+"_*/*/*.log") {
			t.Errorf("filelog exclude = %v; want namespace %s skipped", excl, ns)
		}
	}

	// The OTLP exporter to the gateway: TLS as given, snappy, retry, a persistent queue.
	r.wantEqual(t, testGatewayEndpoint, "exporters", "otlp_grpc/gateway", "endpoint")
	r.wantEqual(t, "snappy", "exporters", "otlp_grpc/gateway", "compression")
	r.wantEqual(t, map[string]any{"ca_file": testClientTLS.CAFile, "cert_file": testClientTLS.CertFile, "key_file": testClientTLS.KeyFile},
		"exporters", "otlp_grpc/gateway", "tls")
	checkQueue(t, r, "otlp_grpc/gateway", o.QueueSize, "file_storage/queue")
	r.wantEqual(t, testQueueDir, "extensions", "file_storage/queue", "directory")
	if exts := r.strs(t, "service", "extensions"); !slices.Contains(exts, "file_storage/queue") {
		t.Errorf("service.extensions = %v; want file_storage/queue enabled", exts)
	}

	// Traces go through the load-balancing exporter to the headless Service; metrics and
	// logs keep the plain OTLP exporter.
	lb := "load_balancing/gateway"
	r.wantEqual(t, "traceID", "exporters", lb, "routing_key")
	r.wantEqual(t, testHeadless, "exporters", lb, "resolver", "dns", "hostname")
	r.wantEqual(t, "4317", "exporters", lb, "resolver", "dns", "port")
	r.wantEqual(t, testClientTLS.CAFile, "exporters", lb, "protocol", "otlp", "tls", "ca_file")
	r.wantEqual(t, "snappy", "exporters", lb, "protocol", "otlp", "compression")
	// The queue and retry sit on the load-balancing exporter itself: a backend that leaves
	// DNS (a restarted or failed gateway pod) must not take queued batches with it.
	checkQueue(t, r, lb, o.QueueSize, "file_storage/queue")
	r.wantEqual(t, false, "exporters", lb, "protocol", "otlp", "sending_queue", "enabled")
	r.wantEqual(t, false, "exporters", lb, "protocol", "otlp", "retry_on_failure", "enabled")
	wantExporters := map[string][]string{"traces": {lb}, "metrics": {"otlp_grpc/gateway"}, "logs": {"otlp_grpc/gateway"}}
	for p, want := range wantExporters {
		if got := r.strs(t, "service", "pipelines", p, "exporters"); !slices.Equal(got, want) {
			t.Errorf("%s exporters = %v; want %v", p, got, want)
		}
	}

	// pprof and zpages on loopback only.
	r.wantEqual(t, "127.0.0.1:1777", "extensions", "pprof", "endpoint")
	r.wantEqual(t, "127.0.0.1:55679", "extensions", "zpages", "endpoint")
	exts := r.strs(t, "service", "extensions")
	for _, e := range []string{"pprof", "zpages"} {
		if !slices.Contains(exts, e) {
			t.Errorf("service.extensions = %v; want %s enabled", exts, e)
		}
	}
}

func TestAgentConfigDaemonSetNodeEnvVar(t *testing.T) {
	o := daemonSetOptions()
	o.NodeEnvVar = "MY_NODE"
	cfg, err := AgentConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	render(t, cfg).wantEqual(t, "MY_NODE", "processors", "k8s_attributes", "filter", "node_from_env_var")
}

func TestAgentConfigSidecar(t *testing.T) {
	o := sidecarOptions()
	cfg, err := AgentConfig(o)
	if err != nil {
		t.Fatalf("AgentConfig: %v", err)
	}
	r := render(t, cfg)
	checkCommon(t, r, o.MemoryLimitMiB)

	wantProcs := []string{"memory_limiter", "resource", "batch"}
	for _, p := range []string{"traces", "metrics", "logs"} {
		if got := r.strs(t, "service", "pipelines", p, "processors"); !slices.Equal(got, wantProcs) {
			t.Errorf("pipeline %s processors = %v; want %v", p, got, wantProcs)
		}
		if got := r.strs(t, "service", "pipelines", p, "exporters"); !slices.Equal(got, []string{"otlp_grpc/gateway"}) {
			t.Errorf("pipeline %s exporters = %v; want [otlp/gateway]", p, got)
		}
		if got := r.strs(t, "service", "pipelines", p, "receivers"); !slices.Equal(got, []string{"otlp"}) {
			t.Errorf("pipeline %s receivers = %v; want [otlp]", p, got)
		}
	}
	r.wantEqual(t, []any{map[string]any{"key": "deployment.environment", "value": "dev", "action": "upsert"}}, "processors", "resource", "attributes")
	r.wantAbsent(t, "processors", "k8s_attributes")
	r.wantAbsent(t, "receivers", "file_log")
	r.wantAbsent(t, "exporters", "load_balancing/gateway")

	// No TLS: plaintext inside the cluster; no QueueDir: an in-memory queue.
	r.wantEqual(t, map[string]any{"insecure": true}, "exporters", "otlp_grpc/gateway", "tls")
	r.wantEqual(t, "snappy", "exporters", "otlp_grpc/gateway", "compression")
	checkQueue(t, r, "otlp_grpc/gateway", o.QueueSize, "")
	r.wantAbsent(t, "extensions", "file_storage/queue")

	// No debug extensions in the workload's pod.
	r.wantAbsent(t, "extensions", "pprof")
	r.wantAbsent(t, "extensions", "zpages")
	if got := r.strs(t, "service", "extensions"); !slices.Equal(got, []string{"health_check"}) {
		t.Errorf("service.extensions = %v; want [health_check]", got)
	}
}

// TestMessageSizeBudget checks the gRPC message limits against the batches sent across
// them: a receiver refuses a larger message and the sender drops the whole batch, so the
// gateway must take the largest batch of an agent and of a regional gateway (a gateway
// forwarding upstream) at the average span size the presets promise, and the agent a
// default OTel SDK export (512 spans) of spans four times that size.
func TestMessageSizeBudget(t *testing.T) {
	const sdkBatchSpans = 512
	for _, o := range []AgentOptions{daemonSetOptions(), sidecarOptions()} {
		cfg, err := AgentConfig(o)
		if err != nil {
			t.Fatal(err)
		}
		r := render(t, cfg)
		batch := r.num(t, "processors", "batch", "send_batch_max_size")
		if batch < r.num(t, "processors", "batch", "send_batch_size") {
			t.Errorf("%s agent: send_batch_max_size %v is below send_batch_size", o.Mode, batch)
		}
		if limit := r.num(t, "receivers", "otlp", "protocols", "grpc", "max_recv_msg_size_mib") * (1 << 20); limit < sdkBatchSpans*4*spanBudgetBytes {
			t.Errorf("%s agent: max_recv_msg_size_mib %v MiB cannot take %d spans of %d KiB", o.Mode, limit/(1<<20), sdkBatchSpans, 4*spanBudgetBytes>>10)
		}
		gw, err := GatewayConfig(gatewayOptions(Sampling{Mode: SamplingNone}, ""))
		if err != nil {
			t.Fatal(err)
		}
		g := render(t, gw)
		limit := g.num(t, "receivers", "otlp", "protocols", "grpc", "max_recv_msg_size_mib") * (1 << 20)
		for who, spans := range map[string]float64{o.Mode + " agent": batch, "regional gateway": g.num(t, "processors", "batch", "send_batch_max_size")} {
			if spans == 0 || spans*spanBudgetBytes > limit {
				t.Errorf("a %s batch of %v spans of %d KiB does not fit the gateway's %v MiB gRPC message limit", who, spans, spanBudgetBytes>>10, limit/(1<<20))
			}
		}
	}
}

func TestAgentConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*AgentOptions)
		want   []string
	}{
		{"sidecar with Kubernetes attributes", func(o *AgentOptions) { o.K8sAttributes = true }, []string{"sidecar", "Kubernetes attributes"}},
		{"sidecar with log collection", func(o *AgentOptions) { o.LogCollection = true }, []string{"sidecar", "log collection"}},
		{"unknown mode", func(o *AgentOptions) { o.Mode = "deployment" }, []string{`"deployment"`, `"daemonset"`, `"sidecar"`}},
		{"no gateway endpoint", func(o *AgentOptions) { o.GatewayEndpoint = "" }, []string{"gateway endpoint"}},
		{"no environment", func(o *AgentOptions) { o.Environment = "" }, []string{"environment"}},
		{"no memory limit", func(o *AgentOptions) { o.MemoryLimitMiB = 0 }, []string{"memory limit", "got 0"}},
		{"negative queue size", func(o *AgentOptions) { o.QueueSize = -1 }, []string{"queue size", "got -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sidecarOptions()
			tt.modify(&o)
			cfg, err := AgentConfig(o)
			if err == nil {
				t.Fatalf("AgentConfig accepted %+v", o)
			}
			if cfg != nil {
				t.Errorf("AgentConfig returned a config with its error")
			}
			for _, frag := range tt.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q does not mention %q", err, frag)
				}
			}
		})
	}
}

func TestGatewayConfigSampling(t *testing.T) {
	tests := []struct {
		name     string
		sampling Sampling
		// sampler is the sampling processor expected between resource and batch in the
		// traces pipeline ("" for none).
		sampler string
		check   func(t *testing.T, r rendered)
	}{
		{name: "unset", sampling: Sampling{}},
		{name: "none", sampling: Sampling{Mode: SamplingNone, Percentage: 30}},
		{
			name: "probabilistic", sampling: Sampling{Mode: SamplingProbabilistic, Percentage: 25}, sampler: "probabilistic_sampler",
			check: func(t *testing.T, r rendered) {
				r.wantEqual(t, 25.0, "processors", "probabilistic_sampler", "sampling_percentage")
			},
		},
		{
			name: "tail", sampling: Sampling{Mode: SamplingTail, Percentage: 5, DecisionWait: "30s", LatencyThresholdMs: 750}, sampler: "tail_sampling",
			check: func(t *testing.T, r rendered) {
				r.wantEqual(t, "30s", "processors", "tail_sampling", "decision_wait")
				r.wantEqual(t, map[string]any{"status_codes": []any{"ERROR"}}, "processors", "tail_sampling", "policies", 0, "status_code")
				r.wantEqual(t, 750.0, "processors", "tail_sampling", "policies", 1, "latency", "threshold_ms")
				r.wantEqual(t, 5.0, "processors", "tail_sampling", "policies", 2, "probabilistic", "sampling_percentage")
				for i, typ := range []string{"status_code", "latency", "probabilistic"} {
					r.wantEqual(t, typ, "processors", "tail_sampling", "policies", i, "type")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := gatewayOptions(tt.sampling, "")
			cfg, err := GatewayConfig(o)
			if err != nil {
				t.Fatalf("GatewayConfig: %v", err)
			}
			r := render(t, cfg)
			checkCommon(t, r, o.MemoryLimitMiB)

			wantTraces := []string{"memory_limiter", "resource", "batch"}
			if tt.sampler != "" {
				wantTraces = []string{"memory_limiter", "resource", tt.sampler, "batch"}
			}
			if got := r.strs(t, "service", "pipelines", "traces", "processors"); !slices.Equal(got, wantTraces) {
				t.Errorf("traces processors = %v; want %v", got, wantTraces)
			}
			// Metrics and logs are never sampled.
			for _, p := range []string{"metrics", "logs"} {
				if got := r.strs(t, "service", "pipelines", p, "processors"); !slices.Equal(got, []string{"memory_limiter", "resource", "batch"}) {
					t.Errorf("%s processors = %v; want [memory_limiter resource batch]", p, got)
				}
			}
			for _, s := range []string{"probabilistic_sampler", "tail_sampling"} {
				if s != tt.sampler {
					r.wantAbsent(t, "processors", s)
				}
			}
			r.wantEqual(t, []any{map[string]any{"key": "cloud.region", "value": "eu-west-1", "action": "upsert"}}, "processors", "resource", "attributes")
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestGatewayConfigStructure(t *testing.T) {
	o := gatewayOptions(Sampling{Mode: SamplingNone}, "")
	cfg, err := GatewayConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	r := render(t, cfg)

	// Server TLS with client certificates on both OTLP transports.
	for _, proto := range []string{"grpc", "http"} {
		r.wantEqual(t, map[string]any{"cert_file": o.TLS.CertFile, "key_file": o.TLS.KeyFile, "client_ca_file": o.TLS.ClientCAFile},
			"receivers", "otlp", "protocols", proto, "tls")
	}
	// Each exporter is in the pipelines of its signals, in the order given.
	want := map[string][]string{
		"traces":  {"otlp_http/backend", "otlp_grpc/archive"},
		"metrics": {"otlp_http/backend"},
		"logs":    {"otlp_http/backend", "debug"},
	}
	if got := r.keys(t, "service", "pipelines"); !slices.Equal(got, []string{"logs", "metrics", "traces"}) {
		t.Errorf("pipelines = %v; want logs, metrics, traces", got)
	}
	for p, w := range want {
		if got := r.strs(t, "service", "pipelines", p, "exporters"); !slices.Equal(got, w) {
			t.Errorf("%s exporters = %v; want %v", p, got, w)
		}
		if got := r.strs(t, "service", "pipelines", p, "receivers"); !slices.Equal(got, []string{"otlp"}) {
			t.Errorf("%s receivers = %v; want [otlp]", p, got)
		}
	}
	// The caller's exporter settings survive; retry and the in-memory queue are added.
	r.wantEqual(t, "https://otlp.example.com", "exporters", "otlp_http/backend", "endpoint")
	r.wantEqual(t, "zstd", "exporters", "otlp_http/backend", "compression")
	checkQueue(t, r, "otlp_http/backend", o.QueueSize, "")
	checkQueue(t, r, "otlp_grpc/archive", o.QueueSize, "")
	r.wantEqual(t, map[string]any{"verbosity": "basic"}, "exporters", "debug")
	r.wantAbsent(t, "extensions", "file_storage/queue")

	r.wantEqual(t, "127.0.0.1:1777", "extensions", "pprof", "endpoint")
	r.wantEqual(t, "127.0.0.1:55679", "extensions", "zpages", "endpoint")

	// An exporter of one signal only gives exactly one pipeline.
	o.Exporters = []Exporter{{ID: "otlp_grpc/metrics", Config: OTLPExporter{Endpoint: "metrics.example.com:4317"}, Signals: []string{Metrics}}}
	cfg, err = GatewayConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, cfg).keys(t, "service", "pipelines"); !slices.Equal(got, []string{"metrics"}) {
		t.Errorf("pipelines = %v; want only metrics", got)
	}
}

func TestGatewayConfigPersistentQueue(t *testing.T) {
	o := gatewayOptions(Sampling{Mode: SamplingTail, Percentage: 10, DecisionWait: "10s", LatencyThresholdMs: 1000}, testQueueDir)
	o.Extensions = map[string]Component{
		"zpages/extra":        ZPagesExtension{Endpoint: "127.0.0.1:55680"},
		"health_check/backup": HealthCheckExtension{Endpoint: "127.0.0.1:13134"},
	}
	cfg, err := GatewayConfig(o)
	if err != nil {
		t.Fatalf("GatewayConfig: %v", err)
	}
	r := render(t, cfg)
	checkCommon(t, r, o.MemoryLimitMiB)

	r.wantEqual(t, testQueueDir, "extensions", "file_storage/queue", "directory")
	// Operability first, then the caller's extensions sorted, then the queue storage.
	wantExts := []string{"health_check", "pprof", "zpages", "health_check/backup", "zpages/extra", "file_storage/queue"}
	if got := r.strs(t, "service", "extensions"); !slices.Equal(got, wantExts) {
		t.Errorf("service.extensions = %v; want %v", got, wantExts)
	}
	r.wantEqual(t, "127.0.0.1:55680", "extensions", "zpages/extra", "endpoint")
	checkQueue(t, r, "otlp_http/backend", o.QueueSize, "file_storage/queue")
	checkQueue(t, r, "otlp_grpc/archive", o.QueueSize, "file_storage/queue")
	r.wantAbsent(t, "exporters", "debug", "sending_queue")
}

// With QueueBytes the persistent queues split the volume's budget in bytes, so together they
// can never outgrow it; exporters without a queue (debug) take no share.
func TestGatewayConfigPersistentQueueSharesItsBytes(t *testing.T) {
	o := gatewayOptions(Sampling{}, testQueueDir)
	o.QueueBytes = 3 << 30
	cfg, err := GatewayConfig(o)
	if err != nil {
		t.Fatalf("GatewayConfig: %v", err)
	}
	r := render(t, cfg)
	for _, id := range []string{"otlp_http/backend", "otlp_grpc/archive"} {
		r.wantEqual(t, "bytes", "exporters", id, "sending_queue", "sizer")
		r.wantEqual(t, float64(3<<30)/2, "exporters", id, "sending_queue", "queue_size")
	}
	r.wantAbsent(t, "exporters", "debug", "sending_queue")
	// In memory (no QueueDir) the budget does not apply: batches, as before.
	o.QueueDir = ""
	cfg, _ = GatewayConfig(o)
	render(t, cfg).wantAbsent(t, "exporters", "otlp_grpc/archive", "sending_queue", "sizer")
}

func TestGatewayConfigKeepsCallerQueueAndDoesNotMutate(t *testing.T) {
	callerQueue := &SendingQueue{Enabled: true, QueueSize: 50}
	ptrExporter := &OTLPExporter{Endpoint: "archive.example.com:4317"}
	valExporter := OTLPHTTPExporter{Endpoint: "https://otlp.example.com", ExporterHelper: ExporterHelper{SendingQueue: callerQueue}}
	o := gatewayOptions(Sampling{}, testQueueDir)
	o.Exporters = []Exporter{
		{ID: "otlp_grpc/archive", Config: ptrExporter, Signals: []string{Traces}},
		{ID: "otlp_http/backend", Config: valExporter, Signals: []string{Traces, Metrics}},
	}
	before := *ptrExporter
	cfg, err := GatewayConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	r := render(t, cfg)

	// The copy in the config got retry and the persistent queue...
	checkQueue(t, r, "otlp_grpc/archive", o.QueueSize, "file_storage/queue")
	// ...a queue the caller set is kept as given...
	r.wantEqual(t, 50.0, "exporters", "otlp_http/backend", "sending_queue", "queue_size")
	r.wantAbsent(t, "exporters", "otlp_http/backend", "sending_queue", "storage")
	r.wantEqual(t, true, "exporters", "otlp_http/backend", "retry_on_failure", "enabled")

	// ...and nothing the caller holds changed.
	if !reflect.DeepEqual(*ptrExporter, before) {
		t.Errorf("GatewayConfig modified the caller's exporter: %+v, was %+v", *ptrExporter, before)
	}
	if *callerQueue != (SendingQueue{Enabled: true, QueueSize: 50}) {
		t.Errorf("GatewayConfig modified the caller's sending queue: %+v", *callerQueue)
	}
}

func TestGatewayConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*GatewayOptions)
		want   []string
	}{
		{"no exporters", func(o *GatewayOptions) { o.Exporters = nil }, []string{"at least one exporter"}},
		{"exporter listed twice", func(o *GatewayOptions) {
			o.Exporters = append(o.Exporters, Exporter{ID: "debug", Config: DebugExporter{}, Signals: []string{Traces}})
		}, []string{`"debug"`, "twice"}},
		{"unknown sampling mode", func(o *GatewayOptions) { o.Sampling.Mode = "head" }, []string{`"head"`, "none, probabilistic or tail"}},
		{"no memory limit", func(o *GatewayOptions) { o.MemoryLimitMiB = 0 }, []string{"gateway memory limit", "got 0"}},
		{"no queue size", func(o *GatewayOptions) { o.QueueSize = 0 }, []string{"gateway queue size", "got 0"}},
		{"exporter id of another type", func(o *GatewayOptions) {
			o.Exporters[1].ID = "otlphttp/archive"
		}, []string{`exporter "otlphttp/archive" is configured as a "otlp_grpc" component`}},
		{"extra extension on the health_check port", func(o *GatewayOptions) {
			o.Extensions = map[string]Component{"health_check/2": HealthCheckExtension{Endpoint: "0.0.0.0:13133"}}
		}, []string{"port 13133", `extension "health_check"`, `extension "health_check/2"`}},
		// Validate reports a component without configuration; the preset must do the same
		// for an exporter without one, not crash the program.
		{"exporter without configuration", func(o *GatewayOptions) { o.Exporters[2].Config = nil }, []string{`"debug"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := gatewayOptions(Sampling{Mode: SamplingNone}, "")
			tt.modify(&o)
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("GatewayConfig panicked instead of returning an error: %v", p)
					}
				}()
				_, err = GatewayConfig(o)
			}()
			if err == nil {
				t.Fatalf("GatewayConfig accepted the options; want an error mentioning %q", tt.want)
			}
			for _, frag := range tt.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%v", frag, err)
				}
			}
		})
	}
}

// TestPresetsRenderDeterministically renders equal inputs many times: map iteration order
// must not leak into the YAML (its checksum restarts the pods when it changes).
func TestPresetsRenderDeterministically(t *testing.T) {
	builders := map[string]func() (*Config, error){
		"daemonset": func() (*Config, error) { return AgentConfig(daemonSetOptions()) },
		"sidecar":   func() (*Config, error) { return AgentConfig(sidecarOptions()) },
		"gateway": func() (*Config, error) {
			o := gatewayOptions(Sampling{Mode: SamplingTail, Percentage: 10, DecisionWait: "10s", LatencyThresholdMs: 500}, testQueueDir)
			o.Extensions = map[string]Component{
				"zpages/a": ZPagesExtension{Endpoint: "127.0.0.1:1"}, "zpages/b": ZPagesExtension{Endpoint: "127.0.0.1:2"},
				"zpages/c": ZPagesExtension{Endpoint: "127.0.0.1:3"}, "zpages/d": ZPagesExtension{Endpoint: "127.0.0.1:4"},
			}
			return GatewayConfig(o)
		},
	}
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			var first string
			for i := 0; i < 20; i++ {
				cfg, err := build()
				if err != nil {
					t.Fatal(err)
				}
				out, err := cfg.YAML()
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = out
				} else if out != first {
					t.Fatalf("render %d differs from the first:\n%s\n---\n%s", i+1, first, out)
				}
			}
		})
	}
}
