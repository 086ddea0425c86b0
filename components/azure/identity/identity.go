// Package identity creates user-assigned managed identities for the collectors: the identity,
// optionally a federated identity credential that lets a Kubernetes ServiceAccount on a
// cluster's OIDC issuer act as it (AKS workload identity), and the role assignments it needs.
// No client secret or certificate exists anywhere.
package identity

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/managedidentity/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TokenExchangeAudience is the audience of the ServiceAccount tokens Entra ID exchanges.
const TokenExchangeAudience = "api://AzureADTokenExchange"

// Workload-identity names on the Kubernetes side: the ServiceAccount annotation carrying
// the identity's client id, and the pod label that makes the webhook inject the token.
const (
	ClientIDAnnotation = "azure.workload.identity/client-id"
	UseLabel           = "azure.workload.identity/use"
)

// Args describe one identity.
type Args struct {
	ResourceGroupName pulumi.StringInput
	Location          string
	Tags              map[string]string
	// Federation binds a Kubernetes ServiceAccount to the identity; nil for identities used
	// by Azure services directly (ACI).
	Federation *Federation
	// Roles are the role assignments of the identity, each on its own scope.
	Roles []Role
}

// Federation is a Kubernetes ServiceAccount on a cluster's OIDC issuer.
type Federation struct {
	Issuer         pulumi.StringInput
	Namespace      string
	ServiceAccount string
}

// Subject is the token subject of the ServiceAccount.
func (f Federation) Subject() string {
	return fmt.Sprintf("system:serviceaccount:%s:%s", f.Namespace, f.ServiceAccount)
}

// Role is one role assignment.
type Role struct {
	Name       string // suffix of the resource name, e.g. "metrics-publisher"
	Definition RoleDefinition
	Scope      pulumi.StringInput // ARM resource id
}

// Identity is a user-assigned managed identity.
type Identity struct {
	pulumi.ResourceState
	ID          pulumi.StringOutput `pulumi:"id"`
	ClientID    pulumi.StringOutput `pulumi:"clientId"`
	PrincipalID pulumi.StringOutput `pulumi:"principalId"`
	TenantID    pulumi.StringOutput `pulumi:"tenantId"`
}

func (a *Args) validate() error {
	if a == nil || a.ResourceGroupName == nil || a.Location == "" {
		return fmt.Errorf("identity: ResourceGroupName and Location are required")
	}
	if f := a.Federation; f != nil && (f.Issuer == nil || f.Namespace == "" || f.ServiceAccount == "") {
		return fmt.Errorf("identity: a federation needs Issuer, Namespace and ServiceAccount")
	}
	seen := map[string]bool{}
	for _, r := range a.Roles {
		if r.Name == "" || r.Definition == "" || r.Scope == nil || seen[r.Name] {
			return fmt.Errorf("identity: role %q needs a unique Name, a Definition and a Scope", r.Name)
		}
		seen[r.Name] = true
	}
	return nil
}

// NewIdentity creates the identity, its federated credential and its role assignments.
func NewIdentity(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Identity, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	id := &Identity{}
	if err := ctx.RegisterComponentResource("otelfleet:identity:ManagedIdentity", name, id, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(id)
	uai, err := managedidentity.NewUserAssignedIdentity(ctx, name, &managedidentity.UserAssignedIdentityArgs{
		ResourceGroupName: args.ResourceGroupName,
		Location:          pulumi.String(args.Location),
		Tags:              pulumi.ToStringMap(args.Tags),
	}, parent)
	if err != nil {
		return nil, err
	}
	if f := args.Federation; f != nil {
		if _, err := managedidentity.NewFederatedIdentityCredential(ctx, name+"-federation", &managedidentity.FederatedIdentityCredentialArgs{
			ResourceGroupName: args.ResourceGroupName,
			ResourceName:      uai.Name,
			Issuer:            f.Issuer,
			Subject:           pulumi.String(f.Subject()),
			Audiences:         pulumi.StringArray{pulumi.String(TokenExchangeAudience)},
		}, parent); err != nil {
			return nil, err
		}
	}
	for _, r := range args.Roles {
		def := r.Definition
		if _, err := authorization.NewRoleAssignment(ctx, name+"-"+r.Name, &authorization.RoleAssignmentArgs{
			PrincipalId:   uai.PrincipalId,
			PrincipalType: pulumi.String("ServicePrincipal"), // no wait for directory replication
			Scope:         r.Scope,
			RoleDefinitionId: r.Scope.ToStringOutput().ApplyT(func(scope string) (string, error) {
				return def.IDFor(scope)
			}).(pulumi.StringOutput),
		}, parent); err != nil {
			return nil, err
		}
	}
	id.ID = uai.ID().ToStringOutput()
	id.ClientID, id.PrincipalID, id.TenantID = uai.ClientId, uai.PrincipalId, uai.TenantId
	return id, ctx.RegisterResourceOutputs(id, pulumi.Map{
		"id": id.ID, "clientId": id.ClientID, "principalId": id.PrincipalID, "tenantId": id.TenantID,
	})
}
