package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
	"sigs.k8s.io/yaml"
)

const testKubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n"

// run renders the program under the mock engine with the given stack config (keys without
// the project prefix).
func run(cfg map[string]string) (*synth.Result, error) {
	config := map[string]string{}
	for k, v := range cfg {
		config["otelfleet-sidecar-example:"+k] = v
	}
	return synthtest.ProgramErr("otelfleet-sidecar-example", program, config, "otelfleet-sidecar-example:kubeconfig")
}

func TestOnlyTheOptedInDeploymentGetsTheAgent(t *testing.T) {
	res, err := run(map[string]string{"kubeconfig": testKubeconfig, "gatewayEndpoint": "gw.observability.svc:4317"})
	if err != nil {
		t.Fatal(err)
	}
	get := synthtest.Get
	cm := synthtest.One(t, res, "kubernetes:core/v1:ConfigMap", "otel-agent-config").Inputs
	if ns := get(cm, "metadata", "namespace"); ns != "shop" {
		t.Errorf("sidecar ConfigMap namespace = %v, want shop", ns)
	}
	text, _ := get(cm, "data", "config.yaml").(string)
	var agent map[string]any
	if err := yaml.Unmarshal([]byte(text), &agent); err != nil || agent == nil {
		t.Fatalf("sidecar config.yaml: %v\n%s", err, text)
	}
	if e := get(agent, "exporters", "otlp_grpc/gateway", "endpoint"); e != "gw.observability.svc:4317" {
		t.Errorf("the agent exports to %v, want the configured gateway", e)
	}
	if attrs := fmt.Sprint(get(agent, "processors", "resource", "attributes")); !strings.Contains(attrs, "${env:K8S_POD_NAME}") {
		t.Errorf("the sidecar config does not take the pod name from AddSidecar's env: %s", attrs)
	}

	checkout := synthtest.One(t, res, "kubernetes:apps/v1:Deployment", "checkout").Inputs
	pod := get(checkout, "spec", "template")
	agentContainer := get(pod, "spec", "initContainers", 0)
	if get(agentContainer, "name") != kube.SidecarContainerName || get(agentContainer, "restartPolicy") != "Always" ||
		get(agentContainer, "image") != collector.ReleaseImage || get(pod, "spec", "initContainers", 1) != nil {
		t.Errorf("checkout init containers = %v, want only the %s sidecar", get(pod, "spec", "initContainers"), kube.SidecarContainerName)
	}
	if volumes := fmt.Sprint(get(pod, "spec", "volumes")); !strings.Contains(volumes, "configMap:map[name:otel-agent-config]") {
		t.Errorf("checkout does not mount the sidecar ConfigMap: %s", volumes)
	}
	if env := fmt.Sprint(get(pod, "spec", "containers", 0, "env")); !strings.Contains(env, "name:OTEL_EXPORTER_OTLP_ENDPOINT value:http://localhost:4317") {
		t.Errorf("checkout's app is not pointed at the sidecar: %s", env)
	}
	if sum := get(pod, "metadata", "annotations", "checksum/config-agent"); sum != kube.Checksum(text) {
		t.Errorf("checkout's config checksum = %v, want the ConfigMap's", sum)
	}

	catalog := synthtest.One(t, res, "kubernetes:apps/v1:Deployment", "catalog").Inputs
	for _, path := range [][]any{{"spec", "initContainers"}, {"spec", "volumes"}, {"spec", "containers", 0, "env"}, {"metadata", "annotations"}} {
		if v := get(catalog, append([]any{"spec", "template"}, path...)...); v != nil {
			t.Errorf("catalog (not opted in) has template %v = %v", path, v)
		}
	}
	// Both run under the explicit provider, in the namespace the ConfigMap is in.
	for _, name := range []string{"checkout", "catalog"} {
		d := synthtest.One(t, res, "kubernetes:apps/v1:Deployment", name)
		if !strings.Contains(d.Provider, "::cluster::") || get(d.Inputs, "metadata", "namespace") != "shop" {
			t.Errorf("%s: provider %q, namespace %v", name, d.Provider, get(d.Inputs, "metadata", "namespace"))
		}
	}
}

func TestMissingKubeconfigIsAnErrorNamingTheKey(t *testing.T) {
	_, err := run(map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "otelfleet-sidecar-example:kubeconfig is required") {
		t.Fatalf("err = %v, want one naming otelfleet-sidecar-example:kubeconfig", err)
	}
}

// TestProjectDefaultImageIsTheRelease: the agent image the project file defaults to is the
// collector release otelfleet generates configs for.
func TestProjectDefaultImageIsTheRelease(t *testing.T) {
	b, err := os.ReadFile("Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "default: "+collector.ReleaseImage) {
		t.Errorf("Pulumi.yaml does not default the image to %s:\n%s", collector.ReleaseImage, b)
	}
}
