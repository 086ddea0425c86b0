// Command promrules checks the rule groups of PrometheusRule manifests with Prometheus's own
// rule-file parser (model/rulefmt: every expression parsed as PromQL, durations, label and
// annotation templates), as Prometheus does when it loads the rules the Prometheus Operator
// generated from them.
//
//	promrules FILE...   one PrometheusRule per file; prints each file's rule count, or its errors and exits 1
package main

import (
	"fmt"
	"log/slog"
	"os"

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
			fmt.Printf("%s: %d rules ok\n", file, n)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(file string) (int, []error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, []error{err}
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
	groups, errs := rulefmt.Parse(spec, false, model.LegacyValidation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
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
