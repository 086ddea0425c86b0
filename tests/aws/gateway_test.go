package aws

import (
	"slices"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

const gatewayConfigFile = "observability-otel-gateway.yaml"

// assertAWSPipelines checks a collector config exports traces to X-Ray and the archive,
// metrics to EMF, logs to CloudWatch Logs and the archive, with the stack's region, log
// groups and bucket variable.
func assertAWSPipelines(t *testing.T, cfg map[string]any) {
	t.Helper()
	want := map[string][]string{
		"traces":  {"awsxray", "awss3/traces"},
		"metrics": {"awsemf"},
		"logs":    {"awscloudwatchlogs", "awss3/logs"},
	}
	for pipeline, exporters := range want {
		got := strs(get(cfg, "service", "pipelines", pipeline, "exporters"))
		for _, e := range exporters {
			// awsxray and awsemf have no sending queue: the pipeline reaches them through
			// a queued loopback hop whose own pipeline (<signal>/<exporter>) ends in them.
			hop := "otlp_grpc/" + e + "-queue"
			if slices.Contains(got, hop) {
				if behind := strs(get(cfg, "service", "pipelines", pipeline+"/"+e, "exporters")); !slices.Equal(behind, []string{e}) {
					t.Errorf("pipeline %s exports to %s, but pipeline %s/%s exports to %v", pipeline, hop, pipeline, e, behind)
				}
				if get(cfg, "exporters", hop, "sending_queue", "enabled") != true {
					t.Errorf("queue hop %s has no sending queue", hop)
				}
				continue
			}
			if !slices.Contains(got, e) {
				t.Errorf("pipeline %s exports to %v; want %s in it", pipeline, got, e)
			}
		}
		for _, other := range []string{"traces", "metrics", "logs"} {
			if other == pipeline {
				continue
			}
			for _, e := range want[other] {
				if slices.Contains(got, e) && !slices.Contains(exporters, e) {
					t.Errorf("pipeline %s exports to %s, which belongs to %s", pipeline, e, other)
				}
			}
		}
	}
	for _, id := range []string{"awsxray", "awsemf", "awscloudwatchlogs"} {
		if got := get(cfg, "exporters", id, "region"); got != "us-east-1" {
			t.Errorf("%s region = %v", id, got)
		}
	}
	for _, id := range []string{"awss3/traces", "awss3/logs"} {
		up := get(cfg, "exporters", id, "s3uploader")
		if get(up, "region") != "us-east-1" || get(up, "s3_bucket") != "${env:OTEL_ARCHIVE_BUCKET}" || get(up, "s3_partition_format") != "year=%Y/month=%m/day=%d/hour=%H" {
			t.Errorf("%s s3uploader = %v; want the archive bucket from the environment, partitioned by hour", id, up)
		}
	}
	if get(cfg, "exporters", "awss3/traces", "s3uploader", "s3_prefix") != "traces" || get(cfg, "exporters", "awss3/logs", "s3uploader", "s3_prefix") != "logs" {
		t.Error("archive prefixes are not traces/ and logs/, which the writer policy grants")
	}
	if get(cfg, "exporters", "awsemf", "log_group_name") != "/otelfleet/otel/metrics" || get(cfg, "exporters", "awsemf", "namespace") != "OTLP/Metrics" {
		t.Errorf("awsemf = %v", get(cfg, "exporters", "awsemf"))
	}
	if get(cfg, "exporters", "awscloudwatchlogs", "log_group_name") != "/otelfleet/otel/logs" {
		t.Errorf("awscloudwatchlogs = %v", get(cfg, "exporters", "awscloudwatchlogs"))
	}
	if _, ok := get(cfg, "exporters").(map[string]any)["awscloudwatch"]; ok {
		t.Error("the awscloudwatch exporter does not exist")
	}
}

func TestGatewayConfigHasTheAWSExporters(t *testing.T) {
	r := prod(t)
	cfg := collectorConfig(t, r, gatewayConfigFile)
	assertAWSPipelines(t, cfg)
	// The log groups the exporters name are the ones the stack creates (with retention).
	created := map[string]any{}
	for _, lg := range r.Find("aws:cloudwatch/logGroup:LogGroup") {
		created[str(lg.Inputs["name"])] = lg.Inputs["retentionInDays"]
	}
	for _, id := range []string{"awsemf", "awscloudwatchlogs"} {
		group := str(get(cfg, "exporters", id, "log_group_name"))
		if created[group] != int64(30) {
			t.Errorf("%s writes to %q, which the stack does not create with a 30-day retention (%v)", id, group, created)
		}
	}
	if got := get(cfg, "exporters", "awscloudwatchlogs", "log_stream_name"); got != "gateway-${env:K8S_POD_NAME}" {
		t.Errorf("log stream = %v; want one per pod", got)
	}
}

func TestGatewayIdentity(t *testing.T) {
	r := prod(t)
	sa, ok := r.Manifests["serviceaccount-observability-otel-gateway.yaml"]
	if !ok {
		t.Fatal("no gateway ServiceAccount manifest")
	}
	role := str(one(t, r, "aws:iam/rolePolicy:RolePolicy", "otel-gateway").Inputs["role"])
	want := "arn:aws:iam::" + synth.FakeAccountID + ":role/" + role
	if got := get(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn"); got != want || role == "" {
		t.Errorf("ServiceAccount role-arn = %v; want the gateway IRSA role %s", got, want)
	}

	dep, ok := r.Manifests["deployment-observability-otel-gateway.yaml"]
	if !ok {
		t.Fatal("no gateway Deployment manifest")
	}
	if got := get(dep, "spec", "template", "spec", "serviceAccountName"); got != "otel-gateway" {
		t.Errorf("gateway pods run as %v", got)
	}
	env := map[string]any{}
	for _, e := range get(dep, "spec", "template", "spec", "containers", 0, "env").([]any) {
		env[str(get(e, "name"))] = e
	}
	bucket := str(one(t, r, "aws:s3/bucketPolicy:BucketPolicy", "otel-archive").Inputs["bucket"])
	if get(env["AWS_REGION"], "value") != "us-east-1" || get(env["OTEL_ARCHIVE_BUCKET"], "value") != bucket {
		t.Errorf("env AWS_REGION %v, OTEL_ARCHIVE_BUCKET %v; want us-east-1 and %s", env["AWS_REGION"], env["OTEL_ARCHIVE_BUCKET"], bucket)
	}
	if get(env["K8S_POD_NAME"], "valueFrom", "fieldRef", "fieldPath") != "metadata.name" {
		t.Errorf("K8S_POD_NAME = %v", env["K8S_POD_NAME"])
	}
}
