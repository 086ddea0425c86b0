// Command otelfleet-import is a Pulumi program that puts an OpenTelemetry collector gateway
// and a DaemonSet agent on a Kubernetes cluster that already exists, using otelfleet as a
// library: the collector configs come from otelfleet's presets (components/collector) and
// the Kubernetes objects from its components (components/kube). It does not import
// otelfleet's stacks: no cloud SDK is compiled, and the cluster is whatever the kubeconfig
// in the stack config points at.
//
//	pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"
//	pulumi config set backendEndpoint otel-backend.example.com:4317   # optional
//	pulumi up
package main

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Object names of the two tiers; the agent's config addresses the gateway's Service by name.
const (
	gatewayName = "otel-gateway"
	agentName   = "otel-agent"
)

// settings is this program's stack configuration.
type settings struct {
	Kubeconfig  pulumi.StringOutput // secret
	Namespace   string              // default "observability"
	Image       string              // default the contrib image of the collector release otelfleet targets
	Environment string              // deployment.environment; default "dev"
	// Backend is host:port of an OTLP gRPC backend; empty prints telemetry to the gateway's log.
	Backend         string
	BackendInsecure bool // plaintext to the backend (an in-cluster one, say)
}

// loadSettings reads the stack config; a missing kubeconfig is an error naming the key.
func loadSettings(ctx *pulumi.Context) (settings, error) {
	cfg := config.New(ctx, "")
	kubeconfig, err := cfg.TrySecret("kubeconfig")
	if err != nil {
		return settings{}, fmt.Errorf("%s:kubeconfig is required: pulumi config set --secret kubeconfig \"$(cat ~/.kube/config)\"", ctx.Project())
	}
	orDefault := func(key, def string) string {
		if v := cfg.Get(key); v != "" {
			return v
		}
		return def
	}
	return settings{
		Kubeconfig:      kubeconfig,
		Namespace:       orDefault("namespace", "observability"),
		Image:           orDefault("image", collector.ReleaseImage),
		Environment:     orDefault("environment", "dev"),
		Backend:         cfg.Get("backendEndpoint"),
		BackendInsecure: cfg.GetBool("backendInsecure"),
	}, nil
}

// exporters sends every signal to the OTLP backend, or to the debug exporter without one.
func (s settings) exporters() []collector.Exporter {
	all := []string{collector.Traces, collector.Metrics, collector.Logs}
	if s.Backend == "" {
		return []collector.Exporter{{ID: collector.TypeDebug, Config: collector.DebugExporter{Verbosity: "basic"}, Signals: all}}
	}
	return []collector.Exporter{{
		ID:      collector.ID(collector.TypeOTLPGRPC, "backend"),
		Config:  collector.OTLPExporter{Endpoint: s.Backend, TLS: collector.ClientTLS{Insecure: s.BackendInsecure}, Compression: "gzip"},
		Signals: all,
	}}
}

var (
	gatewayResources = kube.Resources{CPURequest: "200m", CPULimit: "1", MemoryRequest: "512Mi", MemoryLimit: "1Gi"}
	agentResources   = kube.Resources{CPURequest: "100m", CPULimit: "500m", MemoryRequest: "128Mi", MemoryLimit: "256Mi"}
)

// program deploys the fleet and exports the two OTLP endpoints.
func program(ctx *pulumi.Context) error {
	s, err := loadSettings(ctx)
	if err != nil {
		return err
	}
	gateway, agent, err := deploy(ctx, s)
	if err != nil {
		return err
	}
	ctx.Export("gatewayEndpoint", gateway.OTLPEndpoint)
	ctx.Export("agentEndpoint", agent.OTLPEndpoint)
	return nil
}

// deploy creates the namespace, the gateway and the agent through an explicit Kubernetes
// provider built from the kubeconfig (never the ambient one).
func deploy(ctx *pulumi.Context, s settings) (*kube.Gateway, *kube.Agent, error) {
	provider, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{Kubeconfig: s.Kubeconfig})
	if err != nil {
		return nil, nil, err
	}
	onCluster := pulumi.Provider(provider)

	ns, err := kube.NewNamespace(ctx, "collectors", s.Namespace, kube.PodSecurityRestricted, nil, onCluster)
	if err != nil {
		return nil, nil, err
	}
	nsName := ns.Metadata.Name().Elem()

	gatewayMiB, err := gatewayResources.MemoryLimitMiB()
	if err != nil {
		return nil, nil, err
	}
	gatewayConfig, err := render(collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: gatewayMiB, QueueSize: 2000, Exporters: s.exporters(),
	}))
	if err != nil {
		return nil, nil, fmt.Errorf("gateway config: %w", err)
	}
	gateway, err := kube.NewGateway(ctx, "gateway", &kube.GatewayArgs{
		Namespace: nsName, Name: gatewayName, Image: s.Image, Config: gatewayConfig,
		Resources: gatewayResources, Replicas: 2,
	}, onCluster)
	if err != nil {
		return nil, nil, err
	}

	agentMiB, err := agentResources.MemoryLimitMiB()
	if err != nil {
		return nil, nil, err
	}
	agentConfig, err := render(collector.AgentConfig(collector.AgentOptions{
		Mode: collector.AgentDaemonSet, Environment: s.Environment,
		GatewayEndpoint: fmt.Sprintf("%s.%s.svc.cluster.local:%d", gatewayName, s.Namespace, collector.PortOTLPGRPC),
		MemoryLimitMiB:  agentMiB, QueueSize: 1000,
		K8sAttributes: true, NodeEnvVar: kube.NodeNameEnv,
	}))
	if err != nil {
		return nil, nil, fmt.Errorf("agent config: %w", err)
	}
	agent, err := kube.NewAgent(ctx, "agent", &kube.AgentArgs{
		Namespace: nsName, Name: agentName, Image: s.Image, Config: agentConfig,
		Resources: agentResources, K8sAttributes: true,
	}, onCluster, pulumi.DependsOn([]pulumi.Resource{gateway}))
	if err != nil {
		return nil, nil, err
	}

	return gateway, agent, nil
}

func render(c *collector.Config, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return c.YAML()
}

func main() { pulumi.Run(program) }
