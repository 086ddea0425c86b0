// Package aks creates the AKS cluster the collector fleet runs on: a system-assigned
// managed identity (no service principal secret), an autoscaling system node pool across
// availability zones, Azure CNI overlay with Cilium, the OIDC issuer and workload identity,
// Entra ID authentication with Azure RBAC and no local accounts, and the monitoring add-on
// (Container Insights) bound to a Log Analytics workspace.
//
// Kubeconfig: with local accounts disabled, listClusterAdminCredential is refused by the
// API ("local accounts are disabled"), so the cluster's user credentials are used
// (listManagedClusterUserCredentials with format "exec"). That kubeconfig authenticates
// through the kubelogin exec plugin, which must be on the PATH of whoever uses it (the
// Pulumi Kubernetes provider included); its login mode is set from Args.KubeloginMode. The
// identity running Pulumi needs a Kubernetes role on the cluster: DeployerClusterAdmin grants
// it "Azure Kubernetes Service RBAC Cluster Admin" on the cluster, or put it in one of
// AdminGroupObjectIDs.
package aks

import (
	"fmt"
	"slices"

	"github.com/otelfleet/otelfleet/components/azure/identity"
	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MonitoringAddon is the name of the monitoring (Container Insights) add-on profile.
const MonitoringAddon = "omsagent"

// Args describe the cluster. Defaults: NodePool{Name "system", VMSize "Standard_D4s_v3",
// Count 3, Min 3, Max 9}, PodCIDR "10.244.0.0/16", SKUTier "Standard", KubeloginMode
// LoginAzureCLI, UpgradeChannel "patch".
type Args struct {
	ResourceGroupName pulumi.StringInput
	Location          string
	Tags              map[string]string
	// DNSPrefix of the API server FQDN (required).
	DNSPrefix         string
	KubernetesVersion string
	NodePool          NodePool
	PodCIDR           string
	SKUTier           string
	// AuthorizedIPRanges may reach the API server (required: never the whole internet).
	AuthorizedIPRanges []string
	// WorkspaceID is the Log Analytics workspace (resource id) of the monitoring add-on.
	WorkspaceID pulumi.StringInput
	// AdminGroupObjectIDs are Entra groups with cluster-admin.
	AdminGroupObjectIDs []string
	// DeployerClusterAdmin grants the identity running Pulumi cluster admin through Azure RBAC.
	DeployerClusterAdmin bool
	KubeloginMode        string
	UpgradeChannel       string
}

// NodePool is the system node pool, scaled by the cluster autoscaler between Min and Max.
type NodePool struct {
	Name   string
	VMSize string
	Count  int
	Min    int
	Max    int
	Zones  []string
}

// Cluster is an AKS cluster and its credentials.
type Cluster struct {
	pulumi.ResourceState
	Name pulumi.StringOutput `pulumi:"name"`
	ID   pulumi.StringOutput `pulumi:"id"`
	// OIDCIssuerURL is the issuer federated identity credentials trust.
	OIDCIssuerURL pulumi.StringOutput `pulumi:"oidcIssuerUrl"`
	// Kubeconfig (secret) authenticates through kubelogin with Entra ID.
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`

	access []pulumi.Resource
}

// KubernetesAccess are the resources that must exist before the deployer can use the
// Kubernetes API (its role assignment): depend on them before creating Kubernetes objects.
func (c *Cluster) KubernetesAccess() []pulumi.Resource { return c.access }

func (a *Args) withDefaults() (Args, error) {
	if a == nil || a.ResourceGroupName == nil || a.Location == "" || a.DNSPrefix == "" || a.KubernetesVersion == "" || a.WorkspaceID == nil {
		return Args{}, fmt.Errorf("aks: ResourceGroupName, Location, DNSPrefix, KubernetesVersion and WorkspaceID are required")
	}
	out := *a
	p := &out.NodePool
	if p.Name == "" {
		p.Name = "system"
	}
	if p.VMSize == "" {
		p.VMSize = "Standard_D4s_v3"
	}
	if p.Min == 0 && p.Max == 0 {
		p.Min, p.Max = 3, 9
	}
	if p.Count == 0 {
		p.Count = p.Min
	}
	if p.Min < 1 || p.Min > p.Max || p.Count < p.Min || p.Count > p.Max {
		return Args{}, fmt.Errorf("aks: node pool needs 1 <= Min (%d) <= Count (%d) <= Max (%d)", p.Min, p.Count, p.Max)
	}
	for _, z := range p.Zones {
		if !slices.Contains([]string{"1", "2", "3"}, z) {
			return Args{}, fmt.Errorf("aks: zone %q: use 1, 2 or 3", z)
		}
	}
	if out.PodCIDR == "" {
		out.PodCIDR = "10.244.0.0/16"
	}
	if out.SKUTier == "" {
		out.SKUTier = string(containerservice.ManagedClusterSKUTierStandard)
	}
	if out.KubeloginMode == "" {
		out.KubeloginMode = LoginAzureCLI
	}
	if !slices.Contains(LoginModes, out.KubeloginMode) {
		return Args{}, fmt.Errorf("aks: kubelogin mode %q: use one of %v", out.KubeloginMode, LoginModes)
	}
	if out.UpgradeChannel == "" {
		out.UpgradeChannel = string(containerservice.UpgradeChannelPatch)
	}
	return out, nil
}

// azureCLIAppID is the application id of the Azure CLI: the client id a user signed in with
// `az login` authenticates as.
const azureCLIAppID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// deployerPrincipalType is the principal type of the identity running Pulumi: a user signed in
// through the Azure CLI, otherwise a service principal or managed identity (CI with OIDC, a
// client secret or certificate, MSI). ARM refuses an assignment whose principalType does not
// match the principal, and the SDK would default to User.
func deployerPrincipalType(clientID string) string {
	if clientID == azureCLIAppID {
		return "User"
	}
	return "ServicePrincipal"
}

// NewCluster creates the cluster, its Container Insights rule and the deployer's access.
func NewCluster(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	a, err := args.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	if err := ctx.RegisterComponentResource("otelfleet:aks:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	p := a.NodePool
	mc, err := containerservice.NewManagedCluster(ctx, name, &containerservice.ManagedClusterArgs{
		ResourceGroupName: a.ResourceGroupName,
		Location:          pulumi.String(a.Location),
		DnsPrefix:         pulumi.String(a.DNSPrefix),
		KubernetesVersion: pulumi.String(a.KubernetesVersion),
		Identity:          &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned},
		Sku: &containerservice.ManagedClusterSKUArgs{
			Name: pulumi.String(string(containerservice.ManagedClusterSKUNameBase)),
			Tier: pulumi.String(a.SKUTier),
		},
		AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{containerservice.ManagedClusterAgentPoolProfileArgs{
			Name:              pulumi.String(p.Name),
			Mode:              pulumi.String(string(containerservice.AgentPoolModeSystem)),
			Type:              pulumi.String(string(containerservice.AgentPoolTypeVirtualMachineScaleSets)),
			OsType:            pulumi.String(string(containerservice.OSTypeLinux)),
			VmSize:            pulumi.String(p.VMSize),
			Count:             pulumi.Int(p.Count),
			EnableAutoScaling: pulumi.Bool(true),
			MinCount:          pulumi.Int(p.Min),
			MaxCount:          pulumi.Int(p.Max),
			AvailabilityZones: pulumi.ToStringArray(p.Zones),
		}},
		NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{
			NetworkPlugin:     pulumi.String(string(containerservice.NetworkPluginAzure)),
			NetworkPluginMode: pulumi.String(string(containerservice.NetworkPluginModeOverlay)),
			// Cilium enforces the gateway's NetworkPolicy objects.
			NetworkDataplane: pulumi.String(string(containerservice.NetworkDataplaneCilium)),
			NetworkPolicy:    pulumi.String(string(containerservice.NetworkPolicyCilium)),
			PodCidr:          pulumi.String(a.PodCIDR),
			LoadBalancerSku:  pulumi.String(string(containerservice.LoadBalancerSkuStandard)),
		},
		OidcIssuerProfile: &containerservice.ManagedClusterOIDCIssuerProfileArgs{Enabled: pulumi.Bool(true)},
		SecurityProfile: &containerservice.ManagedClusterSecurityProfileArgs{
			WorkloadIdentity: &containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs{Enabled: pulumi.Bool(true)},
		},
		EnableRBAC: pulumi.Bool(true),
		AadProfile: &containerservice.ManagedClusterAADProfileArgs{
			Managed:             pulumi.Bool(true),
			EnableAzureRBAC:     pulumi.Bool(true),
			AdminGroupObjectIDs: pulumi.ToStringArray(a.AdminGroupObjectIDs),
		},
		DisableLocalAccounts: pulumi.Bool(true),
		// Only these ranges reach the API server (updatable in place, unlike a private cluster).
		ApiServerAccessProfile: &containerservice.ManagedClusterAPIServerAccessProfileArgs{
			AuthorizedIPRanges: pulumi.ToStringArray(a.AuthorizedIPRanges),
		},
		AddonProfiles: containerservice.ManagedClusterAddonProfileMap{
			MonitoringAddon: containerservice.ManagedClusterAddonProfileArgs{
				Enabled: pulumi.Bool(true),
				Config: pulumi.StringMap{
					"logAnalyticsWorkspaceResourceID": a.WorkspaceID,
					"useAADAuth":                      pulumi.String("true"),
				},
			},
		},
		AutoUpgradeProfile: &containerservice.ManagedClusterAutoUpgradeProfileArgs{UpgradeChannel: pulumi.String(a.UpgradeChannel)},
		Tags:               pulumi.ToStringMap(a.Tags),
		// The cluster autoscaler owns the node count after creation.
	}, parent, pulumi.IgnoreChanges([]string{"agentPoolProfiles[0].count"}))
	if err != nil {
		return nil, err
	}
	c.Name = mc.Name
	c.ID = mc.ID().ToStringOutput()
	c.OIDCIssuerURL = mc.OidcIssuerProfile.ApplyT(func(p *containerservice.ManagedClusterOIDCIssuerProfileResponse) (string, error) {
		if p == nil || p.IssuerURL == "" {
			return "", fmt.Errorf("aks: the cluster reports no OIDC issuer URL")
		}
		return p.IssuerURL, nil
	}).(pulumi.StringOutput)

	if err := newContainerInsights(ctx, name+"-container-insights", a, c.ID, parent); err != nil {
		return nil, err
	}
	if a.DeployerClusterAdmin {
		deployer := authorization.GetClientConfigOutput(ctx, parent)
		def := identity.AKSRBACClusterAdmin
		grant, err := authorization.NewRoleAssignment(ctx, name+"-deployer-admin", &authorization.RoleAssignmentArgs{
			PrincipalId:   deployer.ObjectId(),
			PrincipalType: deployer.ClientId().ApplyT(deployerPrincipalType).(pulumi.StringOutput),
			Scope:         c.ID,
			RoleDefinitionId: c.ID.ApplyT(func(scope string) (string, error) {
				return def.IDFor(scope)
			}).(pulumi.StringOutput),
			Description: pulumi.String("otelfleet: lets the Pulumi deployer manage the collector fleet on the cluster"),
		}, parent)
		if err != nil {
			return nil, err
		}
		c.access = append(c.access, grant)
	}

	creds := containerservice.ListManagedClusterUserCredentialsOutput(ctx, containerservice.ListManagedClusterUserCredentialsOutputArgs{
		ResourceGroupName: a.ResourceGroupName,
		ResourceName:      mc.Name,
		Format:            pulumi.String("exec"),
	}, parent)
	mode := a.KubeloginMode
	c.Kubeconfig = pulumi.ToSecret(creds.Kubeconfigs().ApplyT(func(kcs []containerservice.CredentialResultResponse) (string, error) {
		if len(kcs) == 0 {
			return "", fmt.Errorf("aks: the cluster returned no user kubeconfig")
		}
		return userKubeconfig(kcs[0].Value, mode)
	})).(pulumi.StringOutput)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name": c.Name, "id": c.ID, "oidcIssuerUrl": c.OIDCIssuerURL, "kubeconfig": c.Kubeconfig,
	})
}
