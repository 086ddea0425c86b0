package azure

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"sigs.k8s.io/yaml"
)

// collectorConfig is the part of a rendered collector config these tests read.
type collectorConfig struct {
	Exporters map[string]map[string]any `json:"exporters"`
	Service   struct {
		Pipelines map[string]struct {
			Exporters []string `json:"exporters"`
		} `json:"pipelines"`
	} `json:"service"`
}

// TestRegionalGatewayForwardsUpstream: with otelfleet:upstreamOtlpEndpoint (a global
// gateway) both the AKS gateway and the ACI collector forward every signal there, beside
// Azure Monitor or (upstreamOnly) instead of it, and the real collector accepts the configs.
func TestRegionalGatewayForwardsUpstream(t *testing.T) {
	bin := otelcoltest.Binary(t)
	tests := []struct {
		name     string
		values   map[string]string
		exporter string
		endpoint string
		want     []string // every pipeline's exporters
	}{
		{"grpc, beside Azure Monitor", map[string]string{"otelfleet:upstreamOtlpEndpoint": "global-gateway.example.com:4317", "otelfleet:tlsCaStack": "acme/otelfleet/aws-prod"},
			"otlp_grpc/upstream", "global-gateway.example.com:4317", []string{"azure_monitor", "otlp_grpc/upstream"}},
		{"http, instead of Azure Monitor", map[string]string{"otelfleet:upstreamOtlpEndpoint": "https://global-gateway.example.com:4318", "otelfleet:tlsCaStack": "acme/otelfleet/aws-prod", "otelfleet:upstreamOtlpProtocol": "http", "otelfleet:upstreamOnly": "true"},
			"otlp_http/upstream", "https://global-gateway.example.com:4318", []string{"otlp_http/upstream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := variant(t, tt.values)
			for _, file := range []string{"observability-otel-gateway.yaml", "otel-aci.yaml"} {
				text, ok := res.Collector[file]
				if !ok {
					t.Fatalf("no collector config %s", file)
				}
				var cfg collectorConfig
				if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
					t.Fatal(err)
				}
				up := cfg.Exporters[tt.exporter]
				if up == nil {
					t.Fatalf("%s has no %s exporter:\n%s", file, tt.exporter, text)
				}
				equal(t, file+" endpoint", up["endpoint"], tt.endpoint)
				equal(t, file+" compression", up["compression"], "gzip")
				// The gateway preset's queue and retry apply to the upstream exporter too.
				if q, _ := up["sending_queue"].(map[string]any); q == nil || q["enabled"] != true {
					t.Errorf("%s: %s has no sending queue: %v", file, tt.exporter, up)
				}
				// With otelfleet:tlsEnabled the AKS gateway presents its cert-manager certificate to
				// the upstream (mTLS between clusters sharing an issuer); the ACI collector has none.
				tls, _ := up["tls"].(map[string]any)
				if file == "otel-aci.yaml" {
					if tls["cert_file"] != nil || tls["key_file"] != nil {
						t.Errorf("%s: the ACI collector presents a client certificate it does not have: %v", file, tls)
					}
				} else {
					equal(t, file+" client certificate", []any{tls["ca_file"], tls["cert_file"], tls["key_file"]},
						[]any{kube.TLSCAFile, kube.TLSCertFile, kube.TLSKeyFile})
				}
				for _, signal := range []string{"traces", "metrics", "logs"} {
					got := slices.Sorted(slices.Values(cfg.Service.Pipelines[signal].Exporters))
					equal(t, file+" "+signal+" exporters", got, tt.want)
				}
				path := filepath.Join(t.TempDir(), file)
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				env := []string{"APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/", "MY_POD_IP=127.0.0.1"}
				if out, err := otelcoltest.Validate(bin, path, env); err != nil {
					t.Errorf("the collector rejects %s: %v\n%s", file, err, out)
				}
			}
		})
	}
}
