package kube

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/kubetest"
)

// manifest is one rendered Kubernetes object and the file synth writes it to.
type manifest struct {
	File string
	Obj  map[string]any
}

func (m manifest) APIVersion() string { return str(m.Obj, "apiVersion") }
func (m manifest) Kind() string       { return str(m.Obj, "kind") }
func (m manifest) Name() string       { return str(m.Obj, "metadata", "name") }
func (m manifest) Namespace() string  { return str(m.Obj, "metadata", "namespace") }
func (m manifest) Phase() kubetest.Phase {
	return kubetest.ApplyPhase(m.APIVersion(), m.Kind(), m.Namespace() != "")
}

func (m manifest) String() string {
	if ns := m.Namespace(); ns != "" {
		return fmt.Sprintf("%s (%s %s/%s)", m.File, m.Kind(), ns, m.Name())
	}
	return fmt.Sprintf("%s (%s %s)", m.File, m.Kind(), m.Name())
}

// manifests returns the rendered objects in apply order (phase, then file name).
func (r *rendered) manifests() []manifest {
	out := make([]manifest, 0, len(r.Result.Manifests))
	for f, obj := range r.Result.Manifests {
		out = append(out, manifest{File: f, Obj: obj})
	}
	sort.Slice(out, func(i, j int) bool {
		if pi, pj := out[i].Phase(), out[j].Phase(); pi != pj {
			return pi < pj
		}
		return out[i].File < out[j].File
	})
	return out
}

// find returns the manifests of one kind, in namespace ns ("" for any).
func (r *rendered) find(kind, ns string) []manifest {
	var out []manifest
	for _, m := range r.manifests() {
		if m.Kind() == kind && (ns == "" || m.Namespace() == ns) {
			out = append(out, m)
		}
	}
	return out
}

// one returns the single manifest of kind (or one of kinds, "|"-separated) in ns.
func (r *rendered) one(t testing.TB, kinds, ns string) manifest {
	t.Helper()
	var found []manifest
	for _, k := range strings.Split(kinds, "|") {
		found = append(found, r.find(k, ns)...)
	}
	if len(found) != 1 {
		var files []string
		for _, m := range found {
			files = append(files, m.File)
		}
		t.Fatalf("%s: want exactly one %s in namespace %q, found %d: %v", r.Key, kinds, ns, len(found), files)
	}
	return found[0]
}

// gatewayWorkload is the stable-track Deployment or StatefulSet of the gateway namespace
// (a canary track, when configured, is a second workload beside it).
func (r *rendered) gatewayWorkload(t testing.TB) manifest {
	t.Helper()
	var stable []manifest
	for _, k := range []string{"Deployment", "StatefulSet"} {
		for _, m := range r.find(k, r.Config.Kubernetes.Namespace) {
			if track, _ := at(m.Obj, "metadata", "labels", "otelfleet.io/track"); track != "canary" {
				stable = append(stable, m)
			}
		}
	}
	if len(stable) != 1 {
		t.Fatalf("%s: want exactly one stable gateway workload in namespace %q, found %d", r.Key, r.Config.Kubernetes.Namespace, len(stable))
	}
	return stable[0]
}

// agentDaemonSet is the DaemonSet of the agent namespace.
func (r *rendered) agentDaemonSet(t testing.TB) manifest {
	return r.one(t, "DaemonSet", r.Config.Kubernetes.AgentNamespace)
}

func (r *rendered) hasAgentMode(mode string) bool { return slices.Contains(r.Config.Agent.Modes, mode) }

// ---------------------------------------------------------------- plain JSON navigation

func at(obj any, keys ...string) (any, bool) {
	cur := obj
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func str(obj any, keys ...string) string {
	v, _ := at(obj, keys...)
	s, _ := v.(string)
	return s
}

func mapAt(obj any, keys ...string) map[string]any {
	v, _ := at(obj, keys...)
	m, _ := v.(map[string]any)
	return m
}

func listAt(obj any, keys ...string) []any {
	v, _ := at(obj, keys...)
	l, _ := v.([]any)
	return l
}

// number returns a JSON number (int64 from synth, float64 after a JSON round trip).
func number(obj any, keys ...string) (int64, bool) {
	v, ok := at(obj, keys...)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}

// clone deep-copies an object through JSON, so tests can mutate rendered (cached) objects.
func clone(t testing.TB, obj map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

func toJSON(t testing.TB, obj any) []byte {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

// ---------------------------------------------------------------- pod templates

// podTemplatePath is where each workload kind keeps its pod template.
var podTemplatePath = map[string][]string{
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"ReplicaSet":  {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

// podTemplate is the pod template of one rendered workload.
type podTemplate struct {
	Workload manifest
	Template map[string]any
}

func (r *rendered) podTemplates() []podTemplate {
	var out []podTemplate
	for _, m := range r.manifests() {
		if p, ok := podTemplatePath[m.Kind()]; ok && !kubetest.IsCustomResource(m.APIVersion()) {
			out = append(out, podTemplate{Workload: m, Template: mapAt(m.Obj, p...)})
		}
	}
	return out
}

// pod builds the Pod a controller would create from the template: the template's metadata
// and spec, the workload's namespace and a generated name.
func (p podTemplate) pod(t testing.TB) map[string]any {
	t.Helper()
	tmpl := clone(t, p.Template)
	meta := mapAt(tmpl, "metadata")
	if meta == nil {
		meta = map[string]any{}
	}
	meta["namespace"] = p.Workload.Namespace()
	meta["generateName"] = p.Workload.Name() + "-"
	delete(meta, "name")
	spec := mapAt(tmpl, "spec")
	if p.Workload.Kind() == "StatefulSet" {
		// The StatefulSet controller adds a volume per claim template, bound to the claim
		// "<template>-<statefulset>-<ordinal>".
		volumes := listAt(spec, "volumes")
		for _, ct := range listAt(p.Workload.Obj, "spec", "volumeClaimTemplates") {
			claim := str(ct, "metadata", "name")
			volumes = append(volumes, map[string]any{
				"name":                  claim,
				"persistentVolumeClaim": map[string]any{"claimName": claim + "-" + p.Workload.Name() + "-0"},
			})
		}
		spec["volumes"] = volumes
	}
	return map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
}

// containers returns every container of a pod spec (init containers included).
func containers(spec map[string]any) []map[string]any {
	var out []map[string]any
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range listAt(spec, key) {
			if m, ok := c.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- Pod Security messages

const podSecurityWarning = "would violate PodSecurity"

// podSecurityReport is a parsed Pod Security admission warning or rejection:
// `[would ]violate[s] PodSecurity "restricted:latest": check (detail), check (detail)`.
type podSecurityReport struct {
	Level  string   // "restricted:latest"
	Checks []string // check names, e.g. "hostPath volumes", "runAsUser=0"
	Text   string   // the whole message
}

func parsePodSecurity(msg string) (podSecurityReport, bool) {
	_, rest, ok := strings.Cut(msg, `PodSecurity "`)
	if !ok {
		return podSecurityReport{}, false
	}
	level, rest, ok := strings.Cut(rest, `":`)
	if !ok {
		return podSecurityReport{}, false
	}
	rep := podSecurityReport{Level: level, Text: msg}
	// Violations are separated by ", " outside parentheses (details contain commas).
	depth, start := 0, 0
	rest = strings.TrimSpace(rest)
	flush := func(end int) {
		item := strings.TrimSpace(rest[start:end])
		if item == "" {
			return
		}
		check, _, _ := strings.Cut(item, " (")
		rep.Checks = append(rep.Checks, strings.TrimSpace(check))
	}
	for i, r := range rest {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				flush(i)
				start = i + 1
			}
		}
	}
	flush(len(rest))
	sort.Strings(rep.Checks)
	return rep, true
}

func TestParsePodSecurity(t *testing.T) {
	rep, ok := parsePodSecurity(`would violate PodSecurity "restricted:latest": hostPath volumes (volume "varlog"), runAsNonRoot != true (pod or container "otel-collector" must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod and container "a", "b" must not set runAsUser=0)`)
	if !ok || rep.Level != "restricted:latest" || strings.Join(rep.Checks, "|") != "hostPath volumes|runAsNonRoot != true|runAsUser=0" {
		t.Fatalf("parsed %+v, %v", rep, ok)
	}
	rep, ok = parsePodSecurity(`pods "x" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "varlog")`)
	if !ok || rep.Level != "baseline:latest" || strings.Join(rep.Checks, "|") != "hostPath volumes" {
		t.Fatalf("parsed %+v, %v", rep, ok)
	}
	if _, ok := parsePodSecurity("something else"); ok {
		t.Fatal("parsed a message without PodSecurity")
	}
}

func mustUnmarshal(t testing.TB, data []byte, into any) {
	t.Helper()
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("unmarshal %s: %v", data, err)
	}
}
