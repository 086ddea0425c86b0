package aci

import (
	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource log categories of container groups, each written to its own workspace table of
// the same name (destination type Dedicated).
const (
	LogCategoryContainerOutput = "ContainerInstanceLog"
	LogCategoryContainerEvents = "ContainerEvent"
)

// newDiagnostics sends a container group's resource logs to a workspace. A diagnostic
// setting needs no workspace key, unlike the group's own diagnostics.logAnalytics block.
func newDiagnostics(ctx *pulumi.Context, name string, group pulumi.StringInput, workspace pulumi.StringInput, opts ...pulumi.ResourceOption) (*insights.DiagnosticSetting, error) {
	return insights.NewDiagnosticSetting(ctx, name, &insights.DiagnosticSettingArgs{
		Name:                        pulumi.String("otelfleet-logs"),
		ResourceUri:                 group,
		WorkspaceId:                 workspace,
		LogAnalyticsDestinationType: pulumi.String("Dedicated"),
		Logs: insights.LogSettingsArray{
			insights.LogSettingsArgs{Category: pulumi.String(LogCategoryContainerOutput), Enabled: pulumi.Bool(true)},
			insights.LogSettingsArgs{Category: pulumi.String(LogCategoryContainerEvents), Enabled: pulumi.Bool(true)},
		},
	}, opts...)
}
