// Package azure builds the azure stack: resource group, Azure Monitor (Log Analytics and
// Application Insights), the AKS cluster, the collectors' managed identities, the collector
// fleet on AKS exporting to Azure Monitor, and a collector gateway in ACI for workloads
// outside the cluster.
package azure

import (
	"maps"
	"slices"
	"strings"

	"github.com/otelfleet/otelfleet/components/azure/aci"
	"github.com/otelfleet/otelfleet/components/azure/aks"
	"github.com/otelfleet/otelfleet/components/azure/monitor"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Outputs are the azure stack's outputs, by name. gatewayIngestHost is read by the aws
// stack's DR failover through a StackReference: keep the name.
type Outputs map[string]pulumi.Input

// Build builds the azure stack from a validated configuration and exports its outputs.
func Build(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error {
	out, err := Deploy(ctx, cfg, p)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(out)) {
		ctx.Export(name, out[name])
	}
	return nil
}

// Deploy creates the azure stack's resources and returns the outputs Build exports (besides
// gatewayEndpoint and agentEndpoint, which common.DeployFleet exports).
func Deploy(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) (Outputs, error) {
	az := cfg.Azure
	tags := azureTags(cfg.Tags)

	// One explicit provider for every Azure resource: the pinned SDK modules come at
	// different versions (containerservice 2.82, managedidentity 2.81, the rest 2.90), and
	// without it each version would need its own provider plugin.
	provider, err := azurenative.NewProvider(ctx, cfg.Name+"-azure", &azurenative.ProviderArgs{Location: pulumi.String(az.Location)})
	if err != nil {
		return nil, err
	}
	withProvider := pulumi.Provider(provider)

	rg, err := resources.NewResourceGroup(ctx, cfg.Name+"-rg", &resources.ResourceGroupArgs{
		Location: pulumi.String(az.Location),
		Tags:     pulumi.ToStringMap(tags),
	}, withProvider)
	if err != nil {
		return nil, err
	}

	monArgs := &monitor.Args{
		ResourceGroupName: rg.Name, Location: az.Location, Tags: tags,
		RetentionDays: az.LogAnalyticsRetentionDays, CreateAppInsights: az.AppInsightsCreate,
	}
	if !az.AppInsightsCreate {
		monArgs.ExistingConnectionString = pulumi.ToSecret(pulumi.String(az.AppInsightsConnectionString)).(pulumi.StringOutput)
	}
	mon, err := monitor.NewMonitoring(ctx, cfg.Name+"-monitor", monArgs, withProvider)
	if err != nil {
		return nil, err
	}

	cluster, err := aks.NewCluster(ctx, cfg.Name+"-aks", &aks.Args{
		ResourceGroupName: rg.Name, Location: az.Location, Tags: tags,
		DNSPrefix:         cfg.Name,
		KubernetesVersion: az.AKSVersion,
		NodePool: aks.NodePool{
			VMSize: az.AKSNodeVMSize, Count: az.AKSNodeCount, Min: az.AKSNodeMin, Max: az.AKSNodeMax, Zones: az.AKSZones,
		},
		PodCIDR:              az.AKSPodCIDR,
		SKUTier:              az.AKSSkuTier,
		WorkspaceID:          mon.WorkspaceID,
		AdminGroupObjectIDs:  az.AKSAdminGroupObjectIDs,
		DeployerClusterAdmin: az.AKSDeployerAdmin,
		KubeloginMode:        az.AKSKubeloginMode,
		AuthorizedIPRanges:   cfg.Cluster.APIAllowedCIDRs,
	}, withProvider)
	if err != nil {
		return nil, err
	}

	fleet, k8s, err := deployAKSFleet(ctx, cfg, p, rg.Name, tags, mon, cluster, withProvider)
	if err != nil {
		return nil, err
	}
	out := Outputs{
		"resourceGroupName":           rg.Name,
		"clusterName":                 cluster.Name,
		"kubeconfig":                  cluster.Kubeconfig,
		"oidcIssuerUrl":               cluster.OIDCIssuerURL,
		"workspaceId":                 mon.WorkspaceID,
		"workspaceCustomerId":         mon.WorkspaceCustomerID,
		"appInsightsConnectionString": mon.ConnectionString,
		// The ingest load balancer's IP ("" without otelfleet:gatewayIngest).
		"gatewayIngestHost": fleet.GatewayIngestHost,
	}
	var aciGroup *aci.Collector
	if az.ACIEnabled {
		if aciGroup, err = deployACICollector(ctx, cfg, p, fleet, rg.Name, tags, mon, withProvider, out); err != nil {
			return nil, err
		}
	}
	if az.Alerts {
		if err := deployAlerts(ctx, cfg, p, rg.Name, tags, mon, cluster, aciGroup, k8s, withProvider); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// azureTags are the stack's tags as Azure accepts them: tag names cannot contain < > % & \ ? /
// (so app.kubernetes.io/part-of becomes app.kubernetes.io_part-of).
func azureTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[strings.Map(func(r rune) rune {
			if strings.ContainsRune(`<>%&\?/`, r) {
				return '_'
			}
			return r
		}, k)] = v
	}
	return out
}
