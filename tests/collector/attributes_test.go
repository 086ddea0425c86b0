package collector

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// appEnvironment is the deployment.environment the test "application" claims; the agent's
// upsert must replace it.
const appEnvironment = "from-app"

// applyResourceProcessors applies the `resource` processors of one pipeline of a config,
// in pipeline order, to a resource's attributes: the insert/update/upsert/delete actions
// with literal values that otelfleet's configs use, ${env:NAME} expanded from env. Any
// other action form fails the test, so the model never silently diverges from the config.
func applyResourceProcessors(t testing.TB, config, pipelineName string, env []string, attrs map[string]string) {
	t.Helper()
	var c struct {
		Processors map[string]struct {
			Attributes []map[string]any `json:"attributes"`
		} `json:"processors"`
		Service struct {
			Pipelines map[string]struct {
				Processors []string `json:"processors"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	if err := yaml.Unmarshal([]byte(config), &c); err != nil {
		t.Fatal(err)
	}
	for _, id := range c.Service.Pipelines[pipelineName].Processors {
		if typ, _, _ := strings.Cut(id, "/"); typ != "resource" {
			continue
		}
		for _, a := range c.Processors[id].Attributes {
			key, _ := a["key"].(string)
			action, _ := a["action"].(string)
			raw, hasValue := a["value"]
			value := expandEnv(fmt.Sprint(raw), env)
			_, exists := attrs[key]
			switch {
			case action == "delete":
				delete(attrs, key)
			case !hasValue:
				t.Fatalf("resource processor %s: action %v on %s has no literal value; extend the model", id, action, key)
			case action == "upsert", action == "insert" && !exists, action == "update" && exists:
				attrs[key] = value
			case action == "insert", action == "update":
			default:
				t.Fatalf("resource processor %s: action %q not modelled", id, action)
			}
		}
	}
}

// configuredValue returns the value the resource processors of a pipeline set for key
// with upsert (the agent's claim on deployment.environment), or "".
func configuredValue(t testing.TB, config, pipelineName, key string, env []string) string {
	t.Helper()
	attrs := map[string]string{key: "\x00unset"}
	applyResourceProcessors(t, config, pipelineName, env, attrs)
	if v := attrs[key]; v != "\x00unset" {
		return v
	}
	return ""
}

var envRefPattern = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// expandEnv expands ${env:NAME} and ${env:NAME:-default} like the collector does.
func expandEnv(s string, env []string) string {
	return envRefPattern.ReplaceAllStringFunc(s, func(m string) string {
		sm := envRefPattern.FindStringSubmatch(m)
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == sm[1] {
				return v
			}
		}
		return strings.TrimPrefix(sm[2], ":-")
	})
}
