// Package alarms creates the fleet's CloudWatch alarms and the SNS topic they notify: an
// existing topic, or one it creates (with an optional e-mail subscription). The alarms
// themselves are data (Alarm, LogMetric), built by the functions of sources.go from the
// metrics AWS really publishes for the fleet's parts.
package alarms

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Metric is one CloudWatch metric an alarm reads.
type Metric struct {
	Namespace  string
	Name       string
	Stat       string // Average, Minimum, Maximum or Sum
	Dimensions map[string]pulumi.StringInput
}

// Alarm is one CloudWatch alarm: Metric against Threshold, or the metric-math Expression
// over Metrics (named m1, m2, ... in order) against Threshold.
type Alarm struct {
	// Name is appended to the prefix: <prefix>-<Name>.
	Name        string
	Description string
	Metric      *Metric
	Expression  string
	Metrics     []Metric
	// Comparison is a CloudWatch comparison operator (GreaterThanThreshold, ...).
	Comparison        string
	Threshold         float64
	Period            int // seconds
	EvaluationPeriods int
	// TreatMissingData: missing, notBreaching or breaching.
	TreatMissingData string
}

// LogMetric counts the log events of LogGroup that match Pattern as the metric
// Namespace/Metric (1 per matching event, 0 for the others, so the metric always has data).
type LogMetric struct {
	Name      string
	LogGroup  pulumi.StringInput
	Pattern   string
	Namespace string
	Metric    string
}

// Args describe the alarms. Either TopicArn names an existing topic, or a topic
// <Prefix>-alarms is created, with Email subscribed when given.
type Args struct {
	Prefix     string // required
	TopicArn   string
	Email      string
	Alarms     []Alarm
	LogMetrics []LogMetric
	Tags       map[string]string
}

// Alarms are the topic, metric filters and alarms.
type Alarms struct {
	pulumi.ResourceState
	// TopicArn is the topic every alarm notifies (pass it to other alarms).
	TopicArn   pulumi.StringOutput      `pulumi:"topicArn"`
	AlarmNames pulumi.StringArrayOutput `pulumi:"alarmNames"`
}

// New creates the topic (unless given), the metric filters and the alarms.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alarms, error) {
	if args == nil || args.Prefix == "" {
		return nil, fmt.Errorf("alarms %s: Prefix is required", name)
	}
	seen := map[string]bool{}
	for _, a := range args.Alarms {
		if err := a.validate(); err != nil {
			return nil, fmt.Errorf("alarms %s: %w", name, err)
		}
		if seen[a.Name] {
			return nil, fmt.Errorf("alarms %s: two alarms are named %s", name, a.Name)
		}
		seen[a.Name] = true
	}
	al := &Alarms{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:Alarms", name, al, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(al)
	tags := pulumi.ToStringMap(args.Tags)
	topic := pulumi.String(args.TopicArn).ToStringOutput()
	if args.TopicArn == "" {
		t, err := sns.NewTopic(ctx, name, &sns.TopicArgs{Name: pulumi.String(args.Prefix + "-alarms"), Tags: tags}, parent)
		if err != nil {
			return nil, err
		}
		topic = t.Arn
		if args.Email != "" {
			if _, err := sns.NewTopicSubscription(ctx, name+"-email", &sns.TopicSubscriptionArgs{
				Topic: t.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(args.Email),
			}, parent); err != nil {
				return nil, err
			}
		}
	}
	filters := map[string]pulumi.Resource{} // metric → its filter, so alarms wait for them
	for _, m := range args.LogMetrics {
		f, err := cloudwatch.NewLogMetricFilter(ctx, name+"-"+m.Name, &cloudwatch.LogMetricFilterArgs{
			Name: pulumi.String(args.Prefix + "-" + m.Name), LogGroupName: m.LogGroup, Pattern: pulumi.String(m.Pattern),
			MetricTransformation: cloudwatch.LogMetricFilterMetricTransformationArgs{
				Namespace: pulumi.String(m.Namespace), Name: pulumi.String(m.Metric),
				Value: pulumi.String("1"), DefaultValue: pulumi.String("0"), Unit: pulumi.String("Count"),
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		filters[m.Namespace+"/"+m.Metric] = f
	}
	var names pulumi.StringArray
	for _, a := range args.Alarms {
		var deps []pulumi.Resource
		for _, m := range a.metrics() {
			if f, ok := filters[m.Namespace+"/"+m.Name]; ok {
				deps = append(deps, f)
			}
		}
		alarm, err := NewMetricAlarm(ctx, name+"-"+a.Name, args.Prefix, a, topic, args.Tags, parent, pulumi.DependsOn(deps))
		if err != nil {
			return nil, err
		}
		names = append(names, alarm.Name)
	}
	al.TopicArn, al.AlarmNames = topic, names.ToStringArrayOutput()
	return al, ctx.RegisterResourceOutputs(al, pulumi.Map{"topicArn": al.TopicArn, "alarmNames": al.AlarmNames})
}

func (a Alarm) metrics() []Metric {
	if a.Metric != nil {
		return []Metric{*a.Metric}
	}
	return a.Metrics
}

func (a Alarm) validate() error {
	switch {
	case a.Name == "" || a.Comparison == "" || a.Period <= 0 || a.EvaluationPeriods <= 0:
		return fmt.Errorf("alarm %q: Name, Comparison, Period and EvaluationPeriods are required", a.Name)
	case (a.Metric == nil) == (a.Expression == ""):
		return fmt.Errorf("alarm %s: give either Metric or Expression (with Metrics)", a.Name)
	case a.Expression != "" && len(a.Metrics) == 0:
		return fmt.Errorf("alarm %s: Expression needs Metrics", a.Name)
	}
	for _, m := range a.metrics() {
		if m.Namespace == "" || m.Name == "" || m.Stat == "" {
			return fmt.Errorf("alarm %s: every metric needs Namespace, Name and Stat", a.Name)
		}
	}
	return nil
}

// NewMetricAlarm creates one alarm named <prefix>-<a.Name> that notifies topic when it
// goes into ALARM and back to OK. Other components (the failover health check) use it for
// their own alarms.
func NewMetricAlarm(ctx *pulumi.Context, resourceName, prefix string, a Alarm, topic pulumi.StringInput, tags map[string]string, opts ...pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	missing := a.TreatMissingData
	if missing == "" {
		missing = "missing"
	}
	args := &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(prefix + "-" + a.Name),
		AlarmDescription:   pulumi.String(a.Description),
		ComparisonOperator: pulumi.String(a.Comparison),
		Threshold:          pulumi.Float64(a.Threshold),
		EvaluationPeriods:  pulumi.Int(a.EvaluationPeriods),
		DatapointsToAlarm:  pulumi.Int(a.EvaluationPeriods),
		TreatMissingData:   pulumi.String(missing),
		Tags:               pulumi.ToStringMap(tags),
	}
	if topic != nil {
		args.AlarmActions = pulumi.Array{topic}
		args.OkActions = pulumi.Array{topic}
	}
	if a.Metric != nil {
		args.Namespace = pulumi.String(a.Metric.Namespace)
		args.MetricName = pulumi.String(a.Metric.Name)
		args.Statistic = pulumi.String(a.Metric.Stat)
		args.Period = pulumi.Int(a.Period)
		args.Dimensions = dimensions(a.Metric.Dimensions)
	} else {
		queries := cloudwatch.MetricAlarmMetricQueryArray{cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String("e1"), Expression: pulumi.String(a.Expression), Label: pulumi.String(a.Name), ReturnData: pulumi.Bool(true),
		}}
		for i, m := range a.Metrics {
			queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.Sprintf("m%d", i+1), ReturnData: pulumi.Bool(false),
				Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace: pulumi.String(m.Namespace), MetricName: pulumi.String(m.Name), Stat: pulumi.String(m.Stat),
					Period: pulumi.Int(a.Period), Dimensions: dimensions(m.Dimensions),
				},
			})
		}
		args.MetricQueries = queries
	}
	return cloudwatch.NewMetricAlarm(ctx, resourceName, args, opts...)
}

func dimensions(d map[string]pulumi.StringInput) pulumi.StringMap {
	out := pulumi.StringMap{}
	for k, v := range d {
		out[k] = v
	}
	return out
}
