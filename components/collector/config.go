// Package collector is otelfleet's typed model of an OpenTelemetry collector configuration:
// components as Go values, pipelines that reference them by id, a Validate that catches
// what the collector would reject at start-up, and presets for the agent and gateway tiers.
// It imports no cloud SDK, so its tests compile in seconds.
package collector

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// Component is any receiver, processor, exporter, extension or connector configuration.
// Type is the collector's component type (the part of an id before "/").
type Component interface {
	Type() string
}

// Config is a whole collector configuration.
type Config struct {
	Receivers  map[string]Component `json:"receivers,omitempty"`
	Processors map[string]Component `json:"processors,omitempty"`
	Exporters  map[string]Component `json:"exporters,omitempty"`
	Connectors map[string]Component `json:"connectors,omitempty"`
	Extensions map[string]Component `json:"extensions,omitempty"`
	Service    Service              `json:"service"`
}

// Service is the collector's `service:` section.
type Service struct {
	Extensions []string            `json:"extensions,omitempty"`
	Pipelines  map[string]Pipeline `json:"pipelines"`
	Telemetry  Telemetry           `json:"telemetry"`
}

// Pipeline lists component ids in the order data flows through them.
type Pipeline struct {
	Receivers  []string `json:"receivers"`
	Processors []string `json:"processors,omitempty"`
	Exporters  []string `json:"exporters"`
}

// Telemetry configures the collector's own logs and metrics.
type Telemetry struct {
	Logs    TelemetryLogs    `json:"logs"`
	Metrics TelemetryMetrics `json:"metrics"`
	// Resource attributes of the collector's own telemetry (beside service.name and the
	// instance id the collector sets).
	Resource map[string]string `json:"resource,omitempty"`
}

// TelemetryLogs configures the collector's own logs.
type TelemetryLogs struct {
	Level    string `json:"level,omitempty"` // empty: the collector's default (info)
	Encoding string `json:"encoding,omitempty"`
}

// TelemetryMetrics configures the collector's own metrics. Since the `address` key was
// removed, the Prometheus endpoint is a pull reader.
type TelemetryMetrics struct {
	Level   string         `json:"level,omitempty"` // empty: the collector's default (normal)
	Readers []MetricReader `json:"readers,omitempty"`
}

// MetricReader is one reader of the collector's own metrics.
type MetricReader struct {
	Pull     *PullReader     `json:"pull,omitempty"`
	Periodic *PeriodicReader `json:"periodic,omitempty"`
}

// PeriodicReader pushes the collector's own metrics every IntervalMs.
type PeriodicReader struct {
	IntervalMs int          `json:"interval"`
	Exporter   PushExporter `json:"exporter"`
}

// PushExporter names the push exporter of a periodic reader.
type PushExporter struct {
	OTLP *PushOTLP `json:"otlp,omitempty"`
}

// PushOTLP sends the collector's own metrics over OTLP.
type PushOTLP struct {
	Protocol string `json:"protocol"` // grpc or http/protobuf
	Endpoint string `json:"endpoint"`
	Insecure bool   `json:"insecure,omitempty"`
	// TimeoutMs bounds one export, retries included (the SDK's default is 10 s).
	TimeoutMs int `json:"timeout,omitempty"`
	// TemporalityPreference: cumulative (the default), delta or low_memory.
	TemporalityPreference string `json:"temporality_preference,omitempty"`
}

// PullReader exposes the collector's own metrics for scraping.
type PullReader struct {
	Exporter PullExporter `json:"exporter"`
}

// PullExporter names the pull exporter.
type PullExporter struct {
	Prometheus *PrometheusEndpoint `json:"prometheus,omitempty"`
}

// PrometheusEndpoint is where the collector serves /metrics.
type PrometheusEndpoint struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// SelfMetrics returns telemetry that serves the collector's own metrics on host:port.
func SelfMetrics(level, host string, port int) Telemetry {
	return Telemetry{
		Logs: TelemetryLogs{Level: level, Encoding: "json"},
		Metrics: TelemetryMetrics{
			Level:   "normal", // every metric alerts and dashboards use; detailed adds per-RPC histograms at a CPU cost
			Readers: []MetricReader{{Pull: &PullReader{Exporter: PullExporter{Prometheus: &PrometheusEndpoint{Host: host, Port: port}}}}},
		},
	}
}

// YAML validates the configuration and renders it as collector YAML (keys sorted, so equal
// configs render to equal text and checksums).
func (c *Config) YAML() (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("collector config: %w", err)
	}
	return string(out), nil
}

// TypeOf returns the component type of an id: "otlp/gateway" → "otlp".
func TypeOf(id string) string {
	t, _, _ := strings.Cut(id, "/")
	return t
}

// ID joins a component type and an optional name into an id.
func ID(typ, name string) string {
	if name == "" {
		return typ
	}
	return typ + "/" + name
}

// ReceiverTypes lists the receiver types a rendered configuration defines (sorted, each
// once): what a workload's RBAC must cover is decided by what its configuration runs.
func ReceiverTypes(rendered string) ([]string, error) {
	var doc struct {
		Receivers map[string]any `json:"receivers"`
	}
	if err := yaml.Unmarshal([]byte(rendered), &doc); err != nil {
		return nil, fmt.Errorf("collector config: %w", err)
	}
	seen := map[string]bool{}
	for id := range doc.Receivers {
		seen[TypeOf(id)] = true
	}
	return sortedKeys(seen), nil
}
