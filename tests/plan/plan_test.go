// Package plan checks that the resources of every committed stack are what its plan says:
// every collector configuration the plan renders is the one deployed (ConfigMap, ECS
// parameter, container group), and the stack's outputs include the plan's.
package plan

import (
	"fmt"
	"testing"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
)

var program = stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"aws": aws.Build, "azure": azure.Build, "kubernetes": cluster.Build})

func TestResourcesAreWhatThePlanSays(t *testing.T) {
	for _, stack := range []string{"aws-prod", "aws-prod-euw1", "azure-prod", "local"} {
		t.Run(stack, func(t *testing.T) {
			res := synthtest.Stack(t, program, stack, nil)
			p := planOf(t, stack)
			n := p.Names
			want := map[string]string{
				n.Namespace + "-" + n.Gateway() + ".yaml":       p.Configs.Gateway,
				n.Namespace + "-" + n.GatewayCanary() + ".yaml": p.Configs.Canary,
				n.AgentNamespace + "-" + n.Agent() + ".yaml":    p.Configs.Agent,
				"ecs-collector.yaml":                            p.CloudCollectors[plan.CollectorECS],
				n.Prefix + "-aci.yaml":                          p.CloudCollectors[plan.CollectorACI],
			}
			for file, config := range want {
				got, rendered := res.Collector[file]
				switch {
				case config == "" && rendered:
					t.Errorf("%s is deployed but the plan has no such collector", file)
				case config != "" && !rendered:
					t.Errorf("the plan has %s, nothing deploys it (rendered: %v)", file, keys(res))
				case got != config:
					t.Errorf("%s: the deployed configuration is not the plan's", file)
				}
			}
			if p.Configs.Sidecar != "" && !containsValue(res.Collector, p.Configs.Sidecar) {
				t.Error("the plan's sidecar configuration is deployed nowhere")
			}
			for _, o := range p.Outputs {
				if got := fmt.Sprint(res.Outputs[o.Name]); got != o.Value {
					t.Errorf("output %s = %q, the plan says %q", o.Name, got, o.Value)
				}
			}
		})
	}
}

func planOf(t *testing.T, stack string) *plan.Plan {
	t.Helper()
	sc, err := synth.ReadStackConfig("../..", stack)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadValid(sc.Values)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func keys(res *synth.Result) []string {
	var out []string
	for k := range res.Collector {
		out = append(out, k)
	}
	return out
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
