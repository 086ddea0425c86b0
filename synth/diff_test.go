package synth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDiff(t *testing.T) {
	var lines []string
	for i := 1; i <= 20; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	before := strings.Join(lines, "\n") + "\n"
	lines[9] = "line 10 changed"
	after := strings.Join(lines, "\n") + "\n"
	oldDir := writeTree(t, map[string]string{"manifests/a.yaml": before, "gone.yaml": "x: 1\n", "same.yaml": "y: 2\n"})
	newDir := writeTree(t, map[string]string{"manifests/a.yaml": after, "new.yaml": "z: 3\n", "same.yaml": "y: 2\n"})
	var out bytes.Buffer
	changed, err := Diff(&out, oldDir, newDir)
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	want := "--- a/gone.yaml\n+++ b/gone.yaml\n@@ -1,1 +1,0 @@\n-x: 1\n" +
		"--- a/manifests/a.yaml\n+++ b/manifests/a.yaml\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line 10 changed\n line 11\n line 12\n line 13\n" +
		"--- a/new.yaml\n+++ b/new.yaml\n@@ -1,0 +1,1 @@\n+z: 3\n"
	if out.String() != want {
		t.Errorf("diff:\n%q\nwant:\n%q", out.String(), want)
	}
	out.Reset()
	if changed, _ := Diff(&out, oldDir, oldDir); changed || out.Len() != 0 {
		t.Errorf("a tree differs from itself: %s", out.String())
	}
}

func TestKustomization(t *testing.T) {
	r := &Result{Stack: "dev", Manifests: map[string]map[string]any{"b.yaml": {}, "a.yaml": {}}}
	k, err := r.Kustomization()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: Kustomization", "resources:\n- a.yaml\n- b.yaml\n", "otelfleet.io/rendered-stack: dev", "includeSelectors: false"} {
		if !strings.Contains(string(k), want) {
			t.Errorf("kustomization lacks %q:\n%s", want, k)
		}
	}
	if err := r.WriteFormat(filepath.Join(t.TempDir(), "o"), "helm"); err == nil {
		t.Error("unknown format accepted")
	}
}
