// Package azure builds the azure stack: resource group, Azure Monitor (Log Analytics and
// Application Insights), the AKS cluster, the collectors' managed identities, the collector
// fleet on AKS exporting to Azure Monitor, and a collector gateway in ACI for workloads
// outside the cluster.
package azure

import (
	"strings"

	"github.com/otelfleet/otelfleet/components/azure/aks"
	"github.com/otelfleet/otelfleet/components/azure/monitor"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Build builds the azure stack from a validated configuration.
func Build(ctx *pulumi.Context, cfg config.Stack) error {
	az := cfg.Azure
	tags := azureTags(cfg.Tags)

	// One explicit provider for every Azure resource: the pinned SDK modules come at
	// different versions (containerservice 2.82, managedidentity 2.81, the rest 2.90), and
	// without it each version would need its own provider plugin.
	provider, err := azurenative.NewProvider(ctx, cfg.Name+"-azure", &azurenative.ProviderArgs{Location: pulumi.String(az.Location)})
	if err != nil {
		return err
	}
	withProvider := pulumi.Provider(provider)

	rg, err := resources.NewResourceGroup(ctx, cfg.Name+"-rg", &resources.ResourceGroupArgs{
		Location: pulumi.String(az.Location),
		Tags:     pulumi.ToStringMap(tags),
	}, withProvider)
	if err != nil {
		return err
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
		return err
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
	}, withProvider)
	if err != nil {
		return err
	}

	if err := deployAKSFleet(ctx, cfg, rg.Name, tags, mon, cluster, withProvider); err != nil {
		return err
	}
	if az.ACIEnabled {
		if err := deployACICollector(ctx, cfg, rg.Name, tags, mon, withProvider); err != nil {
			return err
		}
	}

	ctx.Export("resourceGroupName", rg.Name)
	ctx.Export("clusterName", cluster.Name)
	ctx.Export("kubeconfig", cluster.Kubeconfig)
	ctx.Export("oidcIssuerUrl", cluster.OIDCIssuerURL)
	ctx.Export("workspaceId", mon.WorkspaceID)
	ctx.Export("workspaceCustomerId", mon.WorkspaceCustomerID)
	ctx.Export("appInsightsConnectionString", mon.ConnectionString)
	return nil
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
