// Package cluster builds the kubernetes stack: only the collector layer, on an existing
// cluster (kind, minikube, on-prem), through a kubeconfig context. It is the quickest way to
// try otelfleet, and the stack a platform team runs for clusters no cloud stack manages.
package cluster

import (
	"github.com/otelfleet/otelfleet/stacks/common"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Build deploys the fleet onto otelfleet:kubeContext (or the current context), exporting
// to otelfleet:upstreamOtlpEndpoint, or to the debug exporter when none is set.
func Build(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error {
	// An empty kubeconfig makes the provider read the ambient one ($KUBECONFIG or
	// ~/.kube/config) when it runs. Left nil, the SDK would copy $KUBECONFIG's path into the
	// provider's inputs: the state (and synth's output) would then depend on the path on
	// the machine that last ran Pulumi.
	provider := &kubernetes.ProviderArgs{Kubeconfig: pulumi.String("")}
	if cfg.Cluster.KubeContext != "" {
		provider.Context = pulumi.String(cfg.Cluster.KubeContext)
	}
	_, _, err := common.DeployFleetWithProvider(ctx, cfg, p, provider, nil)
	return err
}
