package collector

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// Component types of the AWS exporters (contrib). The seeds' `awscloudwatch` exporter does
// not exist: metrics go to CloudWatch through awsemf (embedded metric format log events).
const (
	TypeAWSXRay           = "awsxray"
	TypeAWSEMF            = "awsemf"
	TypeAWSCloudWatchLogs = "awscloudwatchlogs"
	TypeAWSS3             = "awss3"
)

// AWSXRayExporter sends traces to AWS X-Ray. It has no sending queue or retry settings of
// its own (the release rejects those keys), so it does not embed ExporterHelper.
type AWSXRayExporter struct {
	Region string `json:"region,omitempty"`
	// IndexedAttributes become X-Ray annotations (searchable); the rest are metadata.
	IndexedAttributes  []string `json:"indexed_attributes,omitempty"`
	IndexAllAttributes bool     `json:"index_all_attributes,omitempty"`
	// LogGroupNames link traces to CloudWatch log groups in the X-Ray console.
	LogGroupNames []string `json:"aws_log_groups,omitempty"`
	// MaxRetries are the AWS SDK's attempts per call (see AWSMaxRetries).
	MaxRetries int `json:"max_retries,omitempty"`
}

// AWSMaxRetries are the attempts the AWS SDK makes per call of the exporters behind a queue
// hop (awsxray, awsemf). X-Ray answers throttling with ThrottledException, CloudWatch Logs
// with ThrottlingException, both client faults, which these exporters turn into a
// permanent error: no queue retries it, not even the gateway's queue hop
// (the receiver answers the hop with a non-retryable status), so a throttled batch is
// dropped once the SDK gives up. The default (2 attempts) gives up within seconds; 10
// attempts with the SDK's backoff (up to 20 s each) ride out about a minute and a half of
// throttling, past the hop's 60 s deadline, after which the hop itself retries (its
// deadline is a retryable failure). Throttling that outlasts the SDK's retry quota still
// drops data, counted in the hop's send_failed (tests/collector outage test).
const AWSMaxRetries = 10

func (AWSXRayExporter) Type() string { return TypeAWSXRay }

// Signals reports the pipelines the component can be part of.
func (AWSXRayExporter) Signals() []string { return []string{Traces} }

// AWSEMFExporter writes metrics as CloudWatch embedded-metric-format log events to a log
// group; CloudWatch extracts the metrics (PutMetricData is never called). Like awsxray it
// has no queue or retry keys.
type AWSEMFExporter struct {
	Region                        string                         `json:"region,omitempty"`
	Namespace                     string                         `json:"namespace"`
	LogGroupName                  string                         `json:"log_group_name"`
	LogStreamName                 string                         `json:"log_stream_name"`
	DimensionRollupOption         string                         `json:"dimension_rollup_option,omitempty"`
	ResourceToTelemetryConversion *ResourceToTelemetryConversion `json:"resource_to_telemetry_conversion,omitempty"`
	MetricDeclarations            []EMFMetricDeclaration         `json:"metric_declarations,omitempty"`
	// MaxRetries are the AWS SDK's attempts per call (see AWSMaxRetries).
	MaxRetries int `json:"max_retries,omitempty"`
}

// ResourceToTelemetryConversion copies resource attributes onto every data point.
type ResourceToTelemetryConversion struct {
	Enabled bool `json:"enabled"`
}

// EMFMetricDeclaration selects metrics by name and the dimension sets they are published
// with; metrics no declaration selects stay in the log group only.
type EMFMetricDeclaration struct {
	Dimensions          [][]string        `json:"dimensions"`
	MetricNameSelectors []string          `json:"metric_name_selectors"`
	LabelMatchers       []EMFLabelMatcher `json:"label_matchers,omitempty"`
}

// EMFLabelMatcher keeps only the data points whose labels (joined by ";") match Regex.
type EMFLabelMatcher struct {
	LabelNames []string `json:"label_names"`
	Regex      string   `json:"regex"`
}

func (AWSEMFExporter) Type() string { return TypeAWSEMF }

// Publishes reports whether a declaration publishes metric name as a CloudWatch metric
// with exactly the dimension names dims (in any order): what an alarm on it must read.
func (e AWSEMFExporter) Publishes(name string, dims []string) bool {
	dims = slices.Sorted(slices.Values(dims))
	for _, d := range e.MetricDeclarations {
		if !slices.ContainsFunc(d.MetricNameSelectors, func(sel string) bool {
			re, err := regexp.Compile(sel)
			return err == nil && re.MatchString(name)
		}) {
			continue
		}
		for _, set := range d.Dimensions {
			if slices.Equal(slices.Sorted(slices.Values(set)), dims) {
				return true
			}
		}
	}
	return false
}

// Signals reports the pipelines the component can be part of.
func (AWSEMFExporter) Signals() []string { return []string{Metrics} }

// AWSCloudWatchLogsExporter sends logs to a CloudWatch Logs log group. It has retry and a
// sending queue but no timeout key: Timeout of its ExporterHelper must stay empty, and
// rendering fails if it is set.
type AWSCloudWatchLogsExporter struct {
	Region        string `json:"region,omitempty"`
	LogGroupName  string `json:"log_group_name"`
	LogStreamName string `json:"log_stream_name"`
	RawLog        bool   `json:"raw_log,omitempty"`
	ExporterHelper
}

func (AWSCloudWatchLogsExporter) Type() string { return TypeAWSCloudWatchLogs }

// Signals reports the pipelines the component can be part of.
func (AWSCloudWatchLogsExporter) Signals() []string { return []string{Logs} }

// ExtensionRefs lists the extensions the component needs.
func (e AWSCloudWatchLogsExporter) ExtensionRefs() []string { return queueStorage(e.SendingQueue) }

// MarshalJSON refuses a timeout, which the exporter's configuration does not have.
func (e AWSCloudWatchLogsExporter) MarshalJSON() ([]byte, error) {
	if e.Timeout != "" {
		return nil, fmt.Errorf("%s has no timeout setting (got %q)", TypeAWSCloudWatchLogs, e.Timeout)
	}
	type plain AWSCloudWatchLogsExporter // no methods: no recursion
	return json.Marshal(plain(e))
}

// AWSS3Exporter writes telemetry as objects to an S3 bucket (the archive). Its S3 keys
// live under s3uploader.
type AWSS3Exporter struct {
	S3Uploader S3Uploader `json:"s3uploader"`
	// Marshaler is otlp_json (default) or otlp_proto.
	Marshaler string `json:"marshaler,omitempty"`
	ExporterHelper
}

// S3Uploader is where and how the awss3 exporter writes. Objects are keyed
// <s3_prefix>/<partition>/<file prefix><signal>_<random>.<ext>.
type S3Uploader struct {
	Region   string `json:"region,omitempty"`
	S3Bucket string `json:"s3_bucket"`
	S3Prefix string `json:"s3_prefix,omitempty"`
	// S3PartitionFormat is a strftime pattern, e.g. "year=%Y/month=%m/day=%d/hour=%H".
	S3PartitionFormat string `json:"s3_partition_format,omitempty"`
	FilePrefix        string `json:"file_prefix,omitempty"`
	Compression       string `json:"compression,omitempty"`
	StorageClass      string `json:"storage_class,omitempty"`
}

func (AWSS3Exporter) Type() string { return TypeAWSS3 }

// Signals reports the pipelines the component can be part of.
func (AWSS3Exporter) Signals() []string { return []string{Traces, Metrics, Logs} }

// ExtensionRefs lists the extensions the component needs.
func (e AWSS3Exporter) ExtensionRefs() []string { return queueStorage(e.SendingQueue) }

// HourlyPartition is the awss3 partition format with one prefix per hour.
const HourlyPartition = "year=%Y/month=%m/day=%d/hour=%H"
