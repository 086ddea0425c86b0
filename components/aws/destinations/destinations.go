// Package destinations is where otelfleet's collectors send telemetry on AWS: traces to
// X-Ray, metrics to CloudWatch through an EMF log group, logs to a CloudWatch Logs group,
// and traces (and logs) to the S3 archive. It creates the log groups (with retention) and
// the archive, and gives every collector the same exporters and the same least-privilege
// writer policy.
package destinations

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/archive"
	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BucketEnv is the environment variable that carries the archive bucket's name into a
// collector: the name is generated at deploy time, the collector config reads it with
// ${env:OTEL_ARCHIVE_BUCKET}.
const BucketEnv = "OTEL_ARCHIVE_BUCKET"

// Archive prefixes per signal (objects are <prefix>/year=/month=/day=/hour=/...).
const (
	TracesPrefix = collector.ArchiveTracesPrefix
	LogsPrefix   = collector.ArchiveLogsPrefix
)

// IndexedAttributes become searchable X-Ray annotations (collector.XRayIndexedAttributes).
var IndexedAttributes = collector.XRayIndexedAttributes

// Args describe the destinations. Defaults (defaults()): RetentionDays 30, EMFNamespace
// OTLP/Metrics.
type Args struct {
	// Prefix names the log groups /otelfleet/<Prefix>/logs and /otelfleet/<Prefix>/metrics.
	Prefix string // required
	Region string // required
	// Account, when set, gives the archive key its explicit policy (archive.KeyPolicy).
	Account       pulumi.StringInput
	RetentionDays int
	EMFNamespace  string
	Archive       archive.Args
	// ArchiveLogs archives logs to S3 as well as traces.
	ArchiveLogs bool
	Tags        map[string]string
}

// Destinations are the log groups and the archive.
type Destinations struct {
	pulumi.ResourceState
	LogsGroupName    pulumi.StringOutput `pulumi:"logsGroupName"`
	MetricsGroupName pulumi.StringOutput `pulumi:"metricsGroupName"`
	LogsGroupArn     pulumi.StringOutput `pulumi:"logsGroupArn"`
	MetricsGroupArn  pulumi.StringOutput `pulumi:"metricsGroupArn"`
	// SelfMetricsGroupName holds the collectors' own EMF events (their alarm metrics).
	SelfMetricsGroupName pulumi.StringOutput `pulumi:"selfMetricsGroupName"`
	SelfMetricsGroupArn  pulumi.StringOutput `pulumi:"selfMetricsGroupArn"`
	BucketName           pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn            pulumi.StringOutput `pulumi:"bucketArn"`
	KeyArn               pulumi.StringOutput `pulumi:"keyArn"`

	args Args
}

func (a Args) defaults() Args {
	if a.RetentionDays == 0 {
		a.RetentionDays = 30
	}
	if a.EMFNamespace == "" {
		a.EMFNamespace = "OTLP/Metrics"
	}
	return a
}

func (a Args) logsGroup() string    { return collector.AWSLogGroup(a.Prefix, "logs") }
func (a Args) metricsGroup() string { return collector.AWSLogGroup(a.Prefix, "metrics") }

// New creates the log groups and the archive.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Destinations, error) {
	if args == nil || args.Prefix == "" || args.Region == "" {
		return nil, fmt.Errorf("destinations %s: Prefix and Region are required", name)
	}
	a := args.defaults()
	d := &Destinations{args: a}
	if err := ctx.RegisterComponentResource("otelfleet:aws:Destinations", name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	group := func(suffix, groupName string) (*cloudwatch.LogGroup, error) {
		return cloudwatch.NewLogGroup(ctx, name+"-"+suffix, &cloudwatch.LogGroupArgs{
			Name: pulumi.String(groupName), RetentionInDays: pulumi.Int(a.RetentionDays), Tags: pulumi.ToStringMap(a.Tags),
		}, parent)
	}
	logs, err := group("logs", a.logsGroup())
	if err != nil {
		return nil, err
	}
	metrics, err := group("metrics", a.metricsGroup())
	if err != nil {
		return nil, err
	}
	self, err := group("collector-metrics", collector.AWSLogGroup(a.Prefix, collector.AWSSelfMetricsGroupKind))
	if err != nil {
		return nil, err
	}
	archiveArgs := a.Archive
	archiveArgs.Tags, archiveArgs.Region, archiveArgs.Account = a.Tags, a.Region, a.Account
	ar, err := archive.New(ctx, name+"-archive", &archiveArgs, parent)
	if err != nil {
		return nil, err
	}
	d.LogsGroupName, d.MetricsGroupName = logs.Name, metrics.Name
	d.LogsGroupArn, d.MetricsGroupArn = logs.Arn, metrics.Arn
	d.SelfMetricsGroupName, d.SelfMetricsGroupArn = self.Name, self.Arn
	d.BucketName, d.BucketArn, d.KeyArn = ar.BucketName, ar.BucketArn, ar.KeyArn
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{
		"logsGroupName": d.LogsGroupName, "metricsGroupName": d.MetricsGroupName,
		"logsGroupArn": d.LogsGroupArn, "metricsGroupArn": d.MetricsGroupArn,
		"selfMetricsGroupName": d.SelfMetricsGroupName, "selfMetricsGroupArn": d.SelfMetricsGroupArn,
		"bucketName": d.BucketName, "bucketArn": d.BucketArn, "keyArn": d.KeyArn,
	})
}

// Exporters are the collector exporters that write to the destinations. streamName names
// each collector's log streams (it may read the environment, "${env:K8S_POD_NAME}", so
// replicas do not share a stream); the bucket name comes from ${env:OTEL_ARCHIVE_BUCKET}.
func (d *Destinations) Exporters(streamName string) []collector.Exporter {
	return d.args.Destinations(streamName).Exporters()
}

// Destinations are the destinations as the collector preset sees them.
func (a Args) Destinations(streamName string) collector.AWSDestinations {
	a = a.defaults()
	return collector.AWSDestinations{
		Region: a.Region, EMFNamespace: a.EMFNamespace, LogsGroup: a.logsGroup(), MetricsGroup: a.metricsGroup(),
		Stream: streamName, BucketEnv: BucketEnv, ArchiveLogs: a.ArchiveLogs,
	}
}

// WriterPolicy is the least-privilege policy of a collector using Exporters.
func (d *Destinations) WriterPolicy() pulumi.StringOutput {
	return pulumi.All(d.LogsGroupArn, d.MetricsGroupArn, d.SelfMetricsGroupArn, d.BucketArn, d.KeyArn).ApplyT(func(v []any) (string, error) {
		return WriterPolicy(Grants{
			Region: d.args.Region, LogGroupArns: []string{v[0].(string), v[1].(string), v[2].(string)},
			BucketArn: v[3].(string), Prefixes: d.prefixes(), KeyArn: v[4].(string),
		}).JSON()
	}).(pulumi.StringOutput)
}

func (d *Destinations) prefixes() []string {
	if d.args.ArchiveLogs {
		return []string{TracesPrefix, LogsPrefix}
	}
	return []string{TracesPrefix}
}

// Grants are the resources a collector writes to.
type Grants struct {
	Region       string
	LogGroupArns []string // as Pulumi reports them, without a ":*" suffix
	BucketArn    string
	Prefixes     []string
	KeyArn       string
}

// WriterPolicy grants exactly the calls the exporters make at the pinned release (checked
// in their sources): X-Ray segment and telemetry puts and sampling reads (X-Ray has no
// resource-level permissions); CreateLogStream and PutLogEvents on the three log groups only
// (the groups exist, so CreateLogGroup is not granted; no exporter calls Describe*; awsemf
// never calls PutMetricData — CloudWatch extracts EMF metrics from the log group);
// PutObject under the archive prefixes; and the archive key, only through S3.
func WriterPolicy(g Grants) policy.Document {
	var logs, objects []string
	for _, arn := range g.LogGroupArns {
		logs = append(logs, arn, arn+":log-stream:*")
	}
	for _, p := range g.Prefixes {
		objects = append(objects, g.BucketArn+"/"+p+"/*")
	}
	return policy.New(
		policy.Statement{
			Sid: "XRayWrite", Effect: policy.Allow,
			Action:   []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"},
			Resource: []string{"*"},
		},
		policy.Statement{
			Sid: "CloudWatchLogsWrite", Effect: policy.Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: logs,
		},
		policy.Statement{
			Sid: "ArchiveWrite", Effect: policy.Allow,
			Action:   []string{"s3:PutObject", "s3:AbortMultipartUpload"},
			Resource: objects,
		},
		policy.Statement{
			Sid: "ArchiveKeyThroughS3", Effect: policy.Allow,
			Action:    []string{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource:  []string{g.KeyArn},
			Condition: policy.Condition{"StringEquals": {"kms:ViaService": {"s3." + g.Region + "." + policy.DNSSuffix(g.Region)}}},
		},
	)
}
