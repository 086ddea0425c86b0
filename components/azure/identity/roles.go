package identity

import (
	"fmt"
	"strings"
)

// RoleDefinition is the GUID of an Azure built-in role. The ids are the same in every
// subscription and tenant.
type RoleDefinition string

// The built-in roles otelfleet assigns.
const (
	// MonitoringMetricsPublisher may send telemetry to Azure Monitor with Entra ID tokens
	// (Application Insights ingestion with local authentication off, custom metrics).
	MonitoringMetricsPublisher RoleDefinition = "3913510d-42f4-4e42-8a64-420c390055eb"
	// AKSRBACClusterAdmin is "Azure Kubernetes Service RBAC Cluster Admin": full access to
	// a cluster with Azure RBAC for Kubernetes authorization.
	AKSRBACClusterAdmin RoleDefinition = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
)

// IDFor is the role definition's resource id in the subscription of scope, an ARM resource
// id (/subscriptions/<id>/...).
func (r RoleDefinition) IDFor(scope string) (string, error) {
	parts := strings.Split(scope, "/")
	if len(parts) < 3 || parts[0] != "" || !strings.EqualFold(parts[1], "subscriptions") || parts[2] == "" {
		return "", fmt.Errorf("role %s: scope %q is not an ARM resource id under /subscriptions/<id>", r, scope)
	}
	return "/subscriptions/" + parts[2] + "/providers/Microsoft.Authorization/roleDefinitions/" + string(r), nil
}
