// Package monitor creates the Azure Monitor side of the fleet: a Log Analytics workspace and
// a workspace-based Application Insights resource whose connection string the collectors'
// azure_monitor exporter uses. Traces, metrics and logs sent through Application Insights
// land in the workspace, so the seeds' separate `azureloganalytics` exporter (which does not
// exist upstream) is not needed.
package monitor

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Args describe the monitoring resources. Defaults: RetentionDays 30, WorkspaceSku
// "PerGB2018".
type Args struct {
	ResourceGroupName pulumi.StringInput
	Location          string
	Tags              map[string]string
	RetentionDays     int
	WorkspaceSku      string
	// CreateAppInsights creates the Application Insights resource. When false,
	// ExistingConnectionString (a Pulumi secret) is the connection string of an existing one.
	CreateAppInsights        bool
	ExistingConnectionString pulumi.StringInput
}

// Monitoring is a Log Analytics workspace and (optionally) Application Insights on it.
type Monitoring struct {
	pulumi.ResourceState
	// WorkspaceID is the workspace's ARM resource id; WorkspaceCustomerID its workspace
	// (customer) id, the GUID queries and agents use.
	WorkspaceID         pulumi.StringOutput `pulumi:"workspaceId"`
	WorkspaceCustomerID pulumi.StringOutput `pulumi:"workspaceCustomerId"`
	// AppInsightsID is the Application Insights resource id; empty when an existing
	// resource is used through its connection string.
	AppInsightsID pulumi.StringOutput `pulumi:"appInsightsId"`
	// ConnectionString is the Application Insights connection string, always a secret.
	ConnectionString pulumi.StringOutput `pulumi:"connectionString"`
}

func (a *Args) withDefaults() (Args, error) {
	if a == nil || a.ResourceGroupName == nil || a.Location == "" {
		return Args{}, fmt.Errorf("monitor: ResourceGroupName and Location are required")
	}
	out := *a
	if out.RetentionDays == 0 {
		out.RetentionDays = 30
	}
	if out.WorkspaceSku == "" {
		out.WorkspaceSku = "PerGB2018"
	}
	if !out.CreateAppInsights && out.ExistingConnectionString == nil {
		return Args{}, fmt.Errorf("monitor: ExistingConnectionString is required when CreateAppInsights is false")
	}
	return out, nil
}

// NewMonitoring creates the workspace and Application Insights.
func NewMonitoring(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	a, err := args.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Monitoring{}
	if err := ctx.RegisterComponentResource("otelfleet:monitor:Monitoring", name, m, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(m)
	ws, err := operationalinsights.NewWorkspace(ctx, name+"-workspace", &operationalinsights.WorkspaceArgs{
		ResourceGroupName: a.ResourceGroupName,
		Location:          pulumi.String(a.Location),
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String(a.WorkspaceSku)},
		RetentionInDays:   pulumi.Int(a.RetentionDays),
		Tags:              pulumi.ToStringMap(a.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	m.WorkspaceID = ws.ID().ToStringOutput()
	m.WorkspaceCustomerID = ws.CustomerId

	if a.CreateAppInsights {
		ai, err := insights.NewComponent(ctx, name+"-appinsights", &insights.ComponentArgs{
			ResourceGroupName:   a.ResourceGroupName,
			Location:            pulumi.String(a.Location),
			Kind:                pulumi.String("web"),
			ApplicationType:     pulumi.String("web"),
			IngestionMode:       pulumi.String("LogAnalytics"),
			WorkspaceResourceId: m.WorkspaceID,
			// Local (connection-string) authentication stays on: the azure_monitor exporter of
			// the pinned collector authenticates with it.
			DisableLocalAuth: pulumi.Bool(false),
			Tags:             pulumi.ToStringMap(a.Tags),
		}, parent, pulumi.AdditionalSecretOutputs([]string{"connectionString", "instrumentationKey"}))
		if err != nil {
			return nil, err
		}
		m.AppInsightsID = ai.ID().ToStringOutput()
		m.ConnectionString = pulumi.ToSecret(ai.ConnectionString).(pulumi.StringOutput)
	} else {
		m.AppInsightsID = pulumi.String("").ToStringOutput()
		m.ConnectionString = pulumi.ToSecret(a.ExistingConnectionString).(pulumi.StringOutput)
	}
	return m, ctx.RegisterResourceOutputs(m, pulumi.Map{
		"workspaceId": m.WorkspaceID, "workspaceCustomerId": m.WorkspaceCustomerID,
		"appInsightsId": m.AppInsightsID, "connectionString": m.ConnectionString,
	})
}
