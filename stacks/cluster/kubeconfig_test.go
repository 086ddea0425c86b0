package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks/config"
)

func TestPreflightNamesTheContextAndTheKubeconfig(t *testing.T) {
	dir := t.TempDir()
	kc := filepath.Join(dir, "config")
	other := filepath.Join(dir, "other")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(kc, "apiVersion: v1\nkind: Config\ncurrent-context: kind-otel\ncontexts:\n- name: kind-otel\n- name: prod\n")
	write(other, "apiVersion: v1\nkind: Config\ncontexts:\n- name: lab\n")
	cases := []struct {
		name, kubeconfig, context string
		wantErr                   []string // empty: no error
	}{
		{"current context", kc, "", nil},
		{"named context", kc, "prod", nil},
		{"context from the second file", kc + string(os.PathListSeparator) + other, "lab", nil},
		{"missing context", kc, "staging", []string{"otelfleet:kubeContext", `"staging"`, kc, "kind-otel, prod"}},
		{"no kubeconfig", filepath.Join(dir, "absent"), "", []string{"holds no context", "KUBECONFIG"}},
		{"no current context", other, "", []string{"otelfleet:kubeContext is empty", "no current-context", "lab"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", c.kubeconfig)
			cfg := config.Defaults()
			cfg.Cloud, cfg.Cluster.KubeContext = "kubernetes", c.context
			err := Preflight(nil, cfg)
			if len(c.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
	t.Run("other clouds are not checked", func(t *testing.T) {
		t.Setenv("KUBECONFIG", filepath.Join(dir, "absent"))
		cfg := config.Defaults()
		cfg.Cloud = "aws"
		if err := Preflight(nil, cfg); err != nil {
			t.Fatal(err)
		}
	})
}
