// Package aws tests the aws stack offline: the real program runs under Pulumi mocks
// (synth.Render), only the aws builder is compiled, and the tests assert the inputs of
// the resources it registers, the Kubernetes manifests and the collector configurations.
package aws

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
	"sigs.k8s.io/yaml"
)

const stackName = "aws-prod"

var program = stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"aws": aws.Build})

// render renders aws-prod with some keys changed ("otelfleet:key" → raw value).
func render(t *testing.T, overrides map[string]string) (*synth.Result, error) {
	t.Helper()
	return synthtest.StackErr(t, program, stackName, overrides)
}

// prod is the aws-prod stack as committed, rendered once for all tests.
func prod(t *testing.T) *synth.Result { return synthtest.Committed(t, "aws", program, stackName) }

var (
	one = synthtest.One // the only resource of a type and name
	get = synthtest.Get // walks nested maps and lists of plain inputs: get(m, "a", "b", 0, "c")
)

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

// doc parses a policy document input.
func doc(t *testing.T, res synth.Resource, key string) policy.Document {
	t.Helper()
	text := str(res.Inputs[key])
	d, err := policy.Parse(text)
	if err != nil {
		t.Fatalf("%s %s: %s is not a policy document: %v\n%s", res.Type, res.Name, key, err, text)
	}
	return d
}

// collectorConfig parses a rendered collector configuration.
func collectorConfig(t *testing.T, r *synth.Result, file string) map[string]any {
	t.Helper()
	text, ok := r.Collector[file]
	if !ok {
		var files []string
		for f := range r.Collector {
			files = append(files, f)
		}
		t.Fatalf("no collector config %s; there are %v", file, files)
	}
	var out map[string]any
	if err := yaml.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return out
}

// containers parses the task definition's container definitions.
func containers(t *testing.T, task synth.Resource) []map[string]any {
	t.Helper()
	var defs []map[string]any
	if err := json.Unmarshal([]byte(str(task.Inputs["containerDefinitions"])), &defs); err != nil {
		t.Fatalf("containerDefinitions: %v", err)
	}
	return defs
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
