package kube

import (
	"context"
	"errors"
	"github.com/otelfleet/otelfleet/components/fleet"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/kubetest"
)

const (
	enforceLabel        = "pod-security.kubernetes.io/enforce"
	enforceVersionLabel = "pod-security.kubernetes.io/enforce-version"
	levelRestricted     = "restricted"
	levelBaseline       = "baseline"
	levelPrivileged     = "privileged"
)

// logCollectionDeviations are the "restricted" checks the log-collecting agent fails, and
// the only ones it may fail: the /var/log hostPath (the logs themselves; "restricted
// volume types" at the restricted level, "hostPath volumes" at baseline) and uid 0
// (container log files are root-only). Everything else (capabilities, privilege
// escalation, seccomp, ...) stays at "restricted".
var logCollectionDeviations = []string{"restricted volume types", "runAsNonRoot != true", "runAsUser=0"}

// agentNeedsPrivileged reports whether the stack runs the log-collecting DaemonSet agent,
// the one workload allowed outside "restricted".
func (r *rendered) agentNeedsPrivileged() bool {
	return r.hasAgentMode("daemonset") && (r.Config.Agent.LogCollection || r.Config.Agent.HostFilesystems)
}

// wantLevel is the Pod Security level a namespace of the stack must enforce.
func (r *rendered) wantLevel(ns string) string {
	if ns == r.Config.Kubernetes.AgentNamespace && r.agentNeedsPrivileged() {
		return levelPrivileged
	}
	return levelRestricted
}

func testPodSecurity(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	t.Run("namespace-levels", func(t *testing.T) {
		gw := r.Config.Kubernetes.Namespace
		found := false
		for _, m := range r.find("Namespace", "") {
			found = found || m.Name() == gw
			labels := mapAt(m.Obj, "metadata", "labels")
			if got, want := labels[enforceLabel], r.wantLevel(m.Name()); got != want {
				t.Errorf("%s: %s=%v, want %s", m, enforceLabel, got, want)
			}
			if got := labels[enforceVersionLabel]; got != "latest" {
				t.Errorf("%s: %s=%v, want latest", m, enforceVersionLabel, got)
			}
		}
		if !found {
			t.Fatalf("no Namespace manifest for the gateway namespace %q", gw)
		}
		// What the cluster stored, not only what was rendered.
		body, err := c.Get(ctx, "v1", "Namespace", "", gw)
		if err != nil {
			t.Fatalf("get namespace %s: %v", gw, err)
		}
		var stored map[string]any
		mustUnmarshal(t, body, &stored)
		if got := str(stored, "metadata", "labels", enforceLabel); got != levelRestricted {
			t.Errorf("applied namespace %s: %s=%q, want %s", gw, enforceLabel, got, levelRestricted)
		}
	})

	templates := r.podTemplates()
	want := 1 // the gateway
	if r.Config.Gateway.CanaryEnabled {
		want++ // its canary track
	}
	if r.hasAgentMode("daemonset") {
		want++
	}
	if r.hasAgentMode("sidecar") {
		want++ // the example workload carrying a sidecar agent
	}
	if r.Config.Agent.ClusterMetrics || r.Config.Agent.ClusterEvents {
		want++ // the cluster collector
	}
	if len(templates) != want {
		var files []string
		for _, p := range templates {
			files = append(files, p.Workload.File)
		}
		t.Errorf("%d pod templates (%v), want %d for agent modes %v", len(templates), files, want, r.Config.Agent.Modes)
	}
	for _, p := range templates {
		t.Run(strings.TrimSuffix(p.Workload.File, ".yaml"), func(t *testing.T) {
			// Only the DaemonSet agent may deviate; the cluster collector beside it in a
			// privileged namespace is restricted all the same.
			var deviations []string
			if r.wantLevel(p.Workload.Namespace()) == levelPrivileged && p.Workload.Kind() == "DaemonSet" {
				deviations = []string{"restricted volume types"}
				if r.Config.Agent.LogCollection {
					deviations = logCollectionDeviations
				}
			}
			checkPod(ctx, t, c, p.Workload.String(), p.pod(t), deviations)
		})
	}

	if r.agentNeedsPrivileged() {
		t.Run("agent-needs-privileged", func(t *testing.T) { testAgentNeedsPrivileged(t, c, r) })
		t.Run("agent-without-log-collection-is-restricted", func(t *testing.T) {
			v := render(t, r.Result.Stack, map[string]string{"otelfleet:agentLogCollection": "false", "otelfleet:agentHostFilesystems": "false"})
			ds := v.agentDaemonSet(t)
			nsLevel := ""
			for _, m := range v.find("Namespace", "") {
				if m.Name() == ds.Namespace() {
					nsLevel = str(m.Obj, "metadata", "labels", enforceLabel)
				}
			}
			if nsLevel != levelRestricted {
				t.Errorf("%s: agent namespace %s enforces %q without log collection, want %s", v.Key, ds.Namespace(), nsLevel, levelRestricted)
			}
			pod := podTemplate{Workload: ds, Template: mapAt(ds.Obj, "spec", "template")}.pod(t)
			mapAt(pod, "metadata")["namespace"] = tempNamespace(t, c, "otelfleet-psa-restricted", levelRestricted)
			checkPod(ctx, t, c, v.Key+": "+ds.String(), pod, nil)
		})
	}
}

// checkPod dry-run creates pod and fails on rejection, on any warning that is not Pod
// Security, and unless the "restricted" checks the pod would violate are exactly
// deviations (none for a pod that must be restricted).
func checkPod(ctx context.Context, t *testing.T, c *kubetest.Cluster, what string, pod map[string]any, deviations []string) {
	t.Helper()
	_, warnings, err := c.Create(ctx, toJSON(t, pod), true)
	if err != nil {
		t.Errorf("%s: a Pod from its template is rejected in namespace %s: %s", what, str(pod, "metadata", "namespace"), apiMessage(err))
		return
	}
	var got []string
	for _, w := range warnings {
		rep, ok := parsePodSecurity(w)
		if !ok || !strings.Contains(w, podSecurityWarning) {
			t.Errorf("%s: apiserver warning: %s", what, w)
			continue
		}
		if rep.Level != "restricted:latest" {
			t.Errorf("%s: Pod Security warning at level %s, want only restricted:latest: %s", what, rep.Level, w)
		}
		got = append(got, rep.Checks...)
		t.Logf("%s: %s", what, w)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(deviations))
	if !slices.Equal(got, want) {
		t.Errorf("%s: violates the Pod Security checks %q, want exactly %q (warnings: %q)", what, got, want, warnings)
	}
}

// testAgentNeedsPrivileged proves "privileged" is the lowest level that admits the
// log-collecting agent: "baseline" rejects it, for the /var/log hostPath and nothing else.
func testAgentNeedsPrivileged(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	ds := r.agentDaemonSet(t)
	pod := podTemplate{Workload: ds, Template: mapAt(ds.Obj, "spec", "template")}.pod(t)
	baseline := tempNamespace(t, c, "otelfleet-psa-baseline", levelBaseline)
	restricted := tempNamespace(t, c, "otelfleet-psa-restricted", levelRestricted)

	mapAt(pod, "metadata")["namespace"] = baseline
	_, _, err := c.Create(ctx, toJSON(t, pod), true)
	rep := mustPodSecurityRejection(t, err, "the agent pod in a baseline namespace")
	if rep.Level != "baseline:latest" || !slices.Equal(rep.Checks, []string{"hostPath volumes"}) {
		t.Errorf("baseline rejects the agent for %q at %s, want only the hostPath volume: %s", rep.Checks, rep.Level, rep.Text)
	}

	// The hostPaths: / with agentHostFilesystems (read-only), /var/log (read-only) and the
	// log receiver's offsets (/var/lib/otelfleet/<agent>/logs), nothing else.
	noLogs, removed := withoutHostPathVolumes(t, pod)
	var paths []string
	for _, v := range removed {
		paths = append(paths, str(v, "hostPath", "path"))
		if name := str(v, "name"); !strings.Contains(rep.Text, `"`+name+`"`) {
			t.Errorf("baseline rejection does not name the hostPath volume %q: %s", name, rep.Text)
		}
	}
	want := []string{"/var/log", fleet.LogCheckpointHostPath(r.Config.Name + "-agent")}
	if r.Config.Agent.HostFilesystems {
		want = append([]string{"/"}, want...) // the node's filesystems, read-only
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("agent hostPath volumes %v; want exactly %v", paths, want)
	}
	if _, warnings, err := c.Create(ctx, toJSON(t, noLogs), true); err != nil || len(warnings) > 0 {
		t.Errorf("without the log volume baseline must admit the agent pod: err=%v warnings=%q", errText(err), warnings)
	}

	// Not reachable with log collection: the agent reads root-only log files as uid 0,
	// which "restricted" forbids even without the volume. Without log collection the agent
	// is restricted (agent-without-log-collection-is-restricted).
	mapAt(noLogs, "metadata")["namespace"] = restricted
	_, _, err = c.Create(ctx, toJSON(t, noLogs), true)
	rep = mustPodSecurityRejection(t, err, "the agent pod without the log volume in a restricted namespace")
	if want := []string{"runAsNonRoot != true", "runAsUser=0"}; !slices.Equal(rep.Checks, want) {
		t.Errorf("restricted rejects the agent without its log volume for %q, want only %q (uid 0 for log files): %s", rep.Checks, want, rep.Text)
	}
}

// withoutHostPathVolumes returns a copy of pod without its hostPath volumes and their
// mounts, and the removed volumes.
func withoutHostPathVolumes(t *testing.T, pod map[string]any) (map[string]any, []map[string]any) {
	out := clone(t, pod)
	spec := mapAt(out, "spec")
	var kept []any
	var removed []map[string]any
	gone := map[string]bool{}
	for _, v := range listAt(spec, "volumes") {
		vol, _ := v.(map[string]any)
		if _, ok := vol["hostPath"]; ok {
			removed = append(removed, vol)
			gone[str(vol, "name")] = true
			continue
		}
		kept = append(kept, v)
	}
	spec["volumes"] = kept
	for _, ctr := range containers(spec) {
		var mounts []any
		for _, m := range listAt(ctr, "volumeMounts") {
			if !gone[str(m, "name")] {
				mounts = append(mounts, m)
			}
		}
		ctr["volumeMounts"] = mounts
	}
	return out, removed
}

func mustPodSecurityRejection(t *testing.T, err error, what string) podSecurityReport {
	t.Helper()
	var se *kubetest.StatusError
	if !errors.As(err, &se) || se.Code != 403 {
		t.Fatalf("%s: want a 403 Pod Security rejection, got %s", what, errText(err))
	}
	rep, ok := parsePodSecurity(se.Message)
	if !ok {
		t.Fatalf("%s: rejected, but not by Pod Security: %s", what, se.Message)
	}
	return rep
}

// tempNamespace creates a namespace that enforces level (with no warn label, so only
// rejections speak).
func tempNamespace(t *testing.T, c *kubetest.Cluster, name, level string) string {
	t.Helper()
	ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
		"name":   name,
		"labels": map[string]any{enforceLabel: level, enforceVersionLabel: "latest"},
	}}
	if _, _, err := c.Apply(t.Context(), toJSON(t, ns), kubetest.ApplyOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	return name
}

func errText(err error) string {
	if err == nil {
		return "accepted"
	}
	return apiMessage(err)
}
