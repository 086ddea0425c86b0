package collector

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// azureGateway renders a gateway whose only backend is azure_monitor for every signal.
func azureGateway(t *testing.T, queueDir string) (string, map[string]any) {
	t.Helper()
	cfg, err := GatewayConfig(GatewayOptions{
		MemoryLimitMiB: 4096, QueueSize: 777, QueueDir: queueDir,
		Exporters: []Exporter{{ID: TypeAzureMonitor, Config: AzureMonitorFromEnv(""), Signals: []string{Traces, Metrics, Logs}}},
	})
	if err != nil {
		t.Fatalf("GatewayConfig: %v", err)
	}
	text, err := cfg.YAML()
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return text, doc
}

func azureExporterConfig(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	exporters, _ := doc["exporters"].(map[string]any)
	e, ok := exporters[TypeAzureMonitor].(map[string]any)
	if !ok {
		t.Fatalf("no %s exporter in %v", TypeAzureMonitor, exporters)
	}
	return e
}

func TestAzureMonitorExporterKeys(t *testing.T) {
	text, doc := azureGateway(t, "")
	e := azureExporterConfig(t, doc)
	if got := e["connection_string"]; got != "${env:APPLICATIONINSIGHTS_CONNECTION_STRING}" {
		t.Errorf("connection_string = %v; want the env reference", got)
	}
	// The gateway's queue policy reaches the exporter...
	q, _ := e["sending_queue"].(map[string]any)
	if q["queue_size"] != float64(777) || q["enabled"] != true {
		t.Errorf("sending_queue = %v; want enabled with queue_size 777", q)
	}
	// ...but not the keys the exporter does not have.
	for _, key := range []string{"retry_on_failure", "instrumentation_key", "endpoint"} {
		if _, ok := e[key]; ok {
			t.Errorf("azure_monitor has %q: %v", key, e)
		}
	}
	if strings.Contains(text, "InstrumentationKey") {
		t.Errorf("the config holds a literal connection string:\n%s", text)
	}
	pipelines := doc["service"].(map[string]any)["pipelines"].(map[string]any)
	for _, signal := range []string{Traces, Metrics, Logs} {
		p, _ := pipelines[signal].(map[string]any)
		exp, _ := p["exporters"].([]any)
		if len(exp) != 1 || exp[0] != TypeAzureMonitor {
			t.Errorf("pipeline %s exporters = %v; want [%s]", signal, exp, TypeAzureMonitor)
		}
	}
}

func TestAzureMonitorPersistentQueue(t *testing.T) {
	_, doc := azureGateway(t, "/var/lib/otelcol/queue")
	q, _ := azureExporterConfig(t, doc)["sending_queue"].(map[string]any)
	if q["storage"] != idFileStorage {
		t.Errorf("sending_queue.storage = %v; want %s", q["storage"], idFileStorage)
	}
	// The storage reference is checked like any other exporter's.
	cfg := &Config{
		Receivers: map[string]Component{idOTLP: otlpReceiver("0.0.0.0", nil, 0)},
		Exporters: map[string]Component{TypeAzureMonitor: AzureMonitorExporter{
			ConnectionString: "${env:X}", ExporterHelper: ExporterHelper{SendingQueue: &SendingQueue{Enabled: true, QueueSize: 1, Storage: "file_storage/missing"}},
		}},
		Service: Service{Pipelines: map[string]Pipeline{Logs: {Receivers: []string{idOTLP}, Exporters: []string{TypeAzureMonitor}}}},
	}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "file_storage/missing") {
		t.Errorf("Validate = %v; want the undefined storage extension named", err)
	}
}

func TestAzureMonitorRefusesLiteralConnectionString(t *testing.T) {
	for _, cs := range []string{
		"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/",
		"",
		"${APPLICATIONINSIGHTS_CONNECTION_STRING}",
		"prefix ${env:APPLICATIONINSIGHTS_CONNECTION_STRING}",
	} {
		cfg := &Config{
			Receivers: map[string]Component{idOTLP: otlpReceiver("0.0.0.0", nil, 0)},
			Exporters: map[string]Component{TypeAzureMonitor: AzureMonitorExporter{ConnectionString: cs}},
			Service:   Service{Pipelines: map[string]Pipeline{Traces: {Receivers: []string{idOTLP}, Exporters: []string{TypeAzureMonitor}}}},
		}
		out, err := cfg.YAML()
		if err == nil || !strings.Contains(err.Error(), "connection_string must be an environment reference") {
			t.Errorf("connection string %q: YAML() = %q, %v; want a refusal", cs, out, err)
		}
	}
}
