// Package lbcontroller installs the AWS Load Balancer Controller on EKS as a pinned Helm
// release with its own IRSA role and a least-privilege policy for Network Load Balancers
// of Services, and gives the Service annotations that make it provision one.
package lbcontroller

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/policy"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Repo is the Helm repository of the controller's chart.
const Repo = "https://aws.github.io/eks-charts"

// Args describe the controller. Defaults (defaults()): Namespace kube-system,
// ServiceAccount aws-load-balancer-controller. Pass the AWS provider and the cluster's
// Kubernetes provider with pulumi.Providers.
type Args struct {
	ClusterName     string             // required
	Region          string             // required
	Account         pulumi.StringInput // required
	VpcID           pulumi.StringInput // required: the controller is told its VPC (no IMDS lookup)
	OIDCProviderArn pulumi.StringInput // required
	OIDCIssuer      pulumi.StringInput // required
	ChartVersion    string             // required: the release is pinned
	Namespace       string
	ServiceAccount  string
	Tags            map[string]string
}

// Controller is the Helm release and its role.
type Controller struct {
	pulumi.ResourceState
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
	// Release is the Helm release (for dependencies: Services it reconciles are deleted
	// before it, so their load balancers are removed).
	Release *helmv3.Release `pulumi:"-"`
}

func (a Args) defaults() Args {
	if a.Namespace == "" {
		a.Namespace = "kube-system"
	}
	if a.ServiceAccount == "" {
		a.ServiceAccount = "aws-load-balancer-controller"
	}
	return a
}

// New installs the controller.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Controller, error) {
	if args == nil || args.ClusterName == "" || args.Region == "" || args.ChartVersion == "" ||
		args.Account == nil || args.VpcID == nil || args.OIDCProviderArn == nil || args.OIDCIssuer == nil {
		return nil, fmt.Errorf("load balancer controller %s: ClusterName, Region, Account, VpcID, OIDCProviderArn, OIDCIssuer and ChartVersion are required", name)
	}
	a := args.defaults()
	c := &Controller{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:LoadBalancerController", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	doc := pulumi.All(a.Account, a.VpcID).ApplyT(func(v []any) (string, error) {
		return Policy(Scope{Partition: policy.Partition(a.Region), Region: a.Region, Account: v[0].(string), Cluster: a.ClusterName, VpcID: v[1].(string)}).JSON()
	}).(pulumi.StringOutput)
	role, err := irsa.New(ctx, name, &irsa.Args{
		OIDCProviderArn: a.OIDCProviderArn, OIDCIssuer: a.OIDCIssuer,
		Namespace: a.Namespace, ServiceAccount: a.ServiceAccount,
		Policy: doc, Description: "aws-load-balancer-controller of EKS cluster " + a.ClusterName + " (NLBs for Services)", Tags: a.Tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	release, err := helmv3.NewRelease(ctx, name, &helmv3.ReleaseArgs{
		Name:           pulumi.String("aws-load-balancer-controller"),
		Chart:          pulumi.String("aws-load-balancer-controller"),
		Version:        pulumi.String(a.ChartVersion),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(Repo)},
		Namespace:      pulumi.String(a.Namespace),
		Atomic:         pulumi.Bool(true),
		Values:         values(a, role.Arn),
	}, parent)
	if err != nil {
		return nil, err
	}
	c.RoleArn, c.Release = role.Arn, release
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"roleArn": c.RoleArn})
}

// values configure the chart for NLBs of Services only: region and VPC given (no instance
// metadata lookups), no WAF/Shield (not granted), no IngressClass (ALB Ingress is not
// granted either), and no webhook that would make it the owner of every new LoadBalancer
// Service of the cluster — Services opt in with the type "external" annotation.
func values(a Args, roleArn pulumi.StringInput) pulumi.Map {
	return pulumi.Map{
		"clusterName":                 pulumi.String(a.ClusterName),
		"region":                      pulumi.String(a.Region),
		"vpcId":                       a.VpcID,
		"replicaCount":                pulumi.Int(2),
		"enableShield":                pulumi.Bool(false),
		"enableWaf":                   pulumi.Bool(false),
		"enableWafv2":                 pulumi.Bool(false),
		"createIngressClassResource":  pulumi.Bool(false),
		"enableServiceMutatorWebhook": pulumi.Bool(false),
		"podDisruptionBudget":         pulumi.Map{"maxUnavailable": pulumi.Int(1)},
		"serviceAccount": pulumi.Map{
			"create":      pulumi.Bool(true),
			"name":        pulumi.String(a.ServiceAccount),
			"annotations": pulumi.StringMap{irsa.RoleArnAnnotation: roleArn},
		},
	}
}
