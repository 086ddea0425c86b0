package kube

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/kubetest"
	"sigs.k8s.io/yaml"
)

// access is one request a ServiceAccount might make; ns "" is cluster-wide.
type access struct {
	verb, group, resource, ns string
}

func (a access) String() string {
	res := a.resource
	if a.group != "" {
		res += "." + a.group
	}
	scope := "cluster-wide"
	if a.ns != "" {
		scope = "in namespace " + a.ns
	}
	return fmt.Sprintf("%s %s %s", a.verb, res, scope)
}

type groupResource struct{ group, resource string }

// k8sAttributesReads are what the k8s_attributes processor watches: pods, their
// namespaces, and replicasets to name a pod's Deployment.
var k8sAttributesReads = []groupResource{{"", "pods"}, {"", "namespaces"}, {"apps", "replicasets"}}

// clusterCollectorReads are what k8s_cluster reports on (components/kube
// ClusterCollectorRules); eventWatch is what k8sobjects needs for events, and eventWrites
// what it must never do.
var clusterCollectorReads = []groupResource{
	{"", "events"}, {"", "namespaces"}, {"", "nodes"}, {"", "pods"}, {"", "replicationcontrollers"}, {"", "resourcequotas"}, {"", "services"},
	{"apps", "daemonsets"}, {"apps", "deployments"}, {"apps", "replicasets"}, {"apps", "statefulsets"},
	{"batch", "jobs"}, {"batch", "cronjobs"}, {"autoscaling", "horizontalpodautoscalers"},
}
var eventWatch = accesses([]string{"list", "watch"}, []groupResource{{"events.k8s.io", "events"}}, []string{"", "default", "kube-system"})
var eventWrites = accesses(writeVerbs, []groupResource{{"events.k8s.io", "events"}, {"", "events"}}, []string{"", "default"})

// nodeStats is what kubelet_stats needs: the kubelet authorizes /stats/summary as get
// nodes/stats. nodes/proxy (the kubelet's exec/run API) must never be granted.
var nodeStats = access{"get", "", "nodes/stats", ""}
var nodeProxy = accesses([]string{"get", "create"}, []groupResource{{"", "nodes/proxy"}}, []string{""})

var readVerbs = []string{"get", "list", "watch"}
var writeVerbs = []string{"create", "update", "patch", "delete"}

func accesses(verbs []string, grs []groupResource, namespaces []string) []access {
	var out []access
	for _, ns := range namespaces {
		for _, gr := range grs {
			for _, v := range verbs {
				out = append(out, access{v, gr.group, gr.resource, ns})
			}
		}
	}
	return out
}

func testRBAC(t *testing.T, c *kubetest.Cluster, r *rendered) {
	gwNS, agentNS := r.Config.Kubernetes.Namespace, r.Config.Kubernetes.AgentNamespace
	namespaces := []string{"default", "kube-system"}
	for _, m := range r.find("Namespace", "") {
		namespaces = append(namespaces, m.Name())
	}

	forbidden := accesses(readVerbs, []groupResource{{"", "secrets"}}, append([]string{""}, namespaces...))
	forbidden = append(forbidden, accesses([]string{"create"}, []groupResource{{"", "pods"}}, append([]string{""}, namespaces...))...)
	forbidden = append(forbidden, access{"delete", "", "configmaps", gwNS}, access{"delete", "", "configmaps", agentNS})
	// No writes anywhere: not to what it reads, not to other namespaces' objects.
	forbidden = append(forbidden, accesses(writeVerbs, append([]groupResource{
		{"", "configmaps"}, {"", "services"}, {"", "serviceaccounts"}, {"apps", "deployments"}, {"apps", "daemonsets"},
	}, k8sAttributesReads...), append([]string{""}, namespaces...))...)
	// No way to widen its own rights.
	forbidden = append(forbidden,
		access{"escalate", "rbac.authorization.k8s.io", "clusterroles", ""},
		access{"bind", "rbac.authorization.k8s.io", "clusterroles", ""},
		access{"create", "rbac.authorization.k8s.io", "clusterrolebindings", ""},
		access{"impersonate", "", "serviceaccounts", ""},
		access{"impersonate", "", "users", ""},
	)
	reads := accesses(readVerbs, k8sAttributesReads, []string{"", gwNS, agentNS, "default"})
	nodeReads := accesses(readVerbs, []groupResource{{"", "nodes"}}, []string{""})

	t.Run("agent", func(t *testing.T) {
		if !r.hasAgentMode("daemonset") {
			t.Logf("%s runs no DaemonSet agent (modes %v)", r.Key, r.Config.Agent.Modes)
			return
		}
		ds := r.agentDaemonSet(t)
		user, groups := serviceAccountOf(t, r, ds)
		needsNodes := agentNeedsNodes(t, r, ds)
		allowed, denied := []access(nil), slices.Clone(forbidden)
		if r.Config.Agent.K8sAttributes {
			allowed = append(allowed, reads...)
		} else {
			denied = append(denied, reads...)
		}
		if needsNodes {
			allowed = append(allowed, nodeReads...)
		} else {
			denied = append(denied, nodeReads...)
		}
		if r.Config.Agent.NodeMetrics {
			allowed = append(allowed, nodeStats)
		} else {
			denied = append(denied, nodeStats)
		}
		if r.Config.Agent.PrometheusScrape {
			allowed = append(allowed, accesses([]string{"list", "watch"}, []groupResource{{"", "pods"}}, []string{""})...)
		}
		denied = append(denied, nodeProxy...)
		checkAccess(t, c, user, groups, allowed, true)
		checkAccess(t, c, user, groups, denied, false)
		wantAutomount(t, ds, r.Config.Agent.K8sAttributes || r.Config.Agent.NodeMetrics || r.Config.Agent.PrometheusScrape)
	})
	t.Run("cluster-collector", func(t *testing.T) {
		var found []manifest
		for _, d := range r.find("Deployment", agentNS) {
			if str(d.Obj, "metadata", "labels", "app.kubernetes.io/component") == "cluster" {
				found = append(found, d)
			}
		}
		metrics, events := r.Config.Agent.ClusterMetrics, r.Config.Agent.ClusterEvents
		if !metrics && !events {
			if len(found) > 0 {
				t.Errorf("clusterMetrics and clusterEvents are off but %s is rendered", found[0])
			}
			return
		}
		if len(found) != 1 {
			t.Fatalf("%d cluster collector Deployments in %s, want 1", len(found), agentNS)
		}
		user, groups := serviceAccountOf(t, r, found[0])
		allowed, denied := []access(nil), append(append(append(slices.Clone(forbidden), nodeStats), nodeProxy...), eventWrites...)
		metricReads := accesses(readVerbs, clusterCollectorReads, []string{"", gwNS, agentNS, "default"})
		if metrics {
			allowed = append(allowed, metricReads...)
		} else {
			denied = append(denied, metricReads...)
		}
		if events {
			allowed = append(allowed, eventWatch...)
		} else {
			denied = append(denied, eventWatch...)
		}
		checkAccess(t, c, user, groups, allowed, true)
		checkAccess(t, c, user, groups, denied, false)
		if n, _ := at(found[0].Obj, "spec", "replicas"); fmt.Sprint(n) != "1" {
			t.Errorf("%s: replicas %v, want 1 (one report per object)", found[0], n)
		}
	})
	t.Run("gateway", func(t *testing.T) {
		gw := r.gatewayWorkload(t)
		user, groups := serviceAccountOf(t, r, gw)
		// The gateway needs no Kubernetes API at all.
		checkAccess(t, c, user, groups, append(append(append(slices.Clone(forbidden), reads...), nodeReads...), nodeStats), false)
		wantAutomount(t, gw, false)
	})
	t.Run("admin-control", func(t *testing.T) {
		// The cluster admin may do all of it: a "denied" above is RBAC speaking, not a
		// malformed review.
		checkAccess(t, c, kubetest.AdminUser, []string{"system:masters", "system:authenticated"}, forbidden, true)
	})
}

// serviceAccountOf returns the user and groups of the ServiceAccount a workload's pods run
// as, after checking the ServiceAccount is rendered in the workload's namespace.
func serviceAccountOf(t *testing.T, r *rendered, w manifest) (string, []string) {
	t.Helper()
	name := str(w.Obj, "spec", "template", "spec", "serviceAccountName")
	if name == "" || name == "default" {
		t.Fatalf("%s: pods run as ServiceAccount %q, want a dedicated one", w, name)
	}
	found := false
	for _, sa := range r.find("ServiceAccount", w.Namespace()) {
		found = found || sa.Name() == name
	}
	if !found {
		t.Fatalf("%s: ServiceAccount %s/%s is not rendered", w, w.Namespace(), name)
	}
	return kubetest.ServiceAccountUser(w.Namespace(), name)
}

func checkAccess(t *testing.T, c *kubetest.Cluster, user string, groups []string, list []access, want bool) {
	t.Helper()
	for _, a := range list {
		allowed, reason, err := c.SubjectAccessReview(t.Context(), user, groups, a.verb, a.group, a.resource, a.ns)
		if err != nil {
			t.Fatalf("SubjectAccessReview %s for %s: %v", a, user, err)
		}
		if allowed != want {
			t.Errorf("%s: %s: allowed=%v, want %v (%s)", user, a, allowed, want, reason)
		}
	}
	t.Logf("%s: %d requests, all allowed=%v", user, len(list), want)
}

// wantAutomount checks that only pods that call the API get a ServiceAccount token.
func wantAutomount(t *testing.T, w manifest, want bool) {
	t.Helper()
	if got, ok := at(w.Obj, "spec", "template", "spec", "automountServiceAccountToken"); !ok || got != want {
		t.Errorf("%s: pod template automountServiceAccountToken=%v, want %v", w, got, want)
	}
}

// agentNeedsNodes reads the agent's collector config (from the ConfigMap its pods mount):
// node objects are only read when k8s_attributes extracts node metadata (k8s.node.uid,
// node labels or annotations); k8s.node.name comes from the pod.
func agentNeedsNodes(t *testing.T, r *rendered, ds manifest) bool {
	t.Helper()
	var cfg struct {
		Processors map[string]struct {
			Extract struct {
				Metadata    []string         `json:"metadata"`
				Labels      []map[string]any `json:"labels"`
				Annotations []map[string]any `json:"annotations"`
			} `json:"extract"`
		} `json:"processors"`
	}
	text := collectorConfigOf(t, r, ds)
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		t.Fatalf("%s: agent collector config: %v", ds, err)
	}
	found, nodes := false, false
	for id, p := range cfg.Processors {
		typ, _, _ := strings.Cut(id, "/")
		if typ != "k8s_attributes" && typ != "k8sattributes" {
			continue
		}
		found = true
		nodes = nodes || slices.Contains(p.Extract.Metadata, "k8s.node.uid")
		for _, f := range append(p.Extract.Labels, p.Extract.Annotations...) {
			nodes = nodes || f["from"] == "node"
		}
	}
	if found != r.Config.Agent.K8sAttributes {
		t.Errorf("%s: k8s_attributes processor present=%v, but agentK8sAttributes=%v", ds, found, r.Config.Agent.K8sAttributes)
	}
	return nodes
}

// collectorConfigOf returns config.yaml of the collector-config ConfigMap a workload mounts.
func collectorConfigOf(t *testing.T, r *rendered, w manifest) string {
	t.Helper()
	for _, cm := range mountedConfigMaps(r, w) {
		if text, ok := mapAt(cm.Obj, "data")["config.yaml"].(string); ok && str(cm.Obj, "metadata", "annotations", collectorConfigAnnotation) != "" {
			return text
		}
	}
	t.Fatalf("%s mounts no ConfigMap annotated %s", w, collectorConfigAnnotation)
	return ""
}

// collectorConfigAnnotation marks ConfigMaps holding a collector config.yaml.
const collectorConfigAnnotation = "otelfleet.io/collector-config"

// mountedConfigMaps are the rendered ConfigMaps a workload's pod template mounts.
func mountedConfigMaps(r *rendered, w manifest) []manifest {
	byName := map[string]manifest{}
	for _, cm := range r.find("ConfigMap", w.Namespace()) {
		byName[cm.Name()] = cm
	}
	var out []manifest
	for _, v := range listAt(w.Obj, append(podTemplatePath[w.Kind()], "spec", "volumes")...) {
		if cm, ok := byName[str(v, "configMap", "name")]; ok {
			out = append(out, cm)
		}
	}
	return out
}
