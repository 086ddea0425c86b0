package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreCurrent fails when Pulumi.yaml or docs/config.md no longer match the
// typed configuration: run `go generate ./stacks/config`.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	project, err := ProjectFile()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"Pulumi.yaml": project, filepath.Join("docs", "config.md"): DocsMarkdown()} {
		got, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatalf("%s: %v (run `go generate ./stacks/config`)", path, err)
		}
		if string(got) != want {
			t.Errorf("%s is stale: run `go generate ./stacks/config`", path)
		}
	}
}
