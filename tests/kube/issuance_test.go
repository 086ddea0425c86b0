package kube

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/internal/kubetest"
)

// testIssuanceScoped: with the stack's objects applied, a Certificate or CertificateRequest
// that names the fleet's issuer is admitted only in the fleet's namespaces — anywhere else
// the apiserver refuses it, so no workload outside the fleet can obtain a client
// certificate the gateway accepts.
func testIssuanceScoped(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	issuer := r.Config.Names().CAIssuer()
	if r.Config.TLS.Issuer != "" {
		issuer = r.Config.TLS.Issuer
	}
	if _, _, err := c.Apply(ctx, []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: outsider\n"), kubetest.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	certificate := func(ns, issuerName, kind string) []byte {
		return []byte(fmt.Sprintf(`apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: probe, namespace: %s}
spec:
  secretName: probe
  dnsNames: [probe.example]
  issuerRef: {name: %s, kind: %s, group: cert-manager.io}
`, ns, issuerName, kind))
	}
	request := []byte(fmt.Sprintf(`apiVersion: cert-manager.io/v1
kind: CertificateRequest
metadata: {name: probe, namespace: outsider}
spec:
  request: %s
  issuerRef: {name: %s, kind: ClusterIssuer, group: cert-manager.io}
`, "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K", issuer))

	// The policy takes effect a moment after it is stored.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, _, err := c.Apply(ctx, certificate("outsider", issuer, "ClusterIssuer"), kubetest.ApplyOptions{DryRun: true})
		if err != nil && strings.Contains(err.Error(), kube.IssuanceMessage) {
			t.Logf("refused outside the fleet: %v", err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a Certificate naming ClusterIssuer %s in namespace outsider is admitted (err %v)", issuer, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, _, err := c.Apply(ctx, request, kubetest.ApplyOptions{DryRun: true}); err == nil || !strings.Contains(err.Error(), kube.IssuanceMessage) {
		t.Errorf("a CertificateRequest naming the fleet's issuer outside the fleet: err = %v, want the issuance policy's refusal", err)
	}
	for _, ns := range []string{r.Config.Kubernetes.Namespace, r.Config.Kubernetes.AgentNamespace} {
		if _, _, err := c.Apply(ctx, certificate(ns, issuer, "ClusterIssuer"), kubetest.ApplyOptions{DryRun: true}); err != nil {
			t.Errorf("a Certificate in the fleet's namespace %s is refused: %v", ns, err)
		}
	}
	// Other issuers stay usable everywhere.
	if _, _, err := c.Apply(ctx, certificate("outsider", "someone-elses-ca", "ClusterIssuer"), kubetest.ApplyOptions{DryRun: true}); err != nil {
		t.Errorf("a Certificate naming another issuer is refused: %v", err)
	}
	if _, _, err := c.Apply(ctx, certificate("outsider", issuer, "Issuer"), kubetest.ApplyOptions{DryRun: true}); err != nil {
		t.Errorf("a Certificate naming a namespaced Issuer of the same name is refused: %v", err)
	}
}
