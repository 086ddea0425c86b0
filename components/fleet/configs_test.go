package fleet

import (
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
)

func spec() ConfigSpec {
	return ConfigSpec{
		Names: Names{Prefix: "otel", Namespace: "observability", AgentNamespace: "observability-agent"}, Environment: "test", LogLevel: "info",
		AgentModes: []string{collector.AgentDaemonSet}, AgentMemoryLimitMiB: 512, AgentQueueSize: 1000, AgentK8sAttributes: true,
		GatewayMemoryLimitMiB: 2048, GatewayQueueSize: 5000,
		Sampling:  collector.Sampling{Mode: collector.SamplingNone},
		Exporters: []collector.Exporter{{ID: collector.TypeDebug, Config: collector.DebugExporter{Verbosity: "basic"}, Signals: []string{collector.Traces}}},
	}
}

// TestConfigsFollowTheSpec: each tier's configuration exists exactly when the fleet runs the
// tier, and the facts that tie the tiers together (the gateway's host, its headless Service
// for trace-id routing, the TLS files) come from the names and the spec.
func TestConfigsFollowTheSpec(t *testing.T) {
	plain, err := NewConfigs(spec())
	if err != nil {
		t.Fatal(err)
	}
	if plain.Gateway == "" || plain.Agent == "" || plain.Sidecar != "" || plain.Canary != "" {
		t.Fatalf("tiers rendered: gateway %v agent %v sidecar %v canary %v", plain.Gateway != "", plain.Agent != "", plain.Sidecar != "", plain.Canary != "")
	}
	if !strings.Contains(plain.Agent, "otel-gateway.observability.svc.cluster.local:4317") || strings.Contains(plain.Agent, TLSCAFile) {
		t.Errorf("agent config does not send to the gateway's host in plaintext:\n%s", plain.Agent)
	}

	s := spec()
	s.AgentModes = append(s.AgentModes, collector.AgentSidecar)
	s.TLS, s.Canary, s.CanaryLogLevel = true, true, "debug"
	s.Sampling = collector.Sampling{Mode: collector.SamplingTail, Percentage: 10, DecisionWait: "10s", LatencyThresholdMs: 500}
	rich, err := NewConfigs(s)
	if err != nil {
		t.Fatal(err)
	}
	for tier, text := range map[string]string{"agent": rich.Agent, "sidecar": rich.Sidecar} {
		for _, want := range []string{"otel-gateway-headless.observability.svc.cluster.local", TLSCAFile, TLSCertFile} {
			if !strings.Contains(text, want) {
				t.Errorf("%s config lacks %q", tier, want)
			}
		}
	}
	if !strings.Contains(rich.Gateway, TLSKeyFile) || !strings.Contains(rich.Canary, "level: debug") || strings.Contains(rich.Gateway, "level: debug") {
		t.Errorf("gateway/canary configs: TLS key or canary log level wrong")
	}
	if !strings.Contains(rich.Sidecar, "${env:K8S_POD_UID}") || strings.Contains(rich.Agent, "${env:K8S_POD_UID}") {
		t.Error("only the sidecar takes its pod's identity from the downward API")
	}

	bad := spec()
	bad.GatewayMemoryLimitMiB = 0
	if _, err := NewConfigs(bad); err == nil || !strings.Contains(err.Error(), "gateway") {
		t.Errorf("a gateway without memory: err = %v", err)
	}
}
