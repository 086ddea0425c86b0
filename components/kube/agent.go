package kube

import (
	"fmt"
	"github.com/otelfleet/otelfleet/components/fleet"

	"github.com/otelfleet/otelfleet/components/collector"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AgentArgs configure the DaemonSet agent. Defaults (applied by NewAgent): Name "otel-agent".
type AgentArgs struct {
	Namespace pulumi.StringInput // required
	Name      string             // object name prefix; default "otel-agent"
	Image     string             // required, "repo:tag"
	Version   string             // app.kubernetes.io/version; default the image tag
	Config    string             // required: rendered agent YAML (collector.AgentConfig)
	Resources Resources          // required
	// K8sAttributes grants the read-only RBAC the k8sattributes processor needs.
	K8sAttributes bool
	// AllowedNamespaces and MetricsNamespaces shape the agents' NetworkPolicy as the
	// gateway's (see GatewayArgs): who may send OTLP, who may scrape port 8888.
	AllowedNamespaces, MetricsNamespaces []string
	// LogCollection mounts /var/log read-only and runs the agent as uid 0 (container log
	// files are root-only); the namespace must then allow the privileged level.
	LogCollection bool
	// NodeMetrics lets the agent read its node's kubelet stats (RBAC nodes/stats, the node
	// IP in K8S_NODE_IP); HostFilesystems mounts the node's root filesystem read-only at
	// /hostfs (a hostPath: the namespace must then allow the privileged level).
	NodeMetrics, HostFilesystems bool
	// PrometheusScrape lets the agent discover the pods of its node (RBAC pods list/watch).
	PrometheusScrape bool
	// TLSSecretName mounts a cert-manager secret (client certificate and CA).
	TLSSecretName string
	SkipAwait     bool
}

// readsAPI reports whether the agent talks to the Kubernetes API or its kubelet (and so
// needs its service account token).
func (a AgentArgs) readsAPI() bool { return a.K8sAttributes || a.NodeMetrics || a.PrometheusScrape }

// Agent is the node-local collector: a DaemonSet and a Service with
// internalTrafficPolicy Local, so pods reach the agent on their own node without hostPort
// (which Pod Security forbids below "privileged").
type Agent struct {
	pulumi.ResourceState
	// OTLPEndpoint is host:port of the node-local OTLP gRPC Service for application pods.
	OTLPEndpoint   pulumi.StringOutput `pulumi:"otlpEndpoint"`
	ServiceAccount pulumi.StringOutput `pulumi:"serviceAccount"`
	ConfigChecksum pulumi.StringOutput `pulumi:"configChecksum"`
}

// NodeNameEnv is the environment variable holding the agent's node name.
const NodeNameEnv = fleet.NodeNameEnv

func (a *AgentArgs) withDefaults() (AgentArgs, error) {
	if a == nil {
		return AgentArgs{}, fmt.Errorf("agent: args are required")
	}
	g := *a
	if g.Name == "" {
		g.Name = "otel-agent"
	}
	if g.Version == "" {
		g.Version = imageTag(g.Image)
	}
	switch {
	case g.Namespace == nil:
		return g, fmt.Errorf("agent %q: Namespace is required", g.Name)
	case g.Image == "":
		return g, fmt.Errorf("agent %q: Image is required", g.Name)
	case g.Config == "":
		return g, fmt.Errorf("agent %q: Config is required (render it with collector.AgentConfig)", g.Name)
	}
	return g, g.Resources.validate("agent " + g.Name)
}

// NewAgent creates the DaemonSet agent with its ServiceAccount, RBAC, ConfigMap and Service.
func NewAgent(ctx *pulumi.Context, name string, in *AgentArgs, opts ...pulumi.ResourceOption) (*Agent, error) {
	args, err := in.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Agent{}
	if err := ctx.RegisterComponentResource("otelfleet:kube:Agent", name, a, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(a)
	ns := args.Namespace
	objectLabels := labels(args.Name, "agent", args.Version)
	meta := func(objectName string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(objectName), Namespace: ns, Labels: objectLabels, Annotations: awaitAnnotations(args.SkipAwait)}
	}

	sa, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata:                     meta(args.Name),
		AutomountServiceAccountToken: pulumi.Bool(args.readsAPI()),
	}, parent)
	if err != nil {
		return nil, err
	}
	if args.readsAPI() {
		if err := agentRBAC(ctx, name, args, ns, objectLabels, parent); err != nil {
			return nil, err
		}
	}
	cm, err := corev1.NewConfigMap(ctx, name+"-config", &corev1.ConfigMapArgs{
		Metadata: configMapMeta(args.Name+"-config", ns, objectLabels, args.Name),
		Data:     pulumi.StringMap{configFile: pulumi.String(args.Config)},
	}, parent)
	if err != nil {
		return nil, err
	}

	template, err := agentPodTemplate(args, cm.Metadata.Name().Elem())
	if err != nil {
		return nil, err
	}
	ds, err := appsv1.NewDaemonSet(ctx, name+"-daemonset", &appsv1.DaemonSetArgs{
		Metadata: meta(args.Name),
		Spec: appsv1.DaemonSetSpecArgs{
			Selector: &metav1.LabelSelectorArgs{MatchLabels: selector(args.Name, "agent")},
			UpdateStrategy: &appsv1.DaemonSetUpdateStrategyArgs{
				Type:          pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDaemonSetArgs{MaxUnavailable: pulumi.String("10%")},
			},
			Template: template,
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	svc, err := corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: meta(args.Name),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: selector(args.Name, "agent"),
			// Local: a pod's traffic stays on its node's agent (no cross-node hop, and the
			// k8sattributes node-scoped watch sees the sender).
			InternalTrafficPolicy: pulumi.String("Local"),
			Ports: corev1.ServicePortArray{
				servicePort("otlp-grpc", collector.PortOTLPGRPC),
				servicePort("otlp-http", collector.PortOTLPHTTP),
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{ds}))
	if err != nil {
		return nil, err
	}
	// The agents listen on the node's pod network: admit only OTLP and metrics scraping.
	if _, err := newCollectorNetworkPolicy(ctx, name, meta(args.Name), selector(args.Name, "agent"),
		collectorIngress(otlpPeers(args.AllowedNamespaces), args.MetricsNamespaces), parent); err != nil {
		return nil, err
	}
	a.OTLPEndpoint = pulumi.Sprintf("%s.%s.svc.cluster.local:%d", svc.Metadata.Name().Elem(), ns, collector.PortOTLPGRPC)
	a.ServiceAccount = sa.Metadata.Name().Elem()
	a.ConfigChecksum = pulumi.String(Checksum(args.Config)).ToStringOutput()
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"otlpEndpoint": a.OTLPEndpoint, "serviceAccount": a.ServiceAccount, "configChecksum": a.ConfigChecksum})
}

// AgentRules are the agent's read-only RBAC rules, each for a component that needs it:
// k8s_attributes reads pods and namespaces, and replicasets to name a pod's Deployment;
// kubelet_stats reads nodes/stats (the kubelet authorizes /stats/summary so); the
// Prometheus pod discovery lists and watches pods. Nothing else (no secrets, no writes).
func AgentRules(k8sAttributes, nodeMetrics, prometheusScrape bool) []rbacv1.PolicyRuleArgs {
	readOnly := pulumi.ToStringArray([]string{"get", "list", "watch"})
	var rules []rbacv1.PolicyRuleArgs
	rule := func(group string, resources []string, verbs pulumi.StringArray) {
		rules = append(rules, rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{group}), Resources: pulumi.ToStringArray(resources), Verbs: verbs})
	}
	if k8sAttributes {
		rule("", []string{"pods", "namespaces"}, readOnly)
		rule("apps", []string{"replicasets"}, readOnly)
	}
	if nodeMetrics {
		rule("", []string{"nodes/stats"}, pulumi.ToStringArray([]string{"get"}))
	}
	if prometheusScrape && !k8sAttributes {
		rule("", []string{"pods"}, pulumi.ToStringArray([]string{"list", "watch"}))
	}
	return rules
}

// agentRBAC binds the agent's service account to AgentRules.
func agentRBAC(ctx *pulumi.Context, name string, args AgentArgs, ns pulumi.StringInput, l pulumi.StringMap, opts ...pulumi.ResourceOption) error {
	roleName := args.Name + "-k8sattributes"
	var rules rbacv1.PolicyRuleArray
	for _, r := range AgentRules(args.K8sAttributes, args.NodeMetrics, args.PrometheusScrape) {
		rules = append(rules, r)
	}
	role, err := rbacv1.NewClusterRole(ctx, name+"-clusterrole", &rbacv1.ClusterRoleArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(roleName), Labels: l},
		Rules:    rules,
	}, opts...)
	if err != nil {
		return err
	}
	_, err = rbacv1.NewClusterRoleBinding(ctx, name+"-clusterrolebinding", &rbacv1.ClusterRoleBindingArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(roleName), Labels: l},
		RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"), Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: pulumi.String(args.Name), Namespace: ns}},
	}, opts...)
	return err
}

// agentPodTemplate is the agent's pod: the collector with its node's identity from the
// downward API, the config volume, with log collection /var/log read-only (and uid 0, no
// capabilities), with TLS the certificate's secret.
func agentPodTemplate(args AgentArgs, configMap pulumi.StringInput) (corev1.PodTemplateSpecArgs, error) {
	env := corev1.EnvVarArray{
		corev1.EnvVarArgs{Name: pulumi.String(NodeNameEnv), ValueFrom: fieldRef("spec.nodeName")},
		corev1.EnvVarArgs{Name: pulumi.String("K8S_POD_NAMESPACE"), ValueFrom: fieldRef("metadata.namespace")},
		corev1.EnvVarArgs{Name: pulumi.String("K8S_POD_NAME"), ValueFrom: fieldRef("metadata.name")},
	}
	if args.NodeMetrics {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(fleet.NodeIPEnv), ValueFrom: fieldRef("status.hostIP")})
	}
	volumes := configVolumes(configMap)
	var mounts corev1.VolumeMountArray
	if args.HostFilesystems {
		// The node's filesystems, for their usage; HostToContainer so mounts made after the
		// agent started (a new volume) show up too.
		volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String("hostfs"), HostPath: &corev1.HostPathVolumeSourceArgs{Path: pulumi.String("/"), Type: pulumi.String("Directory")}})
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String("hostfs"), MountPath: pulumi.String(fleet.HostRootMountPath), ReadOnly: pulumi.Bool(true), MountPropagation: pulumi.String("HostToContainer")})
	}
	if args.LogCollection {
		volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String("varlog"), HostPath: &corev1.HostPathVolumeSourceArgs{Path: pulumi.String("/var/log"), Type: pulumi.String("Directory")}})
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String("varlog"), MountPath: pulumi.String("/var/log"), ReadOnly: pulumi.Bool(true)})
		// The log receiver's offsets outlive the pod on its node (a rollout, an eviction).
		volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String("log-checkpoints"), HostPath: &corev1.HostPathVolumeSourceArgs{
			Path: pulumi.String(fleet.LogCheckpointHostPath(args.Name)), Type: pulumi.String("DirectoryOrCreate")}})
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String("log-checkpoints"), MountPath: pulumi.String(fleet.LogCheckpointMountPath)})
	}
	if args.TLSSecretName != "" {
		volumes = append(volumes, tlsVolumeArgs(args.TLSSecretName))
		mounts = append(mounts, tlsMount())
	}
	container, err := collectorContainer(collectorLabel, args.Image, args.Resources, agentRuntime, env, mounts)
	if err != nil {
		return corev1.PodTemplateSpecArgs{}, err
	}
	podSecurity := podSecurityContext()
	if args.LogCollection {
		// Container log files are mode 0640 root:root: reading them needs uid 0. The agent
		// still runs with no capabilities, a read-only root and a read-only /var/log.
		root := restrictedSecurityContext()
		root.RunAsNonRoot, root.RunAsUser, root.RunAsGroup = pulumi.Bool(false), pulumi.Int(0), pulumi.Int(0)
		container.SecurityContext = root
		podSecurity.RunAsNonRoot, podSecurity.RunAsUser, podSecurity.RunAsGroup, podSecurity.FsGroup = pulumi.Bool(false), pulumi.Int(0), pulumi.Int(0), nil
	}
	return corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Labels:      labels(args.Name, "agent", args.Version),
			Annotations: podAnnotations(args.Config),
		},
		Spec: &corev1.PodSpecArgs{
			ServiceAccountName:            pulumi.String(args.Name),
			AutomountServiceAccountToken:  pulumi.Bool(args.readsAPI()),
			SecurityContext:               podSecurity,
			TerminationGracePeriodSeconds: pulumi.Int(30),
			Containers:                    corev1.ContainerArray{container},
			Volumes:                       volumes,
			NodeSelector:                  pulumi.StringMap{"kubernetes.io/os": pulumi.String("linux")},
			// Run on every node, tainted ones included: telemetry from any pod must
			// find a local agent.
			Tolerations: corev1.TolerationArray{
				corev1.TolerationArgs{Operator: pulumi.String("Exists"), Effect: pulumi.String("NoSchedule")},
				corev1.TolerationArgs{Operator: pulumi.String("Exists"), Effect: pulumi.String("NoExecute")},
			},
		},
	}, nil
}
