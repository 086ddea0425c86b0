package loopback

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

const manifestsFixture = `
cm:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: otel-agent-config
    namespace: obs
    annotations: {otelfleet.io/collector-config: otel-agent}
  data: {config.yaml: "x"}
ds:
  apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: otel-agent, namespace: obs, labels: {app.kubernetes.io/component: agent}}
  spec:
    template:
      spec:
        containers:
        - name: otel-collector
          env:
          - {name: GOMEMLIMIT, value: 409MiB}
          - {name: K8S_NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
          - {name: K8S_POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
          - {name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}
          volumeMounts: [{name: config, mountPath: /etc/otelcol}, {name: tls, mountPath: /etc/otelcol-tls}]
        volumes:
        - {name: config, configMap: {name: otel-agent-config}}
        - {name: tls, secret: {secretName: otel-agent-tls}}
cert:
  apiVersion: cert-manager.io/v1
  kind: Certificate
  metadata: {name: otel-agent-tls, namespace: obs}
  spec: {secretName: otel-agent-tls, dnsNames: [otel-agent.obs.svc.cluster.local]}
`

func TestWorkloads(t *testing.T) {
	var manifests map[string]map[string]any
	if err := yaml.Unmarshal([]byte(manifestsFixture), &manifests); err != nil {
		t.Fatal(err)
	}
	ws, err := Workloads(manifests)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 {
		t.Fatalf("workloads = %+v", ws)
	}
	w := ws[0]
	if w.File != "obs-otel-agent.yaml" || w.Role != Agent || w.Kind != "DaemonSet" || w.Container != "otel-collector" {
		t.Errorf("workload = %+v", w)
	}
	wantEnv := []string{"GOMEMLIMIT=409MiB", "K8S_NODE_NAME=" + DummyNodeName, "K8S_POD_NAME=otel-agent-0", "TOKEN=otelfleet-test-token"}
	if !reflect.DeepEqual(w.Env, wantEnv) {
		t.Errorf("env = %v, want %v", w.Env, wantEnv)
	}
	if !reflect.DeepEqual(w.TLSNames, []string{"otel-agent.obs.svc.cluster.local"}) {
		t.Errorf("TLS names = %v", w.TLSNames)
	}

	delete(manifests, "ds")
	if _, err := Workloads(manifests); err == nil {
		t.Error("a collector config no workload mounts must be an error")
	}
}

func TestReadSink(t *testing.T) {
	lines := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"deployment.environment","value":{"stringValue":"production"}}]},"scopeSpans":[{"spans":[{"traceId":"a","spanId":"1"},{"traceId":"a","spanId":"2"},{"traceId":"a","spanId":"1"}]}]}]}
{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{},{}]}},{"sum":{"dataPoints":[{}]}}]}]}]}
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"other"}}]},"scopeLogs":[{"logRecords":[{}]}]}]}
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeLogs":[{"logRecords":[{},{}]}]}]}
{"resourceSpans":[{"torn`
	path := filepath.Join(t.TempDir(), "sink.json")
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadSink(path, "svc")
	if err != nil {
		t.Fatal(err)
	}
	if r.Spans != 3 || r.UniqueSpans != 2 || r.MetricPoints != 3 || r.LogRecords != 2 {
		t.Errorf("received %+v", r)
	}
	if r.CountWith("deployment.environment", "production") != 3 || r.CountWith("service.name", "svc") != r.Items() {
		t.Errorf("attrs %v", r.Attrs)
	}
	if missing, _ := ReadSink(filepath.Join(t.TempDir(), "none"), "svc"); missing.Items() != 0 {
		t.Error("a missing sink file counts nothing")
	}
}

func TestFreePortsAreDistinctAndBelowEphemeral(t *testing.T) {
	seen := map[int]bool{}
	for range 5 {
		p, err := FreePorts()
		if err != nil {
			t.Fatal(err)
		}
		for _, port := range []int{p.OTLPGRPC, p.OTLPHTTP, p.Health, p.Metrics, p.Pprof, p.ZPages} {
			if seen[port] || port < lowestPort || port >= ephemeralLow() {
				t.Errorf("port %d repeated or outside [%d, %d)", port, lowestPort, ephemeralLow())
			}
			seen[port] = true
		}
	}
	if len(seen) != 30 {
		t.Errorf("%d distinct ports, want 30", len(seen))
	}
}
