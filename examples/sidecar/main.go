// Command otelfleet-sidecar-example is a Pulumi program that gets otelfleet's sidecar agent
// into its own workloads without copying YAML: it puts the sidecar config in a ConfigMap
// (kube.NewSidecarConfig), registers kube.SidecarInjection as a stack transformation, and
// then defines its Deployments as usual; the one whose pod template carries
// kube.InjectLabel=true gets the agent, the other is left as written. The agents send to a
// gateway that already runs (otelfleet's, or examples/import's).
//
//	pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"
//	pulumi config set gatewayEndpoint otel-gateway.observability.svc.cluster.local:4317   # optional
//	pulumi up
package main

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// settings is this program's stack configuration.
type settings struct {
	Kubeconfig      pulumi.StringOutput // secret
	Namespace       string              // the application namespace; default "shop"
	Image           string              // the agent image; default otelfleet's collector release
	Environment     string              // deployment.environment; default "dev"
	GatewayEndpoint string              // host:port of the gateway's OTLP gRPC Service
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
		Namespace:       orDefault("namespace", "shop"),
		Image:           orDefault("image", collector.ReleaseImage),
		Environment:     orDefault("environment", "dev"),
		GatewayEndpoint: orDefault("gatewayEndpoint", fmt.Sprintf("otel-gateway.observability.svc.cluster.local:%d", collector.PortOTLPGRPC)),
	}, nil
}

var agentResources = kube.Resources{CPURequest: "50m", CPULimit: "200m", MemoryRequest: "128Mi", MemoryLimit: "128Mi"}

// sidecarConfig renders the agent preset in sidecar mode. AddSidecar gives the agent its
// pod's identity in these variables (a sidecar has no RBAC to look it up).
func sidecarConfig(s settings) (string, error) {
	mib, err := agentResources.MemoryLimitMiB()
	if err != nil {
		return "", err
	}
	c, err := collector.AgentConfig(collector.AgentOptions{
		Mode: collector.AgentSidecar, Environment: s.Environment, GatewayEndpoint: s.GatewayEndpoint,
		MemoryLimitMiB: mib, QueueSize: 500,
		ResourceAttributes: []collector.AttributeAction{
			{Key: "k8s.pod.name", Value: "${env:K8S_POD_NAME}", Action: "upsert"},
			{Key: "k8s.namespace.name", Value: "${env:K8S_POD_NAMESPACE}", Action: "upsert"},
			{Key: "k8s.pod.uid", Value: "${env:K8S_POD_UID}", Action: "upsert"},
			{Key: "k8s.node.name", Value: "${env:" + kube.NodeNameEnv + "}", Action: "upsert"},
		},
	})
	if err != nil {
		return "", fmt.Errorf("sidecar config: %w", err)
	}
	return c.YAML()
}

func program(ctx *pulumi.Context) error {
	s, err := loadSettings(ctx)
	if err != nil {
		return err
	}
	provider, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{Kubeconfig: s.Kubeconfig})
	if err != nil {
		return err
	}
	onCluster := pulumi.Provider(provider)
	ns, err := kube.NewNamespace(ctx, "apps", s.Namespace, kube.PodSecurityRestricted, nil, onCluster)
	if err != nil {
		return err
	}

	// 1. The sidecar config, once per namespace that runs opted-in workloads.
	text, err := sidecarConfig(s)
	if err != nil {
		return err
	}
	cm, err := kube.NewSidecarConfig(ctx, "agent-config", ns.Metadata.Name().Elem(), "otel-agent-config", text, collector.Release, onCluster)
	if err != nil {
		return err
	}
	// 2. The transformation, before the workloads: it only sees resources created after it.
	inject, err := kube.SidecarInjection(kube.InjectOptions{
		Image: s.Image, Resources: agentResources, Config: text,
		ConfigMaps: map[string]pulumi.StringInput{s.Namespace: cm.Metadata.Name().Elem()},
	})
	if err != nil {
		return err
	}
	if err := ctx.RegisterStackTransformation(inject); err != nil {
		return err
	}
	// 3. The workloads, written as if there were no agent. Their namespace is a plain string
	// (the transformation picks the ConfigMap by it), so they depend on the Namespace explicitly.
	inNamespace := pulumi.DependsOn([]pulumi.Resource{ns})
	telemetrygen := "ghcr.io/open-telemetry/opentelemetry-collector-contrib/telemetrygen:v" + collector.Release
	if err := deployment(ctx, s.Namespace, "checkout", true, telemetrygen,
		[]string{"traces", "--otlp-endpoint=localhost:4317", "--otlp-insecure", "--rate=1", "--duration=87600h", "--service=checkout"},
		onCluster, inNamespace); err != nil {
		return err
	}
	return deployment(ctx, s.Namespace, "catalog", false, "registry.k8s.io/pause:3.10", nil, onCluster, inNamespace)
}

// deployment is an ordinary one-container Deployment; injectAgent sets kube.InjectLabel on
// its pod template. Its security context passes the namespace's "restricted" Pod Security.
func deployment(ctx *pulumi.Context, namespace, name string, injectAgent bool, image string, args []string, opts ...pulumi.ResourceOption) error {
	labels := pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(name)}
	podLabels := pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(name)}
	if injectAgent {
		podLabels[kube.InjectLabel] = pulumi.String("true")
	}
	_, err := appsv1.NewDeployment(ctx, name, &appsv1.DeploymentArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: pulumi.String(namespace), Labels: labels},
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(1),
			Selector: &metav1.LabelSelectorArgs{MatchLabels: labels},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: podLabels},
				Spec: &corev1.PodSpecArgs{
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot: pulumi.Bool(true), RunAsUser: pulumi.Int(65532),
						SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
					},
					Containers: corev1.ContainerArray{corev1.ContainerArgs{
						Name: pulumi.String(name), Image: pulumi.String(image), Args: pulumi.ToStringArray(args),
						Resources: corev1.ResourceRequirementsArgs{
							Requests: pulumi.StringMap{"cpu": pulumi.String("10m"), "memory": pulumi.String("32Mi")},
							Limits:   pulumi.StringMap{"cpu": pulumi.String("100m"), "memory": pulumi.String("64Mi")},
						},
						SecurityContext: &corev1.SecurityContextArgs{
							AllowPrivilegeEscalation: pulumi.Bool(false), ReadOnlyRootFilesystem: pulumi.Bool(true),
							Capabilities: &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
						},
					}},
				},
			},
		},
	}, opts...)
	return err
}

func main() { pulumi.Run(program) }
