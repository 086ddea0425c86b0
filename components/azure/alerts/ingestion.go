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

// notFromACI keeps the App* rows a gateway exported: the ACI collector, which sends to the
// same Application Insights without counters in InsightsMetrics, marks its items
// (collector.ExportedByAttribute, copied into Properties), and the gateways strip the mark.
var notFromACI = fmt.Sprintf("tostring(Properties[%s]) != %s", kqlString(collector.ExportedByAttribute), kqlString(collector.ExportedByACI))

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
| where _ResourceId =~ %s and %s
| count);
print Handed = coalesce(handed, 0.0), Stored = coalesce(stored, 0)
| extend Lost = iff(Handed > 0 and Stored == 0, 1, 0)`, handed, kqlString(i.Exporter), kqlString(id), notFromACI)
	}).(pulumi.StringOutput)
	return LogRule{
		Name: "appinsights-ingestion-failing", Severity: SevError, Window: "PT15M", Scope: i.Workspace,
		Description: "The AKS gateways handed spans to the azure_monitor exporter in the last 15 minutes but Application Insights stored none: ingestion fails (bad connection string, disabled local auth, throttling, network). Sources: " + collector.MetricExporterSent + " in InsightsMetrics; AppRequests/AppDependencies.",
		Query:       query, Measure: "Lost", Threshold: 0,
	}, nil
}

// The partial-loss rule compares a 30-minute span that ended 20 minutes ago: by then the
// counters' scrapes (InsightsMetrics) and the spans (App* tables) have been ingested; Log
// Analytics ingestion usually takes 2-5 minutes.
const (
	lossLagMinutes    = 20
	lossSpanMinutes   = 30
	lossWindow        = "PT1H" // covers the lagged span and the spans' TimeGenerated before it
	lossFrequency     = "PT10M"
	lossMinHanded     = 1000 // fewer spans in 30 minutes: the total-loss rule's business
	lossThresholdPerc = 5
)

// IngestionLossRule fires when Application Insights stored more than 5 % fewer spans than
// the gateways handed to the azure_monitor exporter over 30 minutes (with at least 1000
// handed). The exporter's SDK channel drops what it cannot deliver after its retries (about
// 100 s of outage, or more than one batch per throttled interval) without counting it
// anywhere the collector reports, so IngestionRule only sees a total loss.
//
// Handed is the increase of otelcol_exporter_sent_spans between each gateway's first and
// last scrape in the span; Stored is the spans (sum of ItemCount, so ingestion sampling is
// not taken for loss) that reached the ingestion point (_TimeReceived) between the middle of
// the first scrapes and the middle of the last ones. A span maps to exactly one row of
// AppRequests (server and consumer spans) or AppDependencies (the rest); rows the ACI
// collector exported are left out (notFromACI). Log records are not compared: span events
// also land in AppTraces and AppExceptions.
func IngestionLossRule(i Ingestion) (LogRule, error) {
	if i.Workspace == nil || i.AppInsights == nil {
		return LogRule{}, fmt.Errorf("alerts: Ingestion needs Workspace and AppInsights")
	}
	if i.Exporter == "" {
		i.Exporter = collector.TypeAzureMonitor
	}
	lagged := fmt.Sprintf("%s\n| where TimeGenerated between (ago(%dm) .. ago(%dm))", PrometheusTable, lossLagMinutes+lossSpanMinutes, lossLagMinutes)
	handed := counterIncreaseIn(lagged, []string{collector.MetricExporterSent}, "exporter")
	query := i.AppInsights.ToStringOutput().ApplyT(func(id string) string {
		return fmt.Sprintf(`let handed = %s
| where Exporter == %s
| summarize Handed = sum(Increase), Start = min(FirstTime) + (max(FirstTime) - min(FirstTime)) / 2,
    End = min(LastTime) + (max(LastTime) - min(LastTime)) / 2;
let start = toscalar(handed | project Start);
let end = toscalar(handed | project End);
let stored = toscalar(union isfuzzy=true AppRequests, AppDependencies
| where _ResourceId =~ %s and _TimeReceived between (start .. end) and %s
| summarize sum(ItemCount));
handed
| extend Stored = coalesce(stored, 0)
| extend LostPercent = iff(Handed >= %d, 100.0 * (Handed - Stored) / Handed, 0.0)`,
			handed, kqlString(i.Exporter), kqlString(id), notFromACI, lossMinHanded)
	}).(pulumi.StringOutput)
	return LogRule{
		Name: "appinsights-ingestion-losing", Severity: SevError, Window: lossWindow, Frequency: lossFrequency, Scope: i.Workspace,
		Description: fmt.Sprintf("Application Insights stored more than %d %% fewer spans than the AKS gateways handed to the azure_monitor exporter over %d minutes (checked %d minutes late, at least %d handed): its SDK dropped what it could not deliver (an outage beyond its retries, throttling beyond one batch per interval, the daily cap). Sources: %s in InsightsMetrics; AppRequests/AppDependencies by _TimeReceived.",
			lossThresholdPerc, lossSpanMinutes, lossLagMinutes, lossMinHanded, collector.MetricExporterSent),
		Query: query, Measure: "LostPercent", Threshold: lossThresholdPerc,
	}, nil
}
