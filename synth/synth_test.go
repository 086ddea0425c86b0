package synth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func TestReadStackConfig(t *testing.T) {
	sc, err := ReadStackConfig("testdata/project", "dev")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"otelfleet:cloud":           "aws",
		"otelfleet:agentModes":      `["daemonset","sidecar"]`,
		"otelfleet:tags":            `{"team":"platform"}`,
		"otelfleet:gatewayReplicas": "4",
		"otelfleet:token":           "[secret]",
		"aws:region":                "eu-west-1",
	}
	for k, v := range want {
		if sc.Values[k] != v {
			t.Errorf("%s = %q; want %q", k, sc.Values[k], v)
		}
	}
	if !slices.Equal(sc.SecretKeys, []string{"otelfleet:token"}) {
		t.Errorf("secret keys = %v", sc.SecretKeys)
	}
	if _, err := ReadStackConfig("testdata/project", "prod"); err == nil || !strings.Contains(err.Error(), "stacks here: dev") {
		t.Errorf("unknown stack: err = %v", err)
	}
	if _, err := ReadStackConfig("testdata/project", "../etc"); err == nil {
		t.Error("a path as stack name was accepted")
	}
}

// TestSecretsNeverRendered registers a resource with a secret config value and a secret
// computed output, and checks neither reaches resources.json.
func TestSecretsNeverRendered(t *testing.T) {
	sc, err := ReadStackConfig("testdata/project", "dev")
	if err != nil {
		t.Fatal(err)
	}
	sc.Values["otelfleet:token"] = "s3cr3t-value" // as if decrypted
	res, err := Render(sc, func(ctx *pulumi.Context) error {
		token := config.GetSecret(ctx, "otelfleet:token")
		err := ctx.RegisterResource("test:index:Thing", "thing", pulumi.Map{
			"token": token, "plain": pulumi.String("visible"),
			"stringData": pulumi.ToSecret(pulumi.StringMap{"KEY": token}),
		}, new(pulumi.CustomResourceState))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "resources.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cr3t-value") {
		t.Fatalf("secret rendered in resources.json:\n%s", b)
	}
	var got []Resource
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if sd, _ := got[0].Inputs["stringData"].(map[string]any); sd["KEY"] != "[secret]" {
		t.Errorf("a secret map lost its shape: %v", got[0].Inputs["stringData"])
	}
	if len(got) != 1 || got[0].Inputs["token"] != "[secret]" || got[0].Inputs["plain"] != "visible" || got[0].Type != "test:index:Thing" {
		t.Errorf("resources.json = %s", b)
	}
}

func TestManifestsAndCollectorConfigsAreExtracted(t *testing.T) {
	res, err := Render(&StackConfig{Project: "otelfleet", Stack: "dev"}, func(ctx *pulumi.Context) error {
		parent := &pulumi.ResourceState{}
		if err := ctx.RegisterComponentResource("otelfleet:test:Parent", "parent", parent); err != nil {
			return err
		}
		err := ctx.RegisterResource("kubernetes:core/v1:ConfigMap", "cm", pulumi.Map{
			"apiVersion": pulumi.String("v1"), "kind": pulumi.String("ConfigMap"),
			"metadata": pulumi.Map{"name": pulumi.String("gw-config"), "namespace": pulumi.String("obs"),
				"annotations": pulumi.StringMap{collectorConfigAnnotation: pulumi.String("gw")}},
			"data": pulumi.StringMap{"config.yaml": pulumi.String("receivers: {}\n")},
		}, new(pulumi.CustomResourceState), pulumi.Parent(parent))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Collector["obs-gw.yaml"] != "receivers: {}\n" {
		t.Errorf("collector configs = %v", res.Collector)
	}
	m, ok := res.Manifests["configmap-obs-gw-config.yaml"]
	if !ok || m["kind"] != "ConfigMap" {
		t.Errorf("manifests = %v", res.Manifests)
	}
	cms := res.Find("kubernetes:core/v1:ConfigMap")
	if len(cms) != 1 || cms[0].Parent != "parent" {
		t.Errorf("configmap parent = %+v", cms)
	}
	if !strings.Contains(res.Summary(), "1  kubernetes:core/v1:ConfigMap") {
		t.Errorf("summary = %s", res.Summary())
	}
}

func TestFailedProgramWritesNothing(t *testing.T) {
	_, err := Render(&StackConfig{Project: "otelfleet", Stack: "dev"}, func(ctx *pulumi.Context) error {
		return os.ErrInvalid
	})
	if err == nil {
		t.Fatal("a failing program rendered")
	}
}

func TestWriteReplacesOutputAtomically(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(filepath.Join(dir, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "manifests", "stale.yaml")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Result{Stack: "dev", Manifests: map[string]map[string]any{"a.yaml": {"kind": "A"}}, Collector: map[string]string{"c.yaml": "x: 1\n"}}
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("a file of the previous render survived")
	}
	for _, f := range []string{"resources.json", "manifests/a.yaml", "collector/c.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("temporary directories left beside the output: %v", entries)
	}
}

// TestOutputsAreRenderedAndSecretsRedacted: stack outputs are part of the render, with
// secret ones replaced by the placeholder.
func TestOutputsAreRenderedAndSecretsRedacted(t *testing.T) {
	sc, err := ReadStackConfig("testdata/project", "dev")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Render(sc, func(ctx *pulumi.Context) error {
		var thing struct{ pulumi.CustomResourceState }
		if err := ctx.RegisterResource("test:index:Thing", "thing", pulumi.Map{}, &thing); err != nil {
			return err
		}
		ctx.Export("endpoint", pulumi.Sprintf("%s:4317", thing.ID()))
		ctx.Export("names", pulumi.ToStringArray([]string{"a", "b"}))
		ctx.Export("token", pulumi.ToSecret(pulumi.String("s3cr3t-value")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Outputs["endpoint"]; got != "thing-id:4317" {
		t.Errorf("endpoint = %#v", got)
	}
	if got, ok := res.Outputs["names"].([]string); !ok || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("names = %#v", res.Outputs["names"])
	}
	if got := res.Outputs["token"]; got != "[secret]" {
		t.Errorf("token = %#v, want the placeholder", got)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := res.Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cr3t") || !strings.Contains(string(b), `"endpoint": "thing-id:4317"`) {
		t.Errorf("outputs.json:\n%s", b)
	}
}
