// Package azure builds the azure stack: resource group, monitoring, AKS, identity and the
// collector fleet.
package azure

import (
	"encoding/base64"

	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/common"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Build builds the azure stack.
func Build(ctx *pulumi.Context, cfg config.Stack) error {
	rg, err := resources.NewResourceGroup(ctx, cfg.Name+"-rg", &resources.ResourceGroupArgs{Location: pulumi.String(cfg.Azure.Location)})
	if err != nil {
		return err
	}
	aks, err := containerservice.NewManagedCluster(ctx, cfg.Name+"-aks", &containerservice.ManagedClusterArgs{
		ResourceGroupName: rg.Name,
		KubernetesVersion: pulumi.String(cfg.Azure.AKSVersion),
		DnsPrefix:         pulumi.String(cfg.Name),
		Identity:          &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned},
	})
	if err != nil {
		return err
	}
	creds := containerservice.ListManagedClusterUserCredentialsOutput(ctx, containerservice.ListManagedClusterUserCredentialsOutputArgs{
		ResourceGroupName: rg.Name, ResourceName: aks.Name,
	})
	kubeconfig := creds.Kubeconfigs().Index(pulumi.Int(0)).Value().ApplyT(func(v string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(v)
		return string(b), err
	}).(pulumi.StringOutput)
	_, _, err = common.DeployFleet(ctx, cfg, pulumi.ToSecret(kubeconfig).(pulumi.StringOutput), func(a *kube.FleetArgs) {
		a.Exporters = append(a.Exporters, common.DebugExporter())
	})
	return err
}
