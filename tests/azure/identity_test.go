package azure

import (
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/synth"
)

const (
	gatewayIdentity = "otel-gateway-identity"
	aciIdentity     = "otel-aci-identity"
)

func TestGatewayWorkloadIdentity(t *testing.T) {
	res := prod(t)
	c := one(t, res, clusterType)
	fed := one(t, res, federationType)
	equal(t, "issuer", at(t, fed, "issuer"), synth.FakeOIDCIssuerURL("eastus", c.Name))
	equal(t, "audiences", at(t, fed, "audiences"), []any{"api://AzureADTokenExchange"})
	equal(t, "identity", at(t, fed, "resourceName"), gatewayIdentity)

	// The subject is the gateway's ServiceAccount as rendered, which carries the client id.
	sa := res.Manifests["serviceaccount-observability-otel-gateway.yaml"]
	if sa == nil {
		t.Fatal("no gateway ServiceAccount manifest")
	}
	meta := sa["metadata"].(map[string]any)
	equal(t, "subject", at(t, fed, "subject"), "system:serviceaccount:"+meta["namespace"].(string)+":"+meta["name"].(string))
	equal(t, "subject", at(t, fed, "subject"), "system:serviceaccount:observability:otel-gateway")
	annotations, _ := meta["annotations"].(map[string]any)
	equal(t, "client-id annotation", annotations["azure.workload.identity/client-id"], synth.FakeClientID(gatewayIdentity))

	// The webhook only injects the token into pods labelled for it.
	sts := res.Manifests["statefulset-observability-otel-gateway.yaml"]
	spec := sts["spec"].(map[string]any)
	labels := spec["template"].(map[string]any)["metadata"].(map[string]any)["labels"].(map[string]any)
	equal(t, "pod label azure.workload.identity/use", labels["azure.workload.identity/use"], "true")
	pod := spec["template"].(map[string]any)["spec"].(map[string]any)
	equal(t, "pod serviceAccountName", pod["serviceAccountName"], meta["name"])
}

func TestRoleAssignments(t *testing.T) {
	res := prod(t)
	rg := rgName(t, res)
	appInsights := synth.FakeResourceID(appInsightsType, rg, one(t, res, appInsightsType).Name)
	cluster := synth.FakeResourceID(clusterType, rg, one(t, res, clusterType).Name)
	roleID := func(guid string) string {
		return "/subscriptions/" + synth.FakeSubscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
	}
	want := map[string]struct{ principal, principalType, role, scope string }{
		"otel-gateway-identity-metrics-publisher": {synth.FakePrincipalID(gatewayIdentity), "ServicePrincipal", roleID(monitoringMetricsPublisher), appInsights},
		"otel-aci-identity-metrics-publisher":     {synth.FakePrincipalID(aciIdentity), "ServicePrincipal", roleID(monitoringMetricsPublisher), appInsights},
		// The deployer (fake client id: not the Azure CLI's) is a service principal.
		"otel-aks-deployer-admin": {synth.FakeDeployerObjectID, "ServicePrincipal", roleID(aksRBACClusterAdmin), cluster},
	}
	got := res.Find(roleAssignmentType)
	if len(got) != len(want) {
		t.Errorf("%d role assignments; want %d", len(got), len(want))
	}
	for _, ra := range got {
		w, ok := want[ra.Name]
		if !ok {
			t.Errorf("unexpected role assignment %s: %v", ra.Name, ra.Inputs)
			continue
		}
		equal(t, ra.Name+" principalId", at(t, ra, "principalId"), w.principal)
		equal(t, ra.Name+" principalType", at(t, ra, "principalType"), w.principalType)
		equal(t, ra.Name+" roleDefinitionId", at(t, ra, "roleDefinitionId"), w.role)
		equal(t, ra.Name+" scope", at(t, ra, "scope"), w.scope)
		// Least privilege: never a resource group or subscription.
		if scope, _ := ra.Inputs["scope"].(string); strings.Count(scope, "/") < 8 {
			t.Errorf("%s is scoped to %s, wider than one resource", ra.Name, scope)
		}
	}

	t.Run("deployer access off", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:aksDeployerClusterAdmin": "false", "otelfleet:aksAdminGroupObjectIds": `["0b5e2c7a-1f0e-4a4b-9c3e-7d2f6a1b8c90"]`})
		for _, ra := range res.Find(roleAssignmentType) {
			if strings.Contains(ra.Name, "deployer") {
				t.Errorf("deployer role assignment %s with aksDeployerClusterAdmin false", ra.Name)
			}
		}
		equal(t, "admin groups", at(t, one(t, res, clusterType), "aadProfile.adminGroupObjectIDs"), []any{"0b5e2c7a-1f0e-4a4b-9c3e-7d2f6a1b8c90"})
	})
}
