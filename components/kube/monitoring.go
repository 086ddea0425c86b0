package kube

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MonitoringArgs configure the fleet's self-monitoring.
type MonitoringArgs struct {
	Namespace   pulumi.StringInput // where the monitoring objects live (the gateway's)
	Namespaces  []string           // every namespace with fleet collectors
	GatewayName string
	GatewayKind string
	AgentName   string // "" without a DaemonSet agent
	MinReplicas int    // the gateway's minimum (HPA min or fixed replicas)
	// TailSamplingTraces is the gateway tail sampler's num_traces; 0 without tail sampling.
	TailSamplingTraces int
	// PrometheusOperator creates ServiceMonitor/PodMonitor/PrometheusRule objects (needs the
	// operator's CRDs); without it Prometheus finds the pods by their prometheus.io
	// annotations and no rule objects are created (FleetAlerts returns the rules).
	PrometheusOperator bool
	Dashboard          bool // a Grafana dashboard ConfigMap (grafana_dashboard: "1")
}

// Monitoring is the fleet's self-monitoring: scrape targets, alert rules, dashboard.
type Monitoring struct {
	pulumi.ResourceState
}

// DashboardLabel marks ConfigMaps that Grafana's dashboard sidecar loads.
const DashboardLabel = "grafana_dashboard"

// NewMonitoring creates the self-monitoring objects.
func NewMonitoring(ctx *pulumi.Context, name string, args *MonitoringArgs, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	if args == nil || args.Namespace == nil || args.GatewayName == "" || len(args.Namespaces) == 0 {
		return nil, fmt.Errorf("monitoring %q: Namespace, Namespaces and GatewayName are required", name)
	}
	m := &Monitoring{}
	if err := ctx.RegisterComponentResource("otelfleet:kube:Monitoring", name, m, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(m)
	nsRegex := strings.Join(args.Namespaces, "|")
	l := pulumi.StringMap{"app.kubernetes.io/part-of": pulumi.String("otelfleet")}

	if args.PrometheusOperator {
		endpoint := map[string]any{"port": "metrics", "path": "/metrics", "interval": "30s"}
		if _, err := customResource(ctx, name+"-servicemonitor", "monitoring.coreos.com/v1", "ServiceMonitor", args.GatewayName, args.Namespace,
			kubernetes.UntypedArgs{"spec": map[string]any{
				"selector":  map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": collectorLabel, "app.kubernetes.io/instance": args.GatewayName, "app.kubernetes.io/component": "gateway"}},
				"endpoints": []any{endpoint},
			}}, parent); err != nil {
			return nil, err
		}
		if args.AgentName != "" {
			// Agents have no Service that exposes :8888, so they are scraped per pod.
			if _, err := customResource(ctx, name+"-podmonitor", "monitoring.coreos.com/v1", "PodMonitor", args.AgentName, args.Namespace,
				kubernetes.UntypedArgs{"spec": map[string]any{
					"namespaceSelector":   map[string]any{"any": true},
					"selector":            map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": collectorLabel, "app.kubernetes.io/component": "agent"}},
					"podMetricsEndpoints": []any{endpoint},
				}}, parent); err != nil {
				return nil, err
			}
		}
		rules := []any{}
		for _, r := range FleetAlerts(nsRegex, args.GatewayName, args.GatewayKind, args.MinReplicas, args.TailSamplingTraces) {
			rules = append(rules, map[string]any{"alert": r.Alert, "expr": r.Expr, "for": r.For, "labels": r.Labels, "annotations": r.Annotations})
		}
		if _, err := customResource(ctx, name+"-rules", "monitoring.coreos.com/v1", "PrometheusRule", args.GatewayName+"-alerts", args.Namespace,
			kubernetes.UntypedArgs{"spec": map[string]any{"groups": []any{map[string]any{"name": "otelfleet.rules", "rules": rules}}}}, parent); err != nil {
			return nil, err
		}
	}
	if args.Dashboard {
		dashboard, err := FleetDashboard(nsRegex)
		if err != nil {
			return nil, err
		}
		dl := pulumi.StringMap{DashboardLabel: pulumi.String("1")}
		for k, v := range l {
			dl[k] = v
		}
		if _, err := corev1.NewConfigMap(ctx, name+"-dashboard", &corev1.ConfigMapArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.GatewayName + "-dashboard"), Namespace: args.Namespace, Labels: dl},
			Data:     pulumi.StringMap{"otelfleet-fleet.json": pulumi.String(string(dashboard))},
		}, parent); err != nil {
			return nil, err
		}
	}
	return m, ctx.RegisterResourceOutputs(m, pulumi.Map{})
}
