// Package irsa gives a Kubernetes ServiceAccount of an EKS cluster its own IAM role (IAM
// roles for service accounts): a role only that ServiceAccount can assume, through the
// cluster's OIDC provider, with an inline least-privilege policy. No static keys.
package irsa

import (
	"fmt"
	"strings"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Audience is the audience EKS-projected ServiceAccount tokens carry for STS.
const Audience = "sts.amazonaws.com"

// RoleArnAnnotation is the ServiceAccount annotation the EKS pod identity webhook reads.
const RoleArnAnnotation = "eks.amazonaws.com/role-arn"

// Args describe the role. All fields but Description and Tags are required.
type Args struct {
	// OIDCProviderArn and OIDCIssuer come from the cluster's IAM OIDC provider; the issuer
	// is its URL without scheme ("oidc.eks.<region>.amazonaws.com/id/<id>"; a leading
	// https:// is removed).
	OIDCProviderArn pulumi.StringInput
	OIDCIssuer      pulumi.StringInput
	Namespace       string
	ServiceAccount  string
	// Policy is the inline policy JSON (build it with package policy).
	Policy pulumi.StringInput
	// ManagedPolicyArns are attached as well: for AWS-maintained policies of AWS add-ons
	// (e.g. the EBS CSI driver's). Either Policy or ManagedPolicyArns is required.
	ManagedPolicyArns []string
	Description       string
	Tags              map[string]string
}

// Role is an IAM role assumable by exactly one ServiceAccount.
type Role struct {
	pulumi.ResourceState
	Arn  pulumi.StringOutput `pulumi:"arn"`
	Name pulumi.StringOutput `pulumi:"name"`
}

// Subject is the OIDC subject of a ServiceAccount's tokens.
func Subject(namespace, serviceAccount string) string {
	return fmt.Sprintf("system:serviceaccount:%s:%s", namespace, serviceAccount)
}

// TrustPolicy lets only the ServiceAccount's tokens for STS assume the role: both the sub
// and the aud claim must match exactly (StringEquals, no wildcards).
func TrustPolicy(providerArn, issuer, namespace, serviceAccount string) policy.Document {
	issuer = strings.TrimPrefix(issuer, "https://")
	return policy.New(policy.Statement{
		Sid:       "AssumeFromServiceAccount",
		Effect:    policy.Allow,
		Principal: &policy.Principal{Federated: []string{providerArn}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: policy.Condition{"StringEquals": {
			issuer + ":sub": {Subject(namespace, serviceAccount)},
			issuer + ":aud": {Audience},
		}},
	})
}

// New creates the role and its inline policy.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Role, error) {
	switch {
	case args == nil:
		return nil, fmt.Errorf("irsa %s: args are required", name)
	case args.OIDCProviderArn == nil || args.OIDCIssuer == nil:
		return nil, fmt.Errorf("irsa %s: OIDCProviderArn and OIDCIssuer are required", name)
	case args.Policy == nil && len(args.ManagedPolicyArns) == 0:
		return nil, fmt.Errorf("irsa %s: Policy or ManagedPolicyArns is required", name)
	case args.Namespace == "" || args.ServiceAccount == "":
		return nil, fmt.Errorf("irsa %s: Namespace and ServiceAccount are required", name)
	}
	r := &Role{}
	if err := ctx.RegisterComponentResource("otelfleet:aws:IRSARole", name, r, opts...); err != nil {
		return nil, err
	}
	trust := pulumi.All(args.OIDCProviderArn, args.OIDCIssuer).ApplyT(func(v []any) (string, error) {
		return TrustPolicy(v[0].(string), v[1].(string), args.Namespace, args.ServiceAccount).JSON()
	}).(pulumi.StringOutput)
	description := args.Description
	if description == "" {
		description = "IRSA role of " + Subject(args.Namespace, args.ServiceAccount)
	}
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:        pulumi.String(description),
		AssumeRolePolicy:   trust,
		MaxSessionDuration: pulumi.Int(3600),
		Tags:               pulumi.ToStringMap(args.Tags),
	}, pulumi.Parent(r))
	if err != nil {
		return nil, err
	}
	if args.Policy != nil {
		if _, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role.Name, Policy: args.Policy}, pulumi.Parent(r)); err != nil {
			return nil, err
		}
	}
	for i, arn := range args.ManagedPolicyArns {
		if _, err := iam.NewRolePolicyAttachment(ctx, fmt.Sprintf("%s-managed-%d", name, i), &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.String(arn),
		}, pulumi.Parent(r)); err != nil {
			return nil, err
		}
	}
	r.Arn, r.Name = role.Arn, role.Name
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"arn": r.Arn, "name": r.Name})
}
