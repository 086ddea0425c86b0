package common

import (
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DeployFleet puts the collector layer on a cluster through an explicit provider built
// from the cluster's kubeconfig (never the ambient one), with the cloud's exporters.
func DeployFleet(ctx *pulumi.Context, cfg config.Stack, kubeconfig pulumi.StringInput, customize func(*kube.FleetArgs), opts ...pulumi.ResourceOption) (*kube.Fleet, *kubernetes.Provider, error) {
	return DeployFleetWithProvider(ctx, cfg, &kubernetes.ProviderArgs{Kubeconfig: kubeconfig}, customize, opts...)
}

// DeployFleetWithProvider is DeployFleet for provider settings other than a kubeconfig
// (e.g. a context of the ambient kubeconfig, for the kubernetes stack).
func DeployFleetWithProvider(ctx *pulumi.Context, cfg config.Stack, providerArgs *kubernetes.ProviderArgs, customize func(*kube.FleetArgs), opts ...pulumi.ResourceOption) (*kube.Fleet, *kubernetes.Provider, error) {
	p := *providerArgs
	p.EnableServerSideApply = pulumi.Bool(true)
	p.DeleteUnreachable = pulumi.Bool(false)
	p.SuppressHelmHookWarnings = pulumi.Bool(true)
	// Update collector ConfigMaps in place: the pod templates carry the config's checksum,
	// so a changed config rolls the pods, while a replaced ConfigMap (the provider's default)
	// is deleted before its successor exists and a pod starting in between cannot mount it.
	p.EnableConfigMapMutable = pulumi.Bool(true)
	provider, err := kubernetes.NewProvider(ctx, cfg.Name+"-k8s", &p, opts...)
	if err != nil {
		return nil, nil, err
	}
	args := FleetArgs(cfg)
	if customize != nil {
		customize(args)
	}
	fleet, err := kube.NewFleet(ctx, cfg.Name+"-fleet", args, append(opts, pulumi.Provider(provider))...)
	if err != nil {
		return nil, nil, err
	}
	// The fleet's contract with its senders and operators (README, "Stack outputs").
	ctx.Export("gatewayEndpoint", fleet.GatewayEndpoint)
	ctx.Export("agentEndpoint", fleet.AgentEndpoint)
	ctx.Export("gatewayNamespace", fleet.Namespace)
	ctx.Export("agentNamespace", fleet.AgentNamespace)
	if cfg.TLS.Enabled {
		ctx.Export("tlsIssuer", fleet.TLSIssuer)
	}
	return fleet, provider, nil
}

// DebugExporter is the placeholder backend of a stack whose cloud exporters are not wired.
func DebugExporter() collector.Exporter {
	return collector.Exporter{ID: collector.TypeDebug, Config: collector.DebugExporter{Verbosity: "basic"}, Signals: []string{collector.Traces, collector.Metrics, collector.Logs}}
}
