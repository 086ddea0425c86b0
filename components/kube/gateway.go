package kube

import (
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"
	"strings"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Gateway workload kinds.
const (
	KindDeployment  = "deployment"
	KindStatefulSet = "statefulset"
)

// GatewayArgs configure the gateway tier. Defaults (applied by NewGateway, in one place):
// Name "otel-gateway", Kind deployment, Replicas 3, HPA off, PDB maxUnavailable 1.
type GatewayArgs struct {
	Namespace pulumi.StringInput // required; create it with NewNamespace
	Name      string             // object name prefix; default "otel-gateway"
	Image     string             // required, "repo:tag"
	Version   string             // app.kubernetes.io/version label; default the image tag
	Config    string             // required: rendered collector YAML (collector.Config.YAML)
	Resources Resources          // required
	Kind      string             // KindDeployment (default) or KindStatefulSet
	Replicas  int                // used when HPA is nil; default 3
	HPA       *HPA               // nil: fixed Replicas
	// PDBMaxUnavailable bounds voluntary disruptions; default 1.
	PDBMaxUnavailable int
	// QueueVolume backs the persistent sending queue: a PVC per pod (statefulset) or an
	// emptyDir (deployment). nil: no queue volume.
	QueueVolume *QueueVolume
	// TLSSecretName mounts a cert-manager secret at TLSCAFile/TLSCertFile/TLSKeyFile.
	TLSSecretName string
	// Env is added to the collector container (e.g. secretKeyRef values the config reads
	// with ${env:NAME}).
	Env corev1.EnvVarArray
	// ServiceAccountAnnotations carry cloud identity bindings (IRSA role ARN, Azure workload
	// identity client id). PodLabels are added to the pod template (e.g.
	// azure.workload.identity/use).
	ServiceAccountAnnotations pulumi.StringMapInput
	PodLabels                 map[string]string
	// AllowedNamespaces selects the namespaces allowed to send OTLP: nil allows every
	// namespace, otherwise namespaces labelled TelemetryNamespaceLabel=enabled plus these.
	AllowedNamespaces []string
	// MetricsNamespaces may scrape the collectors' own metrics (8888), besides namespaces
	// labelled MetricsNamespaceLabel=enabled.
	MetricsNamespaces []string
	// VPA adds a VerticalPodAutoscaler in recommendation mode (needs the VPA CRDs).
	VPA bool
	// Ingest adds a LoadBalancer Service for OTLP from outside the cluster; nil adds none.
	Ingest *Ingest
	// Canary runs a second workload beside the stable one, behind the same Services.
	Canary *Canary
	// SkipAwait adds pulumi.com/skipAwait for clusters
	// without nodes (manifest tests against a bare API server).
	SkipAwait bool
}

// Canary is a gateway track that takes a share of the traffic (about Replicas / (stable +
// Replicas) of the connections) before its image or config is promoted. Promote by making
// the stable track's image and config equal to the canary's and removing the canary; roll
// back by removing it.
type Canary struct {
	Image    string // "repo:tag"
	Config   string // rendered collector YAML (may differ from the stable config)
	Replicas int
}

// HPA configures the HorizontalPodAutoscaler of the gateway.
type HPA struct {
	MinReplicas, MaxReplicas  int
	CPUPercent, MemoryPercent int
}

// QueueVolume is the volume of the persistent sending queue.
type QueueVolume struct {
	MountPath    string // where the file_storage extension writes
	Size         string // e.g. "10Gi"
	StorageClass string // "" = cluster default
}

// Gateway is the central collector tier with its Services, autoscaling and policies.
type Gateway struct {
	pulumi.ResourceState
	// ServiceName is the ClusterIP Service agents send to; HeadlessServiceName resolves to
	// every pod (for trace-id load balancing).
	ServiceName         pulumi.StringOutput `pulumi:"serviceName"`
	HeadlessServiceName pulumi.StringOutput `pulumi:"headlessServiceName"`
	// OTLPEndpoint is the in-cluster gRPC endpoint, host:port.
	OTLPEndpoint   pulumi.StringOutput `pulumi:"otlpEndpoint"`
	ServiceAccount pulumi.StringOutput `pulumi:"serviceAccount"`
	ConfigChecksum pulumi.StringOutput `pulumi:"configChecksum"`
	// IngestHost is the hostname or IP of the ingest load balancer ("" without Ingest).
	IngestHost pulumi.StringOutput `pulumi:"ingestHost"`
}

// Ingest exposes the gateway outside the cluster through a LoadBalancer Service (OTLP and
// the health_check port, which DNS failover health checks probe). The cloud stack supplies
// the annotations of its load balancer controller (internal scheme, health probe).
type Ingest struct {
	Annotations map[string]string
	// SourceRanges limits the clients (loadBalancerSourceRanges); empty admits all the
	// load balancer can reach (an internal one: the private network).
	SourceRanges []string
}

func (a *GatewayArgs) withDefaults() (GatewayArgs, error) {
	if a == nil {
		return GatewayArgs{}, fmt.Errorf("gateway: args are required")
	}
	g := *a
	if g.Name == "" {
		g.Name = "otel-gateway"
	}
	if g.Kind == "" {
		g.Kind = KindDeployment
	}
	if g.Replicas == 0 {
		g.Replicas = 3
	}
	if g.PDBMaxUnavailable == 0 {
		g.PDBMaxUnavailable = 1
	}
	if g.Version == "" {
		g.Version = imageTag(g.Image)
	}
	switch {
	case g.Namespace == nil:
		return g, fmt.Errorf("gateway %q: Namespace is required", g.Name)
	case g.Image == "":
		return g, fmt.Errorf("gateway %q: Image is required", g.Name)
	case g.Config == "":
		return g, fmt.Errorf("gateway %q: Config is required (render it with collector.GatewayConfig)", g.Name)
	case g.Kind != KindDeployment && g.Kind != KindStatefulSet:
		return g, fmt.Errorf("gateway %q: Kind %q: use %q or %q", g.Name, g.Kind, KindDeployment, KindStatefulSet)
	case g.HPA != nil && (g.HPA.MinReplicas < 1 || g.HPA.MaxReplicas < g.HPA.MinReplicas):
		return g, fmt.Errorf("gateway %q: HPA replicas min %d max %d: need 1 <= min <= max", g.Name, g.HPA.MinReplicas, g.HPA.MaxReplicas)
	case g.Canary != nil && (g.Canary.Image == "" || g.Canary.Config == "" || g.Canary.Replicas < 1):
		return g, fmt.Errorf("gateway %q: Canary needs Image, Config and at least 1 replica", g.Name)
	case g.QueueVolume != nil && (g.QueueVolume.MountPath == "" || g.QueueVolume.Size == ""):
		return g, fmt.Errorf("gateway %q: QueueVolume needs MountPath and Size", g.Name)
	}
	return g, g.Resources.validate("gateway " + g.Name)
}

// NewGateway creates the gateway: ServiceAccount, ConfigMap, Deployment or StatefulSet,
// ClusterIP and headless Services, HPA, PDB, NetworkPolicy and optional VPA.
func NewGateway(ctx *pulumi.Context, name string, in *GatewayArgs, opts ...pulumi.ResourceOption) (*Gateway, error) {
	args, err := in.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Gateway{}
	if err := ctx.RegisterComponentResource("otelfleet:kube:Gateway", name, g, opts...); err != nil {
		return nil, err
	}
	b := &gatewayBuild{ctx: ctx, name: name, args: args, parent: pulumi.Parent(g), labels: labels(args.Name, "gateway", args.Version)}
	sa, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Name), Namespace: args.Namespace, Labels: b.labels, Annotations: args.ServiceAccountAnnotations},
		// The gateway does not call the Kubernetes API; cloud identity webhooks project
		// their own tokens.
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	workload, err := b.workloads()
	if err != nil {
		return nil, err
	}
	svc, headless, err := b.services(g)
	if err != nil {
		return nil, err
	}
	if err := b.availability(workload); err != nil {
		return nil, err
	}

	g.ServiceName = svc.Metadata.Name().Elem()
	g.HeadlessServiceName = headless.Metadata.Name().Elem()
	g.OTLPEndpoint = pulumi.Sprintf("%s.%s.svc.cluster.local:%d", g.ServiceName, args.Namespace, collector.PortOTLPGRPC)
	g.ServiceAccount = sa.Metadata.Name().Elem()
	g.ConfigChecksum = pulumi.String(Checksum(args.Config)).ToStringOutput()
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{
		"ingestHost":  g.IngestHost,
		"serviceName": g.ServiceName, "headlessServiceName": g.HeadlessServiceName, "otlpEndpoint": g.OTLPEndpoint,
		"serviceAccount": g.ServiceAccount, "configChecksum": g.ConfigChecksum,
	})
}

// gatewayBuild creates the gateway's children, one concern per method.
type gatewayBuild struct {
	ctx    *pulumi.Context
	name   string
	args   GatewayArgs
	parent pulumi.ResourceOption
	labels pulumi.StringMap
}

// meta is the metadata of one of the gateway's objects.
func (b *gatewayBuild) meta(objectName string) *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{Name: pulumi.String(objectName), Namespace: b.args.Namespace, Labels: b.labels, Annotations: awaitAnnotations(b.args.SkipAwait)}
}

// workloads are the stable track (returned) and, with a canary, the canary track.
func (b *gatewayBuild) workloads() (pulumi.Resource, error) {
	args := b.args
	var replicas pulumi.IntPtrInput
	if args.HPA == nil {
		replicas = pulumi.Int(args.Replicas)
	} // with an HPA the workload leaves replicas unset, so an update never resets the HPA's count
	stable := gatewayTrack{track: TrackStable, objectName: args.Name, image: args.Image, config: args.Config, replicas: replicas}
	workload, err := newGatewayWorkload(b.ctx, b.name, args, stable, b.parent)
	if err != nil {
		return nil, err
	}
	if c := args.Canary; c != nil {
		canary := gatewayTrack{track: TrackCanary, objectName: args.Name + "-canary", image: c.Image, config: c.Config, replicas: pulumi.Int(c.Replicas)}
		if _, err := newGatewayWorkload(b.ctx, b.name+"-canary", args, canary, b.parent); err != nil {
			return nil, err
		}
	}
	return workload, nil
}

// services are how the gateway is reached: the ClusterIP Service, the headless one agents
// route trace ids over, with ingest a LoadBalancer Service (g.IngestHost), and the
// NetworkPolicy that admits them.
func (b *gatewayBuild) services(g *Gateway) (svc, headless *corev1.Service, err error) {
	args := b.args
	ports := corev1.ServicePortArray{
		servicePort("otlp-grpc", collector.PortOTLPGRPC),
		servicePort("otlp-http", collector.PortOTLPHTTP),
		servicePort("metrics", collector.PortMetrics),
	}
	if svc, err = corev1.NewService(b.ctx, b.name+"-service", &corev1.ServiceArgs{
		Metadata: b.meta(args.Name),
		Spec:     &corev1.ServiceSpecArgs{Type: pulumi.String("ClusterIP"), Selector: selector(args.Name, "gateway"), Ports: ports},
	}, b.parent); err != nil {
		return nil, nil, err
	}
	if headless, err = corev1.NewService(b.ctx, b.name+"-headless", &corev1.ServiceArgs{
		Metadata: b.meta(args.Name + "-headless"),
		Spec: &corev1.ServiceSpecArgs{
			ClusterIP: pulumi.String("None"), Selector: selector(args.Name, "gateway"), Ports: ports,
			// Tail sampling routes to every ready pod; publishing unready ones would lose spans.
			PublishNotReadyAddresses: pulumi.Bool(false),
		},
	}, b.parent); err != nil {
		return nil, nil, err
	}
	g.IngestHost = pulumi.String("").ToStringOutput()
	if args.Ingest != nil {
		lb, err := newIngestService(b.ctx, b.name, args, b.meta(args.Name+"-ingest"), b.parent)
		if err != nil {
			return nil, nil, err
		}
		// The cloud's load balancer controller fills the status: a hostname (AWS) or an IP (Azure).
		ingress := lb.Status.LoadBalancer().Ingress().Index(pulumi.Int(0))
		g.IngestHost = pulumi.All(ingress.Hostname(), ingress.Ip()).ApplyT(func(v []any) string {
			for _, x := range v {
				if p, ok := x.(*string); ok && p != nil && *p != "" {
					return *p
				}
			}
			return ""
		}).(pulumi.StringOutput)
	}
	_, err = newGatewayNetworkPolicy(b.ctx, b.name, args, b.meta(args.Name), b.parent)
	return svc, headless, err
}

// availability is how the gateway keeps its capacity: the HPA, the PDB covering both
// tracks, and the VPA's recommendations.
func (b *gatewayBuild) availability(workload pulumi.Resource) error {
	args := b.args
	workloadKind := workloadKindOf(args.Kind)
	if args.HPA != nil {
		if _, err := newGatewayHPA(b.ctx, b.name, args, b.meta(args.Name), workloadKind, b.parent, pulumi.DependsOn([]pulumi.Resource{workload})); err != nil {
			return err
		}
	}
	if _, err := policyv1.NewPodDisruptionBudget(b.ctx, b.name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: b.meta(args.Name),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(args.PDBMaxUnavailable),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: selector(args.Name, "gateway")}, // both tracks
			// Evicting a pod that is not ready cannot hurt availability; without this a
			// crash-looping gateway blocks every node drain.
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, b.parent); err != nil {
		return err
	}
	if !args.VPA {
		return nil
	}
	_, err := customResource(b.ctx, b.name+"-vpa", "autoscaling.k8s.io/v1", "VerticalPodAutoscaler", args.Name, args.Namespace, kubernetes.UntypedArgs{
		"spec": map[string]any{
			"targetRef":    map[string]any{"apiVersion": "apps/v1", "kind": workloadKind, "name": args.Name},
			"updatePolicy": map[string]any{"updateMode": "Off"},
			"resourcePolicy": map[string]any{"containerPolicies": []any{map[string]any{
				"containerName": collectorLabel, "controlledResources": []any{"cpu", "memory"},
			}}},
		},
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{workload}))
	return err
}

const queueVolume = "queue"

// Gateway tracks: the stable workload, and an optional canary beside it behind the same
// Services (traffic splits roughly by replica count).
const (
	TrackStable = fleet.TrackStable
	TrackCanary = fleet.TrackCanary
	trackLabel  = fleet.LabelTrack
)

// gatewayTrack is one gateway workload: its own ConfigMap, image and replica count.
type gatewayTrack struct {
	track, objectName, image, config string
	replicas                         pulumi.IntPtrInput
}

func workloadKindOf(kind string) string {
	if kind == KindStatefulSet {
		return "StatefulSet"
	}
	return "Deployment"
}

// newGatewayWorkload creates one track's ConfigMap and Deployment or StatefulSet. Its
// selector includes the track, so the stable and canary workloads never adopt each
// other's pods, while the Services (which select without the track) reach both.
func newGatewayWorkload(ctx *pulumi.Context, name string, args GatewayArgs, t gatewayTrack, parent pulumi.ResourceOption) (pulumi.Resource, error) {
	ns := args.Namespace
	objectLabels := labels(args.Name, "gateway", imageTag(t.image))
	objectLabels[trackLabel] = pulumi.String(t.track)
	meta := &metav1.ObjectMetaArgs{Name: pulumi.String(t.objectName), Namespace: ns, Labels: objectLabels, Annotations: awaitAnnotations(args.SkipAwait)}
	cm, err := corev1.NewConfigMap(ctx, name+"-config", &corev1.ConfigMapArgs{
		Metadata: configMapMeta(t.objectName+"-config", ns, objectLabels, t.objectName),
		Data:     pulumi.StringMap{configFile: pulumi.String(t.config)},
	}, parent)
	if err != nil {
		return nil, err
	}
	pod, err := gatewayPodTemplate(args, t, cm)
	if err != nil {
		return nil, err
	}
	matchLabels := selector(args.Name, "gateway")
	matchLabels[trackLabel] = pulumi.String(t.track)
	sel := &metav1.LabelSelectorArgs{MatchLabels: matchLabels}
	if args.Kind == KindDeployment {
		return appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
			Metadata: meta,
			Spec: &appsv1.DeploymentSpecArgs{
				Replicas: t.replicas,
				Selector: sel,
				Strategy: &appsv1.DeploymentStrategyArgs{
					Type:          pulumi.String("RollingUpdate"),
					RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{MaxSurge: pulumi.Int(1), MaxUnavailable: pulumi.Int(0)},
				},
				RevisionHistoryLimit: pulumi.Int(5),
				Template:             pod,
			},
		}, parent)
	}
	var claims corev1.PersistentVolumeClaimTypeArray
	if q := args.QueueVolume; q != nil {
		spec := &corev1.PersistentVolumeClaimSpecArgs{
			AccessModes: pulumi.StringArray{pulumi.String("ReadWriteOnce")},
			Resources:   &corev1.VolumeResourceRequirementsArgs{Requests: pulumi.StringMap{"storage": pulumi.String(q.Size)}},
		}
		if q.StorageClass != "" {
			spec.StorageClassName = pulumi.String(q.StorageClass)
		}
		claims = corev1.PersistentVolumeClaimTypeArray{corev1.PersistentVolumeClaimTypeArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(queueVolume)},
			Spec:     spec,
		}}
	}
	return appsv1.NewStatefulSet(ctx, name+"-statefulset", &appsv1.StatefulSetArgs{
		Metadata: meta,
		Spec: &appsv1.StatefulSetSpecArgs{
			Replicas:             t.replicas,
			Selector:             sel,
			ServiceName:          pulumi.String(args.Name + "-headless"),
			PodManagementPolicy:  pulumi.String("Parallel"),
			UpdateStrategy:       &appsv1.StatefulSetUpdateStrategyArgs{Type: pulumi.String("RollingUpdate")},
			Template:             pod,
			VolumeClaimTemplates: claims,
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicyArgs{
				WhenDeleted: pulumi.String("Retain"), WhenScaled: pulumi.String("Retain"),
			},
		},
	}, parent)
}

func gatewayPodTemplate(args GatewayArgs, t gatewayTrack, cm *corev1.ConfigMap) (*corev1.PodTemplateSpecArgs, error) {
	volumes := configVolumes(cm.Metadata.Name().Elem())
	var mounts corev1.VolumeMountArray
	if q := args.QueueVolume; q != nil {
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String(queueVolume), MountPath: pulumi.String(q.MountPath)})
		if args.Kind == KindDeployment {
			volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String(queueVolume), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String(q.Size)}})
		}
	}
	if args.TLSSecretName != "" {
		volumes = append(volumes, tlsVolumeArgs(args.TLSSecretName))
		mounts = append(mounts, tlsMount())
	}
	container, err := collectorContainer(collectorLabel, t.image, args.Resources, gatewayRuntime, args.Env, mounts)
	if err != nil {
		return nil, err
	}
	container.LivenessProbe = healthProbe(30, 10)
	container.ReadinessProbe = healthProbe(10, 5)
	if q := args.QueueVolume; q != nil && args.Kind == KindDeployment {
		// The queue lives in an emptyDir: it survives container restarts, not rescheduling
		// (a StatefulSet keeps it on a volume that follows the pod).
		res, err := args.Resources.withEphemeralStorage(q.Size, 1024)
		if err != nil {
			return nil, err
		}
		container.Resources = res
	}

	podLabels := labels(args.Name, "gateway", imageTag(t.image))
	podLabels[trackLabel] = pulumi.String(t.track)
	for k, v := range args.PodLabels {
		podLabels[k] = pulumi.String(v)
	}
	zoneSpread := func(key string) corev1.TopologySpreadConstraintArgs {
		return corev1.TopologySpreadConstraintArgs{
			MaxSkew: pulumi.Int(1), TopologyKey: pulumi.String(key), WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector: &metav1.LabelSelectorArgs{MatchLabels: selector(args.Name, "gateway")},
		}
	}
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Labels:      podLabels,
			Annotations: podAnnotations(t.config),
		},
		Spec: &corev1.PodSpecArgs{
			ServiceAccountName:            pulumi.String(args.Name),
			AutomountServiceAccountToken:  pulumi.Bool(false),
			SecurityContext:               podSecurityContext(),
			TerminationGracePeriodSeconds: pulumi.Int(60), // time to drain the sending queue
			Containers:                    corev1.ContainerArray{container},
			Volumes:                       volumes,
			NodeSelector:                  pulumi.StringMap{"kubernetes.io/os": pulumi.String("linux")},
			Affinity: &corev1.AffinityArgs{PodAntiAffinity: &corev1.PodAntiAffinityArgs{
				PreferredDuringSchedulingIgnoredDuringExecution: corev1.WeightedPodAffinityTermArray{corev1.WeightedPodAffinityTermArgs{
					Weight: pulumi.Int(100),
					PodAffinityTerm: corev1.PodAffinityTermArgs{
						TopologyKey:   pulumi.String("kubernetes.io/hostname"),
						LabelSelector: &metav1.LabelSelectorArgs{MatchLabels: selector(args.Name, "gateway")},
					},
				}},
			}},
			TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{zoneSpread("topology.kubernetes.io/zone")},
		},
	}, nil
}

func newGatewayHPA(ctx *pulumi.Context, name string, args GatewayArgs, meta *metav1.ObjectMetaArgs, kind string, opts ...pulumi.ResourceOption) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	utilization := func(resource string, pct int) autoscalingv2.MetricSpecArgs {
		return autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: &autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String(resource),
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(pct)},
			},
		}
	}
	policy := func(typ string, value, period int) autoscalingv2.HPAScalingPolicyArgs {
		return autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String(typ), Value: pulumi.Int(value), PeriodSeconds: pulumi.Int(period)}
	}
	return autoscalingv2.NewHorizontalPodAutoscaler(ctx, name+"-hpa", &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: meta,
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{ApiVersion: pulumi.String("apps/v1"), Kind: pulumi.String(kind), Name: pulumi.String(args.Name)},
			MinReplicas:    pulumi.Int(args.HPA.MinReplicas),
			MaxReplicas:    pulumi.Int(args.HPA.MaxReplicas),
			Metrics: autoscalingv2.MetricSpecArray{
				utilization("cpu", args.HPA.CPUPercent),
				utilization("memory", args.HPA.MemoryPercent),
			},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
				// Scale up at once (telemetry bursts are short and refusing them loses data);
				// scale down slowly, at most half the pods a minute.
				ScaleUp: &autoscalingv2.HPAScalingRulesArgs{
					StabilizationWindowSeconds: pulumi.Int(0),
					Policies:                   autoscalingv2.HPAScalingPolicyArray{policy("Percent", 100, 30), policy("Pods", 2, 30)},
					SelectPolicy:               pulumi.String("Max"),
				},
				ScaleDown: &autoscalingv2.HPAScalingRulesArgs{
					StabilizationWindowSeconds: pulumi.Int(300),
					Policies:                   autoscalingv2.HPAScalingPolicyArray{policy("Percent", 50, 60)},
				},
			},
		},
	}, opts...)
}

// newGatewayNetworkPolicy admits OTLP from the allowed namespaces, metrics scraping from
// the fleet's and labelled namespaces, and the ingest load balancer's clients.
func newGatewayNetworkPolicy(ctx *pulumi.Context, name string, args GatewayArgs, meta *metav1.ObjectMetaArgs, opts ...pulumi.ResourceOption) (*networkingv1.NetworkPolicy, error) {
	rules := collectorIngress(otlpPeers(args.AllowedNamespaces), args.MetricsNamespaces)
	if args.Ingest != nil {
		// Traffic through the ingest load balancer arrives from outside the cluster (client
		// addresses are kept), and the load balancer health-checks the health_check port.
		ranges := args.Ingest.SourceRanges
		if len(ranges) == 0 {
			ranges = []string{"0.0.0.0/0"}
		}
		var from networkingv1.NetworkPolicyPeerArray
		for _, r := range ranges {
			from = append(from, networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(r)}})
		}
		rules = append(rules, networkingv1.NetworkPolicyIngressRuleArgs{From: from, Ports: networkingv1.NetworkPolicyPortArray{
			tcpPort(collector.PortOTLPGRPC), tcpPort(collector.PortOTLPHTTP), tcpPort(collector.PortHealthCheck),
		}})
	}
	return newCollectorNetworkPolicy(ctx, name, meta, selector(args.Name, "gateway"), rules, opts...)
}

func servicePort(name string, port int) corev1.ServicePortArgs {
	return corev1.ServicePortArgs{Name: pulumi.String(name), Port: pulumi.Int(port), TargetPort: pulumi.String(name), Protocol: pulumi.String("TCP"), AppProtocol: appProtocol(name)}
}

func appProtocol(name string) pulumi.StringPtrInput {
	switch name {
	case "otlp-grpc":
		return pulumi.String("grpc")
	case "otlp-http", "metrics":
		return pulumi.String("http")
	}
	return nil
}

func configMapMeta(objectName string, ns pulumi.StringInput, l pulumi.StringMap, tier string) *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Name: pulumi.String(objectName), Namespace: ns, Labels: l,
		// synth and the collector tests find every rendered config through this annotation.
		Annotations: pulumi.StringMap{CollectorConfigAnnotation: pulumi.String(tier)},
	}
}

// CollectorConfigAnnotation marks a ConfigMap whose config.yaml is a collector configuration;
// its value names the collector tier.
const CollectorConfigAnnotation = fleet.AnnotationCollectorConfig

func tlsVolumeArgs(secret string) corev1.VolumeArgs {
	return corev1.VolumeArgs{Name: pulumi.String(tlsVolume), Secret: &corev1.SecretVolumeSourceArgs{SecretName: pulumi.String(secret), DefaultMode: pulumi.Int(0o440)}}
}

func tlsMount() corev1.VolumeMountArgs {
	return corev1.VolumeMountArgs{Name: pulumi.String(tlsVolume), MountPath: pulumi.String(tlsDir), ReadOnly: pulumi.Bool(true)}
}

func awaitAnnotations(skip bool) pulumi.StringMap {
	if !skip {
		return nil
	}
	return pulumi.StringMap{"pulumi.com/skipAwait": pulumi.String("true")}
}

func imageTag(image string) string {
	image, _, _ = strings.Cut(image, "@") // repo:tag@sha256:...: the tag, not the digest
	for i := len(image) - 1; i >= 0 && image[i] != '/'; i-- {
		if image[i] == ':' {
			return image[i+1:]
		}
	}
	return "latest"
}

// newIngestService is the gateway's LoadBalancer Service: OTLP gRPC/HTTP and health_check
// (for the load balancer's and DNS failover's health checks), traffic kept on the node that
// received it so client addresses survive for the NetworkPolicy.
func newIngestService(ctx *pulumi.Context, name string, args GatewayArgs, meta *metav1.ObjectMetaArgs, opts ...pulumi.ResourceOption) (*corev1.Service, error) {
	annotations := pulumi.StringMap{}
	for k, v := range meta.Annotations.(pulumi.StringMap) {
		annotations[k] = v
	}
	for k, v := range args.Ingest.Annotations {
		annotations[k] = pulumi.String(v)
	}
	meta.Annotations = annotations
	spec := &corev1.ServiceSpecArgs{
		Type:                  pulumi.String("LoadBalancer"),
		Selector:              selector(args.Name, "gateway"),
		ExternalTrafficPolicy: pulumi.String("Local"),
		Ports: corev1.ServicePortArray{
			servicePort("otlp-grpc", collector.PortOTLPGRPC),
			servicePort("otlp-http", collector.PortOTLPHTTP),
			servicePort("health", collector.PortHealthCheck),
		},
	}
	if len(args.Ingest.SourceRanges) > 0 {
		spec.LoadBalancerSourceRanges = pulumi.ToStringArray(args.Ingest.SourceRanges)
	}
	return corev1.NewService(ctx, name+"-ingest", &corev1.ServiceArgs{Metadata: meta, Spec: spec}, opts...)
}
