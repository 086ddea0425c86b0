package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// project copies Pulumi.yaml into a temp dir with the given stack files.
func project(t *testing.T, stacks map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile("Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, body := range stacks {
		if err := os.WriteFile(filepath.Join(dir, "Pulumi."+name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSynthRejectsBadConfigAndWritesNothing(t *testing.T) {
	dir := project(t, map[string]string{
		"good": "config:\n  otelfleet:cloud: aws\n",
		"bad":  "config:\n  otelfleet:cloud: aws\n  otelfleet:gatewayKind: daemon\n  otelfleet:gatewayReplcas: 2\n",
	})
	out := filepath.Join(dir, "build")
	var stdout bytes.Buffer
	err := synthCommand([]string{"--dir", dir, "--out", out}, &stdout)
	if err == nil {
		t.Fatal("a bad stack rendered")
	}
	for _, want := range []string{"stack bad", `otelfleet:gatewayKind: "daemon" is not allowed; allowed values: deployment, statefulset`, "did you mean otelfleet:gatewayReplicas?"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("output written although a stack was invalid")
	}
	if err := synthCommand([]string{"--dir", dir, "--stack", "nope"}, &stdout); err == nil || !strings.Contains(err.Error(), "stacks here: bad, good") {
		t.Errorf("unknown stack: %v", err)
	}
}

func TestSynthRendersTheProductionStacks(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	if err := synthCommand([]string{"--out", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"aws-prod", "azure-prod"} {
		for _, f := range []string{"resources.json", "manifests", "collector"} {
			if _, err := os.Stat(filepath.Join(out, stack, f)); err != nil {
				t.Errorf("%s: %v", stack, err)
			}
		}
		for _, kind := range []string{"daemonset-", "horizontalpodautoscaler-", "poddisruptionbudget-", "networkpolicy-", "serviceaccount-", "clusterrole-", "configmap-"} {
			matches, _ := filepath.Glob(filepath.Join(out, stack, "manifests", kind+"*.yaml"))
			if len(matches) == 0 {
				t.Errorf("%s: no %s manifest", stack, strings.TrimSuffix(kind, "-"))
			}
		}
		if !strings.Contains(stdout.String(), "stack "+stack+":") {
			t.Errorf("no summary for %s in:\n%s", stack, stdout.String())
		}
	}
}

func TestSynthKustomizeAndDiff(t *testing.T) {
	const base = "config:\n  otelfleet:cloud: aws\n  otelfleet:clusterApiAllowedCidrs: [203.0.113.0/24]\n  otelfleet:outsideCollectorsPlaintext: true\n"
	dir := project(t, map[string]string{"dev": base})
	old := filepath.Join(dir, "old")
	var stdout bytes.Buffer
	if err := synthCommand([]string{"--dir", dir, "--stack", "dev", "--out", old}, &stdout); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte(base+"  otelfleet:gatewayHpaMaxReplicas: 12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	newDir := filepath.Join(dir, "new")
	if err := synthCommand([]string{"--dir", dir, "--stack", "dev", "--out", newDir, "--format", "kustomize", "--diff", old}, &stdout); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"+++ b/manifests/horizontalpodautoscaler-observability-otel-gateway.yaml", "-  maxReplicas: 10", "+  maxReplicas: 12", "+++ b/manifests/kustomization.yaml"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("diff output lacks %q:\n%s", want, stdout.String())
		}
	}
	k, err := os.ReadFile(filepath.Join(newDir, "manifests", "kustomization.yaml"))
	if err != nil || !strings.Contains(string(k), "- deployment-observability-otel-gateway.yaml") {
		t.Errorf("kustomization.yaml: %v\n%s", err, k)
	}
}
