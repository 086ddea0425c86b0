package collector

// Names of the collector's own metrics as the pinned release serves them on :8888
// (Prometheus exposition, counters without a _total suffix). Alerts, alarms and dashboards
// are built from these names, and the real-collector tests check each one against a
// running collector's /metrics.
const (
	MetricReceiverAccepted      = "otelcol_receiver_accepted_spans"
	MetricReceiverRefused       = "otelcol_receiver_refused_spans"
	MetricExporterSent          = "otelcol_exporter_sent_spans"
	MetricExporterSendFailed    = "otelcol_exporter_send_failed_spans"
	MetricExporterEnqueueFailed = "otelcol_exporter_enqueue_failed_spans"
	MetricExporterQueueSize     = "otelcol_exporter_queue_size"
	MetricExporterQueueCapacity = "otelcol_exporter_queue_capacity"
	MetricMemoryLimiterRefused  = "otelcol_processor_memory_limiter_refused_spans"
	MetricProcessMemoryRSS      = "otelcol_process_memory_rss"
	MetricProcessCPUSeconds     = "otelcol_process_cpu_seconds"
	// The tail sampler: traces held awaiting their decision, and traces evicted before it
	// (lost: neither sampled nor counted as dropped by any exporter).
	MetricTailSamplingTracesOnMemory  = "otelcol_processor_tail_sampling_sampling_traces_on_memory"
	MetricTailSamplingDroppedTooEarly = "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early"
)

// SelfMetricNames lists every name above, for tests that check them against a collector.
var SelfMetricNames = []string{
	MetricReceiverAccepted, MetricReceiverRefused, MetricExporterSent, MetricExporterSendFailed,
	MetricExporterEnqueueFailed, MetricExporterQueueSize, MetricExporterQueueCapacity,
	MetricMemoryLimiterRefused, MetricProcessMemoryRSS, MetricProcessCPUSeconds,
	MetricTailSamplingTracesOnMemory, MetricTailSamplingDroppedTooEarly,
}
