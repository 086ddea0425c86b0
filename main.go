// otelfleet deploys an OpenTelemetry collector fleet on AWS or Azure.
//
// With no arguments it is the Pulumi program (run by `pulumi up` / `pulumi preview`).
// `otelfleet synth --stack NAME --out DIR` renders a stack offline under the Pulumi mock
// engine: no credentials, no Pulumi CLI, no cloud.
package main

import (
	"fmt"
	"os"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// builders are the clouds this program can build, by otelfleet:cloud.
var builders = map[string]stacks.Builder{
	"aws":        aws.Build,
	"azure":      azure.Build,
	"kubernetes": cluster.Build,
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "synth" {
		if err := synthCommand(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "otelfleet synth:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "otelfleet: unknown command %q\nusage: otelfleet (as a Pulumi program)\n       otelfleet synth [--stack NAME] [--out DIR] [--dir PROJECT_DIR]\n", os.Args[1])
		os.Exit(2)
	}
	pulumi.Run(stacks.Program(builders, cluster.Preflight, cluster.OwnNamespaces(cluster.ProjectStacks)))
}
