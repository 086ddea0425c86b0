package collector

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"sigs.k8s.io/yaml"
)

// Scenarios in which the collector emits a self-metric: most series exist as soon as data
// flows; the failure counters only once something failed.
const (
	scenarioFlowing      = "data flowing"
	scenarioExportFailed = "export given up (retries exhausted or disabled)"
	scenarioQueueFull    = "sending queue full"
	scenarioOverload     = "memory limiter refusing"
	scenarioTailSampling = "data flowing through a tail-sampling gateway"
	scenarioTailEvicting = "tail sampler over capacity"
)

// selfMetricScenario says in which scenario each name of collector.SelfMetricNames must
// appear on a collector's /metrics.
var selfMetricScenario = map[string]string{
	collector.MetricReceiverAccepted:      scenarioFlowing,
	collector.MetricReceiverRefused:       scenarioFlowing, // exposed as 0 while nothing is refused
	collector.MetricExporterSent:          scenarioFlowing,
	collector.MetricExporterQueueSize:     scenarioFlowing,
	collector.MetricExporterQueueCapacity: scenarioFlowing,
	collector.MetricProcessMemoryRSS:      scenarioFlowing,
	collector.MetricProcessCPUSeconds:     scenarioFlowing,
	collector.MetricExporterSendFailed:    scenarioExportFailed,
	collector.MetricExporterEnqueueFailed: scenarioQueueFull,
	collector.MetricMemoryLimiterRefused:  scenarioOverload,

	collector.MetricTailSamplingTracesOnMemory:  scenarioTailSampling,
	collector.MetricTailSamplingDroppedTooEarly: scenarioTailEvicting,
}

func namesFor(scenario string) []string {
	var out []string
	for _, n := range collector.SelfMetricNames {
		if selfMetricScenario[n] == scenario {
			out = append(out, n)
		}
	}
	return out
}

// requireSelfMetrics fails for every SelfMetricNames entry of the scenario that the
// scrape lacks, listing the otelcol_* names the collector does expose.
func requireSelfMetrics(t testing.TB, who string, m loopback.Metrics, scenario string) {
	t.Helper()
	for _, name := range namesFor(scenario) {
		if !m.Has(name) {
			t.Errorf("%s (%s): collector.SelfMetricNames has %s but the collector does not expose it; it exposes:\n%s",
				who, scenario, name, strings.Join(m.WithPrefix("otelcol_"), "\n"))
		}
	}
}

// TestEverySelfMetricHasAScenario keeps the table above complete: a name added to
// collector.SelfMetricNames must say where the tests can observe it.
func TestEverySelfMetricHasAScenario(t *testing.T) {
	for _, n := range collector.SelfMetricNames {
		if selfMetricScenario[n] == "" {
			t.Errorf("%s has no scenario in selfMetricScenario", n)
		}
	}
	for n := range selfMetricScenario {
		if !slices.Contains(collector.SelfMetricNames, n) {
			t.Errorf("selfMetricScenario has %s, which collector.SelfMetricNames does not list", n)
		}
	}
}

// TestSelfMetricsOfRunningFleet scrapes the aws-prod agent and gateway (the gateway
// exporting, with its generated persistent queue, to a downstream sink) after N spans
// went through, and asserts that every "data flowing" name of collector.SelfMetricNames
// is exposed by both, with values that match the traffic and the rendered queue sizes.
func TestSelfMetricsOfRunningFleet(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	s := render(t, "aws-prod")
	gw, agent := s.Gateway(t), daemonSetAgent(t, s)
	ca := newCA(t)
	sinkPort := freePort(t)
	sinkFile := filepath.Join(t.TempDir(), "sink.json")
	startSinkCollector(t, bin, sinkFile, sinkPort)
	gwRun := prepare(t, s, gw, loopback.Options{Sink: loopback.Sink{OTLPEndpoint: fmt.Sprintf("127.0.0.1:%d", sinkPort)}}, ca).start(t, bin)
	agRun := prepare(t, s, agent, loopback.Options{GatewayEndpoint: gwRun.Endpoint()}, ca).start(t, bin)

	const n = 1000
	service := "selfmetrics"
	if out, err := send(t, "traces", agRun.Endpoint(), n, service, append([]string{insecure}, keepMe...)...); err != nil {
		t.Fatalf("telemetrygen: %v\n%s", err, out)
	}
	waitSink(t, sinkFile, service, 60*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= n })

	for _, c := range []*collectorRun{agRun, gwRun} {
		m := c.Scrape(t)
		who := string(c.Workload.Role) + " " + c.Workload.File
		requireSelfMetrics(t, who, m, scenarioFlowing)
		if strings.Contains(c.Config, "tail_sampling") {
			requireSelfMetrics(t, who, m, scenarioTailSampling)
		}
		if got := m.Sum(collector.MetricReceiverAccepted); got != n {
			t.Errorf("%s: %s = %g, want %d", who, collector.MetricReceiverAccepted, got, n)
		}
		if got := m.Sum(collector.MetricReceiverRefused); got != 0 {
			t.Errorf("%s: %s = %g, want 0", who, collector.MetricReceiverRefused, got)
		}
		for _, e := range queuedExporters(t, c.Config) {
			want := e.queueSize
			if got := m.Sum(collector.MetricExporterQueueCapacity, `exporter="`+e.id+`"`, `data_type="`+e.pipeline+`"`); got != float64(want) {
				t.Errorf("%s: %s for %s (%s) = %g, want the rendered queue_size %d", who, collector.MetricExporterQueueCapacity, e.id, e.pipeline, got, want)
			}
		}
		t.Logf("%s exposes: %s\n%s", who, strings.Join(m.WithPrefix("otelcol_"), " "), summarize(m))
	}
	if got := gwRun.Scrape(t).Sum(collector.MetricExporterSent, `exporter="`+loopback.OTLPSinkID+`"`); got != n {
		t.Errorf("gateway: %s = %g, want %d", collector.MetricExporterSent, got, n)
	}
}

type queuedExporter struct {
	id, pipeline string
	queueSize    int
}

// queuedExporters lists the exporters of a (rewritten) config's pipelines with a
// top-level enabled sending_queue, and its queue_size. (load_balancing keeps its queue
// under protocol.otlp; the collector exposes no queue metrics for it.)
func queuedExporters(t testing.TB, config string) []queuedExporter {
	t.Helper()
	var c struct {
		Exporters map[string]struct {
			SendingQueue *struct {
				Enabled   bool `json:"enabled"`
				QueueSize int  `json:"queue_size"`
			} `json:"sending_queue"`
		} `json:"exporters"`
		Service struct {
			Pipelines map[string]struct {
				Exporters []string `json:"exporters"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	if err := yaml.Unmarshal([]byte(config), &c); err != nil {
		t.Fatal(err)
	}
	var out []queuedExporter
	for pipeline, p := range c.Service.Pipelines {
		for _, id := range p.Exporters {
			if q := c.Exporters[id].SendingQueue; q != nil && q.Enabled && q.QueueSize > 0 {
				out = append(out, queuedExporter{id, pipeline, q.QueueSize})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no exporter with a sending_queue: the queue metrics check would prove nothing")
	}
	return out
}

// TestFailureCounterNames observes the two exporter failure counters. The generated
// configs reach neither in bounded time — their exporters retry for 300 s before giving
// up (send_failed), and an agent's queue of 1000 batches (up to 8192 spans each) never fills
// before its memory_limiter refuses (enqueue_failed; see the overload test) — so a
// minimal collector provokes them: an exporter without retry and one with a two-request
// queue, both pointing at a closed port. The names are the release's exporterhelper
// names, the same for every exporter.
func TestFailureCounterNames(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	dead := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	in, health, metrics := freePort(t), freePort(t), freePort(t)
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:%d"}
exporters:
  otlp_grpc/noretry:
    endpoint: %q
    tls: {insecure: true}
    timeout: 1s
    retry_on_failure: {enabled: false}
    sending_queue: {enabled: false}
  otlp_grpc/tinyqueue:
    endpoint: %q
    tls: {insecure: true}
    sending_queue: {enabled: true, num_consumers: 1, queue_size: 2}
extensions:
  health_check: {endpoint: "127.0.0.1:%d"}
service:
  extensions: [health_check]
  pipelines:
    traces/noretry: {receivers: [otlp], exporters: [otlp_grpc/noretry]}
    traces/tinyqueue: {receivers: [otlp], exporters: [otlp_grpc/tinyqueue]}
  telemetry:
    metrics:
      readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: %d}}}}]
`, in, dead, dead, health, metrics)
	p := otelcoltest.Start(t, bin, otelcoltest.WriteConfig(t, "failures.yaml", cfg), nil, otelcoltest.WithHealthPort(health))
	_, _ = send(t, "traces", fmt.Sprintf("127.0.0.1:%d", in), 8, "failures", insecure, "--timeout", "1s", "--allow-export-failures")
	m, err := loopback.Scrape(metrics)
	if err != nil {
		t.Fatal(err)
	}
	for _, scenario := range []string{scenarioExportFailed, scenarioQueueFull} {
		requireSelfMetrics(t, "minimal collector", m, scenario)
	}
	if m.Sum(collector.MetricExporterSendFailed, `exporter="otlp_grpc/noretry"`) <= 0 {
		t.Errorf("%s for otlp_grpc/noretry is 0:\n%s", collector.MetricExporterSendFailed, summarize(m))
	}
	if m.Sum(collector.MetricExporterEnqueueFailed, `exporter="otlp_grpc/tinyqueue"`) <= 0 {
		t.Errorf("%s for otlp_grpc/tinyqueue is 0:\n%s", collector.MetricExporterEnqueueFailed, summarize(m))
	}
	if !p.Running() {
		t.Error("the collector exited")
	}
}

// TestTailSamplerEvictionIsCounted observes the counter of the OtelfleetTailSampling-
// EvictingUndecided alert: the aws-prod gateway as generated, except that its tail
// sampler holds 50 traces and decides after 2 s (the generated 300 000 traces cannot be
// filled in a bounded test), gets 400 traces through the agent. The sampler must evict
// undecided traces and count them, and what it did not evict must arrive.
func TestTailSamplerEvictionIsCounted(t *testing.T) {
	f := startFileSinkFleet(t, "aws-prod", func(cfg map[string]any) {
		ts := section(cfg, "processors", "tail_sampling")
		if ts == nil {
			t.Fatalf("the aws-prod gateway has no tail_sampling processor: %v", cfg["processors"])
		}
		ts["num_traces"], ts["decision_wait"] = 50, "2s"
	})
	gwRun, agRun, sinkFile := f.gw, f.agent, f.sinkFile

	const spans = 800
	if out, err := send(t, "traces", agRun.Endpoint(), spans, "eviction", append([]string{insecure}, keepMe...)...); err != nil {
		t.Fatalf("telemetrygen: %v\n%s", err, out)
	}
	m := waitMetric(t, gwRun, func(m loopback.Metrics) bool { return m.Sum(collector.MetricTailSamplingDroppedTooEarly) > 0 }, 30*time.Second)
	requireSelfMetrics(t, "gateway", m, scenarioTailEvicting)
	evicted := m.Sum(collector.MetricTailSamplingDroppedTooEarly)
	time.Sleep(3 * time.Second) // the last decisions
	r := waitSink(t, sinkFile, "eviction", 0, func(*loopback.Received) bool { return true })
	if r.UniqueSpans >= spans {
		t.Errorf("all %d spans arrived although the sampler counted %g traces evicted", spans, evicted)
	}
	t.Logf("%g of %d traces evicted undecided; %d of %d spans arrived", evicted, spans/2, r.UniqueSpans, spans)
}
