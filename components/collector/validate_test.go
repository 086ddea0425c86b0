package collector

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// componentTypes maps, per config section, a component type (the part of an id before "/")
// to the Go struct that models it. It is what the test-only decoder below knows: a type
// missing here fails the test that reads it, instead of being silently skipped.
var componentTypes = map[string]map[string]reflect.Type{
	"receivers": {
		TypeOTLP:    reflect.TypeFor[OTLPReceiver](),
		TypeFileLog: reflect.TypeFor[FileLogReceiver](),
	},
	"processors": {
		TypeMemoryLimiter:        reflect.TypeFor[MemoryLimiterProcessor](),
		TypeBatch:                reflect.TypeFor[BatchProcessor](),
		TypeResource:             reflect.TypeFor[ResourceProcessor](),
		TypeK8sAttributes:        reflect.TypeFor[K8sAttributesProcessor](),
		TypeProbabilisticSampler: reflect.TypeFor[ProbabilisticSamplerProcessor](),
		TypeTailSampling:         reflect.TypeFor[TailSamplingProcessor](),
	},
	"exporters": {
		TypeOTLPGRPC:      reflect.TypeFor[OTLPExporter](),
		TypeOTLPHTTP:      reflect.TypeFor[OTLPHTTPExporter](),
		TypeLoadBalancing: reflect.TypeFor[LoadBalancingExporter](),
		TypeDebug:         reflect.TypeFor[DebugExporter](),
		TypeFile:          reflect.TypeFor[FileExporter](),
	},
	"connectors": {},
	"extensions": {
		TypeHealthCheck: reflect.TypeFor[HealthCheckExtension](),
		TypePProf:       reflect.TypeFor[PProfExtension](),
		TypeZPages:      reflect.TypeFor[ZPagesExtension](),
		TypeFileStorage: reflect.TypeFor[FileStorageExtension](),
	},
}

// rawConfig is a collector YAML with every component still undecoded.
type rawConfig struct {
	Receivers  map[string]json.RawMessage `json:"receivers"`
	Processors map[string]json.RawMessage `json:"processors"`
	Exporters  map[string]json.RawMessage `json:"exporters"`
	Connectors map[string]json.RawMessage `json:"connectors"`
	Extensions map[string]json.RawMessage `json:"extensions"`
	Service    Service                    `json:"service"`
}

// decodeConfig reads collector YAML into a typed Config the way the collector does: the
// type of each component comes from its id. Unknown keys anywhere are an error, so a typo
// in testdata cannot turn an invalid case into a vacuous one.
func decodeConfig(t *testing.T, name string, data []byte) *Config {
	t.Helper()
	var raw rawConfig
	if err := yaml.UnmarshalStrict(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &Config{
		Receivers:  decodeSection(t, name, "receivers", raw.Receivers),
		Processors: decodeSection(t, name, "processors", raw.Processors),
		Exporters:  decodeSection(t, name, "exporters", raw.Exporters),
		Connectors: decodeSection(t, name, "connectors", raw.Connectors),
		Extensions: decodeSection(t, name, "extensions", raw.Extensions),
		Service:    raw.Service,
	}
}

func decodeSection(t *testing.T, name, section string, raw map[string]json.RawMessage) map[string]Component {
	t.Helper()
	if raw == nil {
		return nil
	}
	out := make(map[string]Component, len(raw))
	for id, msg := range raw {
		typ, ok := componentTypes[section][TypeOf(id)]
		if !ok {
			t.Fatalf("%s: %s %q: the test decoder knows no %s of type %q", name, section, id, section, TypeOf(id))
		}
		v := reflect.New(typ)
		if s := string(bytes.TrimSpace(msg)); s != "" && s != "null" {
			dec := json.NewDecoder(bytes.NewReader(msg))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v.Interface()); err != nil {
				t.Fatalf("%s: %s %q: %v", name, section, id, err)
			}
		}
		out[id] = v.Elem().Interface().(Component)
	}
	return out
}

func loadTestdata(t *testing.T, path string) *Config {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeConfig(t, path, data)
}

// problems splits Validate's error into its problem lines.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	lines := strings.Split(err.Error(), "\n")
	var out []string
	for _, l := range lines[1:] {
		out = append(out, strings.TrimPrefix(l, "  - "))
	}
	return out
}

func TestValidateValidTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "valid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cfg := loadTestdata(t, file)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate rejected a valid configuration: %v", err)
			}
			// Rendering must keep every setting: decoding the rendered YAML gives back the
			// same configuration.
			out, err := cfg.YAML()
			if err != nil {
				t.Fatalf("YAML: %v", err)
			}
			if again := decodeConfig(t, file+" (rendered)", []byte(out)); !reflect.DeepEqual(again, cfg) {
				t.Errorf("rendered YAML does not decode to the same configuration:\n%s", out)
			}
		})
	}
}

func TestValidateInvalidTestdata(t *testing.T) {
	tests := []struct {
		file string
		// want are fragments of the single problem Validate must report, naming the
		// offending pipeline, id or port as the user wrote it.
		want []string
	}{
		{"undefined_receiver.yaml", []string{`pipeline "traces"`, `receiver "otlp/missing"`, "not defined under receivers"}},
		{"undefined_processor.yaml", []string{`pipeline "metrics"`, `processor "batch/large"`, "not defined under processors"}},
		{"undefined_exporter.yaml", []string{`pipeline "logs"`, `exporter "otlp_http/backend"`, "not defined under exporters"}},
		{"memory_limiter_not_first.yaml", []string{`pipeline "traces"`, `processor "memory_limiter" must come first`, "number 2"}},
		{"empty_receivers.yaml", []string{`pipeline "metrics" has no receivers`}},
		{"empty_exporters.yaml", []string{`pipeline "logs" has no exporters`}},
		{"no_pipelines.yaml", []string{"service has no pipelines"}},
		{"bad_signal.yaml", []string{`pipeline "spans/backend"`, "traces, metrics or logs"}},
		{"processor_twice.yaml", []string{`pipeline "logs" lists processor "batch" twice`}},
		{"service_extension_undefined.yaml", []string{`service.extensions names "zpages"`, "not defined under extensions"}},
		{"queue_storage_not_enabled.yaml", []string{`exporter "otlp_grpc/gateway" uses extension "file_storage/queue"`, "service.extensions"}},
		{"queue_storage_undefined.yaml", []string{`exporter "otlp_http/backend" uses extension "file_storage"`, "defined under extensions"}},
		{"filelog_storage_undefined.yaml", []string{`receiver "file_log" uses extension "file_storage/file_log"`}},
		// The load-balancing exporter's backends are OTLP exporters with their own queue:
		// its storage must be checked like the plain OTLP exporter's.
		{"loadbalancing_storage_undefined.yaml", []string{`exporter "load_balancing/gateway" uses extension "file_storage/queue"`}},
		{"port_receiver_extension.yaml", []string{"port 13133", `receiver "otlp"`, `extension "health_check"`}},
		{"port_receiver_telemetry.yaml", []string{"port 8888", `receiver "otlp"`, "service.telemetry metrics"}},
		{"port_loopback_vs_all.yaml", []string{"port 1777", `receiver "otlp"`, `extension "pprof"`}},
		{"tail_sampling_in_metrics.yaml", []string{`pipeline "metrics" uses processor "tail_sampling"`, "does not support metrics", "supports traces"}},
		{"filelog_in_traces.yaml", []string{`pipeline "traces/files" uses receiver "file_log"`, "does not support traces", "supports logs"}},
	}

	// Every invalid testdata file has a case, so none is left unchecked.
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("testdata/invalid/%s has no test case", filepath.Base(f))
		}
	}

	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			cfg := loadTestdata(t, filepath.Join("testdata", "invalid", tt.file))
			assertOneProblem(t, cfg, tt.want)
		})
	}
}

// TestValidateInvalidGo covers what collector YAML cannot express: the YAML form derives a
// component's type from its id, so a mismatch or a missing value only arises in Go.
func TestValidateInvalidGo(t *testing.T) {
	pipelines := func(receiver, exporter string) map[string]Pipeline {
		return map[string]Pipeline{Logs: {Receivers: []string{receiver}, Exporters: []string{exporter}}}
	}
	tests := []struct {
		name string
		cfg  *Config
		want []string
	}{
		{
			name: "receiver id prefix does not match its component",
			cfg: &Config{
				Receivers: map[string]Component{"otlp/logs": KubernetesContainerLogs()},
				Exporters: map[string]Component{TypeDebug: DebugExporter{Verbosity: "basic"}},
				Service:   Service{Pipelines: pipelines("otlp/logs", TypeDebug)},
			},
			want: []string{`receiver "otlp/logs" is configured as a "file_log" component`, `name it "file_log" or "file_log/<name>"`},
		},
		{
			name: "exporter id prefix does not match its component",
			cfg: &Config{
				Receivers: map[string]Component{TypeOTLP: otlpReceiver("0.0.0.0", nil, 0)},
				Exporters: map[string]Component{"otlp/backend": OTLPHTTPExporter{Endpoint: "https://otlp.example.com"}},
				Service:   Service{Pipelines: pipelines(TypeOTLP, "otlp/backend")},
			},
			want: []string{`exporter "otlp/backend" is configured as a "otlp_http" component`},
		},
		{
			name: "extension id prefix does not match its component",
			cfg: &Config{
				Receivers:  map[string]Component{TypeOTLP: otlpReceiver("0.0.0.0", nil, 0)},
				Exporters:  map[string]Component{TypeDebug: DebugExporter{}},
				Extensions: map[string]Component{"zpages": PProfExtension{Endpoint: "127.0.0.1:1777"}},
				Service:    Service{Extensions: []string{"zpages"}, Pipelines: pipelines(TypeOTLP, TypeDebug)},
			},
			want: []string{`extension "zpages" is configured as a "pprof" component`},
		},
		{
			name: "component without configuration",
			cfg: &Config{
				Receivers: map[string]Component{TypeOTLP: otlpReceiver("0.0.0.0", nil, 0)},
				Exporters: map[string]Component{TypeDebug: nil},
				Service:   Service{Pipelines: pipelines(TypeOTLP, TypeDebug)},
			},
			want: []string{`exporter "debug" has no configuration`},
		},
		{
			name: "two receivers on one port",
			cfg: &Config{
				Receivers: map[string]Component{
					TypeOTLP:          otlpReceiver("0.0.0.0", nil, 0),
					TypeOTLP + "/two": OTLPReceiver{Protocols: OTLPProtocols{HTTP: &HTTPServer{Endpoint: "localhost:4317"}}},
				},
				Exporters: map[string]Component{TypeDebug: DebugExporter{}},
				Service:   Service{Pipelines: pipelines(TypeOTLP, TypeDebug)},
			},
			want: []string{"port 4317", `receiver "otlp"`, `receiver "otlp/two"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertOneProblem(t, tt.cfg, tt.want) })
	}
}

// assertOneProblem checks that Validate (and YAML, which validates first) rejects cfg with
// exactly one problem containing every fragment of want.
func assertOneProblem(t *testing.T, cfg *Config, want []string) {
	t.Helper()
	err := cfg.Validate()
	if err == nil {
		t.Fatalf("Validate accepted the configuration; want a problem mentioning %q", want)
	}
	if !strings.HasPrefix(err.Error(), "invalid collector configuration:\n") {
		t.Errorf("error does not start with its headline: %q", err)
	}
	got := problems(err)
	if len(got) != 1 {
		t.Errorf("want exactly one problem, got %d:\n%v", len(got), err)
	}
	for _, frag := range want {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error does not mention %q:\n%v", frag, err)
		}
	}
	if out, yerr := cfg.YAML(); yerr == nil {
		t.Errorf("YAML rendered an invalid configuration:\n%s", out)
	}
}

// TestValidateReportsEveryProblem checks that problems are collected, not returned one at a
// time, and in a stable order (pipelines and ids sorted), so a user fixes them in one pass.
func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := &Config{
		Receivers:  map[string]Component{TypeOTLP: otlpReceiver("0.0.0.0", nil, 0)},
		Processors: map[string]Component{idBatch: BatchProcessor{Timeout: "1s"}, idMemoryLimiter: MemoryLimiterFor(512)},
		Exporters:  map[string]Component{TypeDebug: DebugExporter{}},
		Service: Service{
			Extensions: []string{"zpages"},
			Pipelines: map[string]Pipeline{
				Traces:  {Receivers: []string{"otlp/missing"}, Exporters: []string{TypeDebug}},
				Metrics: {Receivers: []string{TypeOTLP}, Processors: []string{idBatch, idMemoryLimiter}, Exporters: []string{TypeDebug}},
			},
		},
	}
	want := []string{
		`pipeline "metrics": processor "memory_limiter" must come first`,
		`pipeline "traces" uses receiver "otlp/missing"`,
		`service.extensions names "zpages"`,
	}
	for i := 0; i < 5; i++ {
		got := problems(cfg.Validate())
		if len(got) != len(want) {
			t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
		}
		for j := range want {
			if !strings.HasPrefix(got[j], want[j]) {
				t.Errorf("problem %d = %q; want it to start with %q", j+1, got[j], want[j])
			}
		}
	}
}
