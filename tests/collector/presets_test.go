package collector

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/kubetest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// metricFleet runs aws-prod's gateway into a file sink and, sending to it, one rendered
// collector that generates metrics itself (the DaemonSet agent or the cluster collector),
// rewritten with o (GatewayEndpoint is filled in).
func metricFleet(t *testing.T, w func(testing.TB, *renderedStack) loopback.Workload, o loopback.Options) (sink string, run *collectorRun) {
	t.Helper()
	bin := otelcoltest.Binary(t)
	s := render(t, "aws-prod")
	ca := newCA(t)
	sink = filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sink}}, ca).start(t, bin)
	o.GatewayEndpoint = gw.Endpoint()
	return sink, prepare(t, s, w(t, s), o, ca).start(t, bin)
}

// waitMetrics polls the sink until every name in want has points (any resource).
func waitMetrics(t *testing.T, sink string, timeout time.Duration, want ...string) *loopback.Received {
	t.Helper()
	r := waitSink(t, sink, loopback.AnyService, timeout, func(r *loopback.Received) bool {
		for _, n := range want {
			if r.Metrics[n] == 0 {
				return false
			}
		}
		return true
	})
	var missing []string
	for _, n := range want {
		if r.Metrics[n] == 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("no points of %v reached the gateway in %s; it received %d metrics: %v", missing, timeout, len(r.Metrics), names(r))
	}
	return r
}

func names(r *loopback.Received) []string {
	var out []string
	for n := range r.Metrics {
		out = append(out, n)
	}
	return out
}

// TestNodeMetricsOnThisMachine runs aws-prod's DaemonSet agent as rendered (node metrics
// on, the nodes' filesystems too) with this machine's / as its /hostfs: host_metrics
// reports CPU, memory, load, disks, paging and filesystems through the gateway, with the
// agent's deployment.environment. (kubelet_stats needs a kubelet: the rendered config is
// validated, and its RBAC checked against a real API server in tests/kube.)
func TestNodeMetricsOnThisMachine(t *testing.T) {
	sink, _ := metricFleet(t, daemonSetAgent, loopback.Options{})
	r := waitMetrics(t, sink, 60*time.Second,
		"system.cpu.time", "system.memory.usage", "system.cpu.load_average.1m", "system.disk.io", "system.paging.operations", "system.filesystem.usage")
	var rootFS bool
	for _, p := range r.Points["system.filesystem.usage"] {
		if p.Attrs["mountpoint"] == "/" {
			rootFS = true
		}
		if p.Resource["deployment.environment"] != "production" {
			t.Fatalf("filesystem point without the agent's deployment.environment: %v", p.Resource)
		}
	}
	if !rootFS {
		t.Errorf("no system.filesystem.usage point for mountpoint / (the node's root through root_path)")
	}
	t.Logf("%d metrics from host_metrics, e.g. %d system.filesystem.usage points", len(r.Metrics), r.Metrics["system.filesystem.usage"])
}

// TestPrometheusScrapeFindsAnnotatedPodsOfItsNode runs aws-prod's DaemonSet agent against a
// real kube-apiserver (its pod discovery rewritten to that API server's kubeconfig, the
// node name node-a in its environment). Pods are created there with status.podIP
// 127.0.0.1: on node-a an annotated pod serving a test endpoint on a custom path and port,
// an annotated pod for the agent's own self-metrics port, and an unannotated pod; on node-b
// an annotated pod. Only node-a's annotated pods may be scraped.
func TestPrometheusScrapeFindsAnnotatedPodsOfItsNode(t *testing.T) {
	c := kubetest.Start(t)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := c.Kubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	app := serveMetrics(t, "/custom/metrics", "otelfleet_test_requests_total{code=\"200\"} 42\n")
	other := serveMetrics(t, "/metrics", "otelfleet_test_other_node 1\n")
	hidden := serveMetrics(t, "/metrics", "otelfleet_test_unannotated 1\n")

	ports := freePorts(t)
	s := render(t, "aws-prod")
	agent := daemonSetAgent(t, s)
	agent.Env = append(agent.Env, "K8S_NODE_NAME=node-a")
	sink := filepath.Join(t.TempDir(), "sink.json")
	bin := otelcoltest.Binary(t)
	ca := newCA(t)
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sink}}, ca).start(t, bin)

	createPod(t, c, "app", "node-a", app, "/custom/metrics", true)
	createPod(t, c, "agent-self", "node-a", ports.Metrics, "/metrics", true)
	createPod(t, c, "unannotated", "node-a", hidden, "", false)
	createPod(t, c, "elsewhere", "node-b", other, "/metrics", true)

	prepare(t, s, agent, loopback.Options{Ports: ports, GatewayEndpoint: gw.Endpoint(), Kubeconfig: kubeconfig}, ca).start(t, bin)
	r := waitSink(t, sink, loopback.AnyService, 90*time.Second, func(r *loopback.Received) bool {
		return scraped(r, "otelfleet_test_requests") && r.Metrics["otelcol_process_uptime"] > 0
	})
	if !scraped(r, "otelfleet_test_requests") {
		t.Fatalf("the annotated pod on node-a (custom port and path) was not scraped; metrics: %v", names(r))
	}
	if r.Metrics["otelcol_process_uptime"] == 0 {
		t.Errorf("the agent's own self-metrics (annotated pod, its metrics port) were not scraped; metrics: %v", names(r))
	}
	for _, n := range []string{"otelfleet_test_other_node", "otelfleet_test_unannotated"} {
		if r.Metrics[n] > 0 {
			t.Errorf("%s was scraped: a pod of another node or without the annotation", n)
		}
	}
	for name, pts := range r.Points {
		if strings.HasPrefix(name, "otelfleet_test_requests") && pts[0].Attrs["k8s_pod_name"] != "app" {
			t.Errorf("%s carries k8s_pod_name %q; want app", name, pts[0].Attrs["k8s_pod_name"])
		}
	}
}

// scraped reports whether the sink has the counter name, with or without the _total
// suffix (the receiver's naming of Prometheus counters).
func scraped(r *loopback.Received, name string) bool {
	return r.Metrics[name] > 0 || r.Metrics[name+"_total"] > 0
}

// serveMetrics serves body in the Prometheus text format at path on a loopback port.
func serveMetrics(t *testing.T, path, body string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprint(w, body)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// createPod creates a running pod on node with IP 127.0.0.1 declaring port (no kubelet
// runs here: the test sets its status), annotated for scraping at path when annotate.
func createPod(t *testing.T, c *kubetest.Cluster, name, node string, port int, path string, annotate bool) {
	t.Helper()
	annotations := ""
	if annotate {
		annotations = fmt.Sprintf("  annotations:\n    prometheus.io/scrape: \"true\"\n    prometheus.io/port: \"%d\"\n    prometheus.io/path: %s\n", port, path)
	}
	pod := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: default\n%sspec:\n  nodeName: %s\n  containers:\n  - name: app\n    image: example.invalid/app:1\n    ports:\n    - containerPort: %d\n", name, annotations, node, port)
	if _, _, err := c.Apply(t.Context(), []byte(pod), kubetest.ApplyOptions{}); err != nil {
		t.Fatalf("pod %s: %v", name, err)
	}
	status := `{"status":{"phase":"Running","podIP":"127.0.0.1","podIPs":[{"ip":"127.0.0.1"}]}}`
	if _, _, err := c.Do(t.Context(), "PATCH", "/api/v1/namespaces/default/pods/"+name+"/status", []byte(status), "application/merge-patch+json"); err != nil {
		t.Fatalf("pod %s status: %v", name, err)
	}
}

// TestClusterMetricsAndEventsFromARealAPIServer runs aws-prod's cluster collector as
// rendered against a real kube-apiserver (k8s_cluster and k8sobjects rewritten to that API
// server's kubeconfig), exporting through aws-prod's gateway into a file sink. A Node
// (Ready) and a Pod (Running, on that node) created there come out as k8s_cluster metrics
// naming them; Events created while it runs come out as log records.
func TestClusterMetricsAndEventsFromARealAPIServer(t *testing.T) {
	c := kubetest.Start(t)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := c.Kubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	node := "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-a\n"
	if _, _, err := c.Apply(t.Context(), []byte(node), kubetest.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ready := `{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}],"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"}}}`
	if _, _, err := c.Do(t.Context(), "PATCH", "/api/v1/nodes/node-a/status", []byte(ready), "application/merge-patch+json"); err != nil {
		t.Fatalf("node status: %v", err)
	}
	createPod(t, c, "checkout", "node-a", 8080, "", false)

	bin := otelcoltest.Binary(t)
	s := render(t, "aws-prod")
	w, ok := s.Workload("observability-agent-otel-cluster.yaml")
	if !ok {
		t.Fatal("aws-prod renders no cluster collector")
	}
	w.Env = append(w.Env, "KUBECONFIG="+kubeconfig)
	ca := newCA(t)
	sink := filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sink}}, ca).start(t, bin)
	prepare(t, s, w, loopback.Options{GatewayEndpoint: gw.Endpoint(), Kubeconfig: kubeconfig}, ca).start(t, bin)

	r := waitMetrics(t, sink, 90*time.Second, "k8s.node.condition_ready", "k8s.pod.phase", "k8s.node.allocatable_cpu")
	var nodeSeen, podSeen bool
	for _, p := range r.Points["k8s.node.condition_ready"] {
		nodeSeen = nodeSeen || p.Resource["k8s.node.name"] == "node-a"
	}
	for _, p := range r.Points["k8s.pod.phase"] {
		podSeen = podSeen || (p.Resource["k8s.pod.name"] == "checkout" && p.Resource["k8s.namespace.name"] == "default")
	}
	if !nodeSeen || !podSeen {
		t.Errorf("k8s_cluster metrics name node-a: %v, pod default/checkout: %v", nodeSeen, podSeen)
	}
	t.Logf("%d k8s_cluster metrics, e.g. %v", len(r.Metrics), names(r))
	checkEvents(t, c, sink, "production") // aws-prod's otelfleet:environment
}
