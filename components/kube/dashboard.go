package kube

import (
	"encoding/json"
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
)

// grafanaDashboard is the subset of Grafana's dashboard model otelfleet renders.
type grafanaDashboard struct {
	UID           string         `json:"uid"`
	Title         string         `json:"title"`
	Tags          []string       `json:"tags"`
	SchemaVersion int            `json:"schemaVersion"`
	Refresh       string         `json:"refresh"`
	Time          map[string]any `json:"time"`
	Templating    map[string]any `json:"templating"`
	Panels        []grafanaPanel `json:"panels"`
}

type grafanaPanel struct {
	ID          int               `json:"id"`
	Type        string            `json:"type"`
	Title       string            `json:"title"`
	Datasource  map[string]string `json:"datasource"`
	GridPos     map[string]int    `json:"gridPos"`
	Targets     []grafanaTarget   `json:"targets"`
	FieldConfig map[string]any    `json:"fieldConfig"`
}

type grafanaTarget struct {
	RefID        string `json:"refId"`
	Expr         string `json:"expr"`
	LegendFormat string `json:"legendFormat"`
}

// FleetDashboard renders the Grafana dashboard of a fleet (Prometheus data source chosen by
// the $datasource variable): intake, refusals, export successes and failures, queue fill,
// memory and CPU per collector.
func FleetDashboard(namespaces string) ([]byte, error) {
	sel := fmt.Sprintf(`namespace=~"%s"`, namespaces)
	ds := map[string]string{"type": "prometheus", "uid": "${datasource}"}
	type panelSpec struct {
		title, unit string
		targets     []grafanaTarget
	}
	specs := []panelSpec{
		{"Spans accepted / s", "ops", []grafanaTarget{{"A", fmt.Sprintf(`sum by (pod) (rate(%s{%s}[$__rate_interval]))`, collector.MetricReceiverAccepted, sel), "{{pod}}"}}},
		{"Spans refused / s (backpressure)", "ops", []grafanaTarget{
			{"A", fmt.Sprintf(`sum by (pod) (rate(%s{%s}[$__rate_interval]))`, collector.MetricReceiverRefused, sel), "receiver {{pod}}"},
			{"B", fmt.Sprintf(`sum by (pod) (rate(%s{%s}[$__rate_interval]))`, collector.MetricMemoryLimiterRefused, sel), "memory_limiter {{pod}}"},
		}},
		{"Spans exported / s", "ops", []grafanaTarget{{"A", fmt.Sprintf(`sum by (exporter) (rate(%s{%s}[$__rate_interval]))`, collector.MetricExporterSent, sel), "{{exporter}}"}}},
		{"Export failures and drops / s", "ops", []grafanaTarget{
			{"A", fmt.Sprintf(`sum by (exporter) (rate(%s{%s}[$__rate_interval]))`, collector.MetricExporterSendFailed, sel), "failed {{exporter}}"},
			{"B", fmt.Sprintf(`sum by (exporter) (rate(%s{%s}[$__rate_interval]))`, collector.MetricExporterEnqueueFailed, sel), "dropped {{exporter}}"},
		}},
		{"Sending queue fill", "percentunit", []grafanaTarget{{"A", fmt.Sprintf(`max by (pod, exporter) (%s{%s} / %s{%s})`, collector.MetricExporterQueueSize, sel, collector.MetricExporterQueueCapacity, sel), "{{pod}} {{exporter}}"}}},
		{"Memory (RSS)", "bytes", []grafanaTarget{{"A", fmt.Sprintf(`max by (pod) (%s{%s})`, collector.MetricProcessMemoryRSS, sel), "{{pod}}"}}},
		{"CPU (cores)", "short", []grafanaTarget{{"A", fmt.Sprintf(`sum by (pod) (rate(%s{%s}[$__rate_interval]))`, collector.MetricProcessCPUSeconds, sel), "{{pod}}"}}},
		// Empty without tail sampling; with it, the buffer against num_traces and the
		// traces evicted undecided (lost).
		{"Tail sampler: traces held / evicted undecided per s", "short", []grafanaTarget{
			{"A", fmt.Sprintf(`max by (pod) (%s{%s})`, collector.MetricTailSamplingTracesOnMemory, sel), "held {{pod}}"},
			{"B", fmt.Sprintf(`sum by (pod) (rate(%s{%s}[$__rate_interval]))`, collector.MetricTailSamplingDroppedTooEarly, sel), "evicted {{pod}}"},
		}},
	}
	d := grafanaDashboard{
		UID: "otelfleet-fleet", Title: "otelfleet — collector fleet", Tags: []string{"otelfleet", "opentelemetry"},
		SchemaVersion: 39, Refresh: "30s",
		Time: map[string]any{"from": "now-6h", "to": "now"},
		Templating: map[string]any{"list": []any{map[string]any{
			"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus",
		}}},
	}
	for i, s := range specs {
		d.Panels = append(d.Panels, grafanaPanel{
			ID: i + 1, Type: "timeseries", Title: s.title, Datasource: ds, Targets: s.targets,
			GridPos:     map[string]int{"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8},
			FieldConfig: map[string]any{"defaults": map[string]any{"unit": s.unit}, "overrides": []any{}},
		})
	}
	return json.MarshalIndent(d, "", "  ")
}
