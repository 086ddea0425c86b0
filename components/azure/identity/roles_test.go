package identity

import "testing"

func TestRoleDefinitionIDFor(t *testing.T) {
	id, err := MonitoringMetricsPublisher.IDFor("/subscriptions/abc/resourceGroups/rg/providers/Microsoft.Insights/components/ai")
	if want := "/subscriptions/abc/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb"; err != nil || id != want {
		t.Errorf("IDFor = %q, %v; want %q", id, err, want)
	}
	for _, scope := range []string{"", "abc", "/resourceGroups/rg", "/subscriptions/"} {
		if _, err := AKSRBACClusterAdmin.IDFor(scope); err == nil {
			t.Errorf("IDFor(%q) accepted a scope outside a subscription", scope)
		}
	}
}
