package kube

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ClusterCollectorArgs configure the cluster collector: one pod per cluster running
// k8s_cluster and/or k8sobjects (collector.ClusterCollectorConfig), exporting to the
// gateway. Its RBAC follows the receivers Config defines.
type ClusterCollectorArgs struct {
	Namespace pulumi.StringInput // required
	Name      string             // required: object name
	Image     string             // required
	Version   string             // default: the image tag
	Config    string             // required: collector.ClusterCollectorConfig's YAML
	Resources Resources          // required
	// MetricsNamespaces may scrape its port 8888 (see GatewayArgs).
	MetricsNamespaces []string
	// TLSSecretName mounts a client certificate (the agents', in the same namespace).
	TLSSecretName string
	SkipAwait     bool

	rules []rbacv1.PolicyRuleArgs // from Config, by check
}

// ClusterCollectorResources size the cluster collector (its memory limit is
// fleet.ClusterCollectorMemoryLimitMiB): k8s_cluster holds the cluster's objects in its
// informers' cache, a few hundred MiB for thousands of pods.
var ClusterCollectorResources = Resources{CPURequest: "50m", CPULimit: "500m", MemoryRequest: "256Mi", MemoryLimit: "512Mi"}

// ClusterCollectorRules are exactly what the cluster collector's receivers read at the
// pinned release, nothing else (no secrets, no writes): k8s_cluster gets/lists/watches the
// objects whose state it reports; k8sobjects lists Events (to learn where to start
// watching) and watches them. An unknown receiver type is an error: its rights would be
// guessed.
func ClusterCollectorRules(receiverTypes []string) ([]rbacv1.PolicyRuleArgs, error) {
	rule := func(verbs []string, group string, resources ...string) rbacv1.PolicyRuleArgs {
		return rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{group}), Resources: pulumi.ToStringArray(resources), Verbs: pulumi.ToStringArray(verbs)}
	}
	readOnly := []string{"get", "list", "watch"}
	var rules []rbacv1.PolicyRuleArgs
	for _, t := range receiverTypes {
		switch t {
		case collector.TypeK8sCluster:
			rules = append(rules,
				rule(readOnly, "", "events", "namespaces", "namespaces/status", "nodes", "nodes/spec", "pods", "pods/status",
					"replicationcontrollers", "replicationcontrollers/status", "resourcequotas", "services"),
				rule(readOnly, "apps", "daemonsets", "deployments", "replicasets", "statefulsets"),
				rule(readOnly, "batch", "jobs", "cronjobs"),
				rule(readOnly, "autoscaling", "horizontalpodautoscalers"))
		case collector.TypeK8sObjects:
			rules = append(rules, rule([]string{"list", "watch"}, "events.k8s.io", "events"))
		default:
			return nil, fmt.Errorf("cluster collector: receiver %q has no RBAC rules here (allowed: %s, %s)", t, collector.TypeK8sCluster, collector.TypeK8sObjects)
		}
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("cluster collector: Config defines no receiver (allowed: %s, %s)", collector.TypeK8sCluster, collector.TypeK8sObjects)
	}
	return rules, nil
}

// ClusterCollector is the cluster collector component.
type ClusterCollector struct {
	pulumi.ResourceState
}

func (a *ClusterCollectorArgs) check() (ClusterCollectorArgs, error) {
	if a == nil {
		return ClusterCollectorArgs{}, fmt.Errorf("cluster collector: args are required")
	}
	c := *a
	switch {
	case c.Namespace == nil || c.Name == "" || c.Image == "":
		return c, fmt.Errorf("cluster collector %q: Namespace, Name and Image are required", c.Name)
	case c.Config == "":
		return c, fmt.Errorf("cluster collector %q: Config is required (render it with collector.ClusterCollectorConfig)", c.Name)
	}
	if c.Version == "" {
		c.Version = imageTag(c.Image)
	}
	types, err := collector.ReceiverTypes(c.Config)
	if err != nil {
		return c, fmt.Errorf("cluster collector %q: Config: %w", c.Name, err)
	}
	if c.rules, err = ClusterCollectorRules(types); err != nil {
		return c, err
	}
	return c, c.Resources.validate("cluster collector " + c.Name)
}

// NewClusterCollector creates the cluster collector: ServiceAccount, ClusterRole and
// binding, ConfigMap, a one-replica Deployment that is replaced, never doubled (Recreate:
// two would report every object twice) and a NetworkPolicy admitting only metrics
// scrapes.
func NewClusterCollector(ctx *pulumi.Context, name string, in *ClusterCollectorArgs, opts ...pulumi.ResourceOption) (*ClusterCollector, error) {
	args, err := in.check()
	if err != nil {
		return nil, err
	}
	c := &ClusterCollector{}
	if err := ctx.RegisterComponentResource("otelfleet:kube:ClusterCollector", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	l := labels(args.Name, "cluster", args.Version)
	meta := &metav1.ObjectMetaArgs{Name: pulumi.String(args.Name), Namespace: args.Namespace, Labels: l, Annotations: awaitAnnotations(args.SkipAwait)}
	if _, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{Metadata: meta}, parent); err != nil {
		return nil, err
	}
	var rules rbacv1.PolicyRuleArray
	for _, r := range args.rules {
		rules = append(rules, r)
	}
	role, err := rbacv1.NewClusterRole(ctx, name+"-clusterrole", &rbacv1.ClusterRoleArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Name), Labels: l}, Rules: rules,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := rbacv1.NewClusterRoleBinding(ctx, name+"-clusterrolebinding", &rbacv1.ClusterRoleBindingArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Name), Labels: l},
		RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"), Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: pulumi.String(args.Name), Namespace: args.Namespace}},
	}, parent); err != nil {
		return nil, err
	}
	cm, err := corev1.NewConfigMap(ctx, name+"-config", &corev1.ConfigMapArgs{
		Metadata: configMapMeta(args.Name+"-config", args.Namespace, l, args.Name),
		Data:     pulumi.StringMap{configFile: pulumi.String(args.Config)},
	}, parent)
	if err != nil {
		return nil, err
	}
	volumes, mounts := configVolumes(cm.Metadata.Name().Elem()), corev1.VolumeMountArray{}
	if args.TLSSecretName != "" {
		volumes = append(volumes, tlsVolumeArgs(args.TLSSecretName))
		mounts = append(mounts, tlsMount())
	}
	container, err := collectorContainer(collectorLabel, args.Image, args.Resources, gatewayRuntime, nil, mounts)
	if err != nil {
		return nil, err
	}
	if _, err := appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: meta,
		Spec: appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(1),
			Strategy: &appsv1.DeploymentStrategyArgs{Type: pulumi.String("Recreate")},
			Selector: &metav1.LabelSelectorArgs{MatchLabels: selector(args.Name, "cluster")},
			Template: corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: l, Annotations: podAnnotations(args.Config)},
				Spec: &corev1.PodSpecArgs{
					ServiceAccountName:            pulumi.String(args.Name),
					SecurityContext:               podSecurityContext(),
					TerminationGracePeriodSeconds: pulumi.Int(30),
					Containers:                    corev1.ContainerArray{container},
					Volumes:                       volumes,
					NodeSelector:                  pulumi.StringMap{"kubernetes.io/os": pulumi.String("linux")},
				},
			},
		},
	}, parent); err != nil {
		return nil, err
	}
	// It receives nothing: only its self-metrics may be scraped.
	if _, err := newCollectorNetworkPolicy(ctx, name, meta, selector(args.Name, "cluster"), networkingv1.NetworkPolicyIngressRuleArray{
		collectorIngress(nil, args.MetricsNamespaces)[1],
	}, parent); err != nil {
		return nil, err
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{})
}
