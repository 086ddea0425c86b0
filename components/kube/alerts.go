package kube

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
)

// AlertRule is one Prometheus alerting rule of the fleet.
type AlertRule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// FleetAlerts are the alerts that ship with a fleet: data refused or dropped, exporters
// failing, queues near capacity, the memory limiter refusing, collectors restarting and
// the gateway below its minimum replicas and, with tail sampling (tailSamplingTraces > 0,
// the sampler's num_traces), its buffer filling up or evicting undecided traces.
// namespaces selects the fleet's pods; the restart and replica rules read
// kube-state-metrics.
func FleetAlerts(namespaces, gateway, gatewayKind string, minReplicas, tailSamplingTraces int) []AlertRule {
	sel := fmt.Sprintf(`namespace=~"%s"`, namespaces)
	rule := func(name, expr, forDuration, severity, summary string) AlertRule {
		return AlertRule{Alert: name, Expr: expr, For: forDuration,
			Labels:      map[string]string{"severity": severity, "app.kubernetes.io/part-of": "otelfleet"},
			Annotations: map[string]string{"summary": summary, "runbook": "README.md#operating-the-fleet"}}
	}
	available := fmt.Sprintf(`kube_deployment_status_replicas_available{namespace=~"%s",deployment="%s"}`, namespaces, gateway)
	if gatewayKind == KindStatefulSet {
		available = fmt.Sprintf(`kube_statefulset_status_replicas_ready{namespace=~"%s",statefulset="%s"}`, namespaces, gateway)
	}
	rules := []AlertRule{
		rule("OtelfleetReceiverRefusingData",
			fmt.Sprintf(`sum by (namespace, pod) (rate(%s{%s}[5m])) > 0`, collector.MetricReceiverRefused, sel),
			"5m", "warning", "A collector refuses spans: it is over its memory limit or its pipeline is blocked; senders are retrying."),
		rule("OtelfleetMemoryLimiterRefusing",
			fmt.Sprintf(`sum by (namespace, pod) (rate(%s{%s}[5m])) > 0`, collector.MetricMemoryLimiterRefused, sel),
			"10m", "warning", "The memory_limiter has refused data for 10 minutes: scale out or raise the memory limit."),
		rule("OtelfleetExporterSendFailures",
			fmt.Sprintf(`sum by (namespace, pod, exporter) (rate(%[1]s{%[3]s}[5m])) / clamp_min(sum by (namespace, pod, exporter) (rate(%[1]s{%[3]s}[5m]) + rate(%[2]s{%[3]s}[5m])), 1e-9) > 0.05`,
				collector.MetricExporterSendFailed, collector.MetricExporterSent, sel),
			"10m", "critical", "More than 5 % of spans fail to export: the backend rejects them or is unreachable."),
		rule("OtelfleetExporterDroppingData",
			fmt.Sprintf(`sum by (namespace, pod, exporter) (rate(%s{%s}[5m])) > 0`, collector.MetricExporterEnqueueFailed, sel),
			"5m", "critical", "An exporter's sending queue is full and spans are being dropped."),
		rule("OtelfleetExporterQueueNearlyFull",
			fmt.Sprintf(`max by (namespace, pod, exporter) (%s{%s} / %s{%s}) > 0.8`, collector.MetricExporterQueueSize, sel, collector.MetricExporterQueueCapacity, sel),
			"10m", "warning", "An exporter's sending queue is above 80 %: the backend is slower than the intake."),
		rule("OtelfleetCollectorRestarting",
			fmt.Sprintf(`increase(kube_pod_container_status_restarts_total{%s,container=~"otel-collector|otel-agent"}[30m]) > 2`, sel),
			"0m", "warning", "A collector container restarted more than twice in 30 minutes (OOM kill or crash loop)."),
		rule("OtelfleetGatewayBelowMinimum",
			fmt.Sprintf(`%s < %d`, available, minReplicas),
			"10m", "critical", fmt.Sprintf("Fewer than %d gateway replicas are available.", minReplicas)),
	}
	if tailSamplingTraces > 0 {
		// A gateway holds num_traces traces for decision_wait, so it takes at most
		// num_traces / decision_wait new traces per second whatever its CPU; the HPA scales
		// on CPU and memory only, so this is the signal that it must scale on intake.
		rules = append(rules,
			rule("OtelfleetTailSamplingBufferFilling",
				fmt.Sprintf(`max by (namespace, pod) (%s{%s}) > %d`, collector.MetricTailSamplingTracesOnMemory, sel, tailSamplingTraces*8/10),
				"10m", "warning", fmt.Sprintf("A gateway's tail sampler holds over 80 %% of its %d traces: raise the HPA's minimum replicas or shorten samplingDecisionWait before it evicts traces undecided.", tailSamplingTraces)),
			rule("OtelfleetTailSamplingEvictingUndecided",
				fmt.Sprintf(`sum by (namespace, pod) (rate(%s{%s}[5m])) > 0`, collector.MetricTailSamplingDroppedTooEarly, sel),
				"0m", "critical", "A gateway's tail sampler evicts traces before their decision: they are lost. Scale the gateway out or shorten samplingDecisionWait."),
		)
	}
	return rules
}
