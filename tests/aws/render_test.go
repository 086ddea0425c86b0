// Package aws tests the aws stack offline: the real program runs under Pulumi mocks
// (synth.Render), only the aws builder is compiled, and the tests assert the inputs of
// the resources it registers, the Kubernetes manifests and the collector configurations.
package aws

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/otelfleet/otelfleet/components/aws/policy"
	"github.com/otelfleet/otelfleet/internal/synth"
	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"sigs.k8s.io/yaml"
)

const stackName = "aws-prod"

var program = stacks.Program(map[string]stacks.Builder{"aws": aws.Build})

// render renders aws-prod with some keys changed ("otelfleet:key" → raw value).
func render(t *testing.T, overrides map[string]string) (*synth.Result, error) {
	t.Helper()
	sc, err := synth.ReadStackConfig("../..", stackName)
	if err != nil {
		t.Fatalf("ReadStackConfig: %v", err)
	}
	for k, v := range overrides {
		sc.Values[k] = v
	}
	return synth.Render(sc, program)
}

var (
	prodOnce   sync.Once
	prodResult *synth.Result
	prodErr    error
)

// prod is the aws-prod stack as committed, rendered once for all tests.
func prod(t *testing.T) *synth.Result {
	t.Helper()
	prodOnce.Do(func() { prodResult, prodErr = render(t, nil) })
	if prodErr != nil {
		t.Fatalf("render %s: %v", stackName, prodErr)
	}
	return prodResult
}

// one returns the only resource of a type and name.
func one(t *testing.T, r *synth.Result, typ, name string) synth.Resource {
	t.Helper()
	var found []synth.Resource
	for _, res := range r.Find(typ) {
		if res.Name == name {
			found = append(found, res)
		}
	}
	if len(found) != 1 {
		var names []string
		for _, res := range r.Find(typ) {
			names = append(names, res.Name)
		}
		t.Fatalf("%d resources %s named %q; there are: %v", len(found), typ, name, names)
	}
	return found[0]
}

// get walks nested maps and lists of plain inputs: get(m, "a", "b", 0, "c").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

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
