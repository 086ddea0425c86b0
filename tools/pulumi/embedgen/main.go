// Command embedgen writes the Kubernetes provider's schema-embed.json (its schema.json with
// the release version set) and terraform-mapping-embed.json (compacted), as the provider's
// own `go generate` does; the module zip the proxy serves lacks both. tools/pulumi.sh runs it:
//
//	go run ./tools/pulumi/embedgen DIR VERSION
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: embedgen DIR VERSION")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "embedgen:", err)
		os.Exit(1)
	}
}

func run(dir, version string) error {
	var schema map[string]json.RawMessage
	if err := read(filepath.Join(dir, "schema.json"), &schema); err != nil {
		return err
	}
	v, err := json.Marshal(version)
	if err != nil {
		return err
	}
	schema["version"] = v
	if err := write(filepath.Join(dir, "schema-embed.json"), schema); err != nil {
		return err
	}
	var mapping any
	if err := read(filepath.Join(dir, "terraform-mapping.json"), &mapping); err != nil {
		return err
	}
	return write(filepath.Join(dir, "terraform-mapping-embed.json"), mapping)
}

func read(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func write(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
