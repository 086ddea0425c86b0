package kube

import (
	"fmt"
	"strconv"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
)

// AlertLabelPartOf marks the fleet's alerts (part_of="otelfleet") for Alertmanager routes. It
// is not the Kubernetes label fleet.LabelPartOf: "app.kubernetes.io/part-of" is no valid
// Prometheus label name where names are validated the legacy way (Prometheus 2, Prometheus 3
// so configured), and one invalid label makes Prometheus refuse the whole rule group.
const AlertLabelPartOf = "part_of"

// AlertRule is one Prometheus alerting rule of the fleet.
type AlertRule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// FleetAlerts renders the fleet's alert catalogue (fleet.Alerts) as Prometheus rules: data
// refused or dropped, exporters failing, queues near capacity, the memory limiter refusing,
// collectors restarting, the gateway below its minimum replicas and, with tail sampling
// (tailSamplingTraces > 0, the sampler's num_traces), its buffer filling up or evicting
// undecided traces. namespaces (a regex) selects the fleet's pods; the restart and replica
// rules read kube-state-metrics.
func FleetAlerts(namespaces, gateway, gatewayKind string, minReplicas, tailSamplingTraces int) []AlertRule {
	catalogue := fleet.Alerts(fleet.AlertOptions{MinReplicas: minReplicas, TailSamplingTraces: tailSamplingTraces})
	rules := make([]AlertRule, 0, len(catalogue))
	for _, a := range catalogue {
		expr := promExpr(a, fmt.Sprintf(`namespace=~"%s"`, namespaces), gateway, gatewayKind)
		forDuration := promDuration(a.Window)
		if a.Shape == fleet.Within {
			forDuration = "0m" // the expression counts over the window itself
		}
		rules = append(rules, AlertRule{Alert: a.Name(), Expr: expr, For: forDuration,
			Labels:      map[string]string{"severity": string(a.Severity), AlertLabelPartOf: fleet.PartOf},
			Annotations: map[string]string{"summary": a.Summary, "runbook": "README.md#operating-the-fleet"}})
	}
	return rules
}

// promExpr is an alert's PromQL expression; sel selects the fleet's namespaces.
func promExpr(a fleet.Alert, sel, gateway, gatewayKind string) string {
	cmp := fmt.Sprintf("> %s", promNumber(a.Threshold))
	if a.Below {
		cmp = fmt.Sprintf("< %s", promNumber(a.Threshold))
	}
	window := promDuration(a.Window)
	switch a.ID {
	case fleet.AlertReceiverRefusing, fleet.AlertMemoryLimiterRefusing:
		return fmt.Sprintf(`sum by (namespace, pod) (rate(%s{%s}[5m])) %s`, a.Metrics[0], sel, cmp)
	case fleet.AlertExporterSendFailures:
		return fmt.Sprintf(`sum by (namespace, pod, exporter) (rate(%[1]s{%[3]s}[5m])) / clamp_min(sum by (namespace, pod, exporter) (rate(%[1]s{%[3]s}[5m]) + rate(%[2]s{%[3]s}[5m])), 1e-9) %[4]s`,
			collector.MetricExporterSendFailed, collector.MetricExporterSent, sel, cmp)
	case fleet.AlertExporterDroppingSpans:
		return fmt.Sprintf(`sum by (namespace, pod, exporter) (rate(%s{%s}[5m])) %s`, a.Metrics[0], sel, cmp)
	case fleet.AlertExporterQueueNearlyFull:
		return fmt.Sprintf(`max by (namespace, pod, exporter) (%s{%s} / %s{%s}) %s`, collector.MetricExporterQueueSize, sel, collector.MetricExporterQueueCapacity, sel, cmp)
	case fleet.AlertCollectorRestarting:
		return fmt.Sprintf(`increase(kube_pod_container_status_restarts_total{%s,container=~"%s|%s"}[%s]) %s`, sel, fleet.CollectorName, SidecarContainerName, window, cmp)
	case fleet.AlertGatewayBelowMinimum:
		if gatewayKind == KindStatefulSet {
			return fmt.Sprintf(`kube_statefulset_status_replicas_ready{%s,statefulset="%s"} %s`, sel, gateway, cmp)
		}
		return fmt.Sprintf(`kube_deployment_status_replicas_available{%s,deployment="%s"} %s`, sel, gateway, cmp)
	case fleet.AlertTailSamplingFilling:
		return fmt.Sprintf(`max by (namespace, pod) (%s{%s}) %s`, a.Metrics[0], sel, cmp)
	case fleet.AlertTailSamplingEvicting:
		return fmt.Sprintf(`sum by (namespace, pod) (increase(%s{%s}[%s])) %s`, a.Metrics[0], sel, window, cmp)
	}
	panic("kube: no PromQL for alert " + a.ID) // TestEveryAlertHasPromQL keeps this unreachable
}

func promDuration(d time.Duration) string { return strconv.Itoa(int(d.Minutes())) + "m" }

func promNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
