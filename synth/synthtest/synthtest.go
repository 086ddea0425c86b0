// Package synthtest renders otelfleet stacks and programs under the Pulumi mock engine for
// tests, in one line, and reads what they rendered:
//
//	res := synthtest.Stack(t, program, "aws-prod", map[string]string{"otelfleet:gatewayKind": "statefulset"})
//	role := synthtest.One(t, res, "aws:iam/role:Role", "otel-gateway")
//	synthtest.Get(role.Inputs, "tags", "Name")
//
// Programs that import otelfleet's components (not its stacks) render with Program.
package synthtest

import (
	"fmt"
	"maps"
	"sort"
	"sync"
	"testing"

	"github.com/otelfleet/otelfleet/internal/toolscript"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Stack renders a committed stack of the otelfleet repository (Pulumi.<stack>.yaml, with
// overrides "otelfleet:key" → raw value on top) through program. An error fails the test.
func Stack(t testing.TB, program pulumi.RunFunc, stack string, overrides map[string]string) *synth.Result {
	t.Helper()
	res, err := StackErr(t, program, stack, overrides)
	if err != nil {
		t.Fatalf("render %s %v: %v", stack, overrides, err)
	}
	return res
}

// StackErr is Stack for tests of what fails: it returns the program's error.
func StackErr(t testing.TB, program pulumi.RunFunc, stack string, overrides map[string]string, secretKeys ...string) (*synth.Result, error) {
	t.Helper()
	root, err := toolscript.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := synth.ReadStackConfig(root, stack)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(sc.Values, overrides)
	sc.SecretKeys = append(sc.SecretKeys, secretKeys...)
	return synth.Render(sc, program)
}

// Committed renders a committed stack as it is, once per test process and program key:
// tests that only read it share one render.
func Committed(t testing.TB, key string, program pulumi.RunFunc, stack string) *synth.Result {
	t.Helper()
	mu.Lock()
	e, ok := committed[key+"/"+stack]
	if !ok {
		e = &entry{}
		committed[key+"/"+stack] = e
	}
	mu.Unlock()
	e.once.Do(func() { e.res, e.err = StackErr(t, program, stack, nil) })
	if e.err != nil {
		t.Fatalf("render %s: %v", stack, e.err)
	}
	return e.res
}

type entry struct {
	once sync.Once
	res  *synth.Result
	err  error
}

var (
	mu        sync.Mutex
	committed = map[string]*entry{}
)

// Program renders any program as the stack "test" of project, with config keyed
// "namespace:key" (secretKeys marks secret ones). An error fails the test.
func Program(t testing.TB, project string, program pulumi.RunFunc, config map[string]string, secretKeys ...string) *synth.Result {
	t.Helper()
	res, err := ProgramErr(project, program, config, secretKeys...)
	if err != nil {
		t.Fatalf("render %s: %v", project, err)
	}
	return res
}

// ProgramErr is Program for tests of what fails.
func ProgramErr(project string, program pulumi.RunFunc, config map[string]string, secretKeys ...string) (*synth.Result, error) {
	return synth.Render(&synth.StackConfig{Project: project, Stack: "test", Values: maps.Clone(config), SecretKeys: secretKeys}, program)
}

// One returns the only resource of a type with a name (the Pulumi resource name) or, for
// Kubernetes objects, the object name (metadata.name); it fails the test and lists what
// there is otherwise.
func One(t testing.TB, res *synth.Result, typ, name string) synth.Resource {
	t.Helper()
	var found []synth.Resource
	var names []string
	for _, r := range res.Find(typ) {
		names = append(names, r.Name)
		if r.Name == name || Get(r.Inputs, "metadata", "name") == name {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		sort.Strings(names)
		t.Fatalf("%d resources %s named %q; there are: %v", len(found), typ, name, names)
	}
	return found[0]
}

// Get walks nested maps and lists of plain values: Get(m, "a", "b", 0, "c"); nil where the
// path leads nowhere.
func Get(v any, path ...any) any {
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
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			panic(fmt.Sprintf("synthtest.Get: path element %v is neither a key nor an index", p))
		}
	}
	return v
}
