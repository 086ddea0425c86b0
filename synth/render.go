// Package synth renders an otelfleet stack offline: it runs the real Pulumi program under
// the Pulumi mock engine (no credentials, no CLI, no cloud) and writes what the program
// would create — every resource with its inputs, every Kubernetes object as a manifest, and
// every generated collector configuration.
package synth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const secretPlaceholder = fleet.SecretPlaceholder

// The host agent's stack outputs and the files synth writes them to (hosts/).
const (
	HostAgentConfigOutput = "hostAgentConfig"
	HostAgentUnitOutput   = "hostAgentUnit"
	HostAgentConfigFile   = "host-agent.yaml"
	HostAgentUnitFile     = "otelfleet-host-agent.service"
)

// Result is a rendered stack.
type Result struct {
	Stack     string
	Resources []Resource
	// Manifests are the Kubernetes objects, keyed by file name.
	Manifests map[string]map[string]any
	// Collector configs, keyed by file name ("<tier>.yaml").
	Collector map[string]string
	// Dashboards are the Grafana dashboards (JSON) of ConfigMaps labelled grafana_dashboard.
	Dashboards map[string]string
	// Outputs are the stack outputs by name, as `pulumi stack output` would show them;
	// secret ones are the placeholder.
	Outputs map[string]any
	// Hosts are the files of the host agent (its config and systemd unit), when the stack
	// has one (otelfleet:hostAgentEndpoint).
	Hosts map[string]string
}

// Render runs program for the stack described by sc under mocks, with the fakes of the
// stack's cloud (FakesFor its otelfleet:cloud).
func Render(sc *StackConfig, program pulumi.RunFunc) (*Result, error) {
	return RenderWith(sc, program, FakesFor(sc.Values["otelfleet:cloud"]))
}

// RenderWith is Render with the given fakes.
func RenderWith(sc *StackConfig, program pulumi.RunFunc, fakes Fakes) (*Result, error) {
	rec := &recorder{project: sc.Project, stack: sc.Stack, fakes: fakes}
	outputs := map[string]any{}
	err := pulumi.RunErr(withOutputs(program, outputs), pulumi.WithMocks(sc.Project, sc.Stack, rec), func(info *pulumi.RunInfo) {
		info.Config = sc.Values
		info.ConfigSecretKeys = sc.SecretKeys
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Stack: sc.Stack, Manifests: map[string]map[string]any{}, Collector: map[string]string{}, Dashboards: map[string]string{}, Outputs: outputs}
	res.Resources = rec.resources
	sort.SliceStable(res.Resources, func(i, j int) bool {
		a, b := res.Resources[i], res.Resources[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Name < b.Name
	})
	for _, r := range res.Resources {
		if m, ok := manifest(r); ok {
			name := manifestFileName(m)
			if _, dup := res.Manifests[name]; dup {
				return nil, fmt.Errorf("two Kubernetes objects render to %s (resource %s)", name, r.Name)
			}
			res.Manifests[name] = m
		}
		for file, text := range dashboards(r) {
			res.Dashboards[file] = text
		}
		for _, c := range extractCollectorConfigs(r) {
			file := c.Name + ".yaml"
			if _, dup := res.Collector[file]; dup {
				return nil, fmt.Errorf("two collector configs are named %s", file)
			}
			res.Collector[file] = c.YAML
		}
	}
	// The host agent is no resource: the stack outputs it (for hosts outside Kubernetes).
	if cfg, ok := outputs[HostAgentConfigOutput].(string); ok {
		res.Collector[HostAgentConfigFile] = cfg
	}
	if unit, ok := outputs[HostAgentUnitOutput].(string); ok {
		res.Hosts = map[string]string{HostAgentConfigFile: res.Collector[HostAgentConfigFile], HostAgentUnitFile: unit}
	}
	return res, nil
}

// Count returns the number of resources by type.
func (r *Result) Count() map[string]int {
	out := map[string]int{}
	for _, res := range r.Resources {
		out[res.Type]++
	}
	return out
}

// Find returns the resources of a type.
func (r *Result) Find(typ string) []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// Summary lists the counts by type, one "count type" line each.
func (r *Result) Summary() string {
	counts := r.Count()
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s: %d resources, %d Kubernetes manifests, %d collector configs, %d outputs\n", r.Stack, len(r.Resources), len(r.Manifests), len(r.Collector), len(r.Outputs))
	for _, t := range types {
		fmt.Fprintf(&b, "%5d  %s\n", counts[t], t)
	}
	return b.String()
}
