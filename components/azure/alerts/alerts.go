// Package alerts creates Azure Monitor alert rules and their notification target: metric
// alerts on a resource's platform metrics (Microsoft.Insights/metricAlerts) and log search
// alerts on KQL queries (Microsoft.Insights/scheduledQueryRules, kind LogAlert), all notifying
// one action group — created with an email receiver, or an existing one given by id.
//
// The rules themselves are plain values (MetricRule, LogRule); fleet.go, aci.go and
// ingestion.go build the rules of the otelfleet collector fleet from the data Azure really
// holds (Container Insights tables, collector self-metrics scraped into InsightsMetrics, ACI
// platform metrics and resource logs, Application Insights tables).
package alerts

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Severity of an alert: Azure Monitor's 0 (critical) to 4 (verbose).
const (
	SevCritical = 0
	SevError    = 1
	SevWarning  = 2
	SevInfo     = 3
)

// Operators a rule compares with.
const (
	GreaterThan = "GreaterThan"
	LessThan    = "LessThan"
)

// Notify is where alerts go: Email creates an action group with one email receiver;
// ActionGroupID uses an existing action group. Both empty: the rules fire without actions
// (the alerts still show in Azure Monitor).
type Notify struct {
	Email         string
	ActionGroupID string
}

// MetricRule is a metric alert on one resource's platform metric. Defaults: Aggregation
// "Average", Operator GreaterThan, Window "PT5M", Frequency "PT1M".
type MetricRule struct {
	Name        string // rule name suffix, e.g. "aci-cpu"
	Description string
	Severity    int
	Scope       pulumi.StringInput // resource id
	Namespace   string             // metric namespace (the resource type)
	Metric      string             // metric name as the REST API spells it
	Aggregation string             // Average, Minimum, Maximum, Total, Count
	Operator    string
	Threshold   float64
	// Dimensions filter the metric: dimension name → values (Include).
	Dimensions map[string][]string
	Window     string // ISO 8601 duration the metric is aggregated over
	Frequency  string // ISO 8601 evaluation interval
}

// LogRule is a log search alert: Query runs over Scope's logs (resource context) every
// Frequency over the last Window; the rows' Measure column, aggregated with Aggregation per
// combination of the SplitBy columns, is compared with Threshold. Defaults: Aggregation
// "Count" without Measure, "Maximum" with one; Operator GreaterThan; Window "PT10M";
// Frequency "PT5M".
type LogRule struct {
	Name        string
	Description string
	Severity    int
	Scope       pulumi.StringInput // resource id: a cluster, a container group, a workspace
	Query       pulumi.StringInput // KQL
	Measure     string             // column holding the value; "" counts rows
	Aggregation string             // Count, Average, Minimum, Maximum, Total
	Operator    string
	Threshold   float64
	SplitBy     []string // dimension columns: one alert per value combination
	Window      string
	Frequency   string
}

// Args describe the alerts of one stack. Defaults: ShortName "otelfleet".
type Args struct {
	ResourceGroupName pulumi.StringInput
	// Location of the log search rules (the region of the data they query); metric alerts
	// and the action group are global.
	Location string
	Tags     map[string]string
	// Prefix starts every rule name: "<Prefix>-<rule name>".
	Prefix string
	// ShortName is the action group's short name (at most 12 characters), shown in SMS and
	// email subjects.
	ShortName string
	Notify    Notify
	Metric    []MetricRule
	Log       []LogRule
}

// Alerts are the alert rules and their action group.
type Alerts struct {
	pulumi.ResourceState
	// ActionGroupID is the action group every rule notifies ("" without one).
	ActionGroupID pulumi.StringOutput `pulumi:"actionGroupId"`
	// RuleNames are the names of every rule, metric rules first.
	RuleNames pulumi.StringArrayOutput `pulumi:"ruleNames"`
}

var (
	emailPattern       = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	actionGroupPattern = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Insights/actionGroups/[^/]+$`)
	rulePattern        = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	metricAggregations = []string{"Average", "Minimum", "Maximum", "Total", "Count"}
	operators          = []string{GreaterThan, "GreaterThanOrEqual", LessThan, "LessThanOrEqual", "Equals"}
)

func (a *Args) withDefaults() (Args, error) {
	if a == nil || a.ResourceGroupName == nil || a.Location == "" || a.Prefix == "" {
		return Args{}, fmt.Errorf("alerts: ResourceGroupName, Location and Prefix are required")
	}
	out := *a
	if out.ShortName == "" {
		out.ShortName = "otelfleet"
	}
	switch n := out.Notify; {
	case len(out.ShortName) > 12:
		return Args{}, fmt.Errorf("alerts: ShortName %q is longer than 12 characters", out.ShortName)
	case n.Email != "" && n.ActionGroupID != "":
		return Args{}, fmt.Errorf("alerts: give Notify.Email or Notify.ActionGroupID, not both")
	case n.Email != "" && !emailPattern.MatchString(n.Email):
		return Args{}, fmt.Errorf("alerts: Notify.Email %q is not an email address", n.Email)
	case n.ActionGroupID != "" && !actionGroupPattern.MatchString(n.ActionGroupID):
		return Args{}, fmt.Errorf("alerts: Notify.ActionGroupID %q is not an action group resource id", n.ActionGroupID)
	}
	seen := map[string]bool{}
	out.Metric = slices.Clone(out.Metric)
	for i := range out.Metric {
		r := &out.Metric[i]
		r.Aggregation = orDefault(r.Aggregation, "Average")
		r.Operator = orDefault(r.Operator, GreaterThan)
		r.Window = orDefault(r.Window, "PT5M")
		r.Frequency = orDefault(r.Frequency, "PT1M")
		if err := checkRule(seen, r.Name, r.Severity, r.Operator, r.Scope); err != nil {
			return Args{}, err
		}
		if r.Namespace == "" || r.Metric == "" || !slices.Contains(metricAggregations, r.Aggregation) {
			return Args{}, fmt.Errorf("alerts: rule %s needs a metric namespace, a metric and an aggregation among %v", r.Name, metricAggregations)
		}
	}
	out.Log = slices.Clone(out.Log)
	for i := range out.Log {
		r := &out.Log[i]
		r.Aggregation = orDefault(r.Aggregation, "Count")
		if r.Measure != "" && r.Aggregation == "Count" {
			r.Aggregation = "Maximum"
		}
		r.Operator = orDefault(r.Operator, GreaterThan)
		r.Window = orDefault(r.Window, "PT10M")
		r.Frequency = orDefault(r.Frequency, "PT5M")
		if err := checkRule(seen, r.Name, r.Severity, r.Operator, r.Scope); err != nil {
			return Args{}, err
		}
		if r.Query == nil {
			return Args{}, fmt.Errorf("alerts: rule %s has no query", r.Name)
		}
	}
	return out, nil
}

func checkRule(seen map[string]bool, name string, severity int, operator string, scope pulumi.StringInput) error {
	switch {
	case !rulePattern.MatchString(name):
		return fmt.Errorf("alerts: rule name %q: use lowercase letters, digits and '-'", name)
	case seen[name]:
		return fmt.Errorf("alerts: rule %s is defined twice", name)
	case severity < SevCritical || severity > 4:
		return fmt.Errorf("alerts: rule %s: severity %d is not 0-4", name, severity)
	case !slices.Contains(operators, operator):
		return fmt.Errorf("alerts: rule %s: operator %q is not one of %v", name, operator, operators)
	case scope == nil:
		return fmt.Errorf("alerts: rule %s has no scope", name)
	}
	seen[name] = true
	return nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// NewAlerts creates the action group (with Notify.Email) and every rule.
func NewAlerts(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alerts, error) {
	a, err := args.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Alerts{}
	if err := ctx.RegisterComponentResource("otelfleet:alerts:Alerts", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	var groups pulumi.StringArray
	c.ActionGroupID = pulumi.String(a.Notify.ActionGroupID).ToStringOutput()
	if a.Notify.Email != "" {
		group, err := insights.NewActionGroup(ctx, name+"-action-group", &insights.ActionGroupArgs{
			ResourceGroupName: a.ResourceGroupName,
			Location:          pulumi.String("Global"),
			GroupShortName:    pulumi.String(a.ShortName),
			Enabled:           pulumi.Bool(true),
			EmailReceivers: insights.EmailReceiverArray{insights.EmailReceiverArgs{
				Name: pulumi.String("email"), EmailAddress: pulumi.String(a.Notify.Email), UseCommonAlertSchema: pulumi.Bool(true),
			}},
			Tags: pulumi.ToStringMap(a.Tags),
		}, parent)
		if err != nil {
			return nil, err
		}
		c.ActionGroupID = group.ID().ToStringOutput()
	}
	if a.Notify.Email != "" || a.Notify.ActionGroupID != "" {
		groups = pulumi.StringArray{c.ActionGroupID}
	}

	var names pulumi.StringArray
	for _, r := range a.Metric {
		rule, err := newMetricAlert(ctx, name, a, r, groups, parent)
		if err != nil {
			return nil, err
		}
		names = append(names, rule.Name)
	}
	for _, r := range a.Log {
		rule, err := newLogAlert(ctx, name, a, r, groups, parent)
		if err != nil {
			return nil, err
		}
		names = append(names, rule.Name)
	}
	c.RuleNames = names.ToStringArrayOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"actionGroupId": c.ActionGroupID, "ruleNames": c.RuleNames})
}

func newMetricAlert(ctx *pulumi.Context, name string, a Args, r MetricRule, groups pulumi.StringArray, opts ...pulumi.ResourceOption) (*insights.MetricAlert, error) {
	var dims insights.MetricDimensionArray
	for _, k := range sortedKeys(r.Dimensions) {
		dims = append(dims, insights.MetricDimensionArgs{Name: pulumi.String(k), Operator: pulumi.String("Include"), Values: pulumi.ToStringArray(r.Dimensions[k])})
	}
	var actions insights.MetricAlertActionArray
	for _, g := range groups {
		actions = append(actions, insights.MetricAlertActionArgs{ActionGroupId: g})
	}
	return insights.NewMetricAlert(ctx, name+"-"+r.Name, &insights.MetricAlertArgs{
		ResourceGroupName:   a.ResourceGroupName,
		RuleName:            pulumi.String(a.Prefix + "-" + r.Name),
		Location:            pulumi.String("global"),
		Description:         pulumi.String(r.Description),
		Severity:            pulumi.Int(r.Severity),
		Enabled:             pulumi.Bool(true),
		Scopes:              pulumi.StringArray{r.Scope},
		EvaluationFrequency: pulumi.String(r.Frequency),
		WindowSize:          pulumi.String(r.Window),
		AutoMitigate:        pulumi.Bool(true),
		Criteria: insights.MetricAlertSingleResourceMultipleMetricCriteriaArgs{
			OdataType: pulumi.String("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"),
			AllOf: insights.MetricCriteriaArray{insights.MetricCriteriaArgs{
				CriterionType:   pulumi.String("StaticThresholdCriterion"),
				Name:            pulumi.String(r.Name),
				MetricNamespace: pulumi.String(r.Namespace),
				MetricName:      pulumi.String(r.Metric),
				TimeAggregation: pulumi.String(r.Aggregation),
				Operator:        pulumi.String(r.Operator),
				Threshold:       pulumi.Float64(r.Threshold),
				Dimensions:      dims,
			}},
		},
		Actions: actions,
		Tags:    pulumi.ToStringMap(a.Tags),
	}, opts...)
}

func newLogAlert(ctx *pulumi.Context, name string, a Args, r LogRule, groups pulumi.StringArray, opts ...pulumi.ResourceOption) (*insights.ScheduledQueryRule, error) {
	var dims insights.DimensionArray
	for _, col := range r.SplitBy {
		dims = append(dims, insights.DimensionArgs{Name: pulumi.String(col), Operator: pulumi.String("Include"), Values: pulumi.StringArray{pulumi.String("*")}})
	}
	condition := insights.ConditionArgs{
		Query:           r.Query,
		TimeAggregation: pulumi.String(r.Aggregation),
		Operator:        pulumi.String(r.Operator),
		Threshold:       pulumi.Float64(r.Threshold),
		Dimensions:      dims,
		FailingPeriods: insights.ConditionFailingPeriodsArgs{
			NumberOfEvaluationPeriods: pulumi.Float64(1), MinFailingPeriodsToAlert: pulumi.Float64(1),
		},
	}
	if r.Measure != "" {
		condition.MetricMeasureColumn = pulumi.String(r.Measure)
	}
	var actions insights.ActionsPtrInput
	if len(groups) > 0 {
		actions = insights.ActionsArgs{ActionGroups: groups}
	}
	return insights.NewScheduledQueryRule(ctx, name+"-"+r.Name, &insights.ScheduledQueryRuleArgs{
		ResourceGroupName:   a.ResourceGroupName,
		RuleName:            pulumi.String(a.Prefix + "-" + r.Name),
		DisplayName:         pulumi.String(a.Prefix + "-" + r.Name),
		Location:            pulumi.String(a.Location),
		Kind:                pulumi.String("LogAlert"),
		Description:         pulumi.String(r.Description),
		Severity:            pulumi.Float64(float64(r.Severity)),
		Enabled:             pulumi.Bool(true),
		Scopes:              pulumi.StringArray{r.Scope},
		EvaluationFrequency: pulumi.String(r.Frequency),
		WindowSize:          pulumi.String(r.Window),
		AutoMitigate:        pulumi.Bool(true),
		// The tables these queries read (ContainerLogV2, InsightsMetrics, ContainerEvent, ...)
		// only resolve once the first rows arrived: validating at creation would fail a fresh
		// stack. The queries are checked by this repository's tests instead.
		SkipQueryValidation: pulumi.Bool(true),
		Criteria:            insights.ScheduledQueryRuleCriteriaArgs{AllOf: insights.ConditionArray{condition}},
		Actions:             actions,
		Tags:                pulumi.ToStringMap(a.Tags),
	}, opts...)
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
