package cluster

import (
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks/config"
)

func TestNamespaceConflict(t *testing.T) {
	stack := func(cloud, context, ns, agentNs string) config.Stack {
		s := config.Defaults()
		s.Cloud, s.Cluster.KubeContext, s.Kubernetes.Namespace, s.Kubernetes.AgentNamespace = cloud, context, ns, agentNs
		return s
	}
	me := stack("kubernetes", "kind", "observability", "observability-agent")
	for name, c := range map[string]struct {
		others map[string]config.Stack
		want   string // "" for no error
	}{
		"alone":                         {nil, ""},
		"other namespaces":              {map[string]config.Stack{"b": stack("kubernetes", "kind", "obs2", "obs2-agent")}, ""},
		"same namespace, other cluster": {map[string]config.Stack{"b": stack("kubernetes", "prod", "observability", "observability-agent")}, ""},
		"a cloud stack (own cluster)":   {map[string]config.Stack{"b": stack("aws", "kind", "observability", "observability-agent")}, ""},
		"same gateway namespace": {map[string]config.Stack{"b": stack("kubernetes", "kind", "observability", "x")},
			`otelfleet:namespace: namespace "observability" is where stack b deploys`},
		"my agent namespace is their gateway's": {map[string]config.Stack{"b": stack("kubernetes", "kind", "observability-agent", "y")},
			`otelfleet:agentNamespace: namespace "observability-agent" is where stack b deploys`},
	} {
		t.Run(name, func(t *testing.T) {
			err := namespaceConflict(me, c.others)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v; want one containing %q", err, c.want)
			}
		})
	}
}
