package ingestdns

import (
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type recorded struct {
	typ, name string
	inputs    resource.PropertyMap
}

type mocks struct {
	mu  sync.Mutex
	got []recorded
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.got = append(m.got, recorded{args.TypeToken, args.Name, args.Inputs})
	m.mu.Unlock()
	return args.Name + "-id", args.Inputs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

func (m *mocks) find(t *testing.T, typ, name string) resource.PropertyMap {
	t.Helper()
	for _, r := range m.got {
		if r.typ == typ && r.name == name {
			return r.inputs
		}
	}
	t.Fatalf("no %s %s", typ, name)
	return nil
}

func render(t *testing.T, kind, secondary string) *mocks {
	t.Helper()
	m := &mocks{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "dr", &Args{
			Prefix: "otel", Region: "us-east-1", ZoneID: "Z0123456789ABCDEFGHIJ", Kind: kind,
			Target: Target{
				Host: pulumi.String("otel-gw-ingest-0123.elb.us-east-1.amazonaws.com"), ZoneID: pulumi.String("Z26RNL4JYFTOTI"),
				LoadBalancer: pulumi.String("net/otel-gw-ingest/0123"), TargetGroup: pulumi.String("targetgroup/k8s-obs-otel/4567"),
			},
			AlarmTopic: pulumi.String("arn:aws:sns:us-east-1:123456789012:otel-alarms"),
			Failover:   &Failover{RecordName: "otlp.example.com", Secondary: pulumi.String(secondary)},
			Latency:    &Latency{RecordName: "ingest.example.com"},
		})
		return err
	}, pulumi.WithMocks("otelfleet", "test", m))
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return m
}

func str(m resource.PropertyMap, k string) string {
	v, ok := m[resource.PropertyKey(k)]
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

func TestFailoverPairWithAnIPSecondaryIsAnAliasAndAnARecord(t *testing.T) {
	m := render(t, KindMetric, "10.50.1.10")
	primary := m.find(t, "aws:route53/record:Record", "dr-primary")
	secondary := m.find(t, "aws:route53/record:Record", "dr-secondary")
	if str(primary, "type") != "A" || str(secondary, "type") != "A" {
		t.Errorf("types %q/%q; want A/A (a pair has one type)", str(primary, "type"), str(secondary, "type"))
	}
	if str(primary, "setIdentifier") != PrimarySetID || str(secondary, "setIdentifier") != SecondarySetID {
		t.Errorf("set identifiers %q/%q", str(primary, "setIdentifier"), str(secondary, "setIdentifier"))
	}
	alias := primary["aliases"].ArrayValue()
	if len(alias) != 1 || str(alias[0].ObjectValue(), "zoneId") != "Z26RNL4JYFTOTI" || !alias[0].ObjectValue()["evaluateTargetHealth"].BoolValue() ||
		str(alias[0].ObjectValue(), "name") != "otel-gw-ingest-0123.elb.us-east-1.amazonaws.com" {
		t.Errorf("primary aliases = %v", primary["aliases"])
	}
	if v, ok := primary["ttl"]; ok && !v.IsNull() {
		t.Errorf("an alias record has no TTL, got %v", v)
	}
	if got := secondary["records"].ArrayValue(); len(got) != 1 || got[0].StringValue() != "10.50.1.10" || secondary["ttl"].NumberValue() != 60 {
		t.Errorf("secondary records %v ttl %v", secondary["records"], secondary["ttl"])
	}
	if str(primary, "healthCheckId") != "dr-id" {
		t.Errorf("primary health check = %q; want the ingest health check", str(primary, "healthCheckId"))
	}
	if _, ok := secondary["healthCheckId"]; ok {
		t.Error("the secondary has a health check")
	}
	hc := m.find(t, "aws:route53/healthCheck:HealthCheck", "dr")
	if str(hc, "type") != KindMetric || str(hc, "cloudwatchAlarmName") != "otel-ingest-no-healthy-targets" || str(hc, "cloudwatchAlarmRegion") != "us-east-1" {
		t.Errorf("health check = %v", hc)
	}
	alarm := m.find(t, "aws:cloudwatch/metricAlarm:MetricAlarm", "dr-no-healthy-targets")
	if str(alarm, "metricName") != "HealthyHostCount" || str(alarm, "namespace") != "AWS/NetworkELB" || alarm["threshold"].NumberValue() != 1 ||
		str(alarm, "comparisonOperator") != "LessThanThreshold" || str(alarm, "treatMissingData") != "breaching" {
		t.Errorf("health alarm = %v", alarm)
	}
	if dims := alarm["dimensions"].ObjectValue(); str(dims, "LoadBalancer") != "net/otel-gw-ingest/0123" || str(dims, "TargetGroup") != "targetgroup/k8s-obs-otel/4567" {
		t.Errorf("health alarm dimensions = %v", dims)
	}
}

func TestFailoverPairWithAHostnameSecondaryIsTwoCNAMEs(t *testing.T) {
	m := render(t, KindHTTP, "otel-gateway.westeurope.cloudapp.azure.com")
	primary := m.find(t, "aws:route53/record:Record", "dr-primary")
	secondary := m.find(t, "aws:route53/record:Record", "dr-secondary")
	if str(primary, "type") != "CNAME" || str(secondary, "type") != "CNAME" {
		t.Errorf("types %q/%q; want CNAME/CNAME", str(primary, "type"), str(secondary, "type"))
	}
	if got := primary["records"].ArrayValue(); len(got) != 1 || got[0].StringValue() != "otel-gw-ingest-0123.elb.us-east-1.amazonaws.com" || primary["ttl"].NumberValue() != 60 {
		t.Errorf("primary records %v ttl %v", primary["records"], primary["ttl"])
	}
	if a, ok := primary["aliases"]; ok && a.IsArray() && len(a.ArrayValue()) > 0 {
		t.Errorf("a CNAME primary has aliases %v", a)
	}
	hc := m.find(t, "aws:route53/healthCheck:HealthCheck", "dr")
	if str(hc, "type") != KindHTTP || str(hc, "fqdn") != "otel-gw-ingest-0123.elb.us-east-1.amazonaws.com" || hc["port"].NumberValue() != 13133 ||
		str(hc, "resourcePath") != "/" || hc["requestInterval"].NumberValue() != HTTPInterval || hc["failureThreshold"].NumberValue() != HTTPFailureThreshold {
		t.Errorf("HTTP health check = %v", hc)
	}
	for _, r := range m.got {
		if r.typ == "aws:cloudwatch/metricAlarm:MetricAlarm" {
			t.Errorf("an HTTP health check needs no alarm, got %s", r.name)
		}
	}
	latency := m.find(t, "aws:route53/record:Record", "dr-latency")
	policies := latency["latencyRoutingPolicies"].ArrayValue()
	if str(latency, "setIdentifier") != "us-east-1" || len(policies) != 1 || str(policies[0].ObjectValue(), "region") != "us-east-1" || str(latency, "healthCheckId") != "dr-id" {
		t.Errorf("latency record = %v", latency)
	}
}

func TestRecordType(t *testing.T) {
	for addr, want := range map[string]string{"10.50.1.10": "A", "20.81.4.17": "A", "gw.example.net": "CNAME", "gw.example.net.": "CNAME"} {
		if got, err := RecordType(addr); got != want || err != nil {
			t.Errorf("RecordType(%q) = %q, %v; want %s", addr, got, err, want)
		}
	}
	for _, bad := range []string{"", "fd00::1", "not a host", "-x.example.com"} {
		if _, err := RecordType(bad); err == nil || !strings.Contains(err.Error(), "secondary ingest address") {
			t.Errorf("RecordType(%q) = %v; want an error", bad, err)
		}
	}
}

func TestFailoverWindow(t *testing.T) {
	if w := FailoverWindow(KindHTTP, 60); w.Total() != 120 {
		t.Errorf("HTTP window %s; want 30 + 60 + 30 = 120 s", w)
	}
	if w := FailoverWindow(KindMetric, 60); w.Total() != 290 {
		t.Errorf("metric window %s; want 20 + 120 + 60 + 60 + 30 = 290 s", w)
	}
}
