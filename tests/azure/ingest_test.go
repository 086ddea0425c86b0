package azure

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const ingestManifest = "service-observability-otel-gateway-ingest.yaml"

// probes are the health probe annotations every ingest port gets: HTTP on the health_check
// port (a Service port, so the load balancer probes its NodePort), path "/".
func probes() map[string]string {
	out := map[string]string{}
	for _, port := range []string{"4317", "4318", "13133"} {
		prefix := "service.beta.kubernetes.io/port_" + port + "_health-probe_"
		out[prefix+"protocol"] = "http"
		out[prefix+"port"] = "13133"
		out[prefix+"request-path"] = "/"
	}
	return out
}

func ingestService(t *testing.T, res *synth.Result) map[string]any {
	t.Helper()
	svc, ok := res.Manifests[ingestManifest]
	if !ok {
		t.Fatalf("no %s among the manifests", ingestManifest)
	}
	return svc
}

func annotations(t *testing.T, obj map[string]any) map[string]string {
	t.Helper()
	meta, _ := obj["metadata"].(map[string]any)
	raw, _ := meta["annotations"].(map[string]any)
	out := map[string]string{}
	for k, v := range raw {
		out[k] = v.(string)
	}
	return out
}

func TestIngestServiceAnnotations(t *testing.T) {
	internal := probes()
	internal["service.beta.kubernetes.io/azure-load-balancer-internal"] = "true"
	pinned := maps.Clone(internal)
	pinned["service.beta.kubernetes.io/azure-load-balancer-ipv4"] = "10.224.255.200"
	tests := []struct {
		name   string
		values map[string]string
		want   map[string]string
	}{
		{"internal (azure-prod)", nil, internal},
		{"internal with a static private IP", map[string]string{"otelfleet:aksIngestPrivateIp": "10.224.255.200"}, pinned},
		// A public load balancer has no internal annotation; the private IP does not apply.
		{"public", map[string]string{"otelfleet:gatewayIngestInternal": "false", "otelfleet:gatewayIngestSourceRanges": `["203.0.113.0/24"]`, "otelfleet:aksIngestPrivateIp": "10.224.255.200"}, probes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := prod(t)
			if tt.values != nil {
				res = variant(t, tt.values)
			}
			svc := ingestService(t, res)
			equal(t, "annotations", annotations(t, svc), tt.want)
			spec := svc["spec"].(map[string]any)
			equal(t, "type", spec["type"], "LoadBalancer")
			// The probe port names a port of this Service.
			var ports []any
			for _, p := range spec["ports"].([]any) {
				ports = append(ports, p.(map[string]any)["port"])
			}
			equal(t, "ports", ports, []any{4317, 4318, 13133})
		})
	}
	t.Run("off", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:gatewayIngest": "false"})
		if _, ok := res.Manifests[ingestManifest]; ok {
			t.Error("an ingest Service with gatewayIngest false")
		}
	})
}

// outputs runs the azure stack through azure.Deploy (what Build exports) and returns every
// output's resolved value.
func outputs(t *testing.T, values map[string]string) map[string]any {
	t.Helper()
	sc, err := synth.ReadStackConfig("../..", "azure-prod")
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(sc.Values, values)
	var mu sync.Mutex
	var resolved sync.WaitGroup
	got := map[string]any{}
	program := stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"azure": func(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error {
		out, err := azure.Deploy(ctx, cfg, p)
		for name, v := range out {
			resolved.Add(1)
			pulumi.ToOutput(v).ApplyT(func(x any) any {
				mu.Lock()
				defer mu.Unlock()
				got[name] = x
				resolved.Done()
				return x
			})
		}
		return err
	}})
	if _, err := synth.Render(sc, program); err != nil {
		t.Fatal(err)
	}
	// An output built from a constant is not tracked by the run: wait for every apply.
	done := make(chan struct{})
	go func() { resolved.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("stack outputs did not resolve in 30 s")
	}
	mu.Lock()
	defer mu.Unlock()
	return maps.Clone(got)
}

// TestGatewayIngestHostOutput: the aws stack's DR failover reads the output gatewayIngestHost
// through a StackReference; it is the ingest load balancer's address.
func TestGatewayIngestHostOutput(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values map[string]string
		want   string
	}{
		{"internal", nil, synth.FakeIngestPrivateIP},
		{"pinned private IP", map[string]string{"otelfleet:aksIngestPrivateIp": "10.224.255.200"}, "10.224.255.200"},
		{"public", map[string]string{"otelfleet:gatewayIngestInternal": "false", "otelfleet:gatewayIngestSourceRanges": `["203.0.113.0/24"]`}, synth.FakeIngestPublicIP},
		{"no ingest", map[string]string{"otelfleet:gatewayIngest": "false"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := outputs(t, tt.values)
			v, ok := out["gatewayIngestHost"]
			if !ok {
				t.Fatalf("no gatewayIngestHost output; outputs: %v", slices.Sorted(maps.Keys(out)))
			}
			equal(t, "gatewayIngestHost", v, tt.want)
		})
	}
	t.Run("the other outputs stay", func(t *testing.T) {
		out := outputs(t, nil)
		for _, name := range []string{"resourceGroupName", "clusterName", "kubeconfig", "oidcIssuerUrl", "workspaceId", "workspaceCustomerId", "appInsightsConnectionString", "aciEgressIp", "aciGatewayEndpoint", "aciGatewayHttpEndpoint"} {
			if _, ok := out[name]; !ok {
				t.Errorf("no %s output", name)
			}
		}
	})
}

const probePolicyManifest = "networkpolicy-observability-otel-gateway-lb-probes.yaml"

// TestIngestNetworkPolicies: the fleet's NetworkPolicy admits the ingest's clients (source
// ranges, or any address); the Azure load balancer's health probes come from 168.63.129.16,
// which a second policy admits to the health port of the same pods.
func TestIngestNetworkPolicies(t *testing.T) {
	block := func(cidr string) map[string]any { return map[string]any{"ipBlock": map[string]any{"cidr": cidr}} }
	port := func(p int) map[string]any { return map[string]any{"port": p, "protocol": "TCP"} }
	for _, tt := range []struct {
		name    string
		values  map[string]string
		clients []any
	}{
		{"any client", nil, []any{block("0.0.0.0/0")}},
		{"source ranges", map[string]string{"otelfleet:gatewayIngestSourceRanges": `["10.0.0.0/8","172.16.0.0/12"]`}, []any{block("10.0.0.0/8"), block("172.16.0.0/12")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := prod(t)
			if tt.values != nil {
				res = variant(t, tt.values)
			}
			fleet := res.Manifests["networkpolicy-observability-otel-gateway.yaml"]["spec"].(map[string]any)
			clients := map[string]any{"from": tt.clients, "ports": []any{port(4317), port(4318), port(13133)}}
			if !slices.ContainsFunc(fleet["ingress"].([]any), func(r any) bool { return fmt.Sprint(r) == fmt.Sprint(clients) }) {
				t.Errorf("the fleet's NetworkPolicy does not admit the ingest clients %v:\n%v", clients, fleet["ingress"])
			}
			np, ok := res.Manifests[probePolicyManifest]
			if !ok {
				t.Fatalf("no %s", probePolicyManifest)
			}
			spec := np["spec"].(map[string]any)
			equal(t, "policyTypes", spec["policyTypes"], []any{"Ingress"})
			equal(t, "ingress", spec["ingress"], []any{map[string]any{"from": []any{block("168.63.129.16/32")}, "ports": []any{port(13133)}}})
			// The same pods as the fleet's own policy, and the gateway's pods carry the labels.
			equal(t, "podSelector", spec["podSelector"], fleet["podSelector"])
			tmpl := res.Manifests["statefulset-observability-otel-gateway.yaml"]["spec"].(map[string]any)["template"].(map[string]any)
			labels := tmpl["metadata"].(map[string]any)["labels"].(map[string]any)
			for k, v := range spec["podSelector"].(map[string]any)["matchLabels"].(map[string]any) {
				if labels[k] != v {
					t.Errorf("gateway pods have %s=%v; the probe policy selects %v", k, labels[k], v)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		if _, ok := variant(t, map[string]string{"otelfleet:gatewayIngest": "false"}).Manifests[probePolicyManifest]; ok {
			t.Error("a probe NetworkPolicy with gatewayIngest false")
		}
	})
}

// TestIngestNamesInTheGatewayCertificate: senders outside the cluster (the aws stack's agents
// after a DR failover) verify the gateway's certificate against the global name.
func TestIngestNamesInTheGatewayCertificate(t *testing.T) {
	names := func(res *synth.Result) []any {
		return res.Manifests["certificate-observability-otel-gateway-tls.yaml"]["spec"].(map[string]any)["dnsNames"].([]any)
	}
	if n := names(prod(t)); !slices.Contains(n, any("otlp.observability.example.com")) {
		t.Errorf("gateway certificate names %v lack otlp.observability.example.com", n)
	}
	res := variant(t, map[string]string{"otelfleet:aksIngestDnsNames": `["otlp.example.org","ingest.example.org"]`})
	n := names(res)
	if !slices.Contains(n, any("otlp.example.org")) || !slices.Contains(n, any("ingest.example.org")) || slices.Contains(n, any("otlp.observability.example.com")) {
		t.Errorf("gateway certificate names %v; want otlp.example.org and ingest.example.org", n)
	}
}
