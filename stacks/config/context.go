package config

import (
	"encoding/json"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// FromContext loads and validates the stack configuration of a running Pulumi program.
// Unknown otelfleet keys are reported when the engine passed the whole config in
// PULUMI_CONFIG (pulumi up/preview); under mocks only the known keys are read.
func FromContext(ctx *pulumi.Context) (Stack, error) {
	values := map[string]string{}
	if raw := os.Getenv(pulumi.EnvConfig); raw != "" {
		_ = json.Unmarshal([]byte(raw), &values) // a malformed env var leaves only the known keys below
	}
	for _, f := range fields {
		if v, ok := ctx.GetConfig(f.FullKey()); ok {
			values[f.FullKey()] = v
		}
	}
	s, err := Load(values)
	if err != nil {
		return s, err
	}
	return s, s.Validate()
}
