package collector

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"sigs.k8s.io/yaml"
)

// awsComponents are the component types whose AWS SDK would reach for the network
// (instance metadata, STS) while a config is validated.
var awsComponents = []string{"awsxray", "awsemf", "awscloudwatchlogs", "awss3", "sigv4auth"}

// validationEnv is the environment a config gets when it is validated: the container env
// of the workload that mounts it (Kubernetes) or, for ECS/ACI configs, dummies for every
// ${env:NAME} the config text references without a default. For Kubernetes configs every
// such reference must be set by the container, or the test fails.
func validationEnv(t testing.TB, s *renderedStack, file, text string) []string {
	t.Helper()
	required, _ := loopback.EnvRefs(text)
	w, ok := s.Workload(file)
	if !ok {
		env := loopback.ConfigEnv(text)
		t.Logf("%s runs outside Kubernetes: env from the config text %v", file, env)
		return env
	}
	var missing []string
	for _, name := range required {
		if !slices.ContainsFunc(w.Env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") }) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s references ${env:%s} but container %s of %s %s/%s does not set it",
			file, strings.Join(missing, "}, ${env:"), w.Container, w.Kind, w.Namespace, w.Name)
	}
	return w.Env
}

// validateOpts runs AWS configs without network (dummy AWS env, see otelcoltest.NoNetwork),
// and configs with a component that reads the pod's service account when it is created
// (kubelet_stats) with one in place (otelcoltest.WithServiceAccount).
func validateOpts(t testing.TB, text string) []otelcoltest.Option {
	types := usedComponentTypes(text)
	var opts []otelcoltest.Option
	if slices.ContainsFunc(awsComponents, func(c string) bool { return types[c] }) {
		opts = append(opts, otelcoltest.NoNetwork())
	}
	if types[collector.TypeKubeletStats] {
		opts = append(opts, otelcoltest.WithServiceAccount(serviceAccountDir(t)))
	}
	return opts
}

// serviceAccountDir is a pod's service account directory: the cluster CA (a test CA), a
// token and the namespace.
func serviceAccountDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "serviceaccount")
	if err := newCA(t).WriteTLSDir(dir, []string{"kubernetes"}, nil); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"token": "test-token", "namespace": "observability"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestValidateEveryRenderedConfig renders every stack in-process and runs the real
// collector's `validate` on every collector config it produces, in the environment of
// the workload that runs it. It also checks that every component type is a current name
// of the pinned release (validate itself never prints deprecation warnings; the
// end-to-end tests check the running collectors' logs).
func TestValidateEveryRenderedConfig(t *testing.T) {
	bin := otelcoltest.Binary(t)
	current := currentComponentNames(t)
	for _, stack := range allStacks(t) {
		t.Run(stack, func(t *testing.T) {
			s := render(t, stack)
			t.Logf("rendered %s in %s: %d collector configs", stack, s.Took.Round(time.Millisecond), len(s.Result.Collector))
			if len(s.Result.Collector) == 0 {
				t.Fatalf("stack %s renders no collector config", stack)
			}
			for _, file := range sortedFiles(s.Result.Collector) {
				text := s.Result.Collector[file]
				t.Run(file, func(t *testing.T) {
					env := validationEnv(t, s, file, text)
					for _, problem := range unknownComponentNames(text, current) {
						t.Errorf("%s: %s", file, problem)
					}
					path := filepath.Join(t.TempDir(), file)
					// host_metrics checks that its root_path exists: the node's / is mounted
					// at /hostfs in the agent pod; here the machine's / stands for it (the
					// only change to a rendered config in this test).
					if hostfs := "root_path: " + fleet.HostRootMountPath; strings.Contains(text, hostfs) {
						text = strings.ReplaceAll(text, hostfs, "root_path: /")
					}
					if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
					began := time.Now()
					out, err := otelcoltest.Validate(bin, path, env, validateOpts(t, text)...)
					took := time.Since(began)
					if err != nil {
						t.Fatalf("stack %s, %s: the collector rejects the generated config:\n%s", stack, file, out)
					}
					if w := deprecationWarnings(out); len(w) > 0 {
						t.Errorf("%s: validate warns about deprecations:\n%s", file, strings.Join(w, "\n"))
					}
					t.Logf("%s valid in %s", file, took.Round(time.Millisecond))
				})
			}
		})
	}
}

// TestValidateRejectsBrokenConfigs proves the check can fail: configs derived from a
// rendered gateway config with one defect each are rejected with a message naming the
// defect, while the unbroken config passes under the same environment and options.
func TestValidateRejectsBrokenConfigs(t *testing.T) {
	bin := otelcoltest.Binary(t)
	s := render(t, "aws-prod")
	gw := s.Gateway(t)
	text := s.Result.Collector[gw.File]
	opts := validateOpts(t, text)

	cases := []struct {
		name  string
		edit  func(c map[string]any)
		wants []string // substrings of the collector's message
	}{
		{"undefined exporter in a pipeline", func(c map[string]any) {
			p := pipeline(c, "traces")
			p["exporters"] = append(p["exporters"].([]any), "otlp_grpc/nowhere")
		}, []string{"otlp_grpc/nowhere"}},
		{"invalid key", func(c map[string]any) {
			section(c, "processors", "memory_limiter")["limit_megabytes"] = 100
		}, []string{"memory_limiter", "limit_megabytes"}},
		{"invalid value", func(c map[string]any) {
			section(c, "processors", "batch")["timeout"] = "soon"
		}, []string{"batch", "timeout"}},
		{"unknown component type", func(c map[string]any) {
			section(c, "exporters")["awscloudwatch"] = map[string]any{"region": "us-east-1"}
			p := pipeline(c, "metrics")
			p["exporters"] = append(p["exporters"].([]any), "awscloudwatch")
		}, []string{"awscloudwatch"}},
	}

	write := func(t *testing.T, name string, c map[string]any) string {
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("baseline accepted", func(t *testing.T) {
		if out, err := otelcoltest.Validate(bin, write(t, gw.File, parse(t, text)), gw.Env, opts...); err != nil {
			t.Fatalf("the unbroken config must pass: %v\n%s", err, out)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := parse(t, text)
			tc.edit(c)
			out, err := otelcoltest.Validate(bin, write(t, "broken.yaml", c), gw.Env, opts...)
			if err == nil {
				t.Fatalf("validate accepted a config with %s:\n%s", tc.name, out)
			}
			for _, w := range tc.wants {
				if !strings.Contains(out, w) {
					t.Errorf("the collector's message does not name %q:\n%s", w, out)
				}
			}
			t.Logf("rejected: %s", strings.TrimSpace(out))
		})
	}
}

// TestDeprecatedNamesAreCaught shows why the name check exists and that it works: with
// the pre-v0.161 alias `otlp` for the otlp_grpc exporter, `validate` still passes silently,
// the component-name check flags the alias, and a running collector logs the deprecation
// warning the end-to-end tests look for.
func TestDeprecatedNamesAreCaught(t *testing.T) {
	bin := otelcoltest.Binary(t)
	s := render(t, "local")
	var agent loopback.Workload
	for _, w := range s.Agents() {
		if strings.Contains(s.Result.Collector[w.File], "otlp_grpc/gateway") {
			agent = w
			break
		}
	}
	if agent.File == "" {
		t.Fatal("no local agent config exports with otlp_grpc/gateway")
	}
	aliased := strings.ReplaceAll(s.Result.Collector[agent.File], "otlp_grpc/gateway", "otlp/gateway")
	path := otelcoltest.WriteConfig(t, "aliased.yaml", aliased)
	if out, err := otelcoltest.Validate(bin, path, agent.Env, validateOpts(t, aliased)...); err != nil {
		t.Fatalf("validate should accept the alias (it is only deprecated): %v\n%s", err, out)
	} else if len(deprecationWarnings(out)) > 0 {
		t.Logf("validate now prints deprecations itself:\n%s", out)
	}
	if problems := unknownComponentNames(aliased, currentComponentNames(t)); len(problems) == 0 {
		t.Error("the component-name check did not flag exporter type otlp")
	}

	// Run it: the loopback transform of the generated config, then the same alias.
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	run := prepare(t, s, agent, loopback.Options{GatewayEndpoint: "127.0.0.1:9"}, ca)
	run.Config = strings.ReplaceAll(run.Config, "otlp_grpc/gateway", "otlp/gateway")
	if err := os.WriteFile(run.Path, []byte(run.Config), 0o644); err != nil {
		t.Fatal(err)
	}
	run.start(t, bin)
	deadline := time.Now().Add(10 * time.Second)
	for len(deprecationWarnings(run.Proc.Output())) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if len(deprecationWarnings(run.Proc.Output())) == 0 {
		t.Errorf("the running collector logged no deprecation warning for the otlp alias:\n%s", run.Proc.Output())
	}
}

func parse(t testing.TB, text string) map[string]any {
	t.Helper()
	var c map[string]any
	if err := yaml.Unmarshal([]byte(text), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func section(c map[string]any, path ...string) map[string]any {
	for _, p := range path {
		c, _ = c[p].(map[string]any)
	}
	return c
}

func pipeline(c map[string]any, name string) map[string]any {
	return section(c, "service", "pipelines", name)
}

// componentKinds are the config sections that name components by type.
var componentKinds = []string{"receivers", "processors", "exporters", "extensions", "connectors"}

// currentComponentNames reads tools/otelcol/components.txt (the binary's `components`
// output): the component type names the pinned release registers, without aliases.
func currentComponentNames(t testing.TB) map[string]map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(projectDir, "tools", "otelcol", "components.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any // buildinfo is a map, each component kind a list of {name, ...}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("components.txt: %v", err)
	}
	out := map[string]map[string]bool{}
	for _, kind := range componentKinds {
		out[kind] = map[string]bool{}
		items, _ := raw[kind].([]any)
		for _, it := range items {
			if name, ok := it.(map[string]any)["name"].(string); ok {
				out[kind][name] = true
			}
		}
	}
	if len(out["exporters"]) == 0 || !out["receivers"]["otlp"] {
		t.Fatalf("components.txt lists no exporters or no otlp receiver: %v", out)
	}
	return out
}

// usedComponentTypes returns every component type a config declares.
func usedComponentTypes(text string) map[string]bool {
	var c map[string]any
	_ = yaml.Unmarshal([]byte(text), &c)
	out := map[string]bool{}
	for _, kind := range componentKinds {
		for id := range section(c, kind) {
			typ, _, _ := strings.Cut(id, "/")
			out[typ] = true
		}
	}
	return out
}

// unknownComponentNames lists the components a config declares under a type name the
// release does not register as current (an alias, a typo, a component not built in).
func unknownComponentNames(text string, current map[string]map[string]bool) []string {
	var c map[string]any
	if err := yaml.Unmarshal([]byte(text), &c); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, kind := range componentKinds {
		for id := range section(c, kind) {
			typ, _, _ := strings.Cut(id, "/")
			if !current[kind][typ] {
				problems = append(problems, kind+" "+id+": type "+typ+" is not a current component name of the pinned release (tools/otelcol/components.txt)")
			}
		}
	}
	slices.Sort(problems)
	return problems
}
