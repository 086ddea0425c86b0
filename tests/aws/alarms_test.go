package aws

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/synth"
	"sigs.k8s.io/yaml"
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

// alarmMetrics lists the metrics an alarm reads (its own, or those of its math queries)
// with their dimensions.
func alarmMetrics(inputs map[string]any) map[alarmMetric]map[string]any {
	out := map[alarmMetric]map[string]any{}
	dims := func(d any) map[string]any {
		m, _ := d.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		return m
	}
	if n, ok := inputs["metricName"].(string); ok {
		out[alarmMetric{str(inputs["namespace"]), n}] = dims(inputs["dimensions"])
	}
	queries, _ := inputs["metricQueries"].([]any)
	for _, q := range queries {
		if m := get(q, "metric"); m != nil {
			out[alarmMetric{str(get(m, "namespace")), str(get(m, "metricName"))}] = dims(get(m, "dimensions"))
		}
	}
	return out
}

// selfPublisher is a collector config that publishes its own metrics to CloudWatch: the
// namespace, the tier it names in its telemetry resource, and the EMF declarations.
type selfPublisher struct {
	file, tier string
	emf        collector.AWSEMFExporter
}

// selfPublishers reads every rendered collector config (ConfigMaps and the ECS collector's
// SSM parameter) for an awsemf exporter in its metrics/self pipeline.
func selfPublishers(t *testing.T, r *synth.Result) []selfPublisher {
	t.Helper()
	var out []selfPublisher
	for file, text := range r.Collector {
		var c struct {
			Exporters map[string]json.RawMessage `json:"exporters"`
			Service   struct {
				Pipelines map[string]struct {
					Exporters []string `json:"exporters"`
				} `json:"pipelines"`
				Telemetry struct {
					Resource map[string]string `json:"resource"`
				} `json:"telemetry"`
			} `json:"service"`
		}
		if err := yaml.Unmarshal([]byte(text), &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, id := range c.Service.Pipelines[collector.PipelineSelfMetrics].Exporters {
			if collector.TypeOf(id) != collector.TypeAWSEMF {
				continue
			}
			p := selfPublisher{file: file, tier: c.Service.Telemetry.Resource[collector.SelfMetricsCollectorAttribute]}
			if err := json.Unmarshal(c.Exporters[id], &p.emf); err != nil {
				t.Fatalf("%s: exporter %s: %v", file, id, err)
			}
			out = append(out, p)
		}
	}
	return out
}

// publishes reports whether p publishes metric name in namespace with exactly the
// dimensions dims, the tier dimension valued as p's resource says.
func (p selfPublisher) publishes(namespace, name string, dims map[string]any) bool {
	if namespace != p.emf.Namespace || dims[collector.SelfMetricsCollectorAttribute] != p.tier {
		return false
	}
	return p.emf.Publishes(name, sortedKeys(dims))
}

// Every alarm reads a metric that exists: an AWS metric of the documented namespace with
// its documented dimensions, or a metric one of the stack's own collectors publishes
// (namespace, name, dimension names and the tier's value, from the rendered configs); and
// it notifies the topic, going into ALARM and back to OK.
func TestAlarmsReadRealMetricsAndNotifyTheTopic(t *testing.T) {
	r := prod(t)
	topic := str(one(t, r, "aws:sns/topic:Topic", "otel-alarms").Inputs["name"])
	topicArn := "arn:aws:sns:us-east-1:" + synth.FakeAccountID + ":" + topic
	publishers := selfPublishers(t, r)
	if tiers := len(publishers); tiers != 2 {
		t.Errorf("%d collector configs publish their own metrics; want 2 (gateway, ECS collector)", tiers)
	}
	alarms := r.Find(alarmType)
	if len(alarms) != 16 {
		var names []string
		for _, a := range alarms {
			names = append(names, a.Name)
		}
		t.Errorf("%d alarms: %v; want 16 (4 gateway pods, ingest targets, ingest health, 2 ECS, 4+4 collector)", len(alarms), names)
	}
	for _, a := range alarms {
		in := a.Inputs
		for m, dims := range alarmMetrics(in) {
			if slices.ContainsFunc(publishers, func(p selfPublisher) bool { return p.publishes(m.namespace, m.name, dims) }) {
				continue
			}
			want, ok := awsMetrics[m.namespace][m.name]
			if !ok {
				t.Errorf("alarm %s reads %s/%s by %v, which neither AWS nor a collector of the stack publishes", a.Name, m.namespace, m.name, dims)
			} else if keys := sortedKeys(dims); !slices.Equal(keys, want) {
				t.Errorf("alarm %s reads %s/%s by %v; it is published by %v", a.Name, m.namespace, m.name, keys, want)
			}
		}
		for _, key := range []string{"alarmActions", "okActions"} {
			if got := strs(in[key]); !slices.Equal(got, []string{topicArn}) {
				t.Errorf("alarm %s %s = %v; want [%s]", a.Name, key, got, topicArn)
			}
		}
	}
}

func sortedKeys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return k
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
		{"otel-alarms-gateway-below-minimum", "otel-gateway-below-minimum", "service_number_of_running_pods", "Minimum", "LessThanThreshold", 4, 60, 10,
			map[string]string{"ClusterName": "otel", "Namespace": "observability", "Service": "otel-gateway"}},
		{"otel-alarms-gateway-ingest-unhealthy-targets", "otel-gateway-ingest-unhealthy-targets", "HealthyHostCount", "Minimum", "LessThanThreshold", 4, 60, 10,
			map[string]string{"LoadBalancer": synth.FakeLoadBalancerArnSuffix("otel-gw-ingest"),
				"TargetGroup": synth.FakeTargetGroupArnSuffix(synth.FakeControllerTargetGroupName("observability/otel-gateway-ingest:4317"))}},
		{"otel-alarms-ecs-collector-unhealthy-targets", "otel-ecs-collector-unhealthy-targets", "HealthyHostCount", "Minimum", "LessThanThreshold", 2, 60, 10,
			map[string]string{"LoadBalancer": synth.FakeLoadBalancerArnSuffix("otel-otlp"), "TargetGroup": synth.FakeTargetGroupArnSuffix("otel-otlp-grpc")}},
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

// The collector alarms of each tier: what they add up, over which window, per the README's
// "Alerts on AWS" table.
func TestCollectorAlarms(t *testing.T) {
	r := prod(t)
	failed := collector.FailureCounters(collector.SendFailed)
	lost := append(slices.Clone(failed), collector.FailureCounters(collector.EnqueueFailed)...)
	refused := collector.FailureCounters(collector.Refused)
	for _, tier := range []string{"gateway", "ecs-collector"} {
		for _, c := range []struct {
			alarm, stat string
			metrics     []string
			threshold   int64
			period      int64
			periods     int64
		}{
			{"dropping-data", "Sum", lost, 0, 300, 1},
			{"export-failing", "Sum", failed, 0, 300, 3},
			{"refusing-data", "Sum", refused, 0, 300, 2},
			{"queue-filling", "Maximum", []string{collector.MetricExporterQueueSize, collector.MetricExporterQueueCapacity}, 80, 60, 5},
		} {
			name := "otel-" + tier + "-" + c.alarm
			in := one(t, r, alarmType, "otel-alarms-"+tier+"-"+c.alarm).Inputs
			if in["name"] != name || in["threshold"] != c.threshold || in["evaluationPeriods"] != c.periods || in["datapointsToAlarm"] != c.periods ||
				in["comparisonOperator"] != "GreaterThanThreshold" || in["treatMissingData"] != "notBreaching" {
				t.Errorf("%s = %v", name, in)
			}
			q, _ := in["metricQueries"].([]any)
			var got []string
			for _, m := range q[1:] {
				got = append(got, str(get(m, "metric", "metricName")))
				if get(m, "metric", "stat") != c.stat || get(m, "metric", "period") != c.period || get(m, "metric", "namespace") != "otelfleet/otel" ||
					get(m, "metric", "dimensions", "collector") != tier {
					t.Errorf("%s: query %v", name, m)
				}
			}
			if !slices.Equal(got, c.metrics) {
				t.Errorf("%s reads %v; want %v", name, got, c.metrics)
			}
		}
	}
	if n := len(r.Find("aws:cloudwatch/logMetricFilter:LogMetricFilter")); n != 0 {
		t.Errorf("%d log metric filters: the alarms read the collectors' own metrics", n)
	}
	group := one(t, r, "aws:cloudwatch/logGroup:LogGroup", "otel-collector-metrics").Inputs
	if group["name"] != "/otelfleet/otel/collector-metrics" || group["retentionInDays"] != int64(30) {
		t.Errorf("collector metrics log group = %v", group)
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
