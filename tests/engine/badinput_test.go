package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/enginetest"
)

// TestBadInputFailsClearlyAndLeavesNothingBehind: a missing passphrase, a stack that does
// not exist, a kubeconfig context that does not exist and a cluster that cannot be reached
// each fail with one message that says what to fix, and the next, corrected run succeeds
// on the state the failed one left.
func TestBadInputFailsClearlyAndLeavesNothingBehind(t *testing.T) {
	c, kubeconfig := startCluster(t)
	t.Setenv("KUBECONFIG", kubeconfig) // for the inline program, as newStack does
	ctx := t.Context()
	plain := render(t, nil)

	t.Run("missing passphrase", func(t *testing.T) {
		backend := t.TempDir()
		w := enginetest.NewWorkspace(t, enginetest.Options{ProjectDir: projectDir, Stack: stackName, Program: program(),
			Env: map[string]string{"KUBECONFIG": kubeconfig}, NoPassphrase: true, BackendDir: backend})
		_, err := w.Upsert(ctx)
		if err == nil {
			t.Fatal("a stack was created without a passphrase for its secrets")
		}
		wantAll(t, err.Error(), "PULUMI_CONFIG_PASSPHRASE")
		// The corrected run, on the same backend, creates and previews the stack.
		w = enginetest.NewWorkspace(t, enginetest.Options{ProjectDir: projectDir, Stack: stackName, Program: program(),
			Env: map[string]string{"KUBECONFIG": kubeconfig}, BackendDir: backend})
		s, err := w.Upsert(ctx)
		if err != nil {
			t.Fatalf("with the passphrase set, creating the stack fails: %v", err)
		}
		if _, err := s.Preview(ctx); err != nil {
			t.Fatalf("with the passphrase set, preview fails: %v", err)
		}
	})

	t.Run("stack that does not exist", func(t *testing.T) {
		w := enginetest.NewWorkspace(t, enginetest.Options{ProjectDir: projectDir, Stack: stackName, Program: program(),
			Env: map[string]string{"KUBECONFIG": kubeconfig}})
		_, err := w.Select(ctx, "no-such-stack")
		if err == nil {
			t.Fatal("selecting a stack that does not exist succeeded")
		}
		wantAll(t, err.Error(), "no stack named 'no-such-stack' found")
		files, err := w.StateFiles()
		if err != nil {
			t.Fatal(err)
		}
		for path := range files {
			if strings.Contains(path, "no-such-stack") {
				t.Errorf("the failed select left %s behind", path)
			}
		}
	})

	t.Run("kubeconfig context that does not exist", func(t *testing.T) {
		_, s := newStack(t, kubeconfig, map[string]string{"otelfleet:kubeContext": "no-such-context"})
		_, err := s.Up(ctx)
		if err == nil {
			t.Fatal("up succeeded with a kubeconfig context that does not exist")
		}
		wantAll(t, err.Error(), "otelfleet:kubeContext", `"no-such-context"`, kubeconfig, "contexts there: otelfleet-kubetest")
		if n := strings.Count(err.Error(), "no-such-context"); n != 1 {
			t.Errorf("the context is named %d times: one error is wanted, before any resource", n)
		}
		if left, err := c.ListAll(ctx, "app.kubernetes.io/part-of=otelfleet"); err != nil || len(left) > 0 {
			t.Errorf("the refused up created objects: %v (%v)", left, err)
		}
		// Corrected: the context that exists.
		setConfig(t, s, map[string]string{"otelfleet:kubeContext": "otelfleet-kubetest"})
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("with the right context, up fails on the state the failed run left: %v", err)
		}
		if _, err := s.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		awaitNothingLeft(t, c, plain)
	})

	t.Run("cluster that cannot be reached", func(t *testing.T) {
		unreachable := filepath.Join(t.TempDir(), "kubeconfig")
		b, err := os.ReadFile(kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		// Port 1 on loopback: nothing listens there.
		text := string(b)
		start := strings.Index(text, "server: ")
		end := start + strings.Index(text[start:], "\n")
		if err := os.WriteFile(unreachable, []byte(text[:start]+`server: "https://127.0.0.1:1"`+text[end:]), 0o600); err != nil {
			t.Fatal(err)
		}
		_, s := newStack(t, unreachable, nil)
		_, err = s.Up(ctx)
		if err == nil {
			t.Fatal("up succeeded against a cluster that cannot be reached")
		}
		wantAll(t, err.Error(), "configured Kubernetes cluster is unreachable", "https://127.0.0.1:1")
		// Corrected: the kubeconfig of the running cluster.
		s.Workspace().SetEnvVar("KUBECONFIG", kubeconfig)
		t.Setenv("KUBECONFIG", kubeconfig)
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("with a reachable cluster, up fails on the state the failed run left: %v", err)
		}
		if _, err := s.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		awaitNothingLeft(t, c, plain)
	})
}

// wantAll fails unless msg contains every part, and shows the message either way.
func wantAll(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("the error does not mention %q:\n%s", p, msg)
		}
	}
	t.Logf("error as a user sees it:\n%s", msg)
}
