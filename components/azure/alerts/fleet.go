package alerts

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Workload kinds of the gateway (as components/kube names them).
const (
	KindDeployment  = "deployment"
	KindStatefulSet = "statefulset"
)

// DefaultContainer is the collector container's name in the fleet's pods.
const DefaultContainer = fleet.CollectorName

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
	tailTraces := 0
	if f.TailSampling {
		tailTraces = collector.TailSamplingTraces
	}
	var rules []LogRule
	for _, a := range fleet.Alerts(fleet.AlertOptions{MinReplicas: f.MinReplicas, TailSamplingTraces: tailTraces}) {
		r, err := catalogueRule(a, ns, gateway, f.Container)
		if err != nil {
			return nil, err
		}
		r.Scope = f.Cluster
		rules = append(rules, r)
	}
	// Azure's own sources: the collectors' logs, and the scrape that feeds the rules above.
	rule := func(r LogRule) LogRule { r.Scope = f.Cluster; return r }
	return append(rules,
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
			Name: "self-metrics-missing", Severity: SevInfo, Window: "PT15M",
			Description: "No collector self-metric reached InsightsMetrics in 15 minutes: the Container Insights Prometheus scrape is not working, so the self-metric alerts are blind. Source: " + collector.MetricProcessCPUSeconds + " in InsightsMetrics.",
			Query:       pulumi.String(selfMetrics(collector.MetricProcessCPUSeconds)),
			Operator:    LessThan, Threshold: 1,
		}),
	), nil
}

// severities map the catalogue's severities to Azure's.
var severities = map[fleet.Severity]int{fleet.Critical: SevError, fleet.Warning: SevWarning, fleet.Info: SevInfo}

// catalogueRule renders one alert of the fleet's catalogue as a log search rule over
// Container Insights: ns is the KQL list of the fleet's namespaces, gateway the query of the
// gateway's stable pods, container the collector container's name.
func catalogueRule(a fleet.Alert, ns, gateway, container string) (LogRule, error) {
	r := LogRule{Name: a.ID, Severity: severities[a.Severity], Threshold: a.Threshold,
		Window: fmt.Sprintf("PT%dM", int(a.Window.Minutes()))}
	if a.Below {
		r.Operator = LessThan
	}
	source := strings.Join(a.Metrics, " and ") + " in InsightsMetrics"
	switch a.ID {
	case fleet.AlertReceiverRefusing:
		r.Query, r.Measure, r.SplitBy = pulumi.String(counterIncrease(a.Metrics, "receiver")), "Increase", []string{"Collector", "Receiver"}
	case fleet.AlertMemoryLimiterRefusing, fleet.AlertTailSamplingEvicting:
		r.Query, r.Measure, r.SplitBy = pulumi.String(counterIncrease(a.Metrics)), "Increase", []string{"Collector"}
	case fleet.AlertExporterDroppingSpans:
		r.Query, r.Measure, r.SplitBy = pulumi.String(counterIncrease(a.Metrics, "exporter")), "Increase", []string{"Collector", "Exporter"}
	case fleet.AlertExporterSendFailures:
		failed, sent := collector.MetricExporterSendFailed, collector.MetricExporterSent
		r.Query = pulumi.String(counterIncrease([]string{sent, failed}, "exporter") + fmt.Sprintf(`
| summarize Failed = sumif(Increase, Name == %s), Sent = sumif(Increase, Name == %s) by Collector, Exporter
| extend FailedRatio = Failed / max_of(Failed + Sent, 1.0)`, kqlString(failed), kqlString(sent)))
		r.Measure, r.SplitBy = "FailedRatio", []string{"Collector", "Exporter"}
		source += ". The azure_monitor exporter hands data to its own asynchronous sender and never counts failures here: see appinsights-ingestion-failing"
	case fleet.AlertExporterQueueNearlyFull:
		size, capacity := collector.MetricExporterQueueSize, collector.MetricExporterQueueCapacity
		r.Query = pulumi.String(selfMetrics(size, capacity) + fmt.Sprintf(`
| summarize Size = minif(Val, Name == %s), Capacity = maxif(Val, Name == %s) by Collector, Exporter = tostring(Labels.exporter), DataType = tostring(Labels.data_type)
| where Capacity > 0
| extend Fill = Size / Capacity`, kqlString(size), kqlString(capacity)))
		r.Measure, r.SplitBy = "Fill", []string{"Collector", "Exporter"}
	case fleet.AlertTailSamplingFilling:
		r.Query = pulumi.String(selfMetrics(a.Metrics...) + `
| summarize Traces = min(Val) by Collector`)
		r.Measure, r.SplitBy = "Traces", []string{"Collector"}
	case fleet.AlertCollectorRestarting:
		r.Query = pulumi.String(fmt.Sprintf(`KubePodInventory
| where Namespace in %s and ContainerName endswith %s
| summarize Restarts = max(ContainerRestartCount) - min(ContainerRestartCount) by Pod = Name, Namespace`, ns, kqlString("/"+container)))
		r.Measure, r.SplitBy = "Restarts", []string{"Pod", "Namespace"}
		source = "Container Insights KubePodInventory.ContainerRestartCount"
	case fleet.AlertGatewayBelowMinimum:
		r.Query = pulumi.String(gateway + `
| summarize Running = dcountif(Name, PodStatus == "Running" and ContainerStatus =~ "running") by bin(TimeGenerated, 1m)
| summarize MaxRunning = max(Running)
| extend MaxRunning = coalesce(MaxRunning, 0)`)
		r.Measure = "MaxRunning"
		source = "Container Insights KubePodInventory (one inventory per minute)"
	default:
		return LogRule{}, fmt.Errorf("alerts: no KQL for the fleet alert %s", a.ID)
	}
	r.Description = a.Summary + " Source: " + source + "."
	return r, nil
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
