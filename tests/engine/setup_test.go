// Package engine runs the program under the real Pulumi engine — the pulumi CLI and the
// Kubernetes resource provider built by tools/pulumi.sh — against a real kube-apiserver,
// etcd and kube-controller-manager: preview, up, a no-op preview, a config change, a
// failed and corrected up, outputs and state, and destroy of the kubernetes stack.
package engine

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/enginetest"
	"github.com/otelfleet/otelfleet/internal/kubetest"
	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	projectDir = "../.."
	stackName  = "local"
	skipAwait  = "pulumi.com/skipAwait"
)

// richest turns the committed laptop stack into the richest shape a cluster without a
// cloud takes: mutual TLS (with cert-manager already in the cluster, as the chart cannot be
// downloaded here: the test installs its CRDs and namespace instead), tail sampling (agents
// route by trace id), the HPA, the VPA and the Prometheus operator's objects. Pulumi.local.yaml
// already runs the DaemonSet and sidecar agents.
var richest = map[string]string{
	"otelfleet:tlsEnabled":                   "true",
	"otelfleet:certManagerInstall":           "false",
	"otelfleet:samplingMode":                 "tail",
	"otelfleet:samplingPercentage":           "20",
	"otelfleet:gatewayHpaEnabled":            "true",
	"otelfleet:gatewayHpaMinReplicas":        "2",
	"otelfleet:gatewayHpaMaxReplicas":        "4",
	"otelfleet:gatewayVpaEnabled":            "true",
	"otelfleet:monitoringPrometheusOperator": "true",
}

// controllers are what the test cluster runs beside the apiserver: without the garbage
// collector and the namespace controller nothing the provider deletes (in the foreground)
// ever goes away; the workload controllers turn a rolled pod template into a new ReplicaSet.
var controllers = []string{"garbagecollector", "namespace", "deployment", "replicaset", "statefulset"}

// program is main.go's program with only the kubernetes builder (so this test compiles no
// cloud SDK), plus one test-only transform: pulumi.com/skipAwait on every Kubernetes
// object, because without a kubelet no workload ever becomes ready. It runs in the test
// process, so its preflight reads the test's KUBECONFIG (newStack sets it).
func program() pulumi.RunFunc {
	run := stacks.Program(map[string]stacks.Builder{"kubernetes": cluster.Build}, cluster.Preflight, cluster.OwnNamespaces(workspaceStacks))
	return func(ctx *pulumi.Context) error {
		if err := ctx.RegisterResourceTransform(addSkipAwait); err != nil {
			return err
		}
		return run(ctx)
	}
}

func addSkipAwait(_ context.Context, a *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
	if !a.Custom || !strings.HasPrefix(a.Type, "kubernetes:") || strings.HasPrefix(a.Type, "kubernetes:helm.sh/") {
		return nil
	}
	meta, ok := a.Props["metadata"].(pulumi.Map)
	if !ok {
		meta = pulumi.Map{}
	}
	ann, ok := meta["annotations"].(pulumi.Map)
	if !ok {
		ann = pulumi.Map{}
	}
	ann[skipAwait] = pulumi.String("true")
	meta["annotations"] = ann
	a.Props["metadata"] = meta
	return &pulumi.ResourceTransformResult{Props: a.Props, Opts: a.Opts}
}

// cluster is a test control plane with what a cluster that already runs cert-manager, the
// VPA and the Prometheus operator has: their CRDs and cert-manager's namespace.
func startCluster(t *testing.T) (*kubetest.Cluster, string) {
	t.Helper()
	c := kubetest.StartWith(t, kubetest.Options{Controllers: controllers})
	c.InstallCRDs(t, kubetest.CRDDir(t))
	if _, _, err := c.Apply(t.Context(), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cert-manager\n"), kubetest.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := c.Kubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	return c, kubeconfig
}

// workDir is the directory of the current workspace (Pulumi.yaml and the stack files).
// The engine gives inline programs no root directory, and this process does not run in
// the project, so the namespace preflight reads the other stacks from here.
var workDir string

func workspaceStacks(dir, self string) (map[string]config.Stack, error) {
	if dir == "" {
		dir = workDir
	}
	return cluster.ProjectStacks(dir, self)
}

// newStack creates the local stack in a fresh workspace with the given config on top of
// Pulumi.local.yaml.
func newStack(t *testing.T, kubeconfig string, values map[string]string) (*enginetest.Workspace, auto.Stack) {
	t.Helper()
	// The engine (and the provider it starts) and the inline program (in this process)
	// read the same kubeconfig, as under `pulumi up`.
	t.Setenv("KUBECONFIG", kubeconfig)
	w := enginetest.NewWorkspace(t, enginetest.Options{
		ProjectDir: projectDir, Stack: stackName, Program: program(),
		Env: map[string]string{"KUBECONFIG": kubeconfig},
	})
	workDir = w.Dir
	s, err := w.Upsert(t.Context())
	if err != nil {
		t.Fatalf("creating the stack: %v", err)
	}
	setConfig(t, s, values)
	return w, s
}

func setConfig(t *testing.T, s auto.Stack, values map[string]string) {
	t.Helper()
	cfg := auto.ConfigMap{}
	for k, v := range values {
		cfg[k] = auto.ConfigValue{Value: v}
	}
	if err := s.SetAllConfig(t.Context(), cfg); err != nil {
		t.Fatalf("setting config: %v", err)
	}
}

// render is synth's rendering of the local stack with the same config on top (the program
// without the test's transform: what users render).
func render(t *testing.T, values map[string]string) *synth.Result {
	t.Helper()
	return synthtest.Stack(t, stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"kubernetes": cluster.Build}), stackName, values)
}

// with returns base plus the changes.
func with(base map[string]string, changes map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, changes)
	return out
}

// timings are the operations' wall times, printed at the end for the README.
type timings []string

func (tm *timings) track(name string, start time.Time) {
	*tm = append(*tm, fmt.Sprintf("%-28s %6.1fs", name, time.Since(start).Seconds()))
}
