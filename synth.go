package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/synth"
)

// synthCommand renders one stack, or every stack of the project when --stack is omitted
// (each into OUT/<stack>).
func synthCommand(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	stack := fs.String("stack", "", "stack to render (default: every Pulumi.<stack>.yaml)")
	out := fs.String("out", "", "output directory (default build/<stack>; with every stack, OUT/<stack>)")
	dir := fs.String("dir", ".", "project directory holding Pulumi.yaml")
	format := fs.String("format", synth.FormatPlain, "manifests format: plain, or kustomize (adds manifests/kustomization.yaml, a kustomize base)")
	diffAgainst := fs.String("diff", "", "print a unified diff of an earlier render directory against this one (with every stack, OLD/<stack>)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	names := []string{*stack}
	if *stack == "" {
		all, err := synth.Stacks(*dir)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			return fmt.Errorf("no Pulumi.<stack>.yaml in %s", *dir)
		}
		names = all
	}
	// Validate every stack before writing any, so a bad stack file leaves no output at all.
	results := make([]*synth.Result, 0, len(names))
	for _, name := range names {
		res, err := render(*dir, name)
		if err != nil {
			return fmt.Errorf("stack %s: %w", name, err)
		}
		results = append(results, res)
	}
	for _, res := range results {
		target := filepath.Join("build", res.Stack)
		switch {
		case *out != "" && *stack != "":
			target = *out
		case *out != "":
			target = filepath.Join(*out, res.Stack)
		}
		if err := res.WriteFormat(target, *format); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s", res.Summary())
		if c, ok := res.Outputs["gatewayCapacity"].(string); ok {
			fmt.Fprintf(stdout, "gateway capacity: %s\n", c)
		}
		fmt.Fprintf(stdout, "→ %s\n\n", target)
		if *diffAgainst != "" {
			old := *diffAgainst
			if *stack == "" {
				old = filepath.Join(old, res.Stack)
			}
			changed, err := synth.Diff(stdout, old, target)
			if err != nil {
				return fmt.Errorf("diff: %w", err)
			}
			if !changed {
				fmt.Fprintf(stdout, "no changes against %s\n", old)
			}
		}
	}
	return nil
}

func render(dir, stack string) (*synth.Result, error) {
	sc, err := synth.ReadStackConfig(dir, stack)
	if err != nil {
		return nil, err
	}
	if _, err := config.LoadValid(sc.Values); err != nil {
		return nil, err
	}
	return synth.Render(sc, stacks.ProgramWith(synth.Trust(), builders))
}
