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
