package cluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"sigs.k8s.io/yaml"
)

// Preflight checks, before any resource is registered, that the kubeconfig the Kubernetes
// provider will read (the files in $KUBECONFIG, or ~/.kube/config) has the context the
// stack deploys to: otelfleet:kubeContext, or its current context. Without it the provider
// fails every resource with a message that does not name the stack key. The check reads
// the machine the program runs on, so offline rendering (synth) does not run it.
func Preflight(_ *pulumi.Context, cfg config.Stack) error {
	if cfg.Cloud != "kubernetes" {
		return nil
	}
	paths := kubeconfigPaths()
	contexts, current, err := readContexts(paths)
	if err != nil {
		return err
	}
	where := strings.Join(paths, string(os.PathListSeparator))
	want := cfg.Cluster.KubeContext
	switch {
	case len(contexts) == 0:
		return fmt.Errorf("otelfleet:cloud kubernetes deploys to a cluster of your kubeconfig, but %s holds no context: point KUBECONFIG at a kubeconfig (kind, minikube and cloud CLIs write one)", where)
	case want == "" && current == "":
		return fmt.Errorf("otelfleet:kubeContext is empty and %s has no current-context; set it to one of: %s", where, strings.Join(contexts, ", "))
	case want == "" && !slices.Contains(contexts, current):
		return fmt.Errorf("the current-context %q of %s is not one of its contexts (%s); set otelfleet:kubeContext to one of them", current, where, strings.Join(contexts, ", "))
	case want != "" && !slices.Contains(contexts, want):
		return fmt.Errorf("otelfleet:kubeContext: context %q is not in %s; contexts there: %s", want, where, strings.Join(contexts, ", "))
	}
	return nil
}

// kubeconfigPaths are the files kubectl and the Kubernetes provider read, in order.
func kubeconfigPaths() []string {
	if env := os.Getenv("KUBECONFIG"); env != "" {
		var out []string
		for _, p := range filepath.SplitList(env) {
			if p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	return []string{filepath.Join(home, ".kube", "config")}
}

// readContexts merges the context names of the files that exist; the first file that sets
// current-context wins, as in kubectl.
func readContexts(paths []string) (contexts []string, current string, err error) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("reading kubeconfig: %w", err)
		}
		var kc struct {
			CurrentContext string `json:"current-context"`
			Contexts       []struct {
				Name string `json:"name"`
			} `json:"contexts"`
		}
		if err := yaml.Unmarshal(b, &kc); err != nil {
			return nil, "", fmt.Errorf("kubeconfig %s: %w", p, err)
		}
		for _, c := range kc.Contexts {
			if !slices.Contains(contexts, c.Name) {
				contexts = append(contexts, c.Name)
			}
		}
		if current == "" {
			current = kc.CurrentContext
		}
	}
	return contexts, current, nil
}
