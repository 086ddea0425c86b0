package config

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ProjectFile renders Pulumi.yaml: the project, and a `config:` block declaring every key
// with its type, default and description, generated from Stack's tags and Defaults().
func ProjectFile() (string, error) {
	root := mapping(
		"name", scalar(Namespace),
		"runtime", mapping("name", scalar("go"), "options", mapping("buildTarget", scalar("./bin/otelfleet"))),
		"description", scalar("OpenTelemetry collector fleet on AWS (EKS, ECS Fargate, Lambda) and Azure (AKS, ACI): agents, gateways and the cloud side they export to."),
	)
	cfg := mapping()
	defaults := Defaults()
	for _, f := range fields {
		decl := mapping("type", scalar(f.Type))
		if f.Type == "array" {
			decl.Content = append(decl.Content, scalar("items"), mapping("type", scalar("string")))
		}
		desc := f.Description
		if len(f.Enum) > 0 {
			desc += " Allowed: " + strings.Join(f.Enum, ", ") + "."
		}
		if f.Secret {
			// Not declared `secret: true`: the CLI would then demand a value on every stack
			// (a secret key cannot have a default). The program refuses a plain-text value
			// instead (FromContext).
			desc += " Secret: set it with `pulumi config set --secret otelfleet:" + f.Key + " VALUE`."
		}
		decl.Content = append(decl.Content, scalar("description"), scalar(desc))
		if def, ok := defaultNode(f, &defaults); ok {
			decl.Content = append(decl.Content, scalar("default"), def)
		}
		cfg.Content = append(cfg.Content, scalar(f.Key), decl)
	}
	root.Content = append(root.Content, scalar("config"), cfg)
	var b bytes.Buffer
	b.WriteString("# Generated from stacks/config by `go generate ./stacks/config`; do not edit by hand.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return "", err
	}
	return b.String(), nil
}

// defaultNode is a key's default as YAML. Every key but cloud has one — optional strings
// and secrets the empty string — because the Pulumi CLI refuses to run a stack that leaves
// a key without a default unset ("Stack 'x' is missing configuration values ..."); cloud
// has none so that a stack must choose it.
func defaultNode(f Field, defaults *Stack) (*yaml.Node, bool) {
	v := f.value(defaults)
	if f.Key == "cloud" {
		return nil, false
	}
	var n yaml.Node
	val := v.Interface()
	if v.Kind() == reflect.Float64 {
		val = fmt.Sprint(v.Float()) // Pulumi has no number type: floats are strings
	}
	if err := n.Encode(val); err != nil {
		return nil, false
	}
	if n.Kind == yaml.MappingNode {
		sortMapping(&n)
	}
	return &n, true
}

// DocsMarkdown renders docs/config.md: every key with type, default and description.
func DocsMarkdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from stacks/config by `go generate ./stacks/config`; do not edit by hand. -->\n")
	b.WriteString("# otelfleet configuration reference\n\n")
	b.WriteString("Every key lives in the `otelfleet:` namespace of a stack file (`Pulumi.<stack>.yaml`) and is\n")
	b.WriteString("set with `pulumi config set otelfleet:<key> <value>`. A stack file only lists what differs from\n")
	b.WriteString("the defaults below. Invalid values are rejected before any resource is registered, with one\n")
	b.WriteString("message per bad key naming the key and what is allowed.\n\n")
	defaults := Defaults()
	group := ""
	for _, f := range fields {
		if g := groupOf(f); g != group {
			group = g
			fmt.Fprintf(&b, "\n## %s\n\n| key | type | default | description |\n|---|---|---|---|\n", group)
		}
		def := "—"
		if n, ok := defaultNode(f, &defaults); ok && !(n.Kind == yaml.ScalarNode && n.Value == "") {
			out, _ := yaml.Marshal(n)
			def = "`" + strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", ", "), "|", "\\|") + "`"
		}
		desc := f.Description
		if len(f.Enum) > 0 {
			desc += " Allowed: `" + strings.Join(f.Enum, "`, `") + "`."
		}
		if f.Secret {
			desc += " **Secret**: `pulumi config set --secret otelfleet:" + f.Key + " VALUE`."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Key, f.Type, def, strings.ReplaceAll(desc, "|", "\\|"))
	}
	b.WriteString(capacityModelDoc)
	return b.String()
}

// groupOf names the section of a key: the nested struct it belongs to.
func groupOf(f Field) string {
	if len(f.index) == 1 {
		return "Stack"
	}
	return reflect.TypeOf(Stack{}).Field(f.index[0]).Name
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		n.Content = append(n.Content, scalar(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}

func sortMapping(n *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	var pairs []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].k.Value < pairs[j].k.Value })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}
