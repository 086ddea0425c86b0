package loopback

import (
	"fmt"
	"slices"
	"strings"

	"github.com/otelfleet/otelfleet/components/collector"
)

// SelfMetrics keeps a collector's own-metrics pipeline (collector.PipelineSelfMetrics)
// running on loopback.
type SelfMetrics struct {
	// Port replaces the loopback port of its receiver and of the reader pushing to it.
	Port int
	// IntervalMs replaces the reader's interval (60 s in the configs), so a test sees
	// points within seconds.
	IntervalMs int
}

// selfParts are the pieces of the own-metrics pipeline, taken out of a config while the
// other rewrites run (they must not treat them as a backend or a listener of the fleet).
type selfParts struct {
	receiver  any
	exporters map[string]any
	pipeline  any
	readers   []any // periodic readers
}

// detachSelfMetrics removes the own-metrics pipeline, its receiver, exporters and periodic
// readers from c and returns them (nil when the config has none).
func detachSelfMetrics(c map[string]any) *selfParts {
	pipelines := section(section(c, "service"), "pipelines")
	p, ok := pipelines[collector.PipelineSelfMetrics]
	if !ok {
		return nil
	}
	parts := &selfParts{pipeline: p, exporters: map[string]any{}}
	delete(pipelines, collector.PipelineSelfMetrics)
	receivers := section(c, "receivers")
	parts.receiver = receivers[collector.IDSelfMetricsReceiver]
	delete(receivers, collector.IDSelfMetricsReceiver)
	exporters := section(c, "exporters")
	for _, id := range asMap(p)["exporters"].([]any) {
		parts.exporters[fmt.Sprint(id)] = exporters[fmt.Sprint(id)]
		delete(exporters, fmt.Sprint(id))
	}
	metrics := section(section(section(c, "service"), "telemetry"), "metrics")
	readers, _ := metrics["readers"].([]any)
	metrics["readers"] = slices.DeleteFunc(readers, func(r any) bool {
		if _, periodic := asMap(r)["periodic"]; periodic {
			parts.readers = append(parts.readers, r)
			return true
		}
		return false
	})
	return parts
}

// attach puts the pipeline back, on s.Port, every s.IntervalMs, with each awsemf exporter
// writing to standard output (output_destination: stdout) instead of CloudWatch Logs.
func (parts *selfParts) attach(c map[string]any, s SelfMetrics) error {
	if parts == nil {
		return fmt.Errorf("loopback: SelfMetrics is set but the config has no %s pipeline", collector.PipelineSelfMetrics)
	}
	if s.Port <= 0 || s.IntervalMs <= 0 {
		return fmt.Errorf("loopback: SelfMetrics needs Port and IntervalMs")
	}
	grpc := section(section(asMap(parts.receiver), "protocols"), "grpc")
	if grpc == nil {
		return fmt.Errorf("loopback: %s has no grpc protocol", collector.IDSelfMetricsReceiver)
	}
	grpc["endpoint"] = local(s.Port)
	section(c, "receivers")[collector.IDSelfMetricsReceiver] = parts.receiver
	for id, e := range parts.exporters {
		if componentType(id) != collector.TypeAWSEMF {
			return fmt.Errorf("loopback: self-metrics exporter %s is not awsemf", id)
		}
		asMap(e)["output_destination"] = "stdout"
		section(c, "exporters")[id] = e
	}
	section(section(c, "service"), "pipelines")[collector.PipelineSelfMetrics] = parts.pipeline
	for _, r := range parts.readers {
		periodic := section(asMap(r), "periodic")
		otlp := section(section(periodic, "exporter"), "otlp")
		if otlp == nil || !strings.HasPrefix(fmt.Sprint(otlp["endpoint"]), "http://127.0.0.1:") {
			return fmt.Errorf("loopback: periodic reader %v does not push to a loopback receiver", r)
		}
		otlp["endpoint"] = "http://" + local(s.Port)
		periodic["interval"] = s.IntervalMs
	}
	metrics := section(section(section(c, "service"), "telemetry"), "metrics")
	metrics["readers"] = append(metrics["readers"].([]any), parts.readers...)
	return nil
}
