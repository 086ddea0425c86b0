package aks

import (
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Container Insights with managed-identity authentication (the monitoring add-on's
// useAADAuth) reads what to collect from a data collection rule associated with the
// cluster; without the rule and the association the add-on runs but sends nothing.
const (
	containerInsightsStream      = "Microsoft-ContainerInsights-Group-Default"
	containerInsightsExtension   = "ContainerInsights"
	containerInsightsAssociation = "ContainerInsightsExtension"
	workspaceDestination         = "ciworkspace"
)

// newContainerInsights creates the data collection rule that sends the add-on's data to the
// workspace, and its association with the cluster.
func newContainerInsights(ctx *pulumi.Context, name string, a Args, clusterID pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	dcr, err := insights.NewDataCollectionRule(ctx, name, &insights.DataCollectionRuleArgs{
		ResourceGroupName: a.ResourceGroupName,
		Location:          pulumi.String(a.Location),
		Kind:              pulumi.String("Linux"),
		Description:       pulumi.String("Container Insights of the otelfleet AKS cluster"),
		DataSources: &insights.DataCollectionRuleDataSourcesArgs{
			Extensions: insights.ExtensionDataSourceArray{insights.ExtensionDataSourceArgs{
				Name:          pulumi.String(containerInsightsAssociation),
				ExtensionName: pulumi.String(containerInsightsExtension),
				Streams:       pulumi.StringArray{pulumi.String(containerInsightsStream)},
				ExtensionSettings: pulumi.Map{"dataCollectionSettings": pulumi.Map{
					"interval":               pulumi.String("1m"),
					"namespaceFilteringMode": pulumi.String("Off"),
					"enableContainerLogV2":   pulumi.Bool(true),
				}},
			}},
		},
		Destinations: &insights.DataCollectionRuleDestinationsArgs{
			LogAnalytics: insights.LogAnalyticsDestinationArray{insights.LogAnalyticsDestinationArgs{
				Name:                pulumi.String(workspaceDestination),
				WorkspaceResourceId: a.WorkspaceID,
			}},
		},
		DataFlows: insights.DataFlowArray{insights.DataFlowArgs{
			Streams:      pulumi.StringArray{pulumi.String(containerInsightsStream)},
			Destinations: pulumi.StringArray{pulumi.String(workspaceDestination)},
		}},
		Tags: pulumi.ToStringMap(a.Tags),
	}, opts...)
	if err != nil {
		return err
	}
	_, err = insights.NewDataCollectionRuleAssociation(ctx, name+"-association", &insights.DataCollectionRuleAssociationArgs{
		AssociationName:      pulumi.String(containerInsightsAssociation),
		ResourceUri:          clusterID,
		DataCollectionRuleId: dcr.ID().ToStringOutput(),
	}, opts...)
	return err
}
