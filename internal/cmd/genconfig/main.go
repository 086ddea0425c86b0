// genconfig writes Pulumi.yaml and docs/config.md from the typed stack configuration.
// Run it with `go generate ./stacks/config`.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/otelfleet/otelfleet/stacks/config"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	project, err := config.ProjectFile()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*root, "Pulumi.yaml"), []byte(project), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(*root, "docs"), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*root, "docs", "config.md"), []byte(config.DocsMarkdown()), 0o644); err != nil {
		log.Fatal(err)
	}
}
