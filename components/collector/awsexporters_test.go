package collector

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// awsGateway is a gateway with the four AWS exporters the aws stack wires.
func awsGateway(t *testing.T, queueDir string) map[string]any {
	t.Helper()
	c, err := GatewayConfig(GatewayOptions{
		MemoryLimitMiB: 2048, QueueSize: 100, QueueDir: queueDir,
		Exporters: []Exporter{
			{ID: TypeAWSXRay, Config: AWSXRayExporter{Region: "eu-west-1", IndexedAttributes: []string{"http.method"}, LogGroupNames: []string{"/otelfleet/logs"}}, Signals: []string{Traces}},
			{ID: TypeAWSEMF, Config: AWSEMFExporter{Region: "eu-west-1", Namespace: "OTLP/Metrics", LogGroupName: "/otelfleet/metrics", LogStreamName: "gw",
				MetricDeclarations: []EMFMetricDeclaration{{Dimensions: [][]string{{"service.name"}}, MetricNameSelectors: []string{"^http\\..*"}}}}, Signals: []string{Metrics}},
			{ID: TypeAWSCloudWatchLogs, Config: AWSCloudWatchLogsExporter{Region: "eu-west-1", LogGroupName: "/otelfleet/logs", LogStreamName: "gw"}, Signals: []string{Logs}},
			{ID: TypeAWSS3 + "/traces", Config: AWSS3Exporter{Marshaler: "otlp_json", S3Uploader: S3Uploader{Region: "eu-west-1", S3Bucket: "${env:BUCKET}", S3Prefix: "traces", S3PartitionFormat: HourlyPartition, Compression: "gzip"}}, Signals: []string{Traces}},
		},
	})
	if err != nil {
		t.Fatalf("GatewayConfig: %v", err)
	}
	text, err := c.YAML()
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	var out map[string]any
	if err := yaml.Unmarshal([]byte(text), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func awsDig(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func awsKeysOf(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The keys each exporter renders are exactly the ones the pinned release accepts (checked
// with `otelcol validate`): awsxray and awsemf have no queue/retry/timeout, awscloudwatchlogs
// has queue and retry but no timeout, awss3 keeps bucket settings under s3uploader.
func TestAWSExporterKeys(t *testing.T) {
	cfg := awsGateway(t, "")
	want := map[string][]string{
		"awsxray":           {"aws_log_groups", "indexed_attributes", "region"},
		"awsemf":            {"log_group_name", "log_stream_name", "metric_declarations", "namespace", "region"},
		"awscloudwatchlogs": {"log_group_name", "log_stream_name", "region", "retry_on_failure", "sending_queue"},
		"awss3/traces":      {"marshaler", "retry_on_failure", "s3uploader", "sending_queue"},
	}
	for id, keys := range want {
		if got := awsKeysOf(awsDig(cfg, "exporters", id)); !reflect.DeepEqual(got, keys) {
			t.Errorf("exporter %s renders keys %v; want %v", id, got, keys)
		}
	}
	if got := awsKeysOf(awsDig(cfg, "exporters", "awss3/traces", "s3uploader")); !reflect.DeepEqual(got, []string{"compression", "region", "s3_bucket", "s3_partition_format", "s3_prefix"}) {
		t.Errorf("s3uploader keys = %v", got)
	}
	if got := awsDig(cfg, "exporters", "awss3/traces", "s3uploader", "s3_partition_format"); got != "year=%Y/month=%m/day=%d/hour=%H" {
		t.Errorf("partition format = %v; want hourly", got)
	}
	decl := awsDig(cfg, "exporters", "awsemf", "metric_declarations").([]any)[0].(map[string]any)
	if !reflect.DeepEqual(decl["dimensions"], []any{[]any{"service.name"}}) {
		t.Errorf("emf dimensions = %v", decl["dimensions"])
	}
}

func TestAWSExportersInTheirPipelines(t *testing.T) {
	cfg := awsGateway(t, "")
	// awsxray and awsemf have no sending queue: the pipelines reach them through a queued
	// loopback hop (traces/awsxray, metrics/awsemf).
	want := map[string][]any{
		"traces":         {"otlp_grpc/awsxray-queue", "awss3/traces"},
		"metrics":        {"otlp_grpc/awsemf-queue"},
		"logs":           {"awscloudwatchlogs"},
		"traces/awsxray": {"awsxray"},
		"metrics/awsemf": {"awsemf"},
	}
	for p, exps := range want {
		if got := awsDig(cfg, "service", "pipelines", p, "exporters"); !reflect.DeepEqual(got, exps) {
			t.Errorf("pipeline %s exporters = %v; want %v", p, got, exps)
		}
	}
}

func TestAWSExportersPersistentQueue(t *testing.T) {
	cfg := awsGateway(t, "/var/lib/q")
	for _, id := range []string{"awscloudwatchlogs", "awss3/traces", "otlp_grpc/awsxray-queue", "otlp_grpc/awsemf-queue"} {
		if got := awsDig(cfg, "exporters", id, "sending_queue", "storage"); got != "file_storage/queue" {
			t.Errorf("%s sending_queue.storage = %v; want file_storage/queue", id, got)
		}
	}
	for _, id := range []string{"awsxray", "awsemf"} {
		if got := awsDig(cfg, "exporters", id, "sending_queue"); got != nil {
			t.Errorf("%s got a sending_queue %v, a key its release rejects", id, got)
		}
	}
}

func TestAWSExporterSignals(t *testing.T) {
	for _, c := range []struct {
		comp Signaled
		want []string
	}{
		{AWSXRayExporter{}, []string{Traces}},
		{AWSEMFExporter{}, []string{Metrics}},
		{AWSCloudWatchLogsExporter{}, []string{Logs}},
		{AWSS3Exporter{}, []string{Traces, Metrics, Logs}},
	} {
		if got := c.comp.Signals(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%T.Signals() = %v; want %v", c.comp, got, c.want)
		}
	}
	// awsxray in a metrics pipeline is refused before the collector sees it.
	c := &Config{
		Receivers: map[string]Component{"otlp": otlpReceiver("0.0.0.0", nil, 0)},
		Exporters: map[string]Component{TypeAWSXRay: AWSXRayExporter{}},
		Service:   Service{Pipelines: map[string]Pipeline{"metrics": {Receivers: []string{"otlp"}, Exporters: []string{TypeAWSXRay}}}},
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `"awsxray", which does not support metrics`) {
		t.Errorf("Validate() = %v; want awsxray refused in metrics", err)
	}
}

func TestAWSCloudWatchLogsRefusesTimeout(t *testing.T) {
	c := &Config{
		Receivers: map[string]Component{"otlp": otlpReceiver("0.0.0.0", nil, 0)},
		Exporters: map[string]Component{TypeAWSCloudWatchLogs: AWSCloudWatchLogsExporter{LogGroupName: "g", LogStreamName: "s", ExporterHelper: ExporterHelper{Timeout: "5s"}}},
		Service:   Service{Pipelines: map[string]Pipeline{"logs": {Receivers: []string{"otlp"}, Exporters: []string{TypeAWSCloudWatchLogs}}}},
	}
	if _, err := c.YAML(); err == nil || !strings.Contains(err.Error(), "awscloudwatchlogs has no timeout") {
		t.Errorf("YAML() = %v; want the timeout refused", err)
	}
}
