// Package aws builds the aws stack: network, EKS, identity, archive and the collector fleet.
package aws

import (
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/common"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Build builds the aws stack.
func Build(ctx *pulumi.Context, cfg config.Stack) error {
	cluster, err := eks.NewCluster(ctx, cfg.Name+"-eks", &eks.ClusterArgs{
		Version: pulumi.String(cfg.AWS.EKSVersion),
	})
	if err != nil {
		return err
	}
	_, _, err = common.DeployFleet(ctx, cfg, cluster.KubeconfigJson, func(a *kube.FleetArgs) {
		a.Exporters = append(a.Exporters, common.DebugExporter())
	})
	return err
}
