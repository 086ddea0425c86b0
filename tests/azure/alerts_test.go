package azure

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/azure/alerts"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/synth"
)

const (
	actionGroupType = "azure-native:insights:ActionGroup"
	metricAlertType = "azure-native:insights:MetricAlert"
	logAlertType    = "azure-native:insights:ScheduledQueryRule"
	diagnosticsType = "azure-native:insights:DiagnosticSetting"
	agentConfigMap  = "configmap-kube-system-container-azm-ms-agentconfig.yaml"
)

// rule returns the alert rule (metric or log) named "otel-<name>".
func rule(t *testing.T, res *synth.Result, typ, name string) synth.Resource {
	t.Helper()
	for _, r := range res.Find(typ) {
		if r.Inputs["ruleName"] == "otel-"+name {
			return r
		}
	}
	t.Fatalf("no %s named otel-%s", typ, name)
	return synth.Resource{}
}

func ruleNames(res *synth.Result, typ string) []string {
	var out []string
	for _, r := range res.Find(typ) {
		out = append(out, strings.TrimPrefix(r.Inputs["ruleName"].(string), "otel-"))
	}
	slices.Sort(out)
	return out
}

var (
	fleetRules = []string{
		"collector-restarting", "exporter-dropping-data", "exporter-dropping-spans", "exporter-queue-nearly-full",
		"exporter-retrying", "exporter-send-failures", "gateway-below-minimum", "memory-limiter-refusing",
		"receiver-refusing-data", "self-metrics-missing",
	}
	aciLogRules = []string{"aci-collector-restarting", "aci-exporter-dropping-data", "aci-exporter-retrying"}
)

func TestAlertRulesOfTheStack(t *testing.T) {
	prodLog := slices.Sorted(slices.Values(append(append(slices.Clone(fleetRules), aciLogRules...), "appinsights-ingestion-failing", "appinsights-ingestion-losing")))
	for _, tt := range []struct {
		name        string
		values      map[string]string
		metric, log []string
	}{
		{"azure-prod", nil, []string{"aci-cpu-high", "aci-memory-high"}, prodLog},
		{"without ACI", map[string]string{"otelfleet:aciEnabled": "false"}, nil, slices.DeleteFunc(slices.Clone(prodLog), func(n string) bool { return strings.HasPrefix(n, "aci-") })},
		// Only the Application Insights otelfleet created is checked, and only when the
		// gateway exports to it.
		{"upstream only", map[string]string{"otelfleet:upstreamOtlpEndpoint": "otlp.example.com:4317", "otelfleet:tlsCaStack": "acme/otelfleet/aws-prod", "otelfleet:upstreamOnly": "true"}, []string{"aci-cpu-high", "aci-memory-high"}, slices.DeleteFunc(slices.Clone(prodLog), func(n string) bool { return strings.HasPrefix(n, "appinsights-ingestion-") })},
		// Tail sampling adds the rules on the sampler's buffer filling and on traces evicted
		// before their decision (the fleet's alert catalogue).
		{"tail sampling", map[string]string{"otelfleet:samplingMode": "tail", "otelfleet:samplingDecisionWait": "5s", "otelfleet:samplingLatencyThresholdMs": "1000"}, []string{"aci-cpu-high", "aci-memory-high"}, slices.Sorted(slices.Values(append(slices.Clone(prodLog), "tail-sampling-buffer-filling", "tail-sampling-evicting")))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := prod(t)
			if tt.values != nil {
				res = variant(t, tt.values)
			}
			equal(t, "metric alerts", ruleNames(res, metricAlertType), tt.metric)
			equal(t, "log alerts", ruleNames(res, logAlertType), tt.log)
		})
	}
	t.Run("off", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:azureAlerts": "false"})
		if n := len(res.Find(metricAlertType)) + len(res.Find(logAlertType)) + len(res.Find(actionGroupType)); n != 0 {
			t.Errorf("%d alert resources with azureAlerts false", n)
		}
		if _, ok := res.Manifests[agentConfigMap]; ok {
			t.Error("the Container Insights scrape ConfigMap exists with azureAlerts false")
		}
	})
}

// TestNotificationTarget: every rule notifies the one action group, created with an email
// receiver or given by id; without either the rules carry no actions.
func TestNotificationTarget(t *testing.T) {
	existing := "/subscriptions/" + synth.FakeSubscriptionID + "/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/oncall"
	check := func(t *testing.T, res *synth.Result, want string) {
		t.Helper()
		rules := append(res.Find(metricAlertType), res.Find(logAlertType)...)
		if len(rules) < 10 {
			t.Fatalf("only %d rules", len(rules))
		}
		for _, r := range rules {
			if want == "" {
				if a, ok := r.Inputs["actions"]; ok {
					t.Errorf("%s has actions %v without a notification target", r.Name, a)
				}
				continue
			}
			if r.Type == metricAlertType {
				equal(t, r.Name+" actions", at(t, r, "actions"), []any{map[string]any{"actionGroupId": want}})
			} else {
				equal(t, r.Name+" actions", at(t, r, "actions.actionGroups"), []any{want})
			}
		}
	}
	t.Run("email creates an action group", func(t *testing.T) {
		res := prod(t)
		g := one(t, res, actionGroupType)
		equal(t, "emailReceivers", at(t, g, "emailReceivers"), []any{map[string]any{
			"name": "email", "emailAddress": "platform-observability@example.com", "useCommonAlertSchema": true,
		}})
		equal(t, "groupShortName", at(t, g, "groupShortName"), "otelfleet")
		equal(t, "enabled", at(t, g, "enabled"), true)
		equal(t, "location", at(t, g, "location"), "Global")
		for _, k := range []string{"smsReceivers", "webhookReceivers", "armRoleReceivers"} {
			if _, ok := g.Inputs[k]; ok {
				t.Errorf("the action group has %s", k)
			}
		}
		check(t, res, synth.FakeResourceID(actionGroupType, rgName(t, res), g.Name))
	})
	t.Run("existing action group", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:alertEmail": "", "otelfleet:alertActionGroupId": existing})
		if n := len(res.Find(actionGroupType)); n != 0 {
			t.Errorf("%d action groups created for an existing one", n)
		}
		check(t, res, existing)
	})
	t.Run("none", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:alertEmail": ""})
		if n := len(res.Find(actionGroupType)); n != 0 {
			t.Errorf("%d action groups without an email", n)
		}
		check(t, res, "")
	})
}

func TestACIMetricAlerts(t *testing.T) {
	for _, tt := range []struct {
		name          string
		values        map[string]string
		cpu, memory   float64
		memoryCaption string
	}{
		{"2 cores, 4 GB", nil, 1600, 3865470566, "4 GB"},
		{"1 core, 1.5 GB", map[string]string{"otelfleet:aciCpu": "1", "otelfleet:aciMemoryGb": "1.5"}, 800, 1449551462, "1.5 GB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := prod(t)
			if tt.values != nil {
				res = variant(t, tt.values)
			}
			group := synth.FakeResourceID(containerGroupType, rgName(t, res), one(t, res, containerGroupType).Name)
			for name, want := range map[string]struct {
				metric    string
				threshold float64
			}{"aci-cpu-high": {"CpuUsage", tt.cpu}, "aci-memory-high": {"MemoryUsage", tt.memory}} {
				r := rule(t, res, metricAlertType, name)
				equal(t, name+" scopes", at(t, r, "scopes"), []any{group})
				equal(t, name+" location", at(t, r, "location"), "global")
				equal(t, name+" odataType", at(t, r, "criteria.odataType"), "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria")
				c := "criteria.allOf.0."
				equal(t, name+" namespace", at(t, r, c+"metricNamespace"), "Microsoft.ContainerInstance/containerGroups")
				equal(t, name+" metric", at(t, r, c+"metricName"), want.metric)
				equal(t, name+" aggregation", at(t, r, c+"timeAggregation"), "Average")
				equal(t, name+" operator", at(t, r, c+"operator"), "GreaterThan")
				equal(t, name+" threshold", at(t, r, c+"threshold"), int64(want.threshold))
				equal(t, name+" dimensions", at(t, r, c+"dimensions"), []any{map[string]any{"name": "containerName", "operator": "Include", "values": []any{"otel-collector"}}})
				equal(t, name+" window", at(t, r, "windowSize"), "PT5M")
				equal(t, name+" severity", at(t, r, "severity"), alerts.SevWarning)
			}
			if d := at(t, rule(t, res, metricAlertType, "aci-memory-high"), "description").(string); !strings.Contains(d, tt.memoryCaption) {
				t.Errorf("memory alert description %q does not name %s", d, tt.memoryCaption)
			}
		})
	}
}

// TestACIResourceLogs: the ACI log alerts read ContainerEvent and ContainerInstanceLog, which
// exist only through the group's diagnostic setting to the workspace.
func TestACIResourceLogs(t *testing.T) {
	res := prod(t)
	rg := rgName(t, res)
	d := one(t, res, diagnosticsType)
	equal(t, "resourceUri", at(t, d, "resourceUri"), synth.FakeResourceID(containerGroupType, rg, one(t, res, containerGroupType).Name))
	equal(t, "workspaceId", at(t, d, "workspaceId"), synth.FakeResourceID(workspaceType, rg, one(t, res, workspaceType).Name))
	equal(t, "destination", at(t, d, "logAnalyticsDestinationType"), "Dedicated")
	equal(t, "logs", at(t, d, "logs"), []any{
		map[string]any{"category": "ContainerInstanceLog", "enabled": true},
		map[string]any{"category": "ContainerEvent", "enabled": true},
	})
}

// logRule is what a log search rule must hold.
type logRule struct {
	scope       string // clusterType, containerGroupType or workspaceType
	tables      []string
	measure     string
	aggregation string
	operator    string
	threshold   float64
	window      string
	splitBy     []string
	severity    int
}

func TestLogAlerts(t *testing.T) {
	want := map[string]logRule{
		"collector-restarting":          {clusterType, []string{"KubePodInventory"}, "Restarts", "Maximum", "GreaterThan", 2, "PT30M", []string{"Pod", "Namespace"}, alerts.SevWarning},
		"gateway-below-minimum":         {clusterType, []string{"KubePodInventory"}, "MaxRunning", "Maximum", "LessThan", 4, "PT10M", nil, alerts.SevError},
		"exporter-dropping-data":        {clusterType, []string{"ContainerLogV2"}, "Failures", "Maximum", "GreaterThan", 0, "PT10M", []string{"Pod", "Exporter"}, alerts.SevError},
		"exporter-retrying":             {clusterType, []string{"ContainerLogV2"}, "Retries", "Maximum", "GreaterThan", 10, "PT15M", []string{"Pod", "Exporter"}, alerts.SevInfo},
		"receiver-refusing-data":        {clusterType, []string{"InsightsMetrics"}, "Increase", "Maximum", "GreaterThan", 0, "PT5M", []string{"Collector", "Receiver"}, alerts.SevWarning},
		"memory-limiter-refusing":       {clusterType, []string{"InsightsMetrics"}, "Increase", "Maximum", "GreaterThan", 0, "PT10M", []string{"Collector"}, alerts.SevWarning},
		"exporter-send-failures":        {clusterType, []string{"InsightsMetrics"}, "FailedRatio", "Maximum", "GreaterThan", 0.05, "PT10M", []string{"Collector", "Exporter"}, alerts.SevError},
		"exporter-dropping-spans":       {clusterType, []string{"InsightsMetrics"}, "Increase", "Maximum", "GreaterThan", 0, "PT5M", []string{"Collector", "Exporter"}, alerts.SevError},
		"exporter-queue-nearly-full":    {clusterType, []string{"InsightsMetrics"}, "Fill", "Maximum", "GreaterThan", 0.8, "PT10M", []string{"Collector", "Exporter"}, alerts.SevWarning},
		"self-metrics-missing":          {clusterType, []string{"InsightsMetrics"}, "", "Count", "LessThan", 1, "PT15M", nil, alerts.SevInfo},
		"aci-collector-restarting":      {containerGroupType, []string{"ContainerEvent"}, "Starts", "Total", "GreaterThan", 2, "PT30M", nil, alerts.SevWarning},
		"aci-exporter-dropping-data":    {containerGroupType, []string{"ContainerInstanceLog"}, "Failures", "Maximum", "GreaterThan", 0, "PT10M", nil, alerts.SevError},
		"aci-exporter-retrying":         {containerGroupType, []string{"ContainerInstanceLog"}, "Retries", "Maximum", "GreaterThan", 10, "PT15M", nil, alerts.SevInfo},
		"appinsights-ingestion-failing": {workspaceType, []string{"InsightsMetrics", "AppRequests", "AppDependencies"}, "Lost", "Maximum", "GreaterThan", 0, "PT15M", nil, alerts.SevError},
		"appinsights-ingestion-losing":  {workspaceType, []string{"InsightsMetrics", "AppRequests", "AppDependencies"}, "LostPercent", "Maximum", "GreaterThan", 5, "PT1H", nil, alerts.SevError},
	}
	res := prod(t)
	rg := rgName(t, res)
	scopes := map[string]string{}
	for _, typ := range []string{clusterType, containerGroupType, workspaceType} {
		scopes[typ] = synth.FakeResourceID(typ, rg, one(t, res, typ).Name)
	}
	equal(t, "rules", ruleNames(res, logAlertType), slices.Sorted(maps.Keys(want)))
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			r := rule(t, res, logAlertType, name)
			equal(t, "kind", at(t, r, "kind"), "LogAlert")
			equal(t, "location", at(t, r, "location"), "eastus")
			equal(t, "scopes", at(t, r, "scopes"), []any{scopes[w.scope]})
			equal(t, "window", at(t, r, "windowSize"), w.window)
			frequency := "PT5M"
			if name == "appinsights-ingestion-losing" {
				frequency = "PT10M" // a lagged 30-minute comparison: no need to repeat it every 5
			}
			equal(t, "frequency", at(t, r, "evaluationFrequency"), frequency)
			equal(t, "severity", at(t, r, "severity"), w.severity)
			equal(t, "enabled", at(t, r, "enabled"), true)
			c := "criteria.allOf.0."
			equal(t, "timeAggregation", at(t, r, c+"timeAggregation"), w.aggregation)
			equal(t, "operator", at(t, r, c+"operator"), w.operator)
			equal(t, "threshold", fmt.Sprint(at(t, r, c+"threshold")), fmt.Sprint(w.threshold))
			if w.measure != "" {
				equal(t, "metricMeasureColumn", at(t, r, c+"metricMeasureColumn"), w.measure)
			} else if m, ok := r.Inputs["criteria"].(map[string]any)["allOf"].([]any)[0].(map[string]any)["metricMeasureColumn"]; ok {
				t.Errorf("metricMeasureColumn %v on a row-count rule", m)
			}
			var dims []any
			for _, d := range w.splitBy {
				dims = append(dims, map[string]any{"name": d, "operator": "Include", "values": []any{"*"}})
			}
			if len(dims) > 0 {
				equal(t, "dimensions", at(t, r, c+"dimensions"), dims)
			}
			query := at(t, r, c+"query").(string)
			for _, table := range w.tables {
				if !regexp.MustCompile(`(^|[\s(,])` + table + `\b`).MatchString(query) {
					t.Errorf("query does not read %s:\n%s", table, query)
				}
			}
			// Every column the rule measures or splits by appears in the query.
			for _, col := range append(slices.Clone(w.splitBy), w.measure) {
				if col != "" && !regexp.MustCompile(`\b`+col+`\b`).MatchString(query) {
					t.Errorf("query produces no column %s:\n%s", col, query)
				}
			}
		})
	}
}

var metricInQuery = regexp.MustCompile(`otelcol_[a-z_]+`)

// TestSelfMetricAlertsReadScrapedMetrics: every collector metric a query names is one the
// pinned collector emits (collector.SelfMetricNames, checked against a running collector by
// tests/collector) and one the Container Insights scrape keeps (its fieldpass); and the scrape
// covers the fleet's namespaces.
func TestSelfMetricAlertsReadScrapedMetrics(t *testing.T) {
	res := prod(t)
	cm, ok := res.Manifests[agentConfigMap]
	if !ok {
		t.Fatalf("no %s", agentConfigMap)
	}
	data := cm["data"].(map[string]any)
	equal(t, "schema-version", data["schema-version"], "v1")
	settings := data["prometheus-data-collection-settings"].(string)
	for _, line := range []string{
		`monitor_kubernetes_pods = true`,
		`monitor_kubernetes_pods_namespaces = ["observability", "observability-agent"]`,
		`interval = "1m"`,
	} {
		if !strings.Contains(settings, line) {
			t.Errorf("scrape settings lack %s:\n%s", line, settings)
		}
	}
	fieldpass := regexp.MustCompile(`fieldpass = \[(.*)\]`).FindStringSubmatch(settings)
	if fieldpass == nil {
		t.Fatalf("no fieldpass in:\n%s", settings)
	}
	kept := metricInQuery.FindAllString(fieldpass[1], -1)
	equal(t, "fieldpass", kept, collector.SelfMetricNames)

	named := 0
	for _, r := range res.Find(logAlertType) {
		query := at(t, r, "criteria.allOf.0.query").(string)
		for _, m := range metricInQuery.FindAllString(query, -1) {
			named++
			if !slices.Contains(collector.SelfMetricNames, m) {
				t.Errorf("%s queries %s, which is not a verified collector self-metric", r.Name, m)
			}
			if !slices.Contains(kept, m) {
				t.Errorf("%s queries %s, which the Container Insights scrape drops", r.Name, m)
			}
		}
		if strings.Contains(query, alerts.PrometheusTable) && !strings.Contains(query, `Namespace == "prometheus"`) {
			t.Errorf("%s reads InsightsMetrics without selecting the Prometheus scrape's rows", r.Name)
		}
	}
	if named < 8 {
		t.Errorf("only %d metric names in the queries: the check proves little", named)
	}
	// The collectors' pods are annotated for the scrape (port 8888).
	sts := res.Manifests["statefulset-observability-otel-gateway.yaml"]
	if sts == nil {
		t.Fatal("no gateway StatefulSet manifest")
	}
	tmpl := sts["spec"].(map[string]any)["template"].(map[string]any)
	a := annotations(t, tmpl)
	equal(t, "prometheus.io/scrape", a["prometheus.io/scrape"], "true")
	equal(t, "prometheus.io/port", a["prometheus.io/port"], "8888")
}

// TestGatewayBelowMinimum: the threshold follows the HPA minimum (or the fixed replica count)
// and the query selects the stable track's pods of the configured workload kind.
func TestGatewayBelowMinimum(t *testing.T) {
	query := func(t *testing.T, r synth.Resource) string { return at(t, r, "criteria.allOf.0.query").(string) }
	t.Run("statefulset, HPA minimum", func(t *testing.T) {
		r := rule(t, prod(t), logAlertType, "gateway-below-minimum")
		// The capacity model raised the HPA minimum from 3 to 4 for azure-prod's expected load.
		equal(t, "threshold", at(t, r, "criteria.allOf.0.threshold"), 4)
		if q := query(t, r); !strings.Contains(q, `ControllerKind == "StatefulSet" and ControllerName == "otel-gateway"`) {
			t.Errorf("query does not select the gateway StatefulSet:\n%s", q)
		}
	})
	t.Run("deployment, fixed replicas", func(t *testing.T) {
		res := variant(t, map[string]string{"otelfleet:gatewayKind": "deployment", "otelfleet:gatewayPersistentQueue": "false", "otelfleet:gatewayHpaEnabled": "false", "otelfleet:gatewayReplicas": "5"})
		r := rule(t, res, logAlertType, "gateway-below-minimum")
		equal(t, "threshold", at(t, r, "criteria.allOf.0.threshold"), 5)
		m := regexp.MustCompile(`ControllerKind == "ReplicaSet" and ControllerName matches regex "([^"]+)"`).FindStringSubmatch(query(t, r))
		if m == nil {
			t.Fatalf("query does not select the gateway's ReplicaSets:\n%s", query(t, r))
		}
		re := regexp.MustCompile(strings.ReplaceAll(m[1], `\\`, `\`)) // KQL string → RE2
		for name, want := range map[string]bool{
			"otel-gateway-5d9c7b8f6b":        true, // the stable track's ReplicaSet
			"otel-gateway-7c4x2":             true,
			"otel-gateway-canary-5d9c7b8f6b": false, // the canary track
			"otel-gateway":                   false,
			"otel-gateway-headless":          false,
			"other-otel-gateway-5d9c7b8f6b":  false,
		} {
			if re.MatchString(name) != want {
				t.Errorf("gateway ReplicaSet regex %s matches %s: %v; want %v", re, name, !want, want)
			}
		}
	})
}
