package kube

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/toolscript"
	"sigs.k8s.io/yaml"
)

// promrules returns the rule checker built from tools/promrules (Prometheus's own rule-file
// parser): $OTELFLEET_PROMRULES, or what tools/promrules.sh builds.
func promrules(t *testing.T) string {
	t.Helper()
	p, err := toolscript.Path("OTELFLEET_PROMRULES", "promrules.sh", "PROMRULES")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkRules writes the PrometheusRule objects to files and runs the checker on them: its
// output, and whether it accepted them all.
func checkRules(t *testing.T, objects map[string]map[string]any) (string, bool) {
	t.Helper()
	texts := map[string]string{}
	for name, obj := range objects {
		data, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(data)
	}
	return runPromrules(t, texts)
}

// runPromrules writes the texts (file name → content; a .json name is a Grafana dashboard)
// and runs the checker on them: its output, and whether it accepted them all.
func runPromrules(t *testing.T, texts map[string]string) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for name, text := range texts {
		file := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(name))
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	out, err := exec.Command(promrules(t), files...).CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("promrules: %v", err)
	}
	return string(out), err == nil
}

// prometheusRules are the PrometheusRule objects of the stack runs that create them (the
// committed stacks, the StatefulSet variant, and the laptop stack with the operator's objects
// switched on), keyed by run and file.
func prometheusRules(t *testing.T) map[string]map[string]any {
	t.Helper()
	runs := append(stackRuns(), stackRun{"local-operator", "local", map[string]string{"otelfleet:monitoringPrometheusOperator": "true"}})
	found := map[string]map[string]any{}
	for _, run := range runs {
		for file, m := range render(t, run.stack, run.overrides).Result.Manifests {
			if m["kind"] == "PrometheusRule" {
				found[run.name+"/"+file] = m
			}
		}
	}
	return found
}

// TestPrometheusRulesLoadInPrometheus: every PrometheusRule the stacks create is a rule file
// Prometheus loads — each expression parses as PromQL, durations, label names and annotation
// templates are valid under the strictest settings (legacy label names, no experimental
// PromQL). Prometheus refuses a whole rule group for one bad rule, and the operator's
// admission webhook refuses the object (a failed `pulumi up`).
func TestPrometheusRulesLoadInPrometheus(t *testing.T) {
	rules := prometheusRules(t)
	if len(rules) < 3 {
		t.Fatalf("only %d PrometheusRule objects rendered", len(rules))
	}
	out, ok := checkRules(t, rules)
	if !ok {
		t.Fatalf("Prometheus would not load the fleet's rules:\n%s", out)
	}
	t.Logf("%s", out)
}

// TestPromrulesFindsMistakes: the checker refuses a rule file with a broken expression, one
// with the Kubernetes-style label name the rules once carried, and one with an invalid
// duration — each made from a rule the stack renders.
func TestPromrulesFindsMistakes(t *testing.T) {
	base := render(t, "aws-prod", nil).Result.Manifests
	var rule map[string]any
	for _, m := range base {
		if m["kind"] == "PrometheusRule" {
			rule = m
		}
	}
	if rule == nil {
		t.Fatal("aws-prod renders no PrometheusRule")
	}
	mutate := func(change func(r map[string]any)) map[string]any {
		data, _ := yaml.Marshal(rule)
		var copied map[string]any
		if err := yaml.Unmarshal(data, &copied); err != nil {
			t.Fatal(err)
		}
		first := copied["spec"].(map[string]any)["groups"].([]any)[0].(map[string]any)["rules"].([]any)[0].(map[string]any)
		change(first)
		return copied
	}
	for name, obj := range map[string]map[string]any{
		"broken expression": mutate(func(r map[string]any) { r["expr"] = strings.Replace(r["expr"].(string), "[5m]", "[5m", 1) }),
		"kubernetes label":  mutate(func(r map[string]any) { r["labels"].(map[string]any)["app.kubernetes.io/part-of"] = "otelfleet" }),
		"invalid duration":  mutate(func(r map[string]any) { r["for"] = "5 minutes" }),
	} {
		t.Run(name, func(t *testing.T) {
			if out, ok := checkRules(t, map[string]map[string]any{name: obj}); ok {
				t.Errorf("accepted:\n%s", out)
			}
		})
	}
}

// TestDashboardQueriesParse: every PromQL query of the Grafana dashboards the stacks ship
// parses (Grafana's interval macros replaced by a duration); a broken one is refused.
func TestDashboardQueriesParse(t *testing.T) {
	dashboards := map[string]string{}
	for _, run := range stackRuns() {
		for file, text := range render(t, run.stack, run.overrides).Result.Dashboards {
			dashboards[run.name+"/"+file] = text
		}
	}
	if len(dashboards) == 0 {
		t.Fatal("no dashboard rendered")
	}
	if out, ok := runPromrules(t, dashboards); !ok {
		t.Fatalf("dashboard queries that do not parse:\n%s", out)
	}
	for name, text := range dashboards {
		broken := strings.Replace(text, "[$__rate_interval]", "[$__rate_interval", 1)
		if broken == text {
			t.Fatalf("%s has no rate over $__rate_interval to break", name)
		}
		if out, ok := runPromrules(t, map[string]string{"broken.json": broken}); ok {
			t.Errorf("a broken query of %s was accepted:\n%s", name, out)
		}
		break
	}
}
