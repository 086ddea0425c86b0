package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"sigs.k8s.io/yaml"
)

// Formats of the manifests directory.
const (
	FormatPlain     = "plain"
	FormatKustomize = "kustomize" // adds manifests/kustomization.yaml: a kustomize base
)

// Write writes the result into dir atomically: everything goes to a temporary directory
// beside it first, which then replaces dir, so a failed render never leaves half an output.
func (r *Result) Write(dir string) error { return r.WriteFormat(dir, FormatPlain) }

// WriteFormat is Write with a manifests format (FormatPlain or FormatKustomize).
func (r *Result) WriteFormat(dir, format string) error {
	if format != FormatPlain && format != FormatKustomize {
		return fmt.Errorf("format %q: use %s or %s", format, FormatPlain, FormatKustomize)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}

	resources, err := json.MarshalIndent(r.Resources, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "resources.json"), append(resources, '\n'), 0o644); err != nil {
		return err
	}
	outputs, err := json.MarshalIndent(r.Outputs, "", "  ") // map keys sorted
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "outputs.json"), append(outputs, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeAll(filepath.Join(tmp, "manifests"), r.Manifests, func(v map[string]any) ([]byte, error) { return yaml.Marshal(v) }); err != nil {
		return err
	}
	if format == FormatKustomize {
		k, err := r.Kustomization()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "manifests", "kustomization.yaml"), k, 0o644); err != nil {
			return err
		}
	}
	if len(r.Dashboards) > 0 {
		if err := writeAll(filepath.Join(tmp, "dashboards"), r.Dashboards, func(v string) ([]byte, error) { return []byte(v), nil }); err != nil {
			return err
		}
	}
	if len(r.Hosts) > 0 {
		if err := writeAll(filepath.Join(tmp, "hosts"), r.Hosts, func(v string) ([]byte, error) { return []byte(v), nil }); err != nil {
			return err
		}
	}
	if err := writeAll(filepath.Join(tmp, "collector"), r.Collector, func(v string) ([]byte, error) { return []byte(v), nil }); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

func writeAll[V any](dir string, files map[string]V, encode func(V) ([]byte, error)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := encode(files[n])
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
