package collector

import "fmt"

// AWSDestinations are the AWS backends a collector writes to: X-Ray and the S3 archive for
// traces, CloudWatch metrics through EMF, CloudWatch Logs (and the archive) for logs. The
// aws stack's gateway and its ECS collector use the same ones; the log groups and the bucket
// are created by components/aws/destinations.
type AWSDestinations struct {
	Region       string
	EMFNamespace string
	LogsGroup    string // the CloudWatch Logs group of exported logs (and X-Ray's log references)
	MetricsGroup string // the log group EMF events go to
	// Stream names each collector's log streams; it may read the environment
	// ("gateway-${env:K8S_POD_NAME}") so replicas never share a stream.
	Stream string
	// BucketEnv is the environment variable holding the archive bucket's generated name.
	BucketEnv   string
	ArchiveLogs bool // archive logs to S3 as well as traces
}

// Archive prefixes per signal (objects are <prefix>/year=/month=/day=/hour=/...).
const (
	ArchiveTracesPrefix = "traces"
	ArchiveLogsPrefix   = "logs"
)

// XRayIndexedAttributes become searchable X-Ray annotations: the seeds' list, with both the
// old and the current HTTP semantic-convention names.
var XRayIndexedAttributes = []string{"http.method", "http.request.method", "http.status_code", "http.response.status_code", "error"}

// AWSSelfMetricsGroupKind names the log group of the collectors' own metrics
// (AWSSelfMetricsExporter): /otelfleet/<stack>/collector-metrics.
const AWSSelfMetricsGroupKind = "collector-metrics"

// AWSLogGroup is the name of one of a stack's CloudWatch log groups ("logs", "metrics").
func AWSLogGroup(prefix, kind string) string { return fmt.Sprintf("/otelfleet/%s/%s", prefix, kind) }

// Exporters are the collector exporters that write to the destinations.
func (d AWSDestinations) Exporters() []Exporter {
	s3 := func(prefix string) AWSS3Exporter {
		return AWSS3Exporter{Marshaler: "otlp_json", S3Uploader: S3Uploader{
			Region: d.Region, S3Bucket: "${env:" + d.BucketEnv + "}", S3Prefix: prefix,
			S3PartitionFormat: HourlyPartition, Compression: "gzip",
		}}
	}
	out := []Exporter{
		{ID: TypeAWSXRay, Signals: []string{Traces}, Config: AWSXRayExporter{
			Region: d.Region, IndexedAttributes: XRayIndexedAttributes, LogGroupNames: []string{d.LogsGroup},
			MaxRetries: AWSMaxRetries,
		}},
		{ID: ID(TypeAWSS3, ArchiveTracesPrefix), Signals: []string{Traces}, Config: s3(ArchiveTracesPrefix)},
		{ID: TypeAWSEMF, Signals: []string{Metrics}, Config: AWSEMFExporter{
			Region: d.Region, Namespace: d.EMFNamespace, LogGroupName: d.MetricsGroup, LogStreamName: d.Stream,
			MaxRetries:                    AWSMaxRetries,
			DimensionRollupOption:         "NoDimensionRollup", // rollups multiply the custom metrics billed
			ResourceToTelemetryConversion: &ResourceToTelemetryConversion{Enabled: true},
			MetricDeclarations: []EMFMetricDeclaration{{
				Dimensions:          [][]string{{"service.name"}, {"service.name", "http.route"}, {"service.name", "rpc.method"}},
				MetricNameSelectors: []string{`^http\..*`, `^rpc\..*`},
			}},
		}},
		{ID: TypeAWSCloudWatchLogs, Signals: []string{Logs}, Config: AWSCloudWatchLogsExporter{
			Region: d.Region, LogGroupName: d.LogsGroup, LogStreamName: d.Stream,
		}},
	}
	if d.ArchiveLogs {
		out = append(out, Exporter{ID: ID(TypeAWSS3, ArchiveLogsPrefix), Signals: []string{Logs}, Config: s3(ArchiveLogsPrefix)})
	}
	return out
}
