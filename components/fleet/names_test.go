package fleet

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	n := Names{Prefix: "otel", Namespace: "observability", AgentNamespace: "observability-agent"}
	for got, want := range map[string]string{
		n.Gateway():             "otel-gateway",
		n.GatewayCanary():       "otel-gateway-canary",
		n.GatewayHeadless():     "otel-gateway-headless",
		n.GatewayIngest():       "otel-gateway-ingest",
		n.GatewayTLSSecret():    "otel-gateway-tls",
		n.GatewayEnvSecret():    "otel-gateway-env",
		n.GatewayHost():         "otel-gateway.observability.svc.cluster.local",
		n.GatewayHeadlessHost(): "otel-gateway-headless.observability.svc.cluster.local",
		n.GatewayEndpoint():     "otel-gateway.observability.svc.cluster.local:4317",
		n.Agent():               "otel-agent",
		n.AgentHost():           "otel-agent.observability-agent.svc.cluster.local",
		n.AgentTLSSecret():      "otel-agent-tls",
		n.CAIssuer():            "otel-ca",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	wantDNS := []string{
		"otel-gateway.observability.svc.cluster.local", "otel-gateway", "otel-gateway.observability.svc",
		"*.otel-gateway-headless.observability.svc.cluster.local",
	}
	if got := n.GatewayDNSNames(); !slices.Equal(got, wantDNS) {
		t.Errorf("GatewayDNSNames = %q", got)
	}
	sel := n.GatewaySelector()
	if len(sel) != 3 || sel["app.kubernetes.io/instance"] != "otel-gateway" || sel["app.kubernetes.io/component"] != ComponentGateway || sel["app.kubernetes.io/name"] != CollectorName {
		t.Errorf("GatewaySelector = %v", sel)
	}
}
