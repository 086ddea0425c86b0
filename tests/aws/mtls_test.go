package aws

import (
	"fmt"
	"strings"
	"testing"
)

// TestGlobalIngestSpeaksMutualTLS: the gateway's certificate carries the global and regional
// ingest names that outside senders verify, and a regional gateway forwards upstream with
// its own certificate (the global gateway requires client certificates).
func TestGlobalIngestSpeaksMutualTLS(t *testing.T) {
	r := prod(t)
	cert, ok := r.Manifests["certificate-observability-otel-gateway-tls.yaml"]
	if !ok {
		t.Fatal("no gateway certificate")
	}
	names := fmt.Sprint(cert["spec"].(map[string]any)["dnsNames"])
	for _, want := range []string{"otlp.observability.example.com", "otel-gateway.observability.svc.cluster.local"} {
		if !strings.Contains(names, want) {
			t.Errorf("gateway certificate names %s lack %s", names, want)
		}
	}
	euw1, err := renderStack(t, "aws-prod-euw1", nil)
	if err != nil {
		t.Fatal(err)
	}
	gw := euw1.Collector["observability-otel-euw1-gateway.yaml"]
	i := strings.Index(gw, "otlp_grpc/upstream:")
	if i < 0 {
		t.Fatalf("no upstream exporter:\n%s", gw)
	}
	upstream := gw[i:]
	if j := strings.Index(upstream[1:], "\n  otlp"); j > 0 {
		upstream = upstream[:j+1]
	}
	for _, want := range []string{"cert_file: /etc/otelcol-tls/tls.crt", "key_file: /etc/otelcol-tls/tls.key", "ca_file: /etc/otelcol-tls/ca.crt"} {
		if !strings.Contains(upstream, want) {
			t.Errorf("upstream exporter lacks %q:\n%s", want, upstream)
		}
	}
}
