package azure

import (
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/otelfleet/otelfleet/internal/synth"
	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/config"
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
		{"public", map[string]string{"otelfleet:gatewayIngestInternal": "false", "otelfleet:aksIngestPrivateIp": "10.224.255.200"}, probes()},
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
	got := map[string]any{}
	program := stacks.Program(map[string]stacks.Builder{"azure": func(ctx *pulumi.Context, cfg config.Stack) error {
		out, err := azure.Deploy(ctx, cfg)
		for name, v := range out {
			pulumi.ToOutput(v).ApplyT(func(x any) any {
				mu.Lock()
				defer mu.Unlock()
				got[name] = x
				return x
			})
		}
		return err
	}})
	if _, err := synth.Render(sc, program); err != nil {
		t.Fatal(err)
	}
	return got
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
		{"public", map[string]string{"otelfleet:gatewayIngestInternal": "false"}, synth.FakeIngestPublicIP},
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

const ingestPolicyManifest = "networkpolicy-observability-otel-gateway-ingest.yaml"

// TestIngestNetworkPolicy: the fleet's NetworkPolicy admits OTLP only from labelled
// namespaces; the ingest policy admits the load balancer's clients (source ranges, or any
// address but the pods') and Azure's health probes, on the gateway pods only.
func TestIngestNetworkPolicy(t *testing.T) {
	block := func(cidr string, except ...string) map[string]any {
		b := map[string]any{"cidr": cidr}
		if len(except) > 0 {
			var e []any
			for _, x := range except {
				e = append(e, x)
			}
			b["except"] = e
		}
		return map[string]any{"ipBlock": b}
	}
	port := func(p int) map[string]any { return map[string]any{"port": p, "protocol": "TCP"} }
	probes := map[string]any{"from": []any{block("168.63.129.16/32")}, "ports": []any{port(13133)}}
	for _, tt := range []struct {
		name    string
		values  map[string]string
		clients []any
	}{
		{"any client but the pods", nil, []any{block("0.0.0.0/0", "10.244.0.0/16")}},
		{"source ranges", map[string]string{"otelfleet:gatewayIngestSourceRanges": `["10.0.0.0/8","172.16.0.0/12"]`}, []any{block("10.0.0.0/8"), block("172.16.0.0/12")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := prod(t)
			if tt.values != nil {
				res = variant(t, tt.values)
			}
			np, ok := res.Manifests[ingestPolicyManifest]
			if !ok {
				t.Fatalf("no %s", ingestPolicyManifest)
			}
			spec := np["spec"].(map[string]any)
			equal(t, "policyTypes", spec["policyTypes"], []any{"Ingress"})
			equal(t, "ingress", spec["ingress"], []any{
				map[string]any{"from": tt.clients, "ports": []any{port(4317), port(4318), port(13133)}},
				probes,
			})
			// The same pods as the fleet's own policy, and the gateway's pods carry the labels.
			fleetPolicy := res.Manifests["networkpolicy-observability-otel-gateway.yaml"]
			equal(t, "podSelector", spec["podSelector"], fleetPolicy["spec"].(map[string]any)["podSelector"])
			tmpl := res.Manifests["statefulset-observability-otel-gateway.yaml"]["spec"].(map[string]any)["template"].(map[string]any)
			labels := tmpl["metadata"].(map[string]any)["labels"].(map[string]any)
			for k, v := range spec["podSelector"].(map[string]any)["matchLabels"].(map[string]any) {
				if labels[k] != v {
					t.Errorf("gateway pods have %s=%v; the ingest policy selects %v", k, labels[k], v)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		if _, ok := variant(t, map[string]string{"otelfleet:gatewayIngest": "false"}).Manifests[ingestPolicyManifest]; ok {
			t.Error("an ingest NetworkPolicy with gatewayIngest false")
		}
	})
}
