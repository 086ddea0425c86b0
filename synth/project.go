package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// StackConfig is a stack's configuration as the Pulumi engine would pass it to the program.
type StackConfig struct {
	Project    string
	Stack      string
	Values     map[string]string // "namespace:key" → raw value (JSON for arrays and objects)
	SecretKeys []string
}

var stackName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Stacks lists the stacks of a project directory (from its Pulumi.<stack>.yaml files).
func Stacks(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml"))
	}
	sort.Strings(out)
	return out, nil
}

// ReadStackConfig reads Pulumi.yaml and Pulumi.<stack>.yaml from dir. Secure values are
// not decrypted (synth has no secrets provider): they become fleet.SecretPlaceholder,
// marked secret. Keys the stack file leaves out are left to the program's defaults.
func ReadStackConfig(dir, stack string) (*StackConfig, error) {
	if !stackName.MatchString(stack) {
		return nil, fmt.Errorf("stack name %q: use letters, digits, '.', '_' and '-'", stack)
	}
	var project struct {
		Name string `json:"name"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &project); err != nil {
		return nil, err
	}
	if project.Name == "" {
		return nil, fmt.Errorf("%s: the project has no name", filepath.Join(dir, "Pulumi.yaml"))
	}
	var stackFile struct {
		Config map[string]any `json:"config"`
	}
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(path); err != nil {
		known, _ := Stacks(dir)
		return nil, fmt.Errorf("stack %q: no %s (stacks here: %s)", stack, filepath.Base(path), strings.Join(known, ", "))
	}
	if err := readYAML(path, &stackFile); err != nil {
		return nil, err
	}
	sc := &StackConfig{Project: project.Name, Stack: stack, Values: map[string]string{}}
	for key, raw := range stackFile.Config {
		fullKey := key
		if !strings.Contains(key, ":") {
			fullKey = project.Name + ":" + key
		}
		if m, ok := raw.(map[string]any); ok && len(m) == 1 && m["secure"] != nil {
			sc.Values[fullKey] = secretPlaceholder
			sc.SecretKeys = append(sc.SecretKeys, fullKey)
			continue
		}
		v, err := rawValue(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", filepath.Base(path), key, err)
		}
		sc.Values[fullKey] = v
	}
	sort.Strings(sc.SecretKeys)
	return sc, nil
}

// rawValue turns a YAML value into the string Pulumi passes to programs.
func rawValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", nil
	case map[string]any, []any:
		b, err := json.Marshal(x)
		return string(b), err
	case float64:
		b, _ := json.Marshal(x)
		return string(b), nil
	default:
		return fmt.Sprint(x), nil
	}
}

func readYAML(path string, out any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
