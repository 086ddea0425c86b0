// Package autoscaler deploys the Kubernetes cluster autoscaler on EKS as a pinned Helm
// release with its own IRSA role, so the managed node group's min/max and its discovery
// tags take effect. The role may only resize Auto Scaling groups tagged as owned by this
// cluster.
package autoscaler

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/eks"
	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/policy"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Chart repository of the cluster autoscaler.
const Repo = "https://kubernetes.github.io/autoscaler"

// Args describe the autoscaler. Defaults (defaults()): Namespace kube-system,
// ServiceAccount cluster-autoscaler. Pass the AWS and the cluster's Kubernetes provider
// with pulumi.Providers.
type Args struct {
	ClusterName     string // required
	Region          string // required
	Account         pulumi.StringInput
	OIDCProviderArn pulumi.StringInput // required
	OIDCIssuer      pulumi.StringInput // required
	ChartVersion    string             // required: the release is pinned
	Namespace       string
	ServiceAccount  string
	Tags            map[string]string
}

// Autoscaler is the Helm release and its role.
type Autoscaler struct {
	pulumi.ResourceState
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
}

func (a Args) defaults() Args {
	if a.Namespace == "" {
		a.Namespace = "kube-system"
	}
	if a.ServiceAccount == "" {
		a.ServiceAccount = "cluster-autoscaler"
	}
	return a
}

// Policy is the autoscaler's least-privilege policy. Describe calls cannot be scoped to
// resources; resizing is limited to the cluster's node group Auto Scaling groups carrying
// the cluster's owner tag, and DescribeNodegroup to the cluster's node groups.
func Policy(partition, region, account, cluster string) policy.Document {
	arn := func(service, resource string) string {
		return policy.ARN{Partition: partition, Service: service, Region: region, Account: account, Resource: resource}.String()
	}
	return policy.New(
		policy.Statement{
			Sid:    "DiscoverNodeGroups",
			Effect: policy.Allow,
			Action: []string{
				"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
				"autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
				"ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
				"ec2:GetInstanceTypesInfoFromInstanceRequirements",
			},
			Resource: []string{"*"},
		},
		policy.Statement{
			Sid:      "DescribeOwnNodeGroups",
			Effect:   policy.Allow,
			Action:   []string{"eks:DescribeNodegroup"},
			Resource: []string{arn("eks", "nodegroup/"+cluster+"/*/*")},
		},
		policy.Statement{
			Sid:      "ResizeOwnNodeGroups",
			Effect:   policy.Allow,
			Action:   []string{"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"},
			Resource: []string{arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")},
			Condition: policy.Condition{"StringEquals": {
				"aws:ResourceTag/" + eks.AutoscalerOwnerTag(cluster): {"owned"},
			}},
		},
	)
}

// New deploys the autoscaler.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Autoscaler, error) {
	if args == nil || args.ClusterName == "" || args.Region == "" || args.ChartVersion == "" || args.Account == nil || args.OIDCProviderArn == nil || args.OIDCIssuer == nil {
		return nil, fmt.Errorf("autoscaler %s: ClusterName, Region, Account, OIDCProviderArn, OIDCIssuer and ChartVersion are required", name)
	}
	a := args.defaults()
	as := &Autoscaler{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:ClusterAutoscaler", name, as, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(as)
	doc := a.Account.ToStringOutput().ApplyT(func(account string) (string, error) {
		return Policy(policy.Partition(a.Region), a.Region, account, a.ClusterName).JSON()
	}).(pulumi.StringOutput)
	role, err := irsa.New(ctx, name, &irsa.Args{
		OIDCProviderArn: a.OIDCProviderArn, OIDCIssuer: a.OIDCIssuer,
		Namespace: a.Namespace, ServiceAccount: a.ServiceAccount,
		Policy: doc, Description: "cluster-autoscaler of EKS cluster " + a.ClusterName, Tags: a.Tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	_, err = helmv3.NewRelease(ctx, name, &helmv3.ReleaseArgs{
		Name:           pulumi.String("cluster-autoscaler"),
		Chart:          pulumi.String("cluster-autoscaler"),
		Version:        pulumi.String(a.ChartVersion),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(Repo)},
		Namespace:      pulumi.String(a.Namespace),
		Atomic:         pulumi.Bool(true),
		Values: pulumi.Map{
			"cloudProvider":    pulumi.String("aws"),
			"awsRegion":        pulumi.String(a.Region),
			"fullnameOverride": pulumi.String("cluster-autoscaler"),
			"autoDiscovery":    pulumi.Map{"clusterName": pulumi.String(a.ClusterName)},
			"rbac": pulumi.Map{"serviceAccount": pulumi.Map{
				"create":      pulumi.Bool(true),
				"name":        pulumi.String(a.ServiceAccount),
				"annotations": pulumi.StringMap{irsa.RoleArnAnnotation: role.Arn},
			}},
			"extraArgs": pulumi.Map{
				"balance-similar-node-groups":   pulumi.Bool(true),
				"skip-nodes-with-system-pods":   pulumi.Bool(false),
				"skip-nodes-with-local-storage": pulumi.Bool(false),
				"expander":                      pulumi.String("least-waste"),
			},
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	as.RoleArn = role.Arn
	return as, ctx.RegisterResourceOutputs(as, pulumi.Map{"roleArn": as.RoleArn})
}
