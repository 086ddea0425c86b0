package eks

import (
	"encoding/json"

	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/policy"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	eksv2 "github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The VPC CNI add-on's service account (kube-system/aws-node) and the AWS policy it needs.
const (
	cniNamespace      = "kube-system"
	cniServiceAccount = "aws-node"
	cniPolicy         = "AmazonEKS_CNI_Policy"
)

// CNIConfiguration is the VPC CNI add-on's configuration: its network policy agent
// enforces Kubernetes NetworkPolicies (without it EKS accepts them and enforces nothing).
var CNIConfiguration = map[string]any{"enableNetworkPolicy": "true"}

// vpcCNI manages the VPC CNI as an EKS add-on with network policy enforcement, acting
// through its own IRSA role (kube-system/aws-node) rather than the node role: a pod that
// reached the node's credentials could not reconfigure the VPC's network interfaces. It
// is created before the node group, so nodes join with a CNI that has its permissions.
func vpcCNI(ctx *pulumi.Context, name string, a Args, control *eksv2.Cluster, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*awseks.Addon, error) {
	oidc := control.Core.OidcProvider()
	role, err := irsa.New(ctx, name+"-vpc-cni", &irsa.Args{
		OIDCProviderArn: oidc.Arn(), OIDCIssuer: oidc.Url(),
		Namespace: cniNamespace, ServiceAccount: cniServiceAccount,
		ManagedPolicyArns: []string{policy.ARN{Partition: policy.Partition(a.Region), Service: "iam", Account: "aws", Resource: "policy/" + cniPolicy}.String()},
		Description:       "VPC CNI of EKS cluster " + a.Name, Tags: a.Tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	config, err := json.Marshal(CNIConfiguration)
	if err != nil {
		return nil, err
	}
	return awseks.NewAddon(ctx, name+"-vpc-cni", &awseks.AddonArgs{
		ClusterName: pulumi.String(a.Name), AddonName: pulumi.String("vpc-cni"),
		ServiceAccountRoleArn:    role.Arn,
		ConfigurationValues:      pulumi.String(string(config)),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"), // the default, self-managed CNI
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
		Tags:                     tags,
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{control}))...)
}
