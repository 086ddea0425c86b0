package alarms

import (
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestAlarmValidation(t *testing.T) {
	m := &Metric{Namespace: NamespaceNLB, Name: MetricHealthyHostCount, Stat: "Minimum"}
	good := Alarm{Name: "a", Metric: m, Comparison: "LessThanThreshold", Period: 60, EvaluationPeriods: 1}
	if err := good.validate(); err != nil {
		t.Fatalf("a complete alarm is refused: %v", err)
	}
	for name, bad := range map[string]Alarm{
		"metric and expression": {Name: "a", Metric: m, Expression: "m1", Metrics: []Metric{*m}, Comparison: "x", Period: 60, EvaluationPeriods: 1},
		"neither":               {Name: "a", Comparison: "x", Period: 60, EvaluationPeriods: 1},
		"expression alone":      {Name: "a", Expression: "m1", Comparison: "x", Period: 60, EvaluationPeriods: 1},
		"no period":             {Name: "a", Metric: m, Comparison: "x", EvaluationPeriods: 1},
		"metric without stat":   {Name: "a", Metric: &Metric{Namespace: "n", Name: "m"}, Comparison: "x", Period: 60, EvaluationPeriods: 1},
	} {
		if err := bad.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Every alarm of the builders is complete, and names only the metrics of sources.go.
func TestBuildersMakeCompleteAlarms(t *testing.T) {
	var all []Alarm
	all = append(all, WorkloadAlarms("gateway", Workload{Cluster: pulumi.String("c"), Namespace: "ns", Name: "gw", Service: "gw", MinReplicas: 3})...)
	all = append(all, HealthyTargets("t", "d", pulumi.String("net/x/1"), pulumi.String("targetgroup/y/2"), 2))
	all = append(all, ECSTasksBelowDesired("e", pulumi.String("c"), pulumi.String("s")))
	all = append(all, CollectorAlarms("gateway", "gateway", "otelfleet/x")...)
	known := map[string]bool{MetricPodCPUOverLimit: true, MetricPodMemoryOverLimit: true, MetricPodRestarts: true, MetricServiceRunningPods: true,
		MetricECSRunningTaskCount: true, MetricECSDesiredTaskCount: true, MetricHealthyHostCount: true,
		collector.MetricExporterQueueSize: true, collector.MetricExporterQueueCapacity: true}
	for _, f := range []string{collector.SendFailed, collector.EnqueueFailed, collector.Refused} {
		for _, n := range collector.FailureCounters(f) {
			known[n] = true
		}
	}
	for _, a := range all {
		if err := a.validate(); err != nil {
			t.Error(err)
		}
		for _, m := range a.metrics() {
			if !known[m.Name] {
				t.Errorf("alarm %s reads %s, not a metric of sources.go", a.Name, m.Name)
			}
		}
	}
	if len(all) != 10 {
		t.Errorf("%d alarms; want 4 workload, 1 targets, 1 ECS, 4 collector", len(all))
	}
}

// TestWorkloadAlarmsFollowTheCatalogue: the CloudWatch alarms that have a source for one of
// the fleet's alerts fire at its threshold over its window.
func TestWorkloadAlarmsFollowTheCatalogue(t *testing.T) {
	got := map[string]Alarm{}
	for _, a := range WorkloadAlarms("gateway", Workload{Cluster: pulumi.String("c"), Namespace: "o", Name: "g", Service: "g", MinReplicas: 4}) {
		got[a.Name] = a
	}
	for id, name := range map[string]string{fleet.AlertCollectorRestarting: "gateway-restarting", fleet.AlertGatewayBelowMinimum: "gateway-below-minimum"} {
		var want fleet.Alert
		for _, a := range fleet.Alerts(fleet.AlertOptions{MinReplicas: 4}) {
			if a.ID == id {
				want = a
			}
		}
		a, ok := got[name]
		switch {
		case !ok || want.ID == "":
			t.Fatalf("%s: alarm %s or catalogue alert missing", id, name)
		case a.Threshold != want.Threshold:
			t.Errorf("%s: threshold %v, catalogue %v", name, a.Threshold, want.Threshold)
		case a.Period*a.EvaluationPeriods != int(want.Window.Seconds()):
			t.Errorf("%s: evaluates %d s, catalogue window %s", name, a.Period*a.EvaluationPeriods, want.Window)
		case (a.Comparison == "LessThanThreshold") != want.Below:
			t.Errorf("%s: comparison %s, catalogue below=%v", name, a.Comparison, want.Below)
		}
	}
}

// TestCollectorAlarmsReadWhatTheExporterPublishes: every metric a collector alarm reads is
// selected by a declaration of collector.AWSSelfMetricsExporter in the alarm's namespace,
// with exactly a dimension set the declaration publishes, valued with the tier the
// collector's telemetry resource carries. (tests/collector checks the real collector's EMF
// output against the rendered stacks' alarms.)
func TestCollectorAlarmsReadWhatTheExporterPublishes(t *testing.T) {
	const ns, tier = "otelfleet/x", "gateway"
	emf := collector.AWSSelfMetricsExporter("us-east-1", ns, "/g", "s").Config.(collector.AWSEMFExporter)
	if emf.Namespace != ns {
		t.Fatalf("exporter namespace %s", emf.Namespace)
	}
	for _, a := range CollectorAlarms("gw", tier, ns) {
		for _, m := range a.metrics() {
			var keys []string
			for k := range m.Dimensions {
				keys = append(keys, k)
			}
			if m.Namespace != ns {
				t.Errorf("alarm %s reads namespace %s, the exporter publishes to %s", a.Name, m.Namespace, ns)
			}
			if !emf.Publishes(m.Name, keys) {
				t.Errorf("alarm %s reads %s with dimensions %v: no declaration of the exporter publishes it so", a.Name, m.Name, keys)
			}
			if v := m.Dimensions[collector.SelfMetricsCollectorAttribute]; v == nil {
				t.Errorf("alarm %s: no %s dimension", a.Name, collector.SelfMetricsCollectorAttribute)
			}
		}
	}
}
