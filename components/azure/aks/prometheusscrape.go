package aks

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The ConfigMap the Container Insights agent (ama-logs) reads its settings from: its
// prometheus_data_collection_settings make the agent's ReplicaSet scrape pods annotated
// prometheus.io/scrape and send the samples to the Log Analytics table InsightsMetrics
// (Namespace "prometheus", Name = metric name, Tags = labels plus scrapeUrl and
// pod_namespace). Keys left out keep the agent's defaults.
const (
	AgentConfigMapName      = "container-azm-ms-agentconfig"
	AgentConfigMapNamespace = "kube-system"
)

// PrometheusScrapeArgs select what Container Insights scrapes. Defaults: Interval "1m".
type PrometheusScrapeArgs struct {
	// Namespaces whose annotated pods are scraped (the fleet's namespaces).
	Namespaces []string
	// Metrics are the only metric names kept (fieldpass): each costs Log Analytics ingestion.
	Metrics  []string
	Interval string
}

// PrometheusScrape is the Container Insights agent's ConfigMap scraping the fleet's
// collectors (their :8888 self-metrics) into Log Analytics, where log search alerts read them.
type PrometheusScrape struct {
	pulumi.ResourceState
	ConfigMapName pulumi.StringOutput `pulumi:"configMapName"`
}

var scrapeName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9_.:]*[a-z0-9])?$`)

func (a *PrometheusScrapeArgs) withDefaults() (PrometheusScrapeArgs, error) {
	if a == nil || len(a.Namespaces) == 0 || len(a.Metrics) == 0 {
		return PrometheusScrapeArgs{}, fmt.Errorf("aks: PrometheusScrape needs Namespaces and Metrics")
	}
	out := *a
	if out.Interval == "" {
		out.Interval = "1m"
	}
	// The values are written into TOML strings: only plain names pass.
	for _, s := range append(append([]string{out.Interval}, out.Namespaces...), out.Metrics...) {
		if !scrapeName.MatchString(s) {
			return PrometheusScrapeArgs{}, fmt.Errorf("aks: PrometheusScrape: %q is not a plain namespace, metric name or interval", s)
		}
	}
	return out, nil
}

// AgentSettings renders the ConfigMap's data: the schema version the agent requires and
// the cluster-level Prometheus scrape settings.
func (a PrometheusScrapeArgs) AgentSettings() (map[string]string, error) {
	s, err := a.withDefaults()
	if err != nil {
		return nil, err
	}
	list := func(items []string) string { return `["` + strings.Join(items, `", "`) + `"]` }
	return map[string]string{
		"schema-version": "v1",
		"config-version": "otelfleet",
		"prometheus-data-collection-settings": fmt.Sprintf(`[prometheus_data_collection_settings.cluster]
    interval = %q
    monitor_kubernetes_pods = true
    monitor_kubernetes_pods_namespaces = %s
    fieldpass = %s
[prometheus_data_collection_settings.node]
    interval = %q
`, s.Interval, list(s.Namespaces), list(s.Metrics), s.Interval),
	}, nil
}

// NewPrometheusScrape creates the agent ConfigMap in kube-system. Pass the cluster's
// Kubernetes provider in opts. The cluster must not have another copy of this ConfigMap
// (otelfleet owns the agent's settings).
func NewPrometheusScrape(ctx *pulumi.Context, name string, args *PrometheusScrapeArgs, opts ...pulumi.ResourceOption) (*PrometheusScrape, error) {
	if args == nil {
		return nil, fmt.Errorf("aks: PrometheusScrape args are required")
	}
	data, err := args.AgentSettings()
	if err != nil {
		return nil, err
	}
	c := &PrometheusScrape{}
	if err := ctx.RegisterComponentResource("otelfleet:aks:PrometheusScrape", name, c, opts...); err != nil {
		return nil, err
	}
	cm, err := corev1.NewConfigMap(ctx, name, &corev1.ConfigMapArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:      pulumi.String(AgentConfigMapName),
			Namespace: pulumi.String(AgentConfigMapNamespace),
			Labels:    pulumi.StringMap{"app.kubernetes.io/managed-by": pulumi.String("otelfleet")},
		},
		Data: pulumi.ToStringMap(data),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.ConfigMapName = cm.Metadata.Name().Elem()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"configMapName": c.ConfigMapName})
}
