package common

import (
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DeployFleet puts the collector layer on a cluster through an explicit provider built
// from the cluster's kubeconfig (never the ambient one), with the cloud's exporters.
func DeployFleet(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, kubeconfig pulumi.StringInput, customize func(*kube.FleetArgs), opts ...pulumi.ResourceOption) (*kube.Fleet, *kubernetes.Provider, error) {
	return DeployFleetWithProvider(ctx, cfg, p, &kubernetes.ProviderArgs{Kubeconfig: kubeconfig}, customize, opts...)
}

// DeployFleetWithProvider is DeployFleet for provider settings other than a kubeconfig
// (e.g. a context of the ambient kubeconfig, for the kubernetes stack).
func DeployFleetWithProvider(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, providerArgs *kubernetes.ProviderArgs, customize func(*kube.FleetArgs), opts ...pulumi.ResourceOption) (*kube.Fleet, *kubernetes.Provider, error) {
	pa := *providerArgs
	pa.EnableServerSideApply = pulumi.Bool(true)
	pa.DeleteUnreachable = pulumi.Bool(false)
	pa.SuppressHelmHookWarnings = pulumi.Bool(true)
	// Update collector ConfigMaps in place: the pod templates carry the config's checksum,
	// so a changed config rolls the pods, while a replaced ConfigMap (the provider's default)
	// is deleted before its successor exists and a pod starting in between cannot mount it.
	pa.EnableConfigMapMutable = pulumi.Bool(true)
	provider, err := kubernetes.NewProvider(ctx, cfg.Name+"-k8s", &pa, opts...)
	if err != nil {
		return nil, nil, err
	}
	args := FleetArgs(cfg, p)
	if args.TLS != nil && args.TLS.Issuer == "" {
		if args.TLS.CA, err = fleetCA(ctx, cfg, p); err != nil {
			return nil, nil, err
		}
	}
	if customize != nil {
		customize(args)
	}
	fleet, err := kube.NewFleet(ctx, cfg.Name+"-fleet", args, append(opts, pulumi.Provider(provider))...)
	if err != nil {
		return nil, nil, err
	}
	ExportTrust(ctx, cfg, fleet)
	return fleet, provider, nil
}
