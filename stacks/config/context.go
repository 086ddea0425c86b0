package config

import (
	"encoding/json"
	"fmt"
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
	var plain []string
	for _, f := range fields {
		if v, ok := ctx.GetConfig(f.FullKey()); ok {
			values[f.FullKey()] = v
			if f.Secret && v != "" && !ctx.IsConfigSecret(f.FullKey()) {
				plain = append(plain, fmt.Sprintf("%s: is set in plain text; it is a secret: set it with `pulumi config set --secret %s VALUE`", f.FullKey(), f.FullKey()))
			}
		}
	}
	s, err := LoadValid(values)
	if len(plain) > 0 {
		problems := plain
		if e, ok := err.(*Error); ok {
			problems = append(problems, e.Problems...)
		}
		return s, &Error{Problems: problems}
	}
	return s, err
}

// LoadValid loads and validates in one step, reporting every problem at once: keys that
// do not parse or do not exist, and values that parse but are not allowed.
func LoadValid(values map[string]string) (Stack, error) {
	s, loadErr := Load(values)
	var problems []string
	if e, ok := loadErr.(*Error); ok {
		problems = append(problems, e.Problems...)
	} else if loadErr != nil {
		return s, loadErr
	}
	if e, ok := s.Validate().(*Error); ok {
		problems = append(problems, e.Problems...)
	}
	if len(problems) > 0 {
		return s, &Error{Problems: problems}
	}
	return s, nil
}
