// Package ingestdns publishes a gateway's ingest load balancer in Route 53 behind a health
// check on the collector's health_check endpoint: as the PRIMARY of a failover pair whose
// SECONDARY is another cloud's ingest address (DR), and/or as one region of a
// latency-routed regional name.
//
// The health check is an HTTP check of the NLB's health port when Route 53's checkers can
// reach it (internet-facing, no source-range limit), and otherwise a CLOUDWATCH_METRIC
// check on an alarm of the NLB target group's HealthyHostCount (the target group checks
// the same health_check endpoint of every pod): Route 53 cannot probe a private address.
package ingestdns

import (
	"fmt"
	"net/netip"
	"regexp"

	"github.com/otelfleet/otelfleet/components/aws/alarms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Health check kinds (Route 53 health check types).
const (
	KindHTTP   = "HTTP"
	KindMetric = "CLOUDWATCH_METRIC"
)

// Set identifiers of the records.
const (
	PrimarySetID   = "primary-aws"
	SecondarySetID = "secondary-azure"
)

// Target is the ingest load balancer.
type Target struct {
	// Host is its DNS name (required).
	Host pulumi.StringInput
	// ZoneID is its canonical hosted zone, for alias records (required with Failover: an
	// IP secondary makes the primary an A alias).
	ZoneID pulumi.StringInput
	// LoadBalancer and TargetGroup are ARN suffixes, for the metric health check.
	LoadBalancer, TargetGroup pulumi.StringInput
}

// Failover is the DR pair: RecordName → the Target while healthy, else Secondary.
type Failover struct {
	RecordName string
	// Secondary is the other cloud's ingest address: an IPv4 address (then both records
	// are A records, the primary an alias of the NLB) or a hostname (both CNAMEs).
	Secondary pulumi.StringInput
}

// Latency is a latency-routed name: this region's record of it points at the Target.
type Latency struct {
	RecordName string
}

// Args describe the records. Defaults (defaults()): TTL 60, HealthPort 13133, HealthPath /.
type Args struct {
	Prefix string // required: names the health check and its alarm
	Region string // required: the alarm's region and the latency record's
	ZoneID string // required: the Route 53 hosted zone
	TTL    int
	Target Target
	// Kind is KindHTTP or KindMetric (required).
	Kind       string
	HealthPort int
	HealthPath string
	// AlarmTopic is notified when the metric health check's alarm changes state.
	AlarmTopic pulumi.StringInput
	Failover   *Failover
	Latency    *Latency
	Tags       map[string]string
}

// IngestDNS is the health check and the records.
type IngestDNS struct {
	pulumi.ResourceState
	HealthCheckID pulumi.StringOutput `pulumi:"healthCheckId"`
	// FailoverName and LatencyName are the published names ("" when not asked for).
	FailoverName pulumi.StringOutput `pulumi:"failoverName"`
	LatencyName  pulumi.StringOutput `pulumi:"latencyName"`
}

func (a Args) defaults() Args {
	if a.TTL == 0 {
		a.TTL = 60
	}
	if a.HealthPort == 0 {
		a.HealthPort = 13133
	}
	if a.HealthPath == "" {
		a.HealthPath = "/"
	}
	return a
}

func (a Args) validate() error {
	switch {
	case a.Prefix == "" || a.Region == "" || a.ZoneID == "" || a.Target.Host == nil:
		return fmt.Errorf("Prefix, Region, ZoneID and Target.Host are required")
	case a.Kind != KindHTTP && a.Kind != KindMetric:
		return fmt.Errorf("Kind %q: use %s or %s", a.Kind, KindHTTP, KindMetric)
	case a.Kind == KindMetric && (a.Target.LoadBalancer == nil || a.Target.TargetGroup == nil):
		return fmt.Errorf("a %s health check needs Target.LoadBalancer and Target.TargetGroup", KindMetric)
	case a.Failover == nil && a.Latency == nil:
		return fmt.Errorf("give Failover and/or Latency")
	case a.Failover != nil && (a.Failover.RecordName == "" || a.Failover.Secondary == nil || a.Target.ZoneID == nil):
		return fmt.Errorf("Failover needs RecordName, Secondary and Target.ZoneID")
	case a.Latency != nil && a.Latency.RecordName == "":
		return fmt.Errorf("Latency needs RecordName")
	}
	return nil
}

var hostnamePattern = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.?$`)

// RecordType is the record type for an ingest address: A for an IPv4 address, CNAME for a
// hostname. Anything else (empty, IPv6, not a name) is an error naming the address.
func RecordType(address string) (string, error) {
	if ip, err := netip.ParseAddr(address); err == nil {
		if ip.Is4() {
			return "A", nil
		}
		return "", fmt.Errorf("secondary ingest address %s is IPv6: the failover pair needs an IPv4 address or a hostname", address)
	}
	if address == "" || !hostnamePattern.MatchString(address) {
		return "", fmt.Errorf("secondary ingest address %q is neither an IPv4 address nor a hostname (does the azure stack export gatewayIngestHost, with gatewayIngest on?)", address)
	}
	return "CNAME", nil
}

// New creates the health check and the records.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*IngestDNS, error) {
	if args == nil {
		return nil, fmt.Errorf("ingest dns %s: args are required", name)
	}
	a := args.defaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("ingest dns %s: %w", name, err)
	}
	d := &IngestDNS{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:IngestDNS", name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	check, err := healthCheck(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}
	d.HealthCheckID = check.ID().ToStringOutput()
	d.FailoverName = pulumi.String("").ToStringOutput()
	d.LatencyName = pulumi.String("").ToStringOutput()
	if a.Failover != nil {
		primary, err := failoverRecords(ctx, name, a, check, parent)
		if err != nil {
			return nil, err
		}
		d.FailoverName = primary.Name
	}
	if a.Latency != nil {
		rec, err := route53.NewRecord(ctx, name+"-latency", &route53.RecordArgs{
			ZoneId: pulumi.String(a.ZoneID), Name: pulumi.String(a.Latency.RecordName), Type: pulumi.String("CNAME"),
			Records: pulumi.StringArray{a.Target.Host}, Ttl: pulumi.Int(a.TTL),
			SetIdentifier:          pulumi.String(a.Region),
			LatencyRoutingPolicies: route53.RecordLatencyRoutingPolicyArray{route53.RecordLatencyRoutingPolicyArgs{Region: pulumi.String(a.Region)}},
			HealthCheckId:          check.ID(),
		}, parent)
		if err != nil {
			return nil, err
		}
		d.LatencyName = rec.Name
	}
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{
		"healthCheckId": d.HealthCheckID, "failoverName": d.FailoverName, "latencyName": d.LatencyName,
	})
}

// NoHealthyTargetsAlarm is the alarm a metric health check reads: the target group has had
// no healthy target for AlarmEvaluationPeriods minutes (no data counts as none).
func NoHealthyTargetsAlarm(loadBalancer, targetGroup pulumi.StringInput) alarms.Alarm {
	a := alarms.HealthyTargets("ingest-no-healthy-targets",
		"The gateway's ingest NLB has no healthy target: Route 53 fails the global OTLP name over to the secondary.",
		loadBalancer, targetGroup, 1)
	a.Period, a.EvaluationPeriods = AlarmPeriod, AlarmEvaluationPeriods
	return a
}

func healthCheck(ctx *pulumi.Context, name string, a Args, opts ...pulumi.ResourceOption) (*route53.HealthCheck, error) {
	tags := pulumi.StringMap{"Name": pulumi.String(a.Prefix + "-gateway-ingest")}
	for k, v := range a.Tags {
		tags[k] = pulumi.String(v)
	}
	if a.Kind == KindHTTP {
		return route53.NewHealthCheck(ctx, name, &route53.HealthCheckArgs{
			Type: pulumi.String(KindHTTP), Fqdn: a.Target.Host, Port: pulumi.Int(a.HealthPort), ResourcePath: pulumi.String(a.HealthPath),
			RequestInterval: pulumi.Int(HTTPInterval), FailureThreshold: pulumi.Int(HTTPFailureThreshold),
			ReferenceName: pulumi.String(refName(a.Prefix)), Tags: tags,
		}, opts...)
	}
	alarm, err := alarms.NewMetricAlarm(ctx, name+"-no-healthy-targets", a.Prefix, NoHealthyTargetsAlarm(a.Target.LoadBalancer, a.Target.TargetGroup), a.AlarmTopic, a.Tags, opts...)
	if err != nil {
		return nil, err
	}
	return route53.NewHealthCheck(ctx, name, &route53.HealthCheckArgs{
		Type: pulumi.String(KindMetric), CloudwatchAlarmName: alarm.Name, CloudwatchAlarmRegion: pulumi.String(a.Region),
		// Only before the alarm's first evaluation is there no data (it treats missing data
		// as breaching): keep the primary until then.
		InsufficientDataHealthStatus: pulumi.String("LastKnownStatus"),
		ReferenceName:                pulumi.String(refName(a.Prefix)), Tags: tags,
	}, opts...)
}

// refName is the health check's caller reference prefix (Route 53 allows 64 characters).
func refName(prefix string) string {
	n := prefix + "-ingest"
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// failoverRecords create the pair. The secondary's address decides both records' type (a
// failover pair has one type): an IPv4 address makes them A records — the primary an
// alias of the NLB, evaluating its target health too — and a hostname CNAMEs.
func failoverRecords(ctx *pulumi.Context, name string, a Args, check *route53.HealthCheck, opts ...pulumi.ResourceOption) (*route53.Record, error) {
	f := a.Failover
	recordType := f.Secondary.ToStringOutput().ApplyT(RecordType).(pulumi.StringOutput)
	alias := pulumi.All(recordType, a.Target.Host, a.Target.ZoneID).ApplyT(func(v []any) []route53.RecordAlias {
		if v[0].(string) != "A" {
			return nil
		}
		return []route53.RecordAlias{{Name: v[1].(string), ZoneId: v[2].(string), EvaluateTargetHealth: true}}
	}).(route53.RecordAliasArrayOutput)
	records := pulumi.All(recordType, a.Target.Host).ApplyT(func(v []any) []string {
		if v[0].(string) == "A" {
			return nil
		}
		return []string{v[1].(string)}
	}).(pulumi.StringArrayOutput)
	ttl := recordType.ApplyT(func(t string) *int {
		if t == "A" {
			return nil // an alias answers with the NLB's TTL
		}
		return &a.TTL
	}).(pulumi.IntPtrOutput)
	primary, err := route53.NewRecord(ctx, name+"-primary", &route53.RecordArgs{
		ZoneId: pulumi.String(a.ZoneID), Name: pulumi.String(f.RecordName), Type: recordType,
		SetIdentifier:           pulumi.String(PrimarySetID),
		FailoverRoutingPolicies: route53.RecordFailoverRoutingPolicyArray{route53.RecordFailoverRoutingPolicyArgs{Type: pulumi.String("PRIMARY")}},
		HealthCheckId:           check.ID(),
		Aliases:                 alias, Records: records, Ttl: ttl,
	}, opts...)
	if err != nil {
		return nil, err
	}
	// No health check on the secondary: Route 53 then counts it healthy, so while the
	// primary is unhealthy the name always answers with the secondary.
	_, err = route53.NewRecord(ctx, name+"-secondary", &route53.RecordArgs{
		ZoneId: pulumi.String(a.ZoneID), Name: pulumi.String(f.RecordName), Type: recordType,
		SetIdentifier:           pulumi.String(SecondarySetID),
		FailoverRoutingPolicies: route53.RecordFailoverRoutingPolicyArray{route53.RecordFailoverRoutingPolicyArgs{Type: pulumi.String("SECONDARY")}},
		Records:                 pulumi.StringArray{f.Secondary}, Ttl: pulumi.Int(a.TTL),
	}, opts...)
	return primary, err
}
