// Package stacks holds the stack builders (stacks/aws, stacks/azure) and the program that
// dispatches to them. Builders are passed in, so a test or tool that only needs one cloud
// compiles only that cloud's SDK.
package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/otelfleet/otelfleet/components/fleetca"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Builder builds one cloud's stack: it turns the plan of a validated configuration into
// resources. The program exports the plan's outputs; a builder exports only what its cloud
// computes (ARNs, kubeconfigs, load balancer addresses).
type Builder func(ctx *pulumi.Context, cfg config.Stack, p *plan.Plan) error

// Preflight checks what a stack needs from the machine the program runs on (a kubeconfig
// context, say), as opposed to what its config says. Offline rendering runs without them.
type Preflight func(ctx *pulumi.Context, cfg config.Stack) error

// Program is the Pulumi program: config → plan → cloud → fleet → outputs. It loads and
// validates the stack configuration, runs the preflight checks and plans the fleet before
// any resource is registered, then runs the builder of otelfleet:cloud and exports the
// plan's outputs.
func Program(builders map[string]Builder, preflights ...Preflight) pulumi.RunFunc {
	return ProgramWith(fleetca.System(), builders, preflights...)
}

// ProgramWith is Program with the clock and entropy the stack's certificates are made with:
// offline rendering and tests pass fleetca.Fixed so their output is reproducible.
func ProgramWith(trust fleetca.Source, builders map[string]Builder, preflights ...Preflight) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg, err := configFromContext(ctx)
		if err != nil {
			return err
		}
		for _, check := range preflights {
			if err := check(ctx, cfg); err != nil {
				return err
			}
		}
		build, ok := builders[cfg.Cloud]
		if !ok {
			names := make([]string, 0, len(builders))
			for n := range builders {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("otelfleet:cloud: %q has no stack builder in this program; available: %s", cfg.Cloud, strings.Join(names, ", "))
		}
		p, err := plan.New(cfg)
		if err != nil {
			return err
		}
		p.Trust = trust
		if err := build(ctx, cfg, p); err != nil {
			return err
		}
		for _, o := range p.Outputs {
			ctx.Export(o.Name, pulumi.String(o.Value))
		}
		return nil
	}
}
