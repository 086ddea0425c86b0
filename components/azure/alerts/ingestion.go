package alerts

import (
	"fmt"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Ingestion compares what the AKS gateways handed to their azure_monitor exporter with what
// a workspace-based Application Insights resource stored.
type Ingestion struct {
	// Workspace is the Log Analytics workspace both live in: the rule's scope.
	Workspace pulumi.StringInput
	// AppInsights is the Application Insights resource id (its rows in the workspace's App*
	// tables carry it as _ResourceId).
	AppInsights pulumi.StringInput
	// Exporter is the exporter id; default collector.TypeAzureMonitor.
	Exporter string
}

// IngestionRule fires when the gateways handed spans to the azure_monitor exporter during
// 15 minutes but Application Insights stored none (AppRequests and AppDependencies, where
// spans land). That exporter queues telemetry in the Application Insights SDK's in-memory
// channel and returns at once; the channel transmits and retries on its own and reports
// failures only at debug level, so neither "Exporting failed" log lines nor
// otelcol_exporter_send_failed_spans ever show a failing ingestion: only the far side can.
func IngestionRule(i Ingestion) (LogRule, error) {
	if i.Workspace == nil || i.AppInsights == nil {
		return LogRule{}, fmt.Errorf("alerts: Ingestion needs Workspace and AppInsights")
	}
	if i.Exporter == "" {
		i.Exporter = collector.TypeAzureMonitor
	}
	handed := counterIncrease([]string{collector.MetricExporterSent}, "exporter")
	query := i.AppInsights.ToStringOutput().ApplyT(func(id string) string {
		return fmt.Sprintf(`let handed = toscalar(%s
| where Exporter == %s
| summarize sum(Increase));
let stored = toscalar(union isfuzzy=true AppRequests, AppDependencies
| where _ResourceId =~ %s
| count);
print Handed = coalesce(handed, 0.0), Stored = coalesce(stored, 0)
| extend Lost = iff(Handed > 0 and Stored == 0, 1, 0)`, handed, kqlString(i.Exporter), kqlString(id))
	}).(pulumi.StringOutput)
	return LogRule{
		Name: "appinsights-ingestion-failing", Severity: SevError, Window: "PT15M", Scope: i.Workspace,
		Description: "The AKS gateways handed spans to the azure_monitor exporter in the last 15 minutes but Application Insights stored none: ingestion fails (bad connection string, disabled local auth, throttling, network). Sources: " + collector.MetricExporterSent + " in InsightsMetrics; AppRequests/AppDependencies.",
		Query:       query, Measure: "Lost", Threshold: 0,
	}, nil
}
