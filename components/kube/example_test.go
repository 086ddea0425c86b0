package kube_test

import (
	"time"

	"fmt"
	"github.com/otelfleet/otelfleet/components/fleetca"
	"slices"
	"strings"
	"sync"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorder is the smallest useful Pulumi mock for these examples: it returns every
// resource's inputs as its outputs (nothing is computed by a cluster here) and records the
// Kubernetes objects by kind and metadata.name.
type recorder struct {
	mu      sync.Mutex
	objects map[string]map[string]any // "Kind/name" → inputs
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.objects == nil {
		r.objects = map[string]map[string]any{}
	}
	in := args.Inputs.Mappable()
	if meta, ok := in["metadata"].(map[string]any); ok && strings.HasPrefix(args.TypeToken, "kubernetes:") {
		kind := args.TypeToken[strings.LastIndex(args.TypeToken, ":")+1:]
		r.objects[fmt.Sprintf("%s/%v", kind, meta["name"])] = in
	}
	return args.Name + "-id", args.Inputs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// kinds lists the recorded objects, sorted.
func (r *recorder) kinds() []string {
	var out []string
	for k := range r.objects {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// dig walks recorded inputs by keys (strings) and indexes (ints).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// gatewayConfig renders a gateway collector config exporting to one OTLP backend.
func gatewayConfig() string {
	c, err := collector.GatewayConfig(collector.GatewayOptions{
		MemoryLimitMiB: 2048, QueueSize: 5000,
		Exporters: []collector.Exporter{{
			ID: "otlp_grpc/backend", Config: collector.OTLPExporter{Endpoint: "backend.example.com:4317"},
			Signals: []string{collector.Traces, collector.Metrics, collector.Logs},
		}},
	})
	if err != nil {
		panic(err)
	}
	text, err := c.YAML()
	if err != nil {
		panic(err)
	}
	return text
}

// NewGateway puts a rendered gateway config on a cluster: ServiceAccount, ConfigMap, the
// workload, a ClusterIP and a headless Service, the autoscaler, a disruption budget and a
// NetworkPolicy. A real program passes pulumi.Provider(kubernetesProvider) in opts.
func ExampleNewGateway() {
	r := &recorder{}
	endpoint := make(chan string, 1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		ns, err := kube.NewNamespace(ctx, "observability", "observability", kube.PodSecurityRestricted, nil)
		if err != nil {
			return err
		}
		gw, err := kube.NewGateway(ctx, "gateway", &kube.GatewayArgs{
			Namespace: ns.Metadata.Name().Elem(),
			Image:     collector.ReleaseImage,
			Config:    gatewayConfig(),
			Resources: kube.Resources{CPURequest: "500m", CPULimit: "2", MemoryRequest: "2Gi", MemoryLimit: "2Gi"},
			HPA:       &kube.HPA{MinReplicas: 3, MaxReplicas: 10, CPUPercent: 70},
		})
		if err != nil {
			return err
		}
		gw.OTLPEndpoint.ApplyT(func(e string) string { endpoint <- e; return e })
		return nil
	}, pulumi.WithMocks("project", "stack", r))
	if err != nil {
		panic(err)
	}
	fmt.Println(<-endpoint)
	for _, k := range r.kinds() {
		fmt.Println(k)
	}
	container := dig(r.objects["Deployment/otel-gateway"], "spec", "template", "spec", "containers", 0)
	fmt.Println("memory limit", dig(container, "resources", "limits", "memory"))
	// Output:
	// otel-gateway.observability.svc.cluster.local:4317
	// ConfigMap/otel-gateway-config
	// Deployment/otel-gateway
	// HorizontalPodAutoscaler/otel-gateway
	// Namespace/observability
	// NetworkPolicy/otel-gateway
	// PodDisruptionBudget/otel-gateway
	// Service/otel-gateway
	// Service/otel-gateway-headless
	// ServiceAccount/otel-gateway
	// memory limit 2Gi
}

// NewAgent runs the node-local agent as a DaemonSet behind a Service with
// internalTrafficPolicy Local: application pods send to the agent on their own node.
func ExampleNewAgent() {
	r := &recorder{}
	agentConfig, err := collector.AgentConfig(collector.AgentOptions{
		Mode: collector.AgentDaemonSet, Environment: "production",
		GatewayEndpoint: "otel-gateway.observability.svc.cluster.local:4317",
		MemoryLimitMiB:  256, QueueSize: 1000, K8sAttributes: true, NodeEnvVar: kube.NodeNameEnv,
	})
	if err != nil {
		panic(err)
	}
	text, err := agentConfig.YAML()
	if err != nil {
		panic(err)
	}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := kube.NewAgent(ctx, "agent", &kube.AgentArgs{
			Namespace:     pulumi.String("observability"),
			Image:         collector.ReleaseImage,
			Config:        text,
			Resources:     kube.Resources{CPURequest: "100m", CPULimit: "500m", MemoryRequest: "256Mi", MemoryLimit: "256Mi"},
			K8sAttributes: true, // read-only RBAC for the k8s_attributes processor
		})
		return err
	}, pulumi.WithMocks("project", "stack", r))
	if err != nil {
		panic(err)
	}
	for _, k := range r.kinds() {
		fmt.Println(k)
	}
	fmt.Println("traffic policy:", dig(r.objects["Service/otel-agent"], "spec", "internalTrafficPolicy"))
	ds := r.objects["DaemonSet/otel-agent"]
	fmt.Println("config rolls pods:", dig(ds, "spec", "template", "metadata", "annotations", "checksum/config") == kube.Checksum(text))
	// Output:
	// ClusterRole/otel-agent-k8sattributes
	// ClusterRoleBinding/otel-agent-k8sattributes
	// ConfigMap/otel-agent-config
	// DaemonSet/otel-agent
	// NetworkPolicy/otel-agent
	// Service/otel-agent
	// ServiceAccount/otel-agent
	// traffic policy: Local
	// config rolls pods: true
}

// NewFleet is the whole collector layer in one component: namespaces, the gateway, the
// DaemonSet agent and (with TLS) cert-manager certificates, with the collector configs
// rendered from the same arguments so the agent's endpoint always names the gateway.
func ExampleNewFleet() {
	r := &recorder{}
	gatewayEndpoint, agentEndpoint := make(chan string, 1), make(chan string, 1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		fleet, err := kube.NewFleet(ctx, "fleet", &kube.FleetArgs{
			Prefix: "otel", Environment: "staging", Image: collector.ReleaseImage,
			Namespace: "observability", AgentNamespace: "observability-agent", LogLevel: "info",
			AgentModes:     []string{collector.AgentDaemonSet},
			AgentResources: kube.Resources{CPURequest: "100m", CPULimit: "500m", MemoryRequest: "256Mi", MemoryLimit: "256Mi"},
			AgentQueueSize: 1000,
			Gateway: kube.GatewaySettings{
				Kind: kube.KindDeployment, Replicas: 2, PDBMaxUnavailable: 1, QueueSize: 5000,
				Resources: kube.Resources{CPURequest: "500m", CPULimit: "2", MemoryRequest: "2Gi", MemoryLimit: "2Gi"},
			},
			Exporters: []collector.Exporter{{
				ID: "debug", Config: collector.DebugExporter{Verbosity: "basic"},
				Signals: []string{collector.Traces, collector.Metrics, collector.Logs},
			}},
		})
		if err != nil {
			return err
		}
		fleet.GatewayEndpoint.ApplyT(func(e string) string { gatewayEndpoint <- e; return e })
		fleet.AgentEndpoint.ApplyT(func(e string) string { agentEndpoint <- e; return e })
		return nil
	}, pulumi.WithMocks("project", "stack", r))
	if err != nil {
		panic(err)
	}
	gateway := <-gatewayEndpoint
	fmt.Println("gateway:", gateway)
	fmt.Println("agent:  ", <-agentEndpoint)
	agentConfig, _ := dig(r.objects["ConfigMap/otel-agent-config"], "data", "config.yaml").(string)
	fmt.Println("agent sends to the gateway:", strings.Contains(agentConfig, "endpoint: "+gateway))
	fmt.Println("gateway replicas:", dig(r.objects["Deployment/otel-gateway"], "spec", "replicas"))
	// Output:
	// gateway: otel-gateway.observability.svc.cluster.local:4317
	// agent:   otel-agent.observability-agent.svc.cluster.local:4317
	// agent sends to the gateway: true
	// gateway replicas: 2
}

// AddSidecar turns any pod spec into one with a native-sidecar agent (a restartable init
// container) and points the application containers at it. It needs no Pulumi context: the
// ConfigMap it mounts comes from NewSidecarConfig, and SidecarTemplateAnnotations on the
// pod template roll the workload when that config changes.
func ExampleAddSidecar() {
	spec := &corev1.PodSpecArgs{
		Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name:  pulumi.String("app"),
			Image: pulumi.String("registry.example.com/checkout:1.4.2"),
		}},
	}
	err := kube.AddSidecar(spec, kube.SidecarOptions{
		Image:         collector.ReleaseImage,
		Resources:     kube.Resources{CPURequest: "50m", CPULimit: "200m", MemoryRequest: "128Mi", MemoryLimit: "128Mi"},
		ConfigMapName: pulumi.String("checkout-agent-config"),
	})
	if err != nil {
		panic(err)
	}
	agent := spec.InitContainers.(corev1.ContainerArray)[0].(corev1.ContainerArgs)
	fmt.Println("init container:", agent.Name, "restartPolicy:", agent.RestartPolicy)
	app := spec.Containers.(corev1.ContainerArray)[0].(corev1.ContainerArgs)
	for _, e := range app.Env.(corev1.EnvVarArray) {
		env := e.(corev1.EnvVarArgs)
		fmt.Println("app env:", env.Name, "=", env.Value)
	}
	for k := range kube.SidecarTemplateAnnotations("receivers: ...") {
		fmt.Println("pod template annotation:", k)
	}
	// Output:
	// init container: otel-agent restartPolicy: Always
	// app env: OTEL_EXPORTER_OTLP_ENDPOINT = http://localhost:4317
	// pod template annotation: checksum/config-agent
}

// NewNamespace labels a namespace so it enforces, audits and warns at one Pod Security level.
func ExampleNewNamespace() {
	r := &recorder{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := kube.NewNamespace(ctx, "observability", "observability", kube.PodSecurityRestricted,
			map[string]string{kube.TelemetryNamespaceLabel: "enabled"})
		return err
	}, pulumi.WithMocks("project", "stack", r))
	if err != nil {
		panic(err)
	}
	labels, _ := dig(r.objects["Namespace/observability"], "metadata", "labels").(map[string]any)
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Printf("%s=%v\n", k, labels[k])
	}
	// Output:
	// app.kubernetes.io/part-of=otelfleet
	// otelfleet.io/telemetry=enabled
	// pod-security.kubernetes.io/audit=restricted
	// pod-security.kubernetes.io/enforce=restricted
	// pod-security.kubernetes.io/enforce-version=latest
	// pod-security.kubernetes.io/warn=restricted
}

// Without an existing issuer, NewCertManager bootstraps a private CA: a self-signed issuer
// signs a CA certificate, and a CA ClusterIssuer made from it signs the collectors'
// certificates (NewCertificate).
func ExampleNewCertManager() {
	r := &recorder{}
	issuer, ca := make(chan string, 1), make(chan string, 1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		// A CA this program creates once (the first deployment's is kept).
		cm, err := kube.NewCertManager(ctx, "tls", &kube.CertManagerArgs{Prefix: "otel",
			CA: &kube.FleetCA{Source: fleetca.Fixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "example")}})
		if err != nil {
			return err
		}
		cm.IssuerName.ApplyT(func(n string) string { issuer <- n; return n })
		cm.CACertificate.ApplyT(func(pem string) string {
			cert, err := fleetca.ParseCertificate(pem)
			if err != nil {
				panic(err)
			}
			ca <- cert.Subject.CommonName
			return pem
		})
		return nil
	}, pulumi.WithMocks("project", "stack", r))
	if err != nil {
		panic(err)
	}
	fmt.Println("issuer:", <-issuer)
	fmt.Println("CA:", <-ca)
	for _, k := range r.kinds() {
		fmt.Println(k)
	}
	// Output:
	// issuer: otel-ca
	// CA: otel fleet CA
	// ClusterIssuer/otel-ca
	// Secret/otel-fleet-ca
}

// MemoryLimitMiB is what memory_limiter and GOMEMLIMIT are derived from.
func ExampleResources_MemoryLimitMiB() {
	mib, err := kube.Resources{CPURequest: "1", CPULimit: "2", MemoryRequest: "2Gi", MemoryLimit: "4Gi"}.MemoryLimitMiB()
	fmt.Println(mib, err)
	// Output:
	// 4096 <nil>
}
