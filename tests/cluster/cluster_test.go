// Package cluster tests the kubernetes stack (Pulumi.local.yaml): only the collector
// layer, on an existing cluster, under Pulumi mocks.
package cluster

import (
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
)

var program = stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"kubernetes": cluster.Build})

func render(t *testing.T, overrides map[string]string) *synth.Result {
	t.Helper()
	return synthtest.Stack(t, program, "local", overrides)
}

func TestLocalStackIsOnlyTheCollectorLayer(t *testing.T) {
	res := render(t, nil)
	for _, r := range res.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Type, "otelfleet:") && r.Type != "pulumi:providers:kubernetes" {
			t.Errorf("the kubernetes stack creates %s %s", r.Type, r.Name)
		}
	}
	providers := res.Find("pulumi:providers:kubernetes")
	if len(providers) != 1 {
		t.Fatalf("providers = %d", len(providers))
	}
	if _, ok := providers[0].Inputs["context"]; ok {
		t.Errorf("provider pins a context although kubeContext is unset: %v", providers[0].Inputs)
	}
	gw := res.Collector["observability-otel-gateway.yaml"]
	if !strings.Contains(gw, "debug:") {
		t.Errorf("without an upstream the gateway should print with the debug exporter:\n%s", gw)
	}
	if _, ok := res.Manifests["horizontalpodautoscaler-observability-otel-gateway.yaml"]; ok {
		t.Error("the laptop stack renders an HPA although gatewayHpaEnabled is false")
	}
	if len(res.Find("kubernetes:helm.sh/v3:Release")) != 0 {
		t.Error("cert-manager is installed although TLS is off")
	}
}

func TestLocalStackForwardsUpstream(t *testing.T) {
	res := render(t, map[string]string{
		"otelfleet:kubeContext":          "kind-otel",
		"otelfleet:upstreamOtlpEndpoint": "tempo.monitoring.svc:4317",
		"otelfleet:upstreamOtlpInsecure": "true",
	})
	if ctx := res.Find("pulumi:providers:kubernetes")[0].Inputs["context"]; ctx != "kind-otel" {
		t.Errorf("provider context = %v", ctx)
	}
	gw := res.Collector["observability-otel-gateway.yaml"]
	for _, want := range []string{"otlp_grpc/upstream:", "endpoint: tempo.monitoring.svc:4317", "insecure: true"} {
		if !strings.Contains(gw, want) {
			t.Errorf("gateway config lacks %q:\n%s", want, gw)
		}
	}
	if strings.Contains(gw, "debug:") {
		t.Error("debug exporter kept although an upstream is set")
	}

	res = render(t, map[string]string{"otelfleet:upstreamOtlpEndpoint": "https://otlp.example.com:4318", "otelfleet:upstreamOtlpProtocol": "http"})
	if gw := res.Collector["observability-otel-gateway.yaml"]; !strings.Contains(gw, "otlp_http/upstream:") {
		t.Errorf("http upstream not rendered:\n%s", gw)
	}
}

func TestLocalStackRejectsBadUpstream(t *testing.T) {
	_, err := synthtest.StackErr(t, program, "local", map[string]string{
		"otelfleet:upstreamOtlpEndpoint": "https://otlp.example.com:4318", // grpc wants host:port
	})
	if err == nil || !strings.Contains(err.Error(), "otelfleet:upstreamOtlpEndpoint") {
		t.Errorf("err = %v", err)
	}
}
