package alarms

import (
	"fmt"
	"strings"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The metrics the alarms read, with where AWS publishes them:
//
//   - ContainerInsights: the CloudWatch agent of the amazon-cloudwatch-observability EKS
//     add-on (components/aws/containerinsights). Pod metrics carry the dimensions
//     PodName (the owning workload's name, e.g. the gateway Deployment), Namespace and
//     ClusterName; service_number_of_running_pods carries Service, Namespace and
//     ClusterName. pod_number_of_container_restarts is the number of restarts since the
//     previous sample (the agent reports the difference), so its Sum over a period is the
//     restarts in it.
//   - ECS/ContainerInsights: ECS with the cluster setting containerInsights=enabled
//     (components/aws/ecscollector), per ClusterName and ServiceName.
//   - AWS/NetworkELB: every Network Load Balancer, per LoadBalancer and TargetGroup (their
//     ARN suffixes, net/<name>/<id> and targetgroup/<name>/<id>).
//   - The collectors' own metrics (otelcol_*), which each collector pushes through a
//     pipeline of its own to an awsemf exporter (collector.AWSSelfMetricsExporter): the
//     stack's alarm namespace, dimension collector (the tier), counters as deltas.
const (
	NamespaceContainerInsights    = "ContainerInsights"
	NamespaceECSContainerInsights = "ECS/ContainerInsights"
	NamespaceNLB                  = "AWS/NetworkELB"

	MetricPodCPUOverLimit     = "pod_cpu_utilization_over_pod_limit"
	MetricPodMemoryOverLimit  = "pod_memory_utilization_over_pod_limit"
	MetricPodRestarts         = "pod_number_of_container_restarts"
	MetricServiceRunningPods  = "service_number_of_running_pods"
	MetricECSRunningTaskCount = "RunningTaskCount"
	MetricECSDesiredTaskCount = "DesiredTaskCount"
	MetricHealthyHostCount    = "HealthyHostCount"
)

// NearLimitPercent is the CPU or memory use, in % of the pod's limit, the gateway's pods
// alarm above. Restarts and running pods follow the fleet's alert catalogue (fleet.Alerts).
const NearLimitPercent = 90

// Workload is a Kubernetes workload and its Service, as Container Insights names them.
type Workload struct {
	Cluster   pulumi.StringInput
	Namespace string
	// Name is the Deployment or StatefulSet (Container Insights' PodName).
	Name    string
	Service string
	// MinReplicas is the number of pods below which the workload is short.
	MinReplicas int
}

// WorkloadAlarms are the Container Insights alarms of a workload: CPU or memory near the
// pods' limit, containers restarting, fewer running pods than the minimum. Each alarm's
// name starts with label ("gateway").
func WorkloadAlarms(label string, w Workload) []Alarm {
	pod := map[string]pulumi.StringInput{"ClusterName": w.Cluster, "Namespace": pulumi.String(w.Namespace), "PodName": pulumi.String(w.Name)}
	service := map[string]pulumi.StringInput{"ClusterName": w.Cluster, "Namespace": pulumi.String(w.Namespace), "Service": pulumi.String(w.Service)}
	ci := func(name, stat string, dims map[string]pulumi.StringInput) *Metric {
		return &Metric{Namespace: NamespaceContainerInsights, Name: name, Stat: stat, Dimensions: dims}
	}
	catalogue := map[string]fleet.Alert{}
	for _, a := range fleet.Alerts(fleet.AlertOptions{MinReplicas: w.MinReplicas}) {
		catalogue[a.ID] = a
	}
	restarts, below := catalogue[fleet.AlertCollectorRestarting], catalogue[fleet.AlertGatewayBelowMinimum]
	return []Alarm{
		{
			Name:        label + "-cpu-near-limit",
			Description: fmt.Sprintf("%s pods use more than %d %% of their CPU limit for 15 minutes: the HPA is at its maximum or cannot keep up.", w.Name, NearLimitPercent),
			Metric:      ci(MetricPodCPUOverLimit, "Average", pod), Comparison: "GreaterThanThreshold", Threshold: NearLimitPercent,
			Period: 300, EvaluationPeriods: 3, TreatMissingData: "notBreaching",
		},
		{
			Name:        label + "-memory-near-limit",
			Description: fmt.Sprintf("One %s pod uses more than %d %% of its memory limit for 5 minutes: the memory_limiter is refusing data and an OOM kill is close.", w.Name, NearLimitPercent),
			Metric:      ci(MetricPodMemoryOverLimit, "Maximum", pod), Comparison: "GreaterThanThreshold", Threshold: NearLimitPercent,
			Period: 60, EvaluationPeriods: 5, TreatMissingData: "notBreaching",
		},
		{
			Name:        label + "-restarting",
			Description: fmt.Sprintf("%s containers restarted more than %g times in %g minutes (OOM kill or crash loop).", w.Name, restarts.Threshold, restarts.Window.Minutes()),
			Metric:      ci(MetricPodRestarts, "Sum", pod), Comparison: "GreaterThanThreshold", Threshold: restarts.Threshold,
			Period: int(restarts.Window.Seconds()), EvaluationPeriods: 1, TreatMissingData: "notBreaching",
		},
		{
			Name:        label + "-below-minimum",
			Description: fmt.Sprintf("Fewer than %g %s pods are running for %g minutes.", below.Threshold, w.Name, below.Window.Minutes()),
			Metric:      ci(MetricServiceRunningPods, "Minimum", service), Comparison: "LessThanThreshold", Threshold: below.Threshold,
			Period: 60, EvaluationPeriods: int(below.Window.Minutes()), TreatMissingData: "breaching",
		},
	}
}

// HealthyTargets alarms when a Network Load Balancer's target group has fewer than min
// healthy targets for 10 minutes (no data: the load balancer is gone, which breaches).
func HealthyTargets(name, description string, loadBalancer, targetGroup pulumi.StringInput, min int) Alarm {
	return Alarm{
		Name: name, Description: description,
		Metric: &Metric{Namespace: NamespaceNLB, Name: MetricHealthyHostCount, Stat: "Minimum", Dimensions: map[string]pulumi.StringInput{
			"LoadBalancer": loadBalancer, "TargetGroup": targetGroup,
		}},
		Comparison: "LessThanThreshold", Threshold: float64(min), Period: 60, EvaluationPeriods: 10, TreatMissingData: "breaching",
	}
}

// ECSTasksBelowDesired alarms when an ECS service runs fewer tasks than it wants for 5
// minutes (desired − running > 0; deployments run more tasks, not fewer).
func ECSTasksBelowDesired(name string, cluster, service pulumi.StringInput) Alarm {
	dims := map[string]pulumi.StringInput{"ClusterName": cluster, "ServiceName": service}
	return Alarm{
		Name: name, Description: "The ECS collector service runs fewer tasks than desired for 5 minutes (tasks failing to start or to stay healthy).",
		Expression: "m1 - m2",
		Metrics: []Metric{
			{Namespace: NamespaceECSContainerInsights, Name: MetricECSDesiredTaskCount, Stat: "Maximum", Dimensions: dims},
			{Namespace: NamespaceECSContainerInsights, Name: MetricECSRunningTaskCount, Stat: "Minimum", Dimensions: dims},
		},
		Comparison: "GreaterThanThreshold", Threshold: 0, Period: 60, EvaluationPeriods: 5, TreatMissingData: "breaching",
	}
}

// CollectorAlarms are the alarms of one collector tier, read from the collectors' own
// metrics as collector.AWSSelfMetricsExporter publishes them: in namespace, with the
// dimension collector=<tier> (every pod of the tier adds to the same series). label names
// the alarms (<label>-dropping-data, ...).
//
//   - dropping-data: an exporter gave up on data (retries exhausted, or its sending queue
//     was full) within 5 minutes: telemetry was lost.
//   - export-failing: exporters lost data in 3 periods of 5 minutes in a row: a backend has
//     been unreachable or rejecting longer than the retry window.
//   - refusing-data: receivers refused data for 10 minutes (the memory limiter: the tier is
//     overloaded; senders retry, so nothing is lost yet).
//   - queue-filling: a sending queue was over QueueFillPercent full for 5 minutes (the
//     largest queue against the largest capacity): an outage the queue is absorbing.
func CollectorAlarms(label, tier, namespace string) []Alarm {
	dims := map[string]pulumi.StringInput{collector.SelfMetricsCollectorAttribute: pulumi.String(tier)}
	sum := func(names ...string) ([]Metric, string) {
		var ms []Metric
		var terms []string
		for i, n := range names {
			ms = append(ms, Metric{Namespace: namespace, Name: n, Stat: "Sum", Dimensions: dims})
			terms = append(terms, fmt.Sprintf("FILL(m%d, 0)", i+1))
		}
		return ms, strings.Join(terms, " + ")
	}
	lost, lostExpr := sum(append(collector.FailureCounters(collector.SendFailed), collector.FailureCounters(collector.EnqueueFailed)...)...)
	failed, failedExpr := sum(collector.FailureCounters(collector.SendFailed)...)
	refused, refusedExpr := sum(collector.FailureCounters(collector.Refused)...)
	of := "the " + label + " collectors"
	return []Alarm{
		{
			Name: label + "-dropping-data", Description: "An exporter of " + of + " gave up on telemetry (retries exhausted, or its sending queue was full): it was lost.",
			Expression: lostExpr, Metrics: lost,
			Comparison: "GreaterThanThreshold", Threshold: 0, Period: 300, EvaluationPeriods: 1, TreatMissingData: "notBreaching",
		},
		{
			Name: label + "-export-failing", Description: "Exporters of " + of + " have lost data for 15 minutes in a row: a backend is unreachable or rejects data for longer than the retry window.",
			Expression: failedExpr, Metrics: failed,
			Comparison: "GreaterThanThreshold", Threshold: 0, Period: 300, EvaluationPeriods: 3, TreatMissingData: "notBreaching",
		},
		{
			Name: label + "-refusing-data", Description: "Receivers of " + of + " have refused data for 10 minutes (memory limiter): the tier is overloaded; senders retry and queue.",
			Expression: refusedExpr, Metrics: refused,
			Comparison: "GreaterThanThreshold", Threshold: 0, Period: 300, EvaluationPeriods: 2, TreatMissingData: "notBreaching",
		},
		{
			Name: label + "-queue-filling", Description: fmt.Sprintf("A sending queue of %s has been over %d%% full for 5 minutes: a backend is failing and the queue is absorbing it.", of, QueueFillPercent),
			Expression: "100 * m1 / m2",
			Metrics: []Metric{
				{Namespace: namespace, Name: collector.MetricExporterQueueSize, Stat: "Maximum", Dimensions: dims},
				{Namespace: namespace, Name: collector.MetricExporterQueueCapacity, Stat: "Maximum", Dimensions: dims},
			},
			Comparison: "GreaterThanThreshold", Threshold: QueueFillPercent, Period: 60, EvaluationPeriods: 5, TreatMissingData: "notBreaching",
		},
	}
}

// QueueFillPercent is how full a sending queue may get before queue-filling alarms.
const QueueFillPercent = 80
