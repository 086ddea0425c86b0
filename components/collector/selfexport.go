package collector

import (
	"fmt"
	"strconv"
	"strings"
)

// A collector exports its own metrics through a pipeline of its own: the telemetry's
// periodic OTLP reader pushes them to a receiver that listens on loopback only, and the
// pipeline PipelineSelfMetrics hands them to the given exporter (e.g. awsemf into the
// stack's alarm namespace). So the metrics the alarms read leave with the collector's own
// credentials, need no scraper, and never mix with the applications' metrics.
const (
	IDSelfMetricsReceiver = "otlp/self"
	PipelineSelfMetrics   = "metrics/self"
	// PortSelfMetrics is the loopback port of IDSelfMetricsReceiver.
	PortSelfMetrics = 4319
	// SelfMetricsIntervalMs is how often the reader pushes: CloudWatch's standard
	// resolution, so every alarm period has one point per collector.
	SelfMetricsIntervalMs = 60000
	// SelfMetricsTimeoutMs bounds one push to the loopback receiver.
	SelfMetricsTimeoutMs = 2000
	// SelfMetricsCollectorAttribute is the resource attribute (and, through the exporter's
	// resource-to-telemetry conversion, the metric dimension) naming the collector tier.
	SelfMetricsCollectorAttribute = "collector"
)

// Counter families of the exporters and receivers, per signal (FailureCounters).
const (
	SendFailed    = "otelcol_exporter_send_failed_"    // retries exhausted or permanent error: lost
	EnqueueFailed = "otelcol_exporter_enqueue_failed_" // sending queue full: lost
	Refused       = "otelcol_receiver_refused_"        // refused to the sender (memory limiter): it retries
)

// QueuedExporters matches the ids of exporter types with their own sending queue and
// retry: their failure counters are losses.
const QueuedExporters = `^(otlp_grpc|otlp_http|awss3|awscloudwatchlogs|azure_monitor|load_balancing|file|debug)(/.*)?$`

// signalUnits are the unit suffixes of the per-signal counters.
var signalUnits = map[string]string{Traces: "spans", Metrics: "metric_points", Logs: "log_records"}

// FailureCounters are the names of a counter family for every signal, in the order
// traces, metrics, logs (e.g. otelcol_exporter_send_failed_spans, ..._metric_points,
// ..._log_records).
func FailureCounters(family string) []string {
	var out []string
	for _, s := range []string{Traces, Metrics, Logs} {
		out = append(out, family+signalUnits[s])
	}
	return out
}

// SelfMetricsExport says where a collector sends its own metrics.
type SelfMetricsExport struct {
	// Collector names the tier ("gateway", "ecs-collector"): the value of the
	// SelfMetricsCollectorAttribute resource attribute.
	Collector string
	// Exporter receives PipelineSelfMetrics; its ID must end in "/self" so it is never
	// mistaken for a backend of the applications' data.
	Exporter Exporter
}

// Validate checks the export.
func (s SelfMetricsExport) Validate() error {
	switch {
	case s.Collector == "":
		return fmt.Errorf("self metrics: Collector (the tier's name) is required")
	case !strings.HasSuffix(s.Exporter.ID, "/self"):
		return fmt.Errorf("self metrics: exporter %q: the ID must end in /self", s.Exporter.ID)
	case s.Exporter.Config == nil:
		return fmt.Errorf("self metrics: exporter %q has no configuration", s.Exporter.ID)
	}
	return nil
}

// addSelfMetrics adds the reader, the loopback receiver, the exporter and the pipeline.
func (c *Config) addSelfMetrics(s SelfMetricsExport) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, dup := c.Exporters[s.Exporter.ID]; dup {
		return fmt.Errorf("self metrics: exporter %q is already a backend", s.Exporter.ID)
	}
	addr := "127.0.0.1:" + strconv.Itoa(PortSelfMetrics)
	c.Receivers[IDSelfMetricsReceiver] = OTLPReceiver{Protocols: OTLPProtocols{GRPC: &GRPCServer{Endpoint: addr}}}
	c.Exporters[s.Exporter.ID] = s.Exporter.Config
	c.Service.Pipelines[PipelineSelfMetrics] = Pipeline{Receivers: []string{IDSelfMetricsReceiver}, Exporters: []string{s.Exporter.ID}}
	t := &c.Service.Telemetry
	if t.Resource == nil {
		t.Resource = map[string]string{}
	}
	t.Resource[SelfMetricsCollectorAttribute] = s.Collector
	t.Metrics.Readers = append(t.Metrics.Readers, MetricReader{Periodic: &PeriodicReader{
		IntervalMs: SelfMetricsIntervalMs,
		Exporter: PushExporter{OTLP: &PushOTLP{Protocol: "grpc", Endpoint: "http://" + addr, Insecure: true,
			// The receiver stops before the reader's last push at shutdown, which then
			// fails (the collector exits 1 after it): this bounds the wait to 2 s.
			TimeoutMs: SelfMetricsTimeoutMs,
			// Deltas at the source: converting cumulative counters, awsemf drops each
			// series' first point, so a collector whose very first exports fail (the
			// series starts at its first loss) would never report that loss.
			TemporalityPreference: "delta"}},
	}})
	return nil
}

// AWSSelfMetricsExporter is awsemf/self: the collector's failure counters and queue gauges
// as CloudWatch metrics in namespace, per collector tier and per exporter or receiver,
// written to logGroup (a group of its own, apart from the applications' EMF group).
// Metrics no declaration selects stay in the log group only.
func AWSSelfMetricsExporter(region, namespace, logGroup, stream string) Exporter {
	return Exporter{ID: ID(TypeAWSEMF, "self"), Signals: []string{Metrics}, Config: AWSEMFExporter{
		Region: region, Namespace: namespace, LogGroupName: logGroup, LogStreamName: stream,
		DimensionRollupOption:         "NoDimensionRollup",
		ResourceToTelemetryConversion: &ResourceToTelemetryConversion{Enabled: true},
		MetricDeclarations: []EMFMetricDeclaration{
			{
				Dimensions:          [][]string{{SelfMetricsCollectorAttribute}, {SelfMetricsCollectorAttribute, "exporter"}},
				MetricNameSelectors: []string{"^" + SendFailed, "^" + EnqueueFailed, "^" + MetricExporterQueueSize + "$", "^" + MetricExporterQueueCapacity + "$"},
				// Only exporters with a sending queue: one without (awsxray, awsemf) sits
				// behind a queue hop, so its failed attempts are retried, not lost; what the
				// hop gives up on is counted on the hop's otlp_grpc exporter.
				LabelMatchers: []EMFLabelMatcher{{LabelNames: []string{"exporter"}, Regex: QueuedExporters}},
			},
			{
				Dimensions:          [][]string{{SelfMetricsCollectorAttribute}, {SelfMetricsCollectorAttribute, "receiver"}},
				MetricNameSelectors: []string{"^" + Refused},
			},
		},
	}}
}
