package azure

import (
	"slices"

	"github.com/otelfleet/otelfleet/components/azure/aci"
	"github.com/otelfleet/otelfleet/components/azure/aks"
	"github.com/otelfleet/otelfleet/components/azure/alerts"
	"github.com/otelfleet/otelfleet/components/azure/monitor"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployAlerts creates the fleet's Azure Monitor alerts (otelfleet:azureAlerts): Container
// Insights scrapes the collectors' self-metrics into Log Analytics (a ConfigMap of its
// agent), and log search and metric alerts on the AKS fleet, the ACI collector (nil when off)
// and Application Insights ingestion notify the action group of otelfleet:alertEmail or
// otelfleet:alertActionGroupId.
func deployAlerts(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan, rg pulumi.StringInput, tags map[string]string, mon *monitor.Monitoring, cluster *aks.Cluster, aciGroup *aci.Collector, k8s *kubernetes.Provider, withProvider pulumi.ResourceOption) error {
	namespaces := []string{cfg.Kubernetes.Namespace}
	if !slices.Contains(namespaces, cfg.Kubernetes.AgentNamespace) {
		namespaces = append(namespaces, cfg.Kubernetes.AgentNamespace)
	}
	if _, err := aks.NewPrometheusScrape(ctx, cfg.Name+"-selfmetrics-scrape", &aks.PrometheusScrapeArgs{
		Namespaces: namespaces, Metrics: collector.SelfMetricNames,
	}, pulumi.Provider(k8s), pulumi.DependsOn(cluster.KubernetesAccess())); err != nil {
		return err
	}

	logRules, err := alerts.FleetRules(alerts.Fleet{
		Cluster: cluster.ID, Namespaces: namespaces,
		GatewayNamespace: cfg.Kubernetes.Namespace, Gateway: cfg.Names().Gateway(), GatewayKind: cfg.Gateway.Kind,
		MinReplicas: p.Gateway.MinReplicas, TailSampling: cfg.Sampling.Mode == collector.SamplingTail,
	})
	if err != nil {
		return err
	}
	var metricRules []alerts.MetricRule
	if aciGroup != nil {
		m, l, err := alerts.ACIRules(alerts.ACI{Group: aciGroup.ID, CPU: cfg.Azure.ACICPU, MemoryGB: cfg.Azure.ACIMemoryGB})
		if err != nil {
			return err
		}
		metricRules, logRules = append(metricRules, m...), append(logRules, l...)
	}
	// Ingestion is checked against the Application Insights otelfleet created (its rows are
	// in the stack's workspace), when the gateway exports to it at all.
	if plan.SendsToAzureMonitor(p.ConfigSpec().Exporters) && cfg.Azure.AppInsightsCreate {
		ingestion := alerts.Ingestion{Workspace: mon.WorkspaceID, AppInsights: mon.AppInsightsID}
		failing, err := alerts.IngestionRule(ingestion)
		if err != nil {
			return err
		}
		losing, err := alerts.IngestionLossRule(ingestion)
		if err != nil {
			return err
		}
		logRules = append(logRules, failing, losing)
	}
	_, err = alerts.NewAlerts(ctx, cfg.Name+"-alerts", &alerts.Args{
		ResourceGroupName: rg, Location: cfg.Azure.Location, Tags: tags,
		Prefix: cfg.Name,
		Notify: alerts.Notify{Email: cfg.Azure.AlertEmail, ActionGroupID: cfg.Azure.AlertActionGroupID},
		Metric: metricRules, Log: logRules,
	}, withProvider)
	return err
}
