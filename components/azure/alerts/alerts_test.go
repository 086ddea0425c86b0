package alerts

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestArgsDefaultsAndErrors(t *testing.T) {
	scope := pulumi.String("/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/c")
	base := func() Args {
		return Args{
			ResourceGroupName: pulumi.String("rg"), Location: "eastus", Prefix: "otel",
			Metric: []MetricRule{{Name: "cpu", Scope: scope, Namespace: ACINamespace, Metric: ACICPUUsage, Threshold: 1}},
			Log:    []LogRule{{Name: "rows", Scope: scope, Query: pulumi.String("T"), Measure: "X"}},
		}
	}
	a := base()
	got, err := a.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	m, l := got.Metric[0], got.Log[0]
	for what, pair := range map[string][2]string{
		"short name":         {got.ShortName, "otelfleet"},
		"metric aggregation": {m.Aggregation, "Average"},
		"metric operator":    {m.Operator, GreaterThan},
		"metric window":      {m.Window, "PT5M"},
		"metric frequency":   {m.Frequency, "PT1M"},
		"log aggregation":    {l.Aggregation, "Maximum"}, // a measure column is not counted
		"log window":         {l.Window, "PT10M"},
		"log frequency":      {l.Frequency, "PT5M"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q; want %q", what, pair[0], pair[1])
		}
	}
	if a.Metric[0].Aggregation != "" {
		t.Error("withDefaults changed the caller's rules")
	}

	for name, tt := range map[string]struct {
		change func(*Args)
		want   string
	}{
		"both targets": {func(a *Args) { a.Notify = Notify{Email: "a@example.com", ActionGroupID: "/x"} }, "not both"},
		"bad email":    {func(a *Args) { a.Notify.Email = "oncall" }, "not an email address"},
		"bad group id": {func(a *Args) {
			a.Notify.ActionGroupID = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Insights/metricAlerts/x"
		}, "not an action group"},
		"long short name":  {func(a *Args) { a.ShortName = "observability-team" }, "longer than 12"},
		"duplicate rule":   {func(a *Args) { a.Log[0].Name = "cpu" }, "defined twice"},
		"severity":         {func(a *Args) { a.Log[0].Severity = 5 }, "severity 5"},
		"operator":         {func(a *Args) { a.Metric[0].Operator = "Above" }, "operator"},
		"no scope":         {func(a *Args) { a.Metric[0].Scope = nil }, "no scope"},
		"no query":         {func(a *Args) { a.Log[0].Query = nil }, "no query"},
		"rule name":        {func(a *Args) { a.Log[0].Name = "Rows" }, "lowercase"},
		"metric aggregate": {func(a *Args) { a.Metric[0].Aggregation = "P95" }, "aggregation"},
		"no prefix":        {func(a *Args) { a.Prefix = "" }, "required"},
	} {
		t.Run(name, func(t *testing.T) {
			a := base()
			tt.change(&a)
			if _, err := a.withDefaults(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCounterIncreaseHandlesResets(t *testing.T) {
	q := counterIncrease([]string{"otelcol_exporter_sent_spans"}, "exporter", "data_type")
	for _, want := range []string{
		`InsightsMetrics`,
		`where Namespace == "prometheus" and Name in ("otelcol_exporter_sent_spans")`,
		`Collector = tostring(Labels.scrapeUrl)`,
		`Exporter = tostring(Labels.exporter), DataType = tostring(Labels.data_type)`,
		`by Collector, Name, Exporter, DataType`,
		`Increase = iff(Last >= First, Last - First, Last)`,
	} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %q:\n%s", want, q)
		}
	}
	if got := kqlString(`a"b\c`); got != `"a\"b\\c"` {
		t.Errorf("kqlString = %s", got)
	}
}

func TestFleetAndACIRulesNeedTheirInputs(t *testing.T) {
	if _, err := FleetRules(Fleet{Namespaces: []string{"observability"}, GatewayNamespace: "observability", Gateway: "g", MinReplicas: 1}); err == nil {
		t.Error("FleetRules without a cluster")
	}
	if _, err := FleetRules(Fleet{Cluster: pulumi.String("c"), Namespaces: []string{"o"}, GatewayNamespace: "o", Gateway: "g", GatewayKind: "daemonset", MinReplicas: 1}); err == nil {
		t.Error("FleetRules with a daemonset gateway")
	}
	if _, _, err := ACIRules(ACI{Group: pulumi.String("g")}); err == nil {
		t.Error("ACIRules without CPU and memory")
	}
	if _, err := IngestionRule(Ingestion{Workspace: pulumi.String("w")}); err == nil {
		t.Error("IngestionRule without Application Insights")
	}
	if _, err := IngestionLossRule(Ingestion{AppInsights: pulumi.String("a")}); err == nil {
		t.Error("IngestionLossRule without a workspace")
	}
}
