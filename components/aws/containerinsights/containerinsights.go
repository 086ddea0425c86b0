// Package containerinsights turns on CloudWatch Container Insights for an EKS cluster: the
// amazon-cloudwatch-observability EKS add-on (CloudWatch agent) with its own IRSA role, and
// the performance log group it writes to, created first with a retention. Container logs
// (Fluent Bit) are off: the fleet's own agents collect logs. The metrics land in the
// ContainerInsights namespace (pod_cpu_utilization_over_pod_limit, ...), where the fleet's
// alarms read them.
package containerinsights

import (
	"encoding/json"
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names the add-on uses.
const (
	AddonName      = "amazon-cloudwatch-observability"
	Namespace      = "amazon-cloudwatch"
	ServiceAccount = "cloudwatch-agent"
	// MetricNamespace is where Container Insights publishes the cluster's metrics.
	MetricNamespace = "ContainerInsights"
)

// LogGroupName is the group the agent writes the performance events (EMF) to; CloudWatch
// extracts the ContainerInsights metrics from it.
func LogGroupName(cluster string) string {
	return fmt.Sprintf("/aws/containerinsights/%s/performance", cluster)
}

// Args describe the add-on. Defaults (defaults()): LogRetentionDays 30.
type Args struct {
	ClusterName      string             // required
	Region           string             // required
	Account          pulumi.StringInput // required
	OIDCProviderArn  pulumi.StringInput // required
	OIDCIssuer       pulumi.StringInput // required
	LogRetentionDays int
	Tags             map[string]string
}

// ContainerInsights is the add-on, its role and its log group.
type ContainerInsights struct {
	pulumi.ResourceState
	RoleArn      pulumi.StringOutput `pulumi:"roleArn"`
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
}

// Policy lets the agent write its performance events to the cluster's Container Insights
// log groups and read the EC2 metadata it decorates them with — narrower than the managed
// CloudWatchAgentServerPolicy (no PutMetricData, no X-Ray, no SSM, logs of this cluster
// only).
func Policy(partition, region, account, cluster string) policy.Document {
	groups := policy.ARN{Partition: partition, Service: "logs", Region: region, Account: account,
		Resource: "log-group:/aws/containerinsights/" + cluster + "/*"}.String()
	return policy.New(
		policy.Statement{
			Sid: "WriteContainerInsightsLogs", Effect: policy.Allow,
			Action:   []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:PutRetentionPolicy"},
			Resource: []string{groups, groups + ":log-stream:*"},
		},
		policy.Statement{
			Sid: "DescribeLogGroups", Effect: policy.Allow,
			Action:   []string{"logs:DescribeLogGroups"},
			Resource: []string{policy.ARN{Partition: partition, Service: "logs", Region: region, Account: account, Resource: "log-group:*"}.String()},
		},
		policy.Statement{
			Sid: "DescribeNodes", Effect: policy.Allow,
			Action: []string{"ec2:DescribeTags", "ec2:DescribeVolumes"}, Resource: []string{"*"},
		},
	)
}

// Configuration is the add-on's configuration: Container Insights metrics without the
// enhanced per-container series and without Application Signals, no container logs.
func Configuration() (string, error) {
	b, err := json.Marshal(map[string]any{
		"agent": map[string]any{"config": map[string]any{"logs": map[string]any{"metrics_collected": map[string]any{
			"kubernetes": map[string]any{"enhanced_container_insights": false},
		}}}},
		"containerLogs": map[string]any{"enabled": false},
	})
	return string(b), err
}

// New installs the add-on.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*ContainerInsights, error) {
	if args == nil || args.ClusterName == "" || args.Region == "" || args.Account == nil || args.OIDCProviderArn == nil || args.OIDCIssuer == nil {
		return nil, fmt.Errorf("container insights %s: ClusterName, Region, Account, OIDCProviderArn and OIDCIssuer are required", name)
	}
	a := *args
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	ci := &ContainerInsights{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:ContainerInsights", name, ci, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(ci)
	tags := pulumi.ToStringMap(a.Tags)
	// Created before the agent, so the group has a retention (the agent would create it
	// without one).
	group, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name: pulumi.String(LogGroupName(a.ClusterName)), RetentionInDays: pulumi.Int(a.LogRetentionDays), Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	doc := a.Account.ToStringOutput().ApplyT(func(account string) (string, error) {
		return Policy(policy.Partition(a.Region), a.Region, account, a.ClusterName).JSON()
	}).(pulumi.StringOutput)
	role, err := irsa.New(ctx, name, &irsa.Args{
		OIDCProviderArn: a.OIDCProviderArn, OIDCIssuer: a.OIDCIssuer, Namespace: Namespace, ServiceAccount: ServiceAccount,
		Policy: doc, Description: "CloudWatch agent (Container Insights) of EKS cluster " + a.ClusterName, Tags: a.Tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	configuration, err := Configuration()
	if err != nil {
		return nil, err
	}
	if _, err := eks.NewAddon(ctx, name, &eks.AddonArgs{
		ClusterName:              pulumi.String(a.ClusterName),
		AddonName:                pulumi.String(AddonName),
		ServiceAccountRoleArn:    role.Arn,
		ConfigurationValues:      pulumi.String(configuration),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
		Tags:                     tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{group})); err != nil {
		return nil, err
	}
	ci.RoleArn, ci.LogGroupName = role.Arn, group.Name
	return ci, ctx.RegisterResourceOutputs(ci, pulumi.Map{"roleArn": ci.RoleArn, "logGroupName": ci.LogGroupName})
}
