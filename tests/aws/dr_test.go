package aws

import (
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

const (
	recordType      = "aws:route53/record:Record"
	healthCheckType = "aws:route53/healthCheck:HealthCheck"
	alarmType       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	stackRefType    = "pulumi:pulumi:StackReference"
)

// ingestHost is the address the gateway's ingest Service got (synth fakes
// <resource name>.lb.invalid for a LoadBalancer Service).
func ingestHost(t *testing.T, r *synth.Result) string {
	t.Helper()
	for _, s := range r.Find("kubernetes:core/v1:Service") {
		if get(s.Inputs, "metadata", "name") == "otel-gateway-ingest" && get(s.Inputs, "spec", "type") == "LoadBalancer" {
			return s.Name + ".lb.invalid"
		}
	}
	t.Fatal("no ingest LoadBalancer Service otel-gateway-ingest")
	return ""
}

// The DR failover pair of aws-prod: the global name, PRIMARY an alias of the ingest NLB with
// the health check, SECONDARY the azure stack's ingest IP (an A record, like the primary:
// a pair has one type), each with its set identifier.
func TestFailoverRecords(t *testing.T) {
	r := prod(t)
	primary := one(t, r, recordType, "otel-ingest-dns-primary").Inputs
	secondary := one(t, r, recordType, "otel-ingest-dns-secondary").Inputs
	check := one(t, r, healthCheckType, "otel-ingest-dns")
	checkID := "" // the faked health check id is a UUID of the resource name
	for _, rec := range []map[string]any{primary, secondary} {
		if rec["name"] != "otlp.observability.example.com" || rec["zoneId"] != "Z0123456789ABCDEFGHIJ" || rec["type"] != "A" {
			t.Errorf("record %v: want otlp.observability.example.com, A, in the configured zone", rec)
		}
	}
	if get(primary, "failoverRoutingPolicies", 0, "type") != "PRIMARY" || primary["setIdentifier"] != "primary-aws" {
		t.Errorf("primary policy %v, set id %v", primary["failoverRoutingPolicies"], primary["setIdentifier"])
	}
	if get(secondary, "failoverRoutingPolicies", 0, "type") != "SECONDARY" || secondary["setIdentifier"] != "secondary-azure" {
		t.Errorf("secondary policy %v, set id %v", secondary["failoverRoutingPolicies"], secondary["setIdentifier"])
	}
	checkID, _ = primary["healthCheckId"].(string)
	if checkID == "" || strings.Contains(checkID, "unknown") {
		t.Errorf("the primary has no health check: %v", primary["healthCheckId"])
	}
	if _, ok := secondary["healthCheckId"]; ok {
		t.Errorf("the secondary has a health check %v; only the primary is checked", secondary["healthCheckId"])
	}
	if !strings.HasSuffix(check.Parent, "otel-ingest-dns") {
		t.Errorf("health check parent %q", check.Parent)
	}
	alias := get(primary, "aliases", 0)
	if get(alias, "name") != ingestHost(t, r) || get(alias, "zoneId") != synth.FakeNLBZoneID || get(alias, "evaluateTargetHealth") != true {
		t.Errorf("primary alias = %v; want the ingest NLB %s in zone %s, evaluating target health", alias, ingestHost(t, r), synth.FakeNLBZoneID)
	}
	if _, ok := primary["ttl"]; ok {
		t.Errorf("the alias primary has a TTL %v", primary["ttl"])
	}
	if got := strs(secondary["records"]); len(got) != 1 || got[0] != synth.FakeAzureIngestAddress || secondary["ttl"] != int64(60) {
		t.Errorf("secondary records %v ttl %v; want [%s] with TTL 60 (drRecordTtl)", got, secondary["ttl"], synth.FakeAzureIngestAddress)
	}
	ref := one(t, r, stackRefType, "otel-dr-azure")
	if ref.Inputs["name"] != "acme/otelfleet/azure-prod" {
		t.Errorf("stack reference name = %v; want otelfleet:drAzureStack", ref.Inputs["name"])
	}
	// Besides the DR peer, aws-prod references the fleet CA's owner (the same stack).
	if ca := one(t, r, stackRefType, "otel-fleet-ca"); ca.Inputs["name"] != "acme/otelfleet/azure-prod" {
		t.Errorf("fleet CA stack reference name = %v; want otelfleet:tlsCaStack", ca.Inputs["name"])
	}
	if n := len(r.Find(stackRefType)); n != 2 {
		t.Errorf("%d stack references; want two (the DR peer and the fleet CA owner, nothing else)", n)
	}
}

// An internal NLB cannot be probed by Route 53: the health check follows an alarm on the
// ingest target group's healthy hosts.
func TestInternalIngestIsCheckedThroughAnAlarm(t *testing.T) {
	r := prod(t)
	check := one(t, r, healthCheckType, "otel-ingest-dns").Inputs
	if check["type"] != "CLOUDWATCH_METRIC" || check["cloudwatchAlarmName"] != "otel-ingest-no-healthy-targets" ||
		check["cloudwatchAlarmRegion"] != "us-east-1" || check["insufficientDataHealthStatus"] != "LastKnownStatus" {
		t.Errorf("health check = %v", check)
	}
	alarm := one(t, r, alarmType, "otel-ingest-dns-no-healthy-targets").Inputs
	wantTG := synth.FakeTargetGroupArnSuffix(synth.FakeControllerTargetGroupName("observability/otel-gateway-ingest:4317"))
	if alarm["name"] != "otel-ingest-no-healthy-targets" || alarm["namespace"] != "AWS/NetworkELB" || alarm["metricName"] != "HealthyHostCount" ||
		alarm["statistic"] != "Minimum" || alarm["comparisonOperator"] != "LessThanThreshold" || alarm["threshold"] != int64(1) ||
		alarm["period"] != int64(60) || alarm["evaluationPeriods"] != int64(2) || alarm["treatMissingData"] != "breaching" {
		t.Errorf("no-healthy-targets alarm = %v", alarm)
	}
	if get(alarm, "dimensions", "LoadBalancer") != synth.FakeLoadBalancerArnSuffix("otel-gw-ingest") || get(alarm, "dimensions", "TargetGroup") != wantTG {
		t.Errorf("alarm dimensions = %v; want the NLB otel-gw-ingest and the target group of observability/otel-gateway-ingest:4317 (%s)", alarm["dimensions"], wantTG)
	}
}

// An internet-facing NLB must have source ranges (validation), which keep Route 53's
// checkers out: the health check follows the alarm on the target group's healthy hosts.
// Without them the stack is refused before any resource exists.
func TestHealthCheckTypeFollowsTheScheme(t *testing.T) {
	_, err := render(t, map[string]string{"otelfleet:gatewayIngestInternal": "false"})
	if err == nil || !strings.Contains(err.Error(), "otelfleet:gatewayIngestSourceRanges") {
		t.Fatalf("an internet-facing ingest open to 0.0.0.0/0: err = %v; want it refused, naming gatewayIngestSourceRanges", err)
	}
	r, err := render(t, map[string]string{"otelfleet:gatewayIngestInternal": "false", "otelfleet:gatewayIngestSourceRanges": `["203.0.113.0/24"]`})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, r, healthCheckType, "otel-ingest-dns").Inputs["type"]; got != "CLOUDWATCH_METRIC" {
		t.Errorf("with source ranges the health check is %v; want CLOUDWATCH_METRIC", got)
	}
	if got := get(r.Manifests["service-observability-otel-gateway-ingest.yaml"], "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme"); got != "internet-facing" {
		t.Errorf("scheme annotation = %v", got)
	}
}

// The referenced stack comes from config, and without DR there is no reference and no
// failover pair (the regional latency record stays).
func TestStackReferenceFromConfig(t *testing.T) {
	r, err := render(t, map[string]string{"otelfleet:drAzureStack": "other-org/otelfleet/azure-dr"})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, r, stackRefType, "otel-dr-azure").Inputs["name"]; got != "other-org/otelfleet/azure-dr" {
		t.Errorf("stack reference name = %v", got)
	}

	r, err = render(t, map[string]string{"otelfleet:drAzureStack": "", "otelfleet:drRecordName": ""})
	if err != nil {
		t.Fatal(err)
	}
	if refs := r.Find(stackRefType); len(refs) != 1 || refs[0].Name != "otel-fleet-ca" {
		t.Errorf("stack references without drAzureStack: %v; want only the fleet CA owner", refs)
	}
	records := r.Find(recordType)
	if len(records) != 1 || records[0].Name != "otel-ingest-dns-latency" {
		t.Errorf("records without DR: %v; want only the regional latency record", records)
	}

	r, err = render(t, map[string]string{"otelfleet:drAzureStack": "", "otelfleet:drRecordName": "", "otelfleet:regionalRecordName": "", "otelfleet:drHostedZoneId": ""})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Find(recordType)) + len(r.Find(healthCheckType)); n != 0 {
		t.Errorf("%d Route 53 resources with no DNS keys set", n)
	}
}

// The regional name: a CNAME to this region's ingest NLB, routed by latency, with the same
// health check as the DR primary.
func TestRegionalLatencyRecord(t *testing.T) {
	r := prod(t)
	rec := one(t, r, recordType, "otel-ingest-dns-latency").Inputs
	primary := one(t, r, recordType, "otel-ingest-dns-primary").Inputs
	if rec["name"] != "ingest.observability.example.com" || rec["type"] != "CNAME" || rec["setIdentifier"] != "us-east-1" ||
		get(rec, "latencyRoutingPolicies", 0, "region") != "us-east-1" || rec["ttl"] != int64(60) {
		t.Errorf("latency record = %v", rec)
	}
	if got := strs(rec["records"]); len(got) != 1 || got[0] != ingestHost(t, r) {
		t.Errorf("latency record points at %v; want the ingest NLB", got)
	}
	if rec["healthCheckId"] != primary["healthCheckId"] {
		t.Errorf("latency record health check %v differs from the primary's %v", rec["healthCheckId"], primary["healthCheckId"])
	}
}
