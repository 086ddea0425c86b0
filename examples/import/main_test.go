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

// rendered is the program's render; find returns the one resource of a type whose
// metadata.name is objectName, as plain values.
type rendered struct{ *synth.Result }

func (r rendered) find(t *testing.T, typ, objectName string) map[string]any {
	t.Helper()
	return synthtest.One(t, r.Result, typ, objectName).Inputs
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

const testKubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n"

// run renders the program under the mock engine with the given stack config (keys without
// the project prefix) and returns what it registered and the gateway's endpoint output.
func run(t *testing.T, cfg map[string]string) (rendered, string, error) {
	t.Helper()
	config := map[string]string{}
	for k, v := range cfg {
		config["otelfleet-import:"+k] = v
	}
	res, err := synthtest.ProgramErr("otelfleet-import", program, config, "otelfleet-import:kubeconfig")
	if err != nil {
		return rendered{&synth.Result{}}, "", err
	}
	endpoint, _ := res.Outputs["gatewayEndpoint"].(string)
	return rendered{res}, endpoint, nil
}

func collectorConfig(t *testing.T, cm map[string]any) map[string]any {
	t.Helper()
	text, _ := dig(cm, "data", "config.yaml").(string)
	var c map[string]any
	if err := yaml.Unmarshal([]byte(text), &c); err != nil || c == nil {
		t.Fatalf("config.yaml of %v: %v", dig(cm, "metadata", "name"), err)
	}
	return c
}

func TestGatewayAndAgentOnTheGivenCluster(t *testing.T) {
	m, endpoint, err := run(t, map[string]string{
		"kubeconfig": testKubeconfig, "backendEndpoint": "backend.example.com:4317", "environment": "staging",
	})
	if err != nil {
		t.Fatal(err)
	}

	// Every Kubernetes object goes through the provider made from the config's kubeconfig,
	// which stays a secret.
	var provider string
	for _, r := range m.Resources {
		if r.Type == "pulumi:providers:kubernetes" {
			kc := r.RawInputs()["kubeconfig"]
			if !kc.IsSecret() || kc.SecretValue().Element.StringValue() != testKubeconfig {
				t.Errorf("provider kubeconfig = %v, want the configured kubeconfig as a secret", kc)
			}
			provider = r.Name
		}
	}
	if provider != "cluster" {
		t.Fatalf("no kubernetes provider named cluster")
	}
	objects := 0
	for _, r := range m.Resources {
		if strings.HasPrefix(r.Type, "kubernetes:") {
			objects++
			if !strings.Contains(r.Provider, "::cluster::") {
				t.Errorf("%s %s uses provider %q, want the cluster provider", r.Type, r.Name, r.Provider)
			}
		}
	}
	if objects < 10 {
		t.Errorf("only %d Kubernetes objects", objects)
	}

	ns := m.find(t, "kubernetes:core/v1:Namespace", "observability")
	if l := dig(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce"); l != "restricted" {
		t.Errorf("namespace enforce level = %v, want restricted", l)
	}

	// Gateway: a 2-replica Deployment whose config exports everything to the backend.
	deployment := m.find(t, "kubernetes:apps/v1:Deployment", "otel-gateway")
	if r := dig(deployment, "spec", "replicas"); fmt.Sprint(r) != "2" {
		t.Errorf("gateway replicas = %v, want 2", r)
	}
	if ns := dig(deployment, "metadata", "namespace"); ns != "observability" {
		t.Errorf("gateway namespace = %v", ns)
	}
	container := dig(deployment, "spec", "template", "spec", "containers", 0)
	if img := dig(container, "image"); img != collector.ReleaseImage {
		t.Errorf("gateway image = %v", img)
	}
	if lim := dig(container, "resources", "limits", "memory"); lim != "1Gi" {
		t.Errorf("gateway memory limit = %v, want 1Gi", lim)
	}
	gwCM := m.find(t, "kubernetes:core/v1:ConfigMap", "otel-gateway-config")
	gw := collectorConfig(t, gwCM)
	if e := dig(gw, "exporters", "otlp_grpc/backend", "endpoint"); e != "backend.example.com:4317" {
		t.Errorf("gateway exporter endpoint = %v", e)
	}
	for _, signal := range []string{"traces", "metrics", "logs"} {
		if e := dig(gw, "service", "pipelines", signal, "exporters"); fmt.Sprint(e) != "[otlp_grpc/backend]" {
			t.Errorf("gateway %s exporters = %v", signal, e)
		}
	}
	if sum := dig(deployment, "spec", "template", "metadata", "annotations", "checksum/config"); sum != kube.Checksum(dig(gwCM, "data", "config.yaml").(string)) {
		t.Errorf("gateway checksum annotation %v does not match its ConfigMap", sum)
	}
	if endpoint != "otel-gateway.observability.svc.cluster.local:4317" {
		t.Errorf("gateway endpoint = %q", endpoint)
	}
	m.find(t, "kubernetes:core/v1:Service", "otel-gateway")

	// Agent: a DaemonSet sending to the gateway's Service, with the node-scoped metadata watch.
	ds := m.find(t, "kubernetes:apps/v1:DaemonSet", "otel-agent")
	pod := dig(ds, "spec", "template", "spec")
	if sa := dig(pod, "serviceAccountName"); sa != "otel-agent" {
		t.Errorf("agent service account = %v", sa)
	}
	env := fmt.Sprint(dig(pod, "containers", 0, "env"))
	if !strings.Contains(env, "name:K8S_NODE_NAME") || !strings.Contains(env, "fieldPath:spec.nodeName") {
		t.Errorf("agent env has no node name from the downward API: %s", env)
	}
	agent := collectorConfig(t, m.find(t, "kubernetes:core/v1:ConfigMap", "otel-agent-config"))
	if e := dig(agent, "exporters", "otlp_grpc/gateway", "endpoint"); e != endpoint {
		t.Errorf("agent exports to %v, want the gateway %s", e, endpoint)
	}
	if f := dig(agent, "processors", "k8s_attributes", "filter", "node_from_env_var"); f != "K8S_NODE_NAME" {
		t.Errorf("agent k8s_attributes node filter = %v", f)
	}
	if attrs := fmt.Sprint(dig(agent, "processors", "resource", "attributes")); !strings.Contains(attrs, "value:staging") {
		t.Errorf("agent does not set deployment.environment=staging: %s", attrs)
	}
	role := m.find(t, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "otel-agent-k8sattributes")
	if verbs := fmt.Sprint(dig(role, "rules", 0, "verbs")); verbs != "[get list watch]" {
		t.Errorf("agent ClusterRole verbs = %s, want read-only", verbs)
	}
}

func TestDebugExporterWithoutABackend(t *testing.T) {
	m, _, err := run(t, map[string]string{"kubeconfig": testKubeconfig, "namespace": "telemetry"})
	if err != nil {
		t.Fatal(err)
	}
	gw := collectorConfig(t, m.find(t, "kubernetes:core/v1:ConfigMap", "otel-gateway-config"))
	if v := dig(gw, "exporters", "debug", "verbosity"); v != "basic" {
		t.Errorf("debug exporter verbosity = %v (exporters %v)", v, dig(gw, "exporters"))
	}
	agent := collectorConfig(t, m.find(t, "kubernetes:core/v1:ConfigMap", "otel-agent-config"))
	if e := dig(agent, "exporters", "otlp_grpc/gateway", "endpoint"); e != "otel-gateway.telemetry.svc.cluster.local:4317" {
		t.Errorf("agent exports to %v, want the gateway in namespace telemetry", e)
	}
}

func TestMissingKubeconfigIsAnErrorNamingTheKey(t *testing.T) {
	m, _, err := run(t, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "otelfleet-import:kubeconfig is required") {
		t.Fatalf("err = %v, want one naming otelfleet-import:kubeconfig", err)
	}
	for _, r := range m.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			t.Errorf("%s %s registered despite the bad config", r.Type, r.Name)
		}
	}
}

// TestProjectDefaultImageIsTheRelease: the image the project file defaults to is the
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
