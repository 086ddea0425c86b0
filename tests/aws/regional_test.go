package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

const regionalStack = "aws-prod-euw1"

// renderStack renders another stack file of the project.
func renderStack(t *testing.T, stack string, overrides map[string]string) (*synth.Result, error) {
	t.Helper()
	sc, err := synth.ReadStackConfig("../..", stack)
	if err != nil {
		t.Fatalf("ReadStackConfig %s: %v", stack, err)
	}
	for k, v := range overrides {
		sc.Values[k] = v
	}
	return synth.Render(sc, program)
}

// The regional stack (eu-west-1) renders; its gateway and its ECS collector forward every
// signal to the global name aws-prod publishes, over TLS, with the gateway preset's retry
// and queue, beside the region's own AWS backends.
func TestRegionalStackForwardsToTheGlobalGateway(t *testing.T) {
	r, err := renderStack(t, regionalStack, nil)
	if err != nil {
		t.Fatalf("render %s: %v", regionalStack, err)
	}
	prodCfg, err := synth.ReadStackConfig("../..", stackName)
	if err != nil {
		t.Fatal(err)
	}
	global := prodCfg.Values["otelfleet:drRecordName"] + ":4317"
	for _, file := range []string{"observability-otel-euw1-gateway.yaml", "ecs-collector.yaml"} {
		t.Run(file, func(t *testing.T) {
			cfg := collectorConfig(t, r, file)
			up := get(cfg, "exporters", "otlp_grpc/upstream")
			if up == nil {
				t.Fatalf("no otlp_grpc/upstream exporter; exporters: %v", get(cfg, "exporters"))
			}
			if get(up, "endpoint") != global {
				t.Errorf("upstream endpoint = %v; want aws-prod's global name %s", get(up, "endpoint"), global)
			}
			if get(up, "tls", "insecure") == true {
				t.Error("the upstream exporter sends without TLS")
			}
			// With gatewayPersistentQueue a Kubernetes gateway's queue is on disk, sized in bytes
			// from its volume; the ECS collector has no volume: 5000 batches in memory.
			persistent := get(up, "sending_queue", "sizer") == "bytes" && get(up, "sending_queue", "storage") == "file_storage/queue"
			inMemory := get(up, "sending_queue", "queue_size") == float64(5000) && get(up, "sending_queue", "storage") == nil
			if get(up, "retry_on_failure", "enabled") != true || get(up, "sending_queue", "enabled") != true || (file == "ecs-collector.yaml") != inMemory || (file != "ecs-collector.yaml") != persistent {
				t.Errorf("upstream retry %v queue %v; want the gateway preset's (on disk in bytes, in memory on ECS)", get(up, "retry_on_failure"), get(up, "sending_queue"))
			}
			// dataResidency keeps logs in the region: only traces and metrics are forwarded,
			// and logs still reach the regional backends.
			for p, forwarded := range map[string]bool{"traces": true, "metrics": true, "logs": false} {
				got := strs(get(cfg, "service", "pipelines", p, "exporters"))
				if slices.Contains(got, "otlp_grpc/upstream") != forwarded || len(got) == 0 {
					t.Errorf("pipeline %s exports to %v; forwarded upstream: want %v", p, got, forwarded)
				}
			}
			if get(cfg, "exporters", "awsxray", "region") != "eu-west-1" {
				t.Errorf("regional X-Ray exporter region = %v", get(cfg, "exporters", "awsxray", "region"))
			}
		})
	}
	// The regional ingest is published under the latency-routed name with its region; the
	// regional stack has no DR pair and references only the fleet CA's owner.
	rec := one(t, r, recordType, "otel-euw1-ingest-dns-latency").Inputs
	if rec["name"] != prodCfg.Values["otelfleet:regionalRecordName"] || rec["setIdentifier"] != "eu-west-1" || get(rec, "latencyRoutingPolicies", 0, "region") != "eu-west-1" {
		t.Errorf("regional latency record = %v", rec)
	}
	if refs := r.Find(stackRefType); len(refs) != 1 || refs[0].Name != "otel-euw1-fleet-ca" || len(r.Find(recordType)) != 1 {
		t.Errorf("regional stack: stack references %v, %d records; want the fleet CA owner's and 1", refs, len(r.Find(recordType)))
	}
	if got := one(t, r, "pulumi:providers:aws", "otel-euw1-aws").Inputs["region"]; got != "eu-west-1" {
		t.Errorf("provider region = %v", got)
	}
}

// With upstreamOnly the regional gateway forwards only — which the committed regional stack's
// residency rule (logs stay in eu-west-1) forbids: the stack must drop the rule first.
func TestRegionalUpstreamOnly(t *testing.T) {
	if _, err := renderStack(t, regionalStack, map[string]string{"otelfleet:upstreamOnly": "true"}); err == nil || !strings.Contains(err.Error(), "otelfleet:upstreamSignals") {
		t.Errorf("upstreamOnly beside the logs residency rule: err = %v; want it refused", err)
	}
	if _, err := renderStack(t, regionalStack, map[string]string{"otelfleet:upstreamSignals": `["traces","metrics","logs"]`}); err == nil || !strings.Contains(err.Error(), "otelfleet:dataResidency") {
		t.Errorf("forwarding logs that must stay in the region: err = %v; want it refused, naming dataResidency", err)
	}
	r, err := renderStack(t, regionalStack, map[string]string{"otelfleet:upstreamOnly": "true",
		"otelfleet:upstreamSignals": `["traces","metrics","logs"]`, "otelfleet:dataResidency": "[]"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := collectorConfig(t, r, "observability-otel-euw1-gateway.yaml")
	for _, p := range []string{"traces", "metrics", "logs"} {
		if got := strs(get(cfg, "service", "pipelines", p, "exporters")); !slices.Equal(got, []string{"otlp_grpc/upstream"}) {
			t.Errorf("pipeline %s exports to %v; want only the upstream", p, got)
		}
	}
}
