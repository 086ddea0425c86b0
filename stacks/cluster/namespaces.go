package cluster

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// OtherStacks lists the stacks of the project in dir but self, with their configuration
// (dir is empty when the engine names no root directory: the working directory).
type OtherStacks func(dir, self string) (map[string]config.Stack, error)

// OwnNamespaces returns a preflight that refuses a kubernetes stack deploying into a
// namespace that another stack of the project deploys into on the same cluster (the same
// kubeconfig context): two fleets in one namespace would take over each other's objects
// (Services, ConfigMaps, Certificates) on every `up`. Clouds that create their cluster
// (aws, azure) never share one, so only kubernetes stacks are compared.
func OwnNamespaces(others OtherStacks) func(ctx *pulumi.Context, cfg config.Stack) error {
	return func(ctx *pulumi.Context, cfg config.Stack) error {
		if cfg.Cloud != "kubernetes" {
			return nil
		}
		all, err := others(ctx.RootDirectory(), ctx.Stack())
		if err != nil {
			return fmt.Errorf("reading the project's other stacks: %w", err)
		}
		return namespaceConflict(cfg, all)
	}
}

// namespaceConflict is the first namespace cfg shares with a kubernetes stack of others on
// the same context, as the error OwnNamespaces reports.
func namespaceConflict(cfg config.Stack, others map[string]config.Stack) error {
	context := effectiveContext(cfg)
	mine := namespaces(cfg)
	keys := slices.Sorted(maps.Keys(mine))
	for _, name := range slices.Sorted(maps.Keys(others)) {
		other := others[name]
		if other.Cloud != "kubernetes" || effectiveContext(other) != context {
			continue
		}
		theirs := sortedValues(namespaces(other))
		for _, key := range keys {
			if slices.Contains(theirs, mine[key]) {
				return fmt.Errorf("otelfleet:%s: namespace %q is where stack %s deploys its fleet on the same cluster (context %q); two fleets in one namespace overwrite each other's objects: choose another namespace (stack %s uses %s)",
					key, mine[key], name, context, name, strings.Join(theirs, ", "))
			}
		}
	}
	return nil
}

// namespaces are the namespaces a stack deploys into, by the key that names each.
func namespaces(cfg config.Stack) map[string]string {
	return map[string]string{"namespace": cfg.Kubernetes.Namespace, "agentNamespace": cfg.Kubernetes.AgentNamespace}
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// effectiveContext is the kubeconfig context a kubernetes stack deploys to: its
// otelfleet:kubeContext, or the kubeconfig's current context.
func effectiveContext(cfg config.Stack) string {
	if cfg.Cluster.KubeContext != "" {
		return cfg.Cluster.KubeContext
	}
	_, current, _ := readContexts(kubeconfigPaths())
	return current
}

// ProjectStacks reads every stack of the project directory dir but self (its
// Pulumi.<stack>.yaml), as the program would load it (secure values as placeholders; not
// validated). It is the OtherStacks of `pulumi up`.
func ProjectStacks(dir, self string) (map[string]config.Stack, error) {
	names, err := synth.Stacks(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]config.Stack{}
	for _, name := range names {
		if name == self {
			continue
		}
		sc, err := synth.ReadStackConfig(dir, name)
		if err != nil {
			return nil, err
		}
		cfg, err := config.Load(sc.Values)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", name, err)
		}
		out[name] = cfg
	}
	return out, nil
}
