package plan

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/stacks/config"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current plans")

// TestPlans: each testdata/<case>.yaml (stack config values, as Pulumi passes them) plans to
// testdata/golden/<case>.plan.json and one testdata/golden/<case>.<tier>.yaml per collector
// configuration.
// Review a changed plan, then run go test ./stacks/plan -update.
func TestPlans(t *testing.T) {
	cases, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(cases) < 4 {
		t.Fatalf("found %d cases (%v)", len(cases), err)
	}
	for _, file := range cases {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			p := planOf(t, file)
			// The collector configurations are golden files of their own (YAML reads and
			// diffs as YAML); the rest of the plan is JSON.
			files := map[string]string{}
			for tier, text := range map[string]string{"gateway": p.Configs.Gateway, "canary": p.Configs.Canary, "agent": p.Configs.Agent, "sidecar": p.Configs.Sidecar} {
				if text != "" {
					files[name+"."+tier+".yaml"] = text
				}
			}
			for c, text := range p.CloudCollectors {
				files[name+"."+c+".yaml"] = text
			}
			rest := *p
			rest.Configs, rest.CloudCollectors = fleet.Configs{}, nil
			b, err := json.MarshalIndent(rest, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			files[name+".plan.json"] = string(b) + "\n"
			old, _ := filepath.Glob(filepath.Join("testdata", "golden", name+".*"))
			for _, f := range old {
				if _, ok := files[filepath.Base(f)]; !ok {
					if *update {
						_ = os.Remove(f)
					} else {
						t.Errorf("%s is golden for a tier the plan no longer has", f)
					}
				}
			}
			for f, text := range files {
				golden := filepath.Join("testdata", "golden", f)
				if *update {
					if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (go test ./stacks/plan -update writes it)", err)
				}
				if string(want) != text {
					t.Errorf("%s differs from the plan; review, then go test ./stacks/plan -update\n%s", golden, firstDiff(string(want), text))
				}
			}
		})
	}
}

// TestPlanFacts checks what the golden files alone would not: facts that hold for every plan.
func TestPlanFacts(t *testing.T) {
	for _, file := range []string{"testdata/kubernetes-minimal.yaml", "testdata/kubernetes-rich.yaml", "testdata/aws.yaml", "testdata/azure.yaml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p := planOf(t, file)
			for _, a := range p.Gateway.ResourceAttributes {
				// The one exception: otelfleet's own export mark, which a gateway removes
				// because the data is its export from then on.
				if a.Action != "insert" && (a.Key != collector.ExportedByAttribute || a.Action != "delete") {
					t.Errorf("the gateway %ss %s: forwarded data would lose its own value", a.Action, a.Key)
				}
			}
			if (p.Configs.Agent != "") != slices.Contains(p.Agent.Modes, collector.AgentDaemonSet) ||
				(p.Configs.Sidecar != "") != slices.Contains(p.Agent.Modes, collector.AgentSidecar) ||
				(p.Configs.Canary != "") != (p.Gateway.Canary != nil) || p.Configs.Gateway == "" {
				t.Errorf("configs do not match the tiers: modes %v, canary %v", p.Agent.Modes, p.Gateway.Canary != nil)
			}
			if p.Configs.Agent != "" && !strings.Contains(p.Configs.Agent, p.Names.GatewayHost()) {
				t.Error("the agent does not send to the gateway's host")
			}
			outputs := map[string]string{}
			for _, o := range p.Outputs {
				outputs[o.Name] = o.Value
			}
			if outputs["gatewayEndpoint"] != p.Names.GatewayEndpoint() || outputs["gatewayNamespace"] != p.Names.Namespace {
				t.Errorf("outputs %v", outputs)
			}
			if (p.TLS != nil) != (outputs["tlsIssuer"] != "") {
				t.Errorf("tlsIssuer output %q with TLS %v", outputs["tlsIssuer"], p.TLS != nil)
			}
		})
	}
}

func planOf(t *testing.T, file string) *Plan {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]string
	if err := yaml.UnmarshalStrict(data, &values); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	cfg, err := config.LoadValid(values)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n  want: " + a + "\n  got:  " + b
		}
	}
	return ""
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
