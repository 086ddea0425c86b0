package stacks

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// configFromContext loads and validates the stack configuration of a running Pulumi program.
// Unknown otelfleet keys are reported when the engine passed the whole config in
// PULUMI_CONFIG (pulumi up/preview); under mocks only the known keys are read.
func configFromContext(ctx *pulumi.Context) (config.Stack, error) {
	values := map[string]string{}
	if raw := os.Getenv(pulumi.EnvConfig); raw != "" {
		_ = json.Unmarshal([]byte(raw), &values) // a malformed env var leaves only the known keys below
	}
	var plain []string
	for _, f := range config.Fields() {
		if v, ok := ctx.GetConfig(f.FullKey()); ok {
			values[f.FullKey()] = v
			if f.Secret && v != "" && !ctx.IsConfigSecret(f.FullKey()) {
				plain = append(plain, fmt.Sprintf("%s: is set in plain text; it is a secret: set it with `pulumi config set --secret %s VALUE`", f.FullKey(), f.FullKey()))
			}
		}
	}
	s, err := config.LoadValid(values)
	if len(plain) > 0 {
		problems := plain
		if e, ok := err.(*config.Error); ok {
			problems = append(problems, e.Problems...)
		}
		return s, &config.Error{Problems: problems}
	}
	return s, err
}
