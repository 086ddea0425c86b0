// Command promrules checks the rule groups of PrometheusRule manifests with Prometheus's own
// rule-file parser (model/rulefmt: every expression parsed as PromQL, durations, label and
// annotation templates), as Prometheus does when it loads the rules the Prometheus Operator
// generated from them; and the PromQL of Grafana dashboards (FILE.json: every "expr", with
// Grafana's interval macros replaced by a duration).
//
//	promrules FILE...   one PrometheusRule (or dashboard) per file; prints each file's rule
//	                    (query) count, or its errors and exits 1
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// prometheusRule is the part of the PrometheusRule object Prometheus loads: spec.groups is a
// rule file's content.
type prometheusRule struct {
	Kind string    `yaml:"kind"`
	Spec yaml.Node `yaml:"spec"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promrules FILE...")
		os.Exit(2)
	}
	failed := false
	for _, file := range os.Args[1:] {
		n, errs := check(file)
		for _, err := range errs {
			failed = true
			fmt.Printf("%s: %v\n", file, err)
		}
		if len(errs) == 0 {
			fmt.Printf("%s: %d rules or queries ok\n", file, n)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// strictParser parses PromQL without experimental features, so any Prometheus in use can
// evaluate what passes.
var strictParser = parser.NewParser(parser.Options{})

func check(file string) (int, []error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, []error{err}
	}
	if strings.HasSuffix(file, ".json") {
		return checkDashboard(data)
	}
	var obj prometheusRule
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return 0, []error{err}
	}
	if obj.Kind != "PrometheusRule" {
		return 0, []error{fmt.Errorf("kind %q, want PrometheusRule", obj.Kind)}
	}
	spec, err := yaml.Marshal(&obj.Spec)
	if err != nil {
		return 0, []error{err}
	}
	// The strictest reading: unknown fields are errors, names must be legacy (ASCII) Prometheus
	// names, and PromQL without experimental features, so any Prometheus in use loads them.
	groups, errs := rulefmt.Parse(spec, false, model.LegacyValidation, strictParser, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		return 0, errs
	}
	n := 0
	for _, g := range groups.Groups {
		n += len(g.Rules)
	}
	if n == 0 {
		return 0, []error{fmt.Errorf("no rules")}
	}
	return n, nil
}

// grafanaMacros stand in for the interval variables Grafana substitutes before it queries.
var grafanaMacros = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h")

// checkDashboard parses every "expr" of a Grafana dashboard as PromQL.
func checkDashboard(data []byte) (int, []error) {
	var dashboard any
	if err := json.Unmarshal(data, &dashboard); err != nil {
		return 0, []error{err}
	}
	var exprs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if e, ok := child.(string); ok && k == "expr" {
					exprs = append(exprs, e)
				} else {
					walk(child)
				}
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	walk(dashboard)
	if len(exprs) == 0 {
		return 0, []error{fmt.Errorf("no queries")}
	}
	var errs []error
	for _, e := range exprs {
		if _, err := strictParser.ParseExpr(grafanaMacros.Replace(e)); err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", e, err))
		}
	}
	return len(exprs), errs
}
