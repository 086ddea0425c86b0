package alerts

import (
	"fmt"
	"strings"
)

// Where Container Insights stores what its Prometheus scrape (the container-azm-ms-agentconfig
// ConfigMap's prometheus_data_collection_settings) collects: table InsightsMetrics, Namespace
// "prometheus" (the telegraf measurement), Name = the metric name, Val = the value, and Tags a
// JSON object of the metric's labels plus "scrapeUrl" (the pod's /metrics URL, one per
// collector) and "pod_namespace".
const (
	PrometheusTable     = "InsightsMetrics"
	PrometheusNamespace = "prometheus"
	scrapeURLTag        = "scrapeUrl"
)

// kqlString quotes s as a KQL string literal.
func kqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// kqlList is a KQL list of string literals: ("a", "b").
func kqlList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = kqlString(s)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// selfMetrics selects the rows of some collector self-metrics and exposes their labels as
// Labels and the collector they came from as Collector.
func selfMetrics(names ...string) string { return selfMetricsIn(PrometheusTable, names...) }

// selfMetricsIn is selfMetrics over source: the table, or the table with a filter.
func selfMetricsIn(source string, names ...string) string {
	return fmt.Sprintf(`%s
| where Namespace == %s and Name in %s
| extend Labels = parse_json(Tags)
| extend Collector = tostring(Labels.%s)`, source, kqlString(PrometheusNamespace), kqlList(names), scrapeURLTag)
}

// counterIncrease is how much self-metric counters grew in the query window, per collector,
// metric name and the given labels (column Increase). InsightsMetrics holds the cumulative
// values; a restart resets a counter, so a value below the first one counts from zero.
func counterIncrease(names []string, labels ...string) string {
	return counterIncreaseIn(PrometheusTable, names, labels...)
}

// counterIncreaseIn is counterIncrease over source (see selfMetricsIn); FirstTime and
// LastTime are the scrapes the increase lies between.
func counterIncreaseIn(source string, names []string, labels ...string) string {
	by := []string{"Collector", "Name"}
	var extend []string
	for _, l := range labels {
		col := column(l)
		extend = append(extend, fmt.Sprintf("%s = tostring(Labels.%s)", col, l))
		by = append(by, col)
	}
	q := selfMetricsIn(source, names...)
	if len(extend) > 0 {
		q += "\n| extend " + strings.Join(extend, ", ")
	}
	return q + fmt.Sprintf(`
| summarize (FirstTime, First) = arg_min(TimeGenerated, Val), (LastTime, Last) = arg_max(TimeGenerated, Val) by %s
| extend Increase = iff(Last >= First, Last - First, Last)`, strings.Join(by, ", "))
}

// column is the KQL column a label is projected to: "data_type" → "DataType".
func column(label string) string {
	var b strings.Builder
	for _, part := range strings.Split(label, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
