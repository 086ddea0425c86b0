package aws

import (
	"slices"
	"sort"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

// awsMetrics are the metrics AWS publishes in the namespaces the alarms read, as documented
// (Container Insights for EKS: "Amazon EKS and Kubernetes Container Insights metrics"; ECS
// Container Insights; "CloudWatch metrics for your Network Load Balancer"), with the
// dimension sets each is published with. An alarm on another name or dimension set would
// never get data.
var awsMetrics = map[string]map[string][]string{
	"ContainerInsights": {
		"pod_cpu_utilization_over_pod_limit":    {"ClusterName", "Namespace", "PodName"},
		"pod_memory_utilization_over_pod_limit": {"ClusterName", "Namespace", "PodName"},
		"pod_number_of_container_restarts":      {"ClusterName", "Namespace", "PodName"},
		"service_number_of_running_pods":        {"ClusterName", "Namespace", "Service"},
	},
	"ECS/ContainerInsights": {
		"RunningTaskCount": {"ClusterName", "ServiceName"},
		"DesiredTaskCount": {"ClusterName", "ServiceName"},
	},
	"AWS/NetworkELB": {
		"HealthyHostCount": {"LoadBalancer", "TargetGroup"},
	},
}

type alarmMetric struct{ namespace, name string }

// alarmMetrics lists the metrics an alarm reads (its own, or those of its math queries) with
// their dimension names.
func alarmMetrics(inputs map[string]any) map[alarmMetric][]string {
	out := map[alarmMetric][]string{}
	keys := func(d any) []string {
		m, _ := d.(map[string]any)
		var k []string
		for key := range m {
			k = append(k, key)
		}
		sort.Strings(k)
		return k
	}
	if n, ok := inputs["metricName"].(string); ok {
		out[alarmMetric{str(inputs["namespace"]), n}] = keys(inputs["dimensions"])
	}
	queries, _ := inputs["metricQueries"].([]any)
	for _, q := range queries {
		if m := get(q, "metric"); m != nil {
			out[alarmMetric{str(get(m, "namespace")), str(get(m, "metricName"))}] = keys(get(m, "dimensions"))
		}
	}
	return out
}

// Every alarm reads a metric that exists: an AWS metric of the documented namespace with
// its documented dimensions, or a metric one of the stack's own log metric filters
// publishes; and it notifies the topic, going into ALARM and back to OK.
func TestAlarmsReadRealMetricsAndNotifyTheTopic(t *testing.T) {
	r := prod(t)
	topic := str(one(t, r, "aws:sns/topic:Topic", "otel-alarms").Inputs["name"])
	topicArn := "arn:aws:sns:us-east-1:" + synth.FakeAccountID + ":" + topic
	filtered := map[alarmMetric]bool{}
	for _, f := range r.Find("aws:cloudwatch/logMetricFilter:LogMetricFilter") {
		filtered[alarmMetric{str(get(f.Inputs, "metricTransformation", "namespace")), str(get(f.Inputs, "metricTransformation", "name"))}] = true
	}
	alarms := r.Find(alarmType)
	if len(alarms) != 12 {
		var names []string
		for _, a := range alarms {
			names = append(names, a.Name)
		}
		t.Errorf("%d alarms: %v; want 12 (4 gateway pods, ingest targets, ingest health, 2 ECS, 2+2 exporter failures)", len(alarms), names)
	}
	for _, a := range alarms {
		in := a.Inputs
		for m, dims := range alarmMetrics(in) {
			if filtered[m] {
				continue
			}
			want, ok := awsMetrics[m.namespace][m.name]
			if !ok {
				t.Errorf("alarm %s reads %s/%s, which neither AWS nor a metric filter of the stack publishes", a.Name, m.namespace, m.name)
			} else if !slices.Equal(dims, want) {
				t.Errorf("alarm %s reads %s/%s by %v; it is published by %v", a.Name, m.namespace, m.name, dims, want)
			}
		}
		for _, key := range []string{"alarmActions", "okActions"} {
			if got := strs(in[key]); !slices.Equal(got, []string{topicArn}) {
				t.Errorf("alarm %s %s = %v; want [%s]", a.Name, key, got, topicArn)
			}
		}
	}
}

// The thresholds: what each alarm compares, per the README's "Alerts on AWS" table.
func TestAlarmThresholds(t *testing.T) {
	r := prod(t)
	for _, c := range []struct {
		resource, name, metric, stat, op string
		threshold                        int64
		period, periods                  int64
		dims                             map[string]string
	}{
		{"otel-alarms-gateway-cpu-near-limit", "otel-gateway-cpu-near-limit", "pod_cpu_utilization_over_pod_limit", "Average", "GreaterThanThreshold", 90, 300, 3,
			map[string]string{"ClusterName": "otel", "Namespace": "observability", "PodName": "otel-gateway"}},
		{"otel-alarms-gateway-memory-near-limit", "otel-gateway-memory-near-limit", "pod_memory_utilization_over_pod_limit", "Maximum", "GreaterThanThreshold", 90, 60, 5,
			map[string]string{"ClusterName": "otel", "Namespace": "observability", "PodName": "otel-gateway"}},
		{"otel-alarms-gateway-restarting", "otel-gateway-restarting", "pod_number_of_container_restarts", "Sum", "GreaterThanThreshold", 2, 1800, 1,
			map[string]string{"ClusterName": "otel", "Namespace": "observability", "PodName": "otel-gateway"}},
		{"otel-alarms-gateway-below-minimum", "otel-gateway-below-minimum", "service_number_of_running_pods", "Minimum", "LessThanThreshold", 3, 60, 10,
			map[string]string{"ClusterName": "otel", "Namespace": "observability", "Service": "otel-gateway"}},
		{"otel-alarms-gateway-ingest-unhealthy-targets", "otel-gateway-ingest-unhealthy-targets", "HealthyHostCount", "Minimum", "LessThanThreshold", 3, 60, 10,
			map[string]string{"LoadBalancer": synth.FakeLoadBalancerArnSuffix("otel-gw-ingest"),
				"TargetGroup": synth.FakeTargetGroupArnSuffix(synth.FakeControllerTargetGroupName("observability/otel-gateway-ingest:4317"))}},
		{"otel-alarms-ecs-collector-unhealthy-targets", "otel-ecs-collector-unhealthy-targets", "HealthyHostCount", "Minimum", "LessThanThreshold", 2, 60, 10,
			map[string]string{"LoadBalancer": synth.FakeLoadBalancerArnSuffix("otel-otlp"), "TargetGroup": synth.FakeTargetGroupArnSuffix("otel-otlp-grpc")}},
		{"otel-alarms-ecs-collector-export-failing", "otel-ecs-collector-export-failing", "EcsCollectorExportFailures", "Sum", "GreaterThanThreshold", 0, 300, 3, map[string]string{}},
		{"otel-alarms-ecs-collector-dropping-data", "otel-ecs-collector-dropping-data", "EcsCollectorDroppedBatches", "Sum", "GreaterThanThreshold", 0, 300, 1, map[string]string{}},
		{"otel-alarms-fleet-export-failing", "otel-fleet-export-failing", "FleetExportFailures", "Sum", "GreaterThanThreshold", 0, 300, 3, map[string]string{}},
		{"otel-alarms-fleet-dropping-data", "otel-fleet-dropping-data", "FleetDroppedBatches", "Sum", "GreaterThanThreshold", 0, 300, 1, map[string]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := one(t, r, alarmType, c.resource).Inputs
			if in["name"] != c.name || in["metricName"] != c.metric || in["statistic"] != c.stat || in["comparisonOperator"] != c.op ||
				in["threshold"] != c.threshold || in["period"] != c.period || in["evaluationPeriods"] != c.periods || in["datapointsToAlarm"] != c.periods {
				t.Errorf("alarm = %v", in)
			}
			dims, _ := in["dimensions"].(map[string]any)
			if len(dims) != len(c.dims) {
				t.Errorf("dimensions %v; want %v", dims, c.dims)
			}
			for k, v := range c.dims {
				if dims[k] != v {
					t.Errorf("dimension %s = %v; want %s", k, dims[k], v)
				}
			}
		})
	}

	// ECS: desired − running > 0 for 5 minutes, by cluster and service.
	in := one(t, r, alarmType, "otel-alarms-ecs-collector-tasks-below-desired").Inputs
	q := in["metricQueries"].([]any)
	if len(q) != 3 || get(q[0], "expression") != "m1 - m2" || get(q[0], "returnData") != true ||
		get(q[1], "metric", "metricName") != "DesiredTaskCount" || get(q[2], "metric", "metricName") != "RunningTaskCount" ||
		get(q[2], "metric", "dimensions", "ClusterName") != "otel-collectors" || get(q[2], "metric", "dimensions", "ServiceName") != "otel-collector" ||
		in["threshold"] != int64(0) || in["comparisonOperator"] != "GreaterThanThreshold" || in["evaluationPeriods"] != int64(5) {
		t.Errorf("ECS tasks alarm = %v", in)
	}
}

// The exporter-failure metrics count the pinned collector's own log lines in the collectors'
// log groups.
func TestExporterFailureMetricFilters(t *testing.T) {
	r := prod(t)
	for _, c := range []struct{ resource, group, pattern, metric string }{
		{"otel-alarms-ecs-collector-export-failures", "/otelfleet/otel/ecs-collector", `"Exporting failed"`, "EcsCollectorExportFailures"},
		{"otel-alarms-ecs-collector-dropped-batches", "/otelfleet/otel/ecs-collector", `"Dropping data"`, "EcsCollectorDroppedBatches"},
		{"otel-alarms-fleet-export-failures", "/otelfleet/otel/logs", `"Exporting failed"`, "FleetExportFailures"},
		{"otel-alarms-fleet-dropped-batches", "/otelfleet/otel/logs", `"Dropping data"`, "FleetDroppedBatches"},
	} {
		in := one(t, r, "aws:cloudwatch/logMetricFilter:LogMetricFilter", c.resource).Inputs
		tr := in["metricTransformation"]
		if in["logGroupName"] != c.group || in["pattern"] != c.pattern || get(tr, "name") != c.metric || get(tr, "namespace") != "otelfleet/otel" ||
			get(tr, "value") != "1" || get(tr, "defaultValue") != "0" {
			t.Errorf("%s = %v", c.resource, in)
		}
	}
	// Without the agents' log collection the fleet's logs are not in CloudWatch: no filter.
	r2, err := render(t, map[string]string{"otelfleet:agentLogCollection": "false"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r2.Find("aws:cloudwatch/logMetricFilter:LogMetricFilter") {
		if get(f.Inputs, "logGroupName") == "/otelfleet/otel/logs" {
			t.Errorf("filter %s reads the logs group without agentLogCollection", f.Name)
		}
	}
}

// An existing topic is used as it is (no topic, no subscription); otherwise the created
// topic gets the e-mail subscription.
func TestAlarmTopicFromConfig(t *testing.T) {
	sub := one(t, prod(t), "aws:sns/topicSubscription:TopicSubscription", "otel-alarms-email").Inputs
	if sub["protocol"] != "email" || sub["endpoint"] != "platform-observability@example.com" || sub["topic"] != "arn:aws:sns:us-east-1:"+synth.FakeAccountID+":otel-alarms" {
		t.Errorf("subscription = %v", sub)
	}
	existing := "arn:aws:sns:us-east-1:210987654321:oncall"
	r, err := render(t, map[string]string{"otelfleet:alarmSnsTopicArn": existing, "otelfleet:alarmEmail": ""})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Find("aws:sns/topic:Topic")) + len(r.Find("aws:sns/topicSubscription:TopicSubscription")); n != 0 {
		t.Errorf("%d SNS resources with an existing topic", n)
	}
	for _, a := range r.Find(alarmType) {
		if got := strs(a.Inputs["alarmActions"]); !slices.Equal(got, []string{existing}) {
			t.Errorf("alarm %s notifies %v; want the existing topic", a.Name, got)
		}
	}
	r, err = render(t, map[string]string{"otelfleet:awsAlarms": "false"})
	if err != nil {
		t.Fatal(err)
	}
	// Only the DR health check's alarm stays (Route 53 reads it), without actions.
	if got := r.Find(alarmType); len(got) != 1 || got[0].Name != "otel-ingest-dns-no-healthy-targets" || got[0].Inputs["alarmActions"] != nil {
		t.Errorf("with awsAlarms false: %v", got)
	}
}
