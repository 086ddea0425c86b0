// Package ebscsi installs the Amazon EBS CSI driver as an EKS add-on with its own IRSA
// role, so that PersistentVolumeClaims (the gateway StatefulSet's queue volumes) get
// volumes: EKS has no working in-tree EBS provisioner any more (the in-tree gp2 class is
// migrated to this driver), and clusters created at 1.30 or later have no default
// StorageClass at all. Without it the queue PVCs stay Pending and the gateway never starts.
package ebscsi

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/aws/irsa"
	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The add-on, its provisioner name and the ServiceAccount its controller runs as.
const (
	AddonName      = "aws-ebs-csi-driver"
	Provisioner    = "ebs.csi.aws.com"
	Namespace      = "kube-system"
	ServiceAccount = "ebs-csi-controller-sa"
)

// StorageClassParameters are the parameters of the StorageClass the stacks create for
// this driver: gp3 volumes (baseline 3000 IOPS and 125 MiB/s at any size), encrypted with
// the account's EBS key.
var StorageClassParameters = map[string]string{"type": "gp3", "encrypted": "true"}

// ManagedPolicyArn is the AWS-maintained policy of the driver (it creates, attaches and
// deletes only volumes and snapshots it tagged itself).
func ManagedPolicyArn(region string) string {
	return policy.ARN{Partition: policy.Partition(region), Service: "iam", Account: "aws", Resource: "policy/service-role/AmazonEBSCSIDriverPolicy"}.String()
}

// Args describe the add-on. All fields but Tags are required.
type Args struct {
	ClusterName     pulumi.StringInput
	Region          string
	OIDCProviderArn pulumi.StringInput
	OIDCIssuer      pulumi.StringInput
	Tags            map[string]string
}

// Driver is the add-on and its role.
type Driver struct {
	pulumi.ResourceState
	// Addon is what workloads with PersistentVolumeClaims wait for.
	Addon   *eks.Addon
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
}

// New installs the driver. Pass the AWS provider with pulumi.Provider(s).
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Driver, error) {
	if args == nil || args.ClusterName == nil || args.OIDCProviderArn == nil || args.OIDCIssuer == nil || args.Region == "" {
		return nil, fmt.Errorf("ebscsi %s: ClusterName, Region, OIDCProviderArn and OIDCIssuer are required", name)
	}
	d := &Driver{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:EBSCSIDriver", name, d, opts...); err != nil {
		return nil, err
	}
	role, err := irsa.New(ctx, name, &irsa.Args{
		OIDCProviderArn: args.OIDCProviderArn, OIDCIssuer: args.OIDCIssuer,
		Namespace: Namespace, ServiceAccount: ServiceAccount,
		ManagedPolicyArns: []string{ManagedPolicyArn(args.Region)},
		Description:       "EBS CSI driver of the otelfleet EKS cluster", Tags: args.Tags,
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	// No AddonVersion: EKS installs the default version for the cluster's Kubernetes
	// version, and a cluster upgrade keeps a compatible one.
	d.Addon, err = eks.NewAddon(ctx, name, &eks.AddonArgs{
		ClusterName: args.ClusterName, AddonName: pulumi.String(AddonName),
		ServiceAccountRoleArn:    role.Arn,
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("PRESERVE"),
		Tags:                     pulumi.ToStringMap(args.Tags),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	d.RoleArn = role.Arn
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"roleArn": d.RoleArn})
}
