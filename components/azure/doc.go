// Package azure groups otelfleet's Azure components, one package per concern:
//
//   - monitor: Log Analytics workspace and workspace-based Application Insights.
//   - aks: the AKS cluster (managed identity, Entra ID + Azure RBAC, OIDC issuer and
//     workload identity, Container Insights) and its kubeconfig; the Azure load balancer
//     annotations of the gateway's ingest Service; the Container Insights agent settings
//     that scrape the collectors' self-metrics into Log Analytics.
//   - identity: user-assigned managed identities, their federated credentials (workload
//     identity) and role assignments.
//   - vnet: the VNet, delegated subnet and NAT gateway the ACI collector runs in.
//   - aci: the collector gateway in Azure Container Instances (resource logs to the workspace).
//   - alerts: Azure Monitor metric and log search alerts and their action group, with the
//     rules of the collector fleet (AKS, ACI, Application Insights ingestion).
//   - arm: registration of azure-native resources whose SDK module is not used (see arm).
//
// They use the pulumi-azure-native-sdk v2 modules pinned in go.mod and never import the
// AWS SDKs. Every component takes the azure-native provider through its options
// (pulumi.Provider), so one explicit provider serves all of them.
package azure
