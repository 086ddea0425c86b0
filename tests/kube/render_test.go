package kube

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/synth"
)

// projectDir holds Pulumi.yaml and the Pulumi.<stack>.yaml files.
const projectDir = "../.."

// stackNames are the stacks whose every manifest must be accepted.
var stackNames = []string{"aws-prod", "aws-prod-euw1", "azure-prod", "local"}

// prodStacks run the gateway with an HPA and cert-manager TLS, which the broken-manifest and
// replica-ownership checks mutate; the laptop stack (local) has neither.
var prodStacks = map[string]bool{"aws-prod": true, "aws-prod-euw1": true, "azure-prod": true}

// stackRun is one render TestStacks applies: a stack, possibly with config overrides.
type stackRun struct {
	name, stack string
	overrides   map[string]string
}

// stackRuns are the stacks as committed, and variants with settings that change which
// objects exist (aws with a StatefulSet gateway adds its own StorageClass and PVC template;
// the same variant runs the cluster collector for events only, with their RBAC alone).
func stackRuns() []stackRun {
	var runs []stackRun
	for _, s := range stackNames {
		runs = append(runs, stackRun{s, s, nil})
	}
	return append(runs, stackRun{"aws-prod-statefulset", "aws-prod", map[string]string{"otelfleet:gatewayKind": "statefulset", "otelfleet:clusterMetrics": "false"}})
}

var program = stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"aws": aws.Build, "azure": azure.Build, "kubernetes": cluster.Build})

// rendered is one stack rendered offline, possibly with some config values changed.
type rendered struct {
	Key    string // stack name plus the overrides, for messages
	Config config.Stack
	Result *synth.Result
	Took   time.Duration
}

type renderEntry struct {
	once sync.Once
	r    *rendered
	err  error
}

var (
	renderMu    sync.Mutex
	renderCache = map[string]*renderEntry{}
	// renderRun serialises the Pulumi mock engine runs.
	renderRun sync.Mutex
)

// render returns the stack rendered with overrides ("otelfleet:key" → raw value) applied
// on top of its stack file. Each distinct render runs once per test binary.
func render(t testing.TB, stack string, overrides map[string]string) *rendered {
	t.Helper()
	key := stack
	for _, k := range slices.Sorted(maps.Keys(overrides)) {
		key += fmt.Sprintf(" %s=%s", k, overrides[k])
	}
	renderMu.Lock()
	e, ok := renderCache[key]
	if !ok {
		e = &renderEntry{}
		renderCache[key] = e
	}
	renderMu.Unlock()
	e.once.Do(func() { e.r, e.err = doRender(key, stack, overrides) })
	if e.err != nil {
		t.Fatalf("render %s: %v", key, e.err)
	}
	return e.r
}

func doRender(key, stack string, overrides map[string]string) (*rendered, error) {
	renderRun.Lock()
	defer renderRun.Unlock()
	began := time.Now()
	sc, err := synth.ReadStackConfig(projectDir, stack)
	if err != nil {
		return nil, err
	}
	variant := *sc
	variant.Values = maps.Clone(sc.Values)
	for k, v := range overrides {
		// A misspelt key would make the variant silently equal to the base render.
		if _, known := config.FieldByKey(strings.TrimPrefix(k, config.Namespace+":")); !known || !strings.HasPrefix(k, config.Namespace+":") {
			return nil, fmt.Errorf("override %s is not an otelfleet config key", k)
		}
		variant.Values[k] = v
	}
	cfg, err := config.LoadValid(variant.Values)
	if err != nil {
		return nil, err
	}
	res, err := synth.Render(&variant, program)
	if err != nil {
		return nil, err
	}
	if len(res.Manifests) == 0 {
		return nil, fmt.Errorf("no Kubernetes manifests rendered")
	}
	fillTLSSecrets(res)
	return &rendered{Key: key, Config: cfg, Result: res, Took: time.Since(began)}, nil
}
