// Package eks is otelfleet's EKS cluster: the control plane through pulumi-eks v2 (private
// and public subnets, all control-plane log types with a retention, envelope encryption of
// Secrets with a KMS key, an IAM OIDC provider for IRSA, access entries instead of the
// aws-auth ConfigMap) and one managed node group in the private subnets.
package eks

import (
	"fmt"
	"strings"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	eksv2 "github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ControlPlaneLogTypes are all the EKS control-plane log types.
var ControlPlaneLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// Args describe the cluster. Defaults (applied in one place, defaults()): InstanceType
// m5.xlarge, DesiredSize 3, MinSize 2, MaxSize 10, DiskGiB 100, LogRetentionDays 30.
type Args struct {
	// Name is the EKS cluster name (required): node group tags and the autoscaler need it
	// before the cluster exists.
	Name    string
	Version string // required, "1.NN"
	Region  string // required: ARNs are built in its partition

	VpcID            pulumi.StringInput      // required
	PrivateSubnetIDs pulumi.StringArrayInput // required: nodes and the control plane's ENIs
	PublicSubnetIDs  pulumi.StringArrayInput // required: internet-facing load balancers

	InstanceType     string
	DesiredSize      int
	MinSize          int
	MaxSize          int
	DiskGiB          int
	Labels           map[string]string
	LogRetentionDays int
	Tags             map[string]string
	// PublicAccessCIDRs may reach the API endpoint from outside the VPC; empty keeps it
	// private (reachable from the VPC only).
	PublicAccessCIDRs []string
}

// Cluster is the EKS cluster and its node group.
type Cluster struct {
	pulumi.ResourceState
	Name pulumi.StringOutput `pulumi:"name"`
	// Kubeconfig is a secret: it names the cluster endpoint and its CA.
	Kubeconfig      pulumi.StringOutput `pulumi:"kubeconfig"`
	OIDCProviderArn pulumi.StringOutput `pulumi:"oidcProviderArn"`
	// OIDCIssuer is the issuer without scheme, as IRSA trust conditions spell it.
	OIDCIssuer    pulumi.StringOutput `pulumi:"oidcIssuer"`
	NodeRoleArn   pulumi.StringOutput `pulumi:"nodeRoleArn"`
	SecretsKeyArn pulumi.StringOutput `pulumi:"secretsKeyArn"`
	// ControlPlaneLogGroup receives the control-plane logs.
	ControlPlaneLogGroup pulumi.StringOutput `pulumi:"controlPlaneLogGroup"`
	// ClusterName is Name as a plain value.
	ClusterName string `pulumi:"-"`
	// Control plane and node group, for dependencies.
	Control   *eksv2.Cluster    `pulumi:"-"`
	NodeGroup *awseks.NodeGroup `pulumi:"-"`
}

func (a Args) defaults() Args {
	if a.InstanceType == "" {
		a.InstanceType = "m5.xlarge"
	}
	if a.DesiredSize == 0 && a.MinSize == 0 && a.MaxSize == 0 {
		a.DesiredSize, a.MinSize, a.MaxSize = 3, 2, 10
	}
	if a.DiskGiB == 0 {
		a.DiskGiB = 100
	}
	if a.LogRetentionDays == 0 {
		a.LogRetentionDays = 30
	}
	return a
}

func (a Args) validate() error {
	switch {
	case a.Name == "" || a.Version == "" || a.Region == "":
		return fmt.Errorf("Name, Version and Region are required")
	case a.VpcID == nil || a.PrivateSubnetIDs == nil || a.PublicSubnetIDs == nil:
		return fmt.Errorf("VpcID, PrivateSubnetIDs and PublicSubnetIDs are required")
	case a.MinSize < 0 || a.MinSize > a.DesiredSize || a.DesiredSize > a.MaxSize || a.MaxSize < 1:
		return fmt.Errorf("node sizes need 0 <= min (%d) <= desired (%d) <= max (%d), max >= 1", a.MinSize, a.DesiredSize, a.MaxSize)
	}
	return nil
}

// New creates the cluster.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("eks %s: args are required", name)
	}
	a := args.defaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("eks %s: %w", name, err)
	}
	c := &Cluster{ClusterName: a.Name}
	if err := ctx.RegisterComponentResource("otelfleet:aws:EKSCluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	partition := policy.Partition(a.Region)
	managed := func(p string) pulumi.String {
		return pulumi.String(policy.ARN{Partition: partition, Service: "iam", Account: "aws", Resource: "policy/" + p}.String())
	}
	tags := pulumi.ToStringMap(a.Tags)

	key, err := kms.NewKey(ctx, name+"-secrets", &kms.KeyArgs{
		Description:          pulumi.Sprintf("Envelope encryption of Kubernetes Secrets of EKS cluster %s", a.Name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Tags:                 tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-secrets", &kms.AliasArgs{Name: pulumi.String("alias/" + a.Name + "-eks-secrets"), TargetKeyId: key.KeyId}, parent); err != nil {
		return nil, err
	}
	// EKS would create this log group itself, with no retention; creating it first keeps
	// the control-plane logs under the stack's retention.
	controlLogs, err := cloudwatch.NewLogGroup(ctx, name+"-control-plane", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/eks/" + a.Name + "/cluster"),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		Tags:            tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	controlRole, err := serviceRole(ctx, name+"-control-plane", "eks.amazonaws.com", []pulumi.String{managed("AmazonEKSClusterPolicy")}, tags, parent)
	if err != nil {
		return nil, err
	}
	// The CNI's permissions are on its own IRSA role (vpcCNI), not on the node role.
	nodeRole, err := serviceRole(ctx, name+"-node", "ec2.amazonaws.com", []pulumi.String{
		managed("AmazonEKSWorkerNodePolicy"), managed("AmazonEC2ContainerRegistryReadOnly"),
	}, tags, parent)
	if err != nil {
		return nil, err
	}

	skip, publicNodes, defaultCNI := true, false, true
	api := eksv2.AuthenticationModeApi
	control, err := eksv2.NewCluster(ctx, name, &eksv2.ClusterArgs{
		Name:                         pulumi.String(a.Name),
		Version:                      pulumi.String(a.Version),
		VpcId:                        a.VpcID,
		PrivateSubnetIds:             a.PrivateSubnetIDs,
		PublicSubnetIds:              a.PublicSubnetIDs,
		ServiceRole:                  controlRole.role,
		SkipDefaultNodeGroup:         &skip,
		NodeAssociatePublicIpAddress: &publicNodes,
		UseDefaultVpcCni:             &defaultCNI,
		AuthenticationMode:           &api,
		CreateOidcProvider:           pulumi.Bool(true),
		EnabledClusterLogTypes:       pulumi.ToStringArray(ControlPlaneLogTypes),
		EncryptionConfigKeyArn:       key.Arn,
		EndpointPrivateAccess:        pulumi.Bool(true),
		// Public only for the ranges that run Pulumi (it deploys the collector layer through
		// the endpoint) and kubectl; without any, the VPC only.
		EndpointPublicAccess: pulumi.Bool(len(a.PublicAccessCIDRs) > 0),
		PublicAccessCidrs:    pulumi.ToStringArray(a.PublicAccessCIDRs),
		Tags:                 tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{controlLogs, controlRole.attachments[0]}))
	if err != nil {
		return nil, err
	}
	c.Control = control

	cni, err := vpcCNI(ctx, name, a, control, tags, parent)
	if err != nil {
		return nil, err
	}
	if c.NodeGroup, err = nodeGroup(ctx, name, a, nodeRole, control, tags, parent, pulumi.DependsOn([]pulumi.Resource{cni})); err != nil {
		return nil, err
	}

	oidc := control.Core.OidcProvider()
	c.Name = pulumi.String(a.Name).ToStringOutput()
	c.Kubeconfig = pulumi.ToSecret(control.KubeconfigJson).(pulumi.StringOutput)
	c.OIDCProviderArn = oidc.Arn()
	c.OIDCIssuer = oidc.Url().ApplyT(func(u string) string { return strings.TrimPrefix(u, "https://") }).(pulumi.StringOutput)
	c.NodeRoleArn = nodeRole.role.Arn
	c.SecretsKeyArn = key.Arn
	c.ControlPlaneLogGroup = controlLogs.Name
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name": c.Name, "kubeconfig": c.Kubeconfig, "oidcProviderArn": c.OIDCProviderArn, "oidcIssuer": c.OIDCIssuer,
		"nodeRoleArn": c.NodeRoleArn, "secretsKeyArn": c.SecretsKeyArn, "controlPlaneLogGroup": c.ControlPlaneLogGroup,
	})
}

// nodeGroup is the managed node group. It is an aws.eks.NodeGroup rather than pulumi-eks'
// ManagedNodeGroup so its desired size can be left to the cluster autoscaler
// (ignoreChanges), and so a launch template can set IMDSv2 with a hop limit of 1: pods
// cannot reach the node role's credentials and must use IRSA.
func nodeGroup(ctx *pulumi.Context, name string, a Args, role *roleWithPolicies, control *eksv2.Cluster, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*awseks.NodeGroup, error) {
	lt, err := ec2.NewLaunchTemplate(ctx, name+"-nodes", &ec2.LaunchTemplateArgs{
		Description: pulumi.Sprintf("Nodes of EKS cluster %s", a.Name),
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String("required"),
			HttpPutResponseHopLimit: pulumi.Int(1),
		},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String("/dev/xvda"), // root device of the AL2023 EKS AMIs
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				VolumeSize: pulumi.Int(a.DiskGiB), VolumeType: pulumi.String("gp3"),
				Encrypted: pulumi.String("true"), DeleteOnTermination: pulumi.String("true"),
			},
		}},
		TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{ec2.LaunchTemplateTagSpecificationArgs{
			ResourceType: pulumi.String("instance"), Tags: pulumi.StringMap{"Name": pulumi.String(a.Name + "-node")},
		}},
		UpdateDefaultVersion: pulumi.Bool(true),
		Tags:                 tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	ngTags := pulumi.StringMap{AutoscalerEnabledTag: pulumi.String("true"), AutoscalerOwnerTag(a.Name): pulumi.String("owned")}
	for k, v := range tags {
		ngTags[k] = v
	}
	deps := append([]pulumi.Resource{control}, role.attachments...)
	return awseks.NewNodeGroup(ctx, name+"-workers", &awseks.NodeGroupArgs{
		ClusterName:   pulumi.String(a.Name),
		NodeGroupName: pulumi.String(a.Name + "-workers"),
		NodeRoleArn:   role.role.Arn,
		SubnetIds:     a.PrivateSubnetIDs,
		InstanceTypes: pulumi.StringArray{pulumi.String(a.InstanceType)},
		AmiType:       pulumi.String(AMIType(a.InstanceType)),
		CapacityType:  pulumi.String("ON_DEMAND"),
		ScalingConfig: &awseks.NodeGroupScalingConfigArgs{
			DesiredSize: pulumi.Int(a.DesiredSize), MinSize: pulumi.Int(a.MinSize), MaxSize: pulumi.Int(a.MaxSize),
		},
		UpdateConfig:   &awseks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
		LaunchTemplate: &awseks.NodeGroupLaunchTemplateArgs{Id: lt.ID(), Version: lt.LatestVersion.ApplyT(func(v int) string { return fmt.Sprint(v) }).(pulumi.StringOutput)},
		Labels:         pulumi.ToStringMap(a.Labels),
		Tags:           ngTags,
	}, append(opts, pulumi.DependsOn(deps), pulumi.IgnoreChanges([]string{"scalingConfig.desiredSize"}))...)
}

type roleWithPolicies struct {
	role        *iam.Role
	attachments []pulumi.Resource
}

// serviceRole is a role an AWS service assumes, with AWS managed policies attached.
func serviceRole(ctx *pulumi.Context, name, service string, managed []pulumi.String, tags pulumi.StringMap, opts ...pulumi.ResourceOption) (*roleWithPolicies, error) {
	trust, err := policy.New(policy.Statement{
		Effect: policy.Allow, Principal: &policy.Principal{Service: []string{service}}, Action: []string{"sts:AssumeRole"},
	}).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{AssumeRolePolicy: pulumi.String(trust), Tags: tags}, opts...)
	if err != nil {
		return nil, err
	}
	out := &roleWithPolicies{role: role}
	for _, arn := range managed {
		short := string(arn)[strings.LastIndex(string(arn), "/")+1:]
		att, err := iam.NewRolePolicyAttachment(ctx, name+"-"+short, &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: arn}, opts...)
		if err != nil {
			return nil, err
		}
		out.attachments = append(out.attachments, att)
	}
	return out, nil
}
