package alerts

import (
	"fmt"
	"regexp"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Workload kinds of the gateway (as components/kube names them).
const (
	KindDeployment  = "deployment"
	KindStatefulSet = "statefulset"
)

// DefaultContainer is the collector container's name in the fleet's pods.
const DefaultContainer = "otel-collector"

// Exporter log messages of the pinned collector's exporterhelper (v0.161): data lost after a
// permanent error or a full/failed queue (level error), and a transient failure that is
// retried (level info).
const (
	MessageDropping = "Exporting failed. Dropping data."
	MessageRejected = "Exporting failed. Rejecting data."
	MessageRetrying = "Exporting failed. Will retry the request after interval."
)

// Fleet is the collector fleet on an AKS cluster, as Container Insights sees it.
type Fleet struct {
	// Cluster is the AKS cluster's resource id: the scope of every rule (Container Insights
	// tables carry it as _ResourceId).
	Cluster pulumi.StringInput
	// Namespaces are the fleet's namespaces (gateway and agents).
	Namespaces []string
	// GatewayNamespace, Gateway and GatewayKind name the gateway's stable workload.
	GatewayNamespace string
	Gateway          string
	GatewayKind      string
	// MinReplicas is the fewest running gateway pods that is not an incident (the HPA
	// minimum, or the fixed replica count).
	MinReplicas int
	// Container is the collector container's name; default DefaultContainer.
	Container string
	// TailSampling adds a rule on the gateway's tail sampler evicting undecided traces.
	TailSampling bool
}

// FleetRules are the log search alerts of a fleet on AKS: from Container Insights
// (KubePodInventory: restarts and running gateway pods; ContainerLogV2: exporter failures
// in the collectors' own logs) and from the collectors' self-metrics that Container
// Insights scrapes into InsightsMetrics (see PrometheusScrape): refused data, memory
// limiter, export failures, dropped spans, full queues, and the scrape itself going quiet.
func FleetRules(f Fleet) ([]LogRule, error) {
	if f.Cluster == nil || len(f.Namespaces) == 0 || f.GatewayNamespace == "" || f.Gateway == "" || f.MinReplicas < 1 {
		return nil, fmt.Errorf("alerts: Fleet needs Cluster, Namespaces, GatewayNamespace, Gateway and MinReplicas >= 1")
	}
	if f.Container == "" {
		f.Container = DefaultContainer
	}
	gateway, err := gatewayPods(f)
	if err != nil {
		return nil, err
	}
	ns := kqlList(f.Namespaces)
	logs := fmt.Sprintf(`ContainerLogV2
| where PodNamespace in %s and ContainerName == %s
| extend Message = tostring(LogMessage), Exporter = tostring(LogMessage["otelcol.component.id"])`, ns, kqlString(f.Container))
	rule := func(r LogRule) LogRule { r.Scope = f.Cluster; return r }
	sent, failed := collector.MetricExporterSent, collector.MetricExporterSendFailed
	size, capacity := collector.MetricExporterQueueSize, collector.MetricExporterQueueCapacity
	rules := []LogRule{
		rule(LogRule{
			Name: "collector-restarting", Severity: SevWarning, Window: "PT30M",
			Description: "A collector container restarted more than twice in 30 minutes (OOM kill or crash loop). Source: Container Insights KubePodInventory.ContainerRestartCount.",
			Query: pulumi.String(fmt.Sprintf(`KubePodInventory
| where Namespace in %s and ContainerName endswith %s
| summarize Restarts = max(ContainerRestartCount) - min(ContainerRestartCount) by Pod = Name, Namespace`, ns, kqlString("/"+f.Container))),
			Measure: "Restarts", Threshold: 2, SplitBy: []string{"Pod", "Namespace"},
		}),
		rule(LogRule{
			Name: "gateway-below-minimum", Severity: SevError, Window: "PT10M",
			Description: fmt.Sprintf("Fewer than %d gateway pods ran during the last 10 minutes. Source: Container Insights KubePodInventory (one inventory per minute).", f.MinReplicas),
			Query: pulumi.String(gateway + `
| summarize Running = dcountif(Name, PodStatus == "Running" and ContainerStatus =~ "running") by bin(TimeGenerated, 1m)
| summarize MaxRunning = max(Running)
| extend MaxRunning = coalesce(MaxRunning, 0)`),
			Measure: "MaxRunning", Operator: LessThan, Threshold: float64(f.MinReplicas),
		}),
		rule(LogRule{
			Name: "exporter-dropping-data", Severity: SevError,
			Description: "A collector logged that an exporter dropped or rejected data (permanent error, or the retries/queue gave up). Source: Container Insights ContainerLogV2, the collectors' own logs.",
			Query: pulumi.String(logs + fmt.Sprintf(`
| where Message contains_cs %s or Message contains_cs %s
| summarize Failures = count() by Pod = PodName, Exporter`, kqlString(MessageDropping), kqlString(MessageRejected))),
			Measure: "Failures", Threshold: 0, SplitBy: []string{"Pod", "Exporter"},
		}),
		rule(LogRule{
			Name: "exporter-retrying", Severity: SevInfo, Window: "PT15M",
			Description: "An exporter failed more than 10 times in 15 minutes and is retrying: its backend is unreachable or throttling. Source: Container Insights ContainerLogV2.",
			Query: pulumi.String(logs + fmt.Sprintf(`
| where Message contains_cs %s
| summarize Retries = count() by Pod = PodName, Exporter`, kqlString(MessageRetrying))),
			Measure: "Retries", Threshold: 10, SplitBy: []string{"Pod", "Exporter"},
		}),
		rule(LogRule{
			Name: "receiver-refusing-data", Severity: SevWarning,
			Description: "A collector refused spans in the last 10 minutes: it is over its memory limit or its pipeline is blocked; senders are retrying. Source: " + collector.MetricReceiverRefused + " scraped into InsightsMetrics.",
			Query:       pulumi.String(counterIncrease([]string{collector.MetricReceiverRefused}, "receiver")),
			Measure:     "Increase", Threshold: 0, SplitBy: []string{"Collector", "Receiver"},
		}),
		rule(LogRule{
			Name: "memory-limiter-refusing", Severity: SevWarning,
			Description: "The memory_limiter refused data in the last 10 minutes: scale out or raise the memory limit. Source: " + collector.MetricMemoryLimiterRefused + " in InsightsMetrics.",
			Query:       pulumi.String(counterIncrease([]string{collector.MetricMemoryLimiterRefused})),
			Measure:     "Increase", Threshold: 0, SplitBy: []string{"Collector"},
		}),
		rule(LogRule{
			Name: "exporter-send-failures", Severity: SevError,
			Description: "More than 5 % of an exporter's spans failed to send in 10 minutes. Source: " + sent + " and " + failed + " in InsightsMetrics. The azure_monitor exporter hands data to its own asynchronous sender and never counts failures here: see appinsights-ingestion-failing.",
			Query: pulumi.String(counterIncrease([]string{sent, failed}, "exporter") + fmt.Sprintf(`
| summarize Failed = sumif(Increase, Name == %s), Sent = sumif(Increase, Name == %s) by Collector, Exporter
| extend FailedRatio = Failed / max_of(Failed + Sent, 1.0)`, kqlString(failed), kqlString(sent))),
			Measure: "FailedRatio", Threshold: 0.05, SplitBy: []string{"Collector", "Exporter"},
		}),
		rule(LogRule{
			Name: "exporter-dropping-spans", Severity: SevError,
			Description: "An exporter's sending queue was full and spans were dropped in the last 10 minutes. Source: " + collector.MetricExporterEnqueueFailed + " in InsightsMetrics.",
			Query:       pulumi.String(counterIncrease([]string{collector.MetricExporterEnqueueFailed}, "exporter")),
			Measure:     "Increase", Threshold: 0, SplitBy: []string{"Collector", "Exporter"},
		}),
		rule(LogRule{
			Name: "exporter-queue-nearly-full", Severity: SevWarning,
			Description: "An exporter's sending queue stayed above 80 % for 10 minutes: the backend is slower than the intake. Source: " + size + " / " + capacity + " in InsightsMetrics.",
			Query: pulumi.String(selfMetrics(size, capacity) + fmt.Sprintf(`
| summarize Size = minif(Val, Name == %s), Capacity = maxif(Val, Name == %s) by Collector, Exporter = tostring(Labels.exporter), DataType = tostring(Labels.data_type)
| where Capacity > 0
| extend Fill = Size / Capacity`, kqlString(size), kqlString(capacity))),
			Measure: "Fill", Threshold: 0.8, SplitBy: []string{"Collector", "Exporter"},
		}),
		rule(LogRule{
			Name: "self-metrics-missing", Severity: SevInfo, Window: "PT15M",
			Description: "No collector self-metric reached InsightsMetrics in 15 minutes: the Container Insights Prometheus scrape is not working, so the self-metric alerts are blind. Source: " + collector.MetricProcessCPUSeconds + " in InsightsMetrics.",
			Query:       pulumi.String(selfMetrics(collector.MetricProcessCPUSeconds)),
			Operator:    LessThan, Threshold: 1,
		}),
	}
	if f.TailSampling {
		rules = append(rules, rule(LogRule{
			Name: "tail-sampling-evicting", Severity: SevError,
			Description: "A gateway's tail sampler evicted traces before their decision in the last 10 minutes: they are lost. Its intake exceeds num_traces / samplingDecisionWait; scale the gateway out or shorten samplingDecisionWait. Source: " + collector.MetricTailSamplingDroppedTooEarly + " in InsightsMetrics.",
			Query:       pulumi.String(counterIncrease([]string{collector.MetricTailSamplingDroppedTooEarly})),
			Measure:     "Increase", Threshold: 0, SplitBy: []string{"Collector"},
		}))
	}
	return rules, nil
}

// gatewayPods selects the KubePodInventory rows of the gateway's stable track: a
// StatefulSet's pods name it as their controller; a Deployment's pods name its ReplicaSet,
// "<gateway>-<pod-template-hash>" (the hash is written without vowels, so the canary track's
// "<gateway>-canary-..." never matches).
func gatewayPods(f Fleet) (string, error) {
	where := ""
	switch f.GatewayKind {
	case KindStatefulSet:
		where = fmt.Sprintf(`ControllerKind == "StatefulSet" and ControllerName == %s`, kqlString(f.Gateway))
	case KindDeployment, "":
		where = fmt.Sprintf(`ControllerKind == "ReplicaSet" and ControllerName matches regex %s`, kqlString("^"+regexp.QuoteMeta(f.Gateway)+"-[bcdfghjklmnpqrstvwxz2456789]+$"))
	default:
		return "", fmt.Errorf("alerts: gateway kind %q: use %s or %s", f.GatewayKind, KindDeployment, KindStatefulSet)
	}
	return fmt.Sprintf(`KubePodInventory
| where Namespace == %s and ContainerName endswith %s
| where %s`, kqlString(f.GatewayNamespace), kqlString("/"+f.Container), where), nil
}
