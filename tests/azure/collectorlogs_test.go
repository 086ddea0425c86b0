package azure

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/azure/alerts"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
)

// exporterFailureConfig sends to a closed port with short retries, and logs as JSON like
// the fleet's collectors (components/collector: telemetry.logs.encoding json).
const exporterFailureConfig = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
exporters:
  otlp_grpc/unreachable:
    endpoint: 127.0.0.1:%d
    tls:
      insecure: true
    timeout: 200ms
    retry_on_failure:
      enabled: true
      initial_interval: 50ms
      max_interval: 100ms
      max_elapsed_time: 600ms
    sending_queue:
      enabled: true
      queue_size: 10
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
service:
  extensions: [health_check]
  telemetry:
    logs:
      level: info
      encoding: json
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp_grpc/unreachable]
`

// TestExporterFailureLogLines runs the pinned collector against an unreachable backend: the
// log lines the exporter-retrying and exporter-dropping-data alerts search for
// (ContainerLogV2 / ContainerInstanceLog) are what it writes, as JSON objects whose "msg"
// holds the message and whose "otelcol.component.id" names the exporter (the queries split
// by LogMessage["otelcol.component.id"]).
func TestExporterFailureLogLines(t *testing.T) {
	bin, tg := otelcoltest.Binary(t), otelcoltest.Telemetrygen(t)
	grpc := otelcoltest.MustFreePort(t)
	closed := otelcoltest.MustFreePort(t) // nothing listens there
	cfg := otelcoltest.WriteConfig(t, "exporter-failure.yaml", fmt.Sprintf(exporterFailureConfig, grpc, closed, otelcoltest.MustFreePort(t)))
	p := otelcoltest.Start(t, bin, cfg, nil)

	cmd := exec.Command(tg, "traces", "--otlp-endpoint", fmt.Sprintf("127.0.0.1:%d", grpc),
		"--otlp-insecure", "--traces", "2", "--rate", "0", "--service", "azure-alert-test")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("telemetrygen: %v\n%s", err, out)
	}

	want := map[string]string{alerts.MessageRetrying: "info", alerts.MessageDropping: "error"}
	found := map[string]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for len(found) < len(want) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		sc := bufio.NewScanner(strings.NewReader(p.Output()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			msg, _ := line["msg"].(string)
			for m, level := range want {
				if !strings.HasPrefix(msg, m) {
					continue
				}
				found[m] = true
				if line["level"] != level {
					t.Errorf("%q logged at level %v; want %s", m, line["level"], level)
				}
				if line["otelcol.component.id"] != "otlp_grpc/unreachable" {
					t.Errorf("%q names exporter %v in otelcol.component.id; want otlp_grpc/unreachable", m, line["otelcol.component.id"])
				}
			}
		}
	}
	for m := range want {
		if !found[m] {
			t.Errorf("the collector never logged %q", m)
		}
	}
	if t.Failed() {
		t.Logf("collector output:\n%s", p.Output())
	}
}
