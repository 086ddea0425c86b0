package collector

import (
	"maps"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/synth"
)

// projectDir holds Pulumi.yaml and the Pulumi.<stack>.yaml files.
const projectDir = "../.."

// program is main.go's program: the same builders map.
var program = stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"aws": aws.Build, "azure": azure.Build, "kubernetes": cluster.Build})

// renderedStack is one stack rendered offline plus the workloads that run its configs.
type renderedStack struct {
	Name      string
	Result    *synth.Result
	Workloads []loopback.Workload // Kubernetes-mounted configs only
	Took      time.Duration
}

// Workload returns the workload that mounts config file, if Kubernetes runs it.
func (s *renderedStack) Workload(file string) (loopback.Workload, bool) {
	for _, w := range s.Workloads {
		if w.File == file {
			return w, true
		}
	}
	return loopback.Workload{}, false
}

// Gateway is the stack's stable gateway workload.
func (s *renderedStack) Gateway(t testing.TB) loopback.Workload {
	t.Helper()
	var found []loopback.Workload
	for _, w := range s.Workloads {
		if w.Role == loopback.Gateway && w.Labels["otelfleet.io/track"] != "canary" {
			found = append(found, w)
		}
	}
	if len(found) != 1 {
		t.Fatalf("stack %s: want exactly one stable gateway workload, found %d: %+v", s.Name, len(found), found)
	}
	return found[0]
}

// Agents are the stack's agent workloads (DaemonSet and sidecars), by config file.
func (s *renderedStack) Agents() []loopback.Workload {
	var out []loopback.Workload
	for _, w := range s.Workloads {
		if w.Role == loopback.Agent {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

type renderEntry struct {
	once sync.Once
	s    *renderedStack
	err  error
}

var (
	renderMu    sync.Mutex
	renderCache = map[string]*renderEntry{}
	renderRun   sync.Mutex // one Pulumi mock engine run at a time
)

// render renders a stack once per test binary.
func render(t testing.TB, stack string) *renderedStack { return renderWith(t, stack, nil) }

// renderWith renders a stack with some values of its stack file changed ("otelfleet:key"
// → raw value), once per test binary and set of changes.
func renderWith(t testing.TB, stack string, overrides map[string]string) *renderedStack {
	t.Helper()
	key := stack
	for _, k := range sortedFiles(overrides) {
		key += " " + k + "=" + overrides[k]
	}
	renderMu.Lock()
	e, ok := renderCache[key]
	if !ok {
		e = &renderEntry{}
		renderCache[key] = e
	}
	renderMu.Unlock()
	e.once.Do(func() { e.s, e.err = doRender(stack, overrides) })
	if e.err != nil {
		t.Fatalf("render %s: %v", key, e.err)
	}
	return e.s
}

func doRender(stack string, overrides map[string]string) (*renderedStack, error) {
	renderRun.Lock()
	defer renderRun.Unlock()
	began := time.Now()
	sc, err := synth.ReadStackConfig(projectDir, stack)
	if err != nil {
		return nil, err
	}
	sc.Values = maps.Clone(sc.Values)
	maps.Copy(sc.Values, overrides)
	res, err := synth.Render(sc, program)
	if err != nil {
		return nil, err
	}
	workloads, err := loopback.Workloads(res.Manifests)
	if err != nil {
		return nil, err
	}
	return &renderedStack{Name: stack, Result: res, Workloads: workloads, Took: time.Since(began)}, nil
}

// allStacks lists every Pulumi.<stack>.yaml of the project.
func allStacks(t testing.TB) []string {
	t.Helper()
	names, err := synth.Stacks(projectDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no Pulumi.<stack>.yaml files in the project directory")
	}
	return names
}

func sortedFiles(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
