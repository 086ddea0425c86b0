package kube

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/kubetest"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
)

// checksumAnnotation on a pod template carries the sha256 of the collector config the pods
// mount, so a config change changes the template and rolls the pods.
const checksumAnnotation = "checksum/config"

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func templateAnnotation(t *testing.T, w manifest, key string) string {
	t.Helper()
	v := str(w.Obj, append(podTemplatePath[w.Kind()], "metadata", "annotations", key)...)
	if v == "" {
		t.Fatalf("%s: pod template has no %s annotation", w, key)
	}
	return v
}

// TestConfigChecksumRollsOnlyTheChangedTier renders each stack with one gateway-only and
// one agent-only config change: each changes its own tier's collector config and
// pod-template checksum and leaves the other tier's alone.
//
// The gateway-only value is samplingPercentage (both stacks sample at the gateway), not
// gatewayQueueSize: that one only reaches the config through queued exporters, and a stack
// exporting to the placeholder debug exporter has none.
func TestConfigChecksumRollsOnlyTheChangedTier(t *testing.T) {
	cases := []struct {
		stack, key string
		value      func(c config.Stack) string
		tier       string // the one tier whose config the key feeds
	}{
		{"aws-prod", "otelfleet:samplingPercentage", func(c config.Stack) string {
			return strconv.FormatFloat(c.Sampling.Percentage+10, 'f', -1, 64)
		}, "gateway"},
		{"aws-prod", "otelfleet:agentQueueSize", func(c config.Stack) string { return strconv.Itoa(c.Agent.QueueSize + 500) }, "agent"},
		{"azure-prod", "otelfleet:samplingPercentage", func(c config.Stack) string {
			return strconv.FormatFloat(c.Sampling.Percentage+10, 'f', -1, 64)
		}, "gateway"},
		{"azure-prod", "otelfleet:agentQueueSize", func(c config.Stack) string { return strconv.Itoa(c.Agent.QueueSize + 500) }, "agent"},
	}
	tiers := map[string]func(r *rendered) manifest{
		"gateway": func(r *rendered) manifest { return r.gatewayWorkload(t) },
		"agent":   func(r *rendered) manifest { return r.agentDaemonSet(t) },
	}
	for _, tc := range cases {
		t.Run(tc.stack+"/"+tc.key, func(t *testing.T) {
			base := render(t, tc.stack, nil)
			if base.Config.Sampling.Mode == "none" && tc.key == "otelfleet:samplingPercentage" {
				t.Fatalf("%s: samplingMode none: samplingPercentage feeds no config", base.Key)
			}
			variant := render(t, tc.stack, map[string]string{tc.key: tc.value(base.Config)})
			checkChecksumsMatchConfigs(t, base)
			checkChecksumsMatchConfigs(t, variant)
			for name, workload := range tiers {
				before, after := workload(base), workload(variant)
				configChanged := collectorConfigOf(t, base, before) != collectorConfigOf(t, variant, after)
				sumChanged := templateAnnotation(t, before, checksumAnnotation) != templateAnnotation(t, after, checksumAnnotation)
				switch {
				case name == tc.tier && !configChanged:
					t.Errorf("%s: the %s collector config did not change: the variant tests nothing", variant.Key, name)
				case name == tc.tier && !sumChanged:
					t.Errorf("%s: the %s config changed but its pod-template %s did not: the pods would not roll", variant.Key, name, checksumAnnotation)
				case name != tc.tier && (configChanged || sumChanged):
					t.Errorf("%s: changed the %s config=%v / %s=%v: an unrelated value rolls the %s", variant.Key, name, configChanged, checksumAnnotation, sumChanged, name)
				}
			}
		})
	}
}

// checkChecksumsMatchConfigs: every pod template that mounts a collector config carries a
// checksum/* annotation equal to the sha256 of exactly that config.
func checkChecksumsMatchConfigs(t *testing.T, r *rendered) {
	t.Helper()
	for _, p := range r.podTemplates() {
		annotations := mapAt(p.Template, "metadata", "annotations")
		mounted := 0
		for _, cm := range mountedConfigMaps(r, p.Workload) {
			text, ok := mapAt(cm.Obj, "data")["config.yaml"].(string)
			if !ok || str(cm.Obj, "metadata", "annotations", collectorConfigAnnotation) == "" {
				continue
			}
			mounted++
			sum, found := sha256Hex(text), false
			for k, v := range annotations {
				found = found || (strings.HasPrefix(k, "checksum/") && v == sum)
			}
			if !found {
				t.Errorf("%s: %s mounts %s but no checksum/* annotation equals its sha256 %s (annotations %v): a config change would not roll the pods",
					r.Key, p.Workload, cm.File, sum, annotations)
			}
		}
		if mounted == 0 {
			t.Errorf("%s: %s mounts no collector config", r.Key, p.Workload)
		}
	}
}

// TestReplicasLeftToTheHPA: with the HPA on the gateway workload does not set
// spec.replicas (a redeploy would otherwise reset the HPA's count); with it off the
// workload pins gatewayReplicas.
func TestReplicasLeftToTheHPA(t *testing.T) {
	for _, stack := range stackNames {
		if !prodStacks[stack] {
			continue
		}
		r := render(t, stack, nil)
		if !r.Config.Gateway.HPAEnabled {
			t.Fatalf("%s: gatewayHpaEnabled is off; the prod stacks scale the gateway with an HPA", r.Key)
		}
		w := r.gatewayWorkload(t)
		if v, ok := at(w.Obj, "spec", "replicas"); ok {
			t.Errorf("%s: %s sets spec.replicas=%v although an HPA scales it", r.Key, w, v)
		}
		hpa := r.one(t, "HorizontalPodAutoscaler", r.Config.Kubernetes.Namespace)
		min, _ := number(hpa.Obj, "spec", "minReplicas")
		max, _ := number(hpa.Obj, "spec", "maxReplicas")
		// The minimum is the configured one, or the capacity model's for the stated load when
		// that is higher (stacks/plan).
		p, err := plan.New(r.Config)
		if err != nil {
			t.Fatal(err)
		}
		if int(min) != p.Gateway.HPA.Min || int(min) < r.Config.Gateway.HPAMinReplicas || int(max) != r.Config.Gateway.HPAMaxReplicas {
			t.Errorf("%s: %s min/max %d/%d, want %d (configured %d)/%d", r.Key, hpa, min, max, p.Gateway.HPA.Min, r.Config.Gateway.HPAMinReplicas, r.Config.Gateway.HPAMaxReplicas)
		}
	}
	off := render(t, "aws-prod", map[string]string{"otelfleet:gatewayHpaEnabled": "false"})
	if hpas := off.find("HorizontalPodAutoscaler", ""); len(hpas) != 0 {
		t.Errorf("%s: renders %d HPAs", off.Key, len(hpas))
	}
	w := off.gatewayWorkload(t)
	if n, ok := number(w.Obj, "spec", "replicas"); !ok || int(n) != off.Config.Gateway.Replicas {
		t.Errorf("%s: %s spec.replicas=%v, want gatewayReplicas=%d", off.Key, w, mapAt(w.Obj, "spec")["replicas"], off.Config.Gateway.Replicas)
	}
}

// testHPAOwnsReplicas checks the applied objects: the HPA targets the applied gateway
// workload, the apply does not own spec.replicas, and a redeploy after the HPA scaled keeps
// the HPA's count. The same steps on the HPA-off render (replicas pinned) reset the count,
// which shows the check would catch a pinned manifest.
func testHPAOwnsReplicas(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	ns := r.Config.Kubernetes.Namespace
	hpa := r.one(t, "HorizontalPodAutoscaler", ns)
	w := r.gatewayWorkload(t)
	ref := mapAt(hpa.Obj, "spec", "scaleTargetRef")
	if _, err := c.Get(ctx, str(ref, "apiVersion"), str(ref, "kind"), ns, str(ref, "name")); err != nil {
		t.Fatalf("%s: scaleTargetRef %v names no applied object: %s", hpa, ref, apiMessage(err))
	}
	if str(ref, "apiVersion") != w.APIVersion() || str(ref, "kind") != w.Kind() || str(ref, "name") != w.Name() {
		t.Errorf("%s: scaleTargetRef %v, want the gateway %s", hpa, ref, w)
	}

	max, _ := number(hpa.Obj, "spec", "maxReplicas")
	if got := redeployAfterScaling(t, c, w.Obj, int(max)); got != int(max) {
		t.Errorf("%s: after the HPA scaled to %d a redeploy set spec.replicas=%d: the manifest fights the HPA", w, max, got)
	}

	off := render(t, r.Result.Stack, map[string]string{"otelfleet:gatewayHpaEnabled": "false"})
	pinned := clone(t, off.gatewayWorkload(t).Obj)
	mapAt(pinned, "metadata")["namespace"] = tempNamespace(t, c, "otelfleet-pinned-replicas", levelPrivileged)
	scaled := off.Config.Gateway.Replicas + 4
	if got := redeployAfterScaling(t, c, pinned, scaled); got != off.Config.Gateway.Replicas {
		t.Errorf("control (%s): after scaling to %d a redeploy of the pinned manifest left spec.replicas=%d, want %d: the check cannot see a fight",
			off.Key, scaled, got, off.Config.Gateway.Replicas)
	}
}

// redeployAfterScaling applies obj, scales it through the scale subresource as the HPA
// controller does, applies obj again and returns the replicas the cluster then holds. It
// also checks that the apply's field manager owns spec.replicas exactly when obj sets it.
func redeployAfterScaling(t *testing.T, c *kubetest.Cluster, obj map[string]any, replicas int) int {
	t.Helper()
	ctx := t.Context()
	m := manifest{File: "(redeploy)", Obj: obj}
	apply := func() map[string]any {
		body, _, err := c.Apply(ctx, toJSON(t, obj), kubetest.ApplyOptions{})
		if err != nil {
			t.Fatalf("%s: apply: %s", m, apiMessage(err))
		}
		var out map[string]any
		mustUnmarshal(t, body, &out)
		return out
	}
	stored := apply()
	_, setsReplicas := at(obj, "spec", "replicas")
	if owns := ownsField(stored, kubetest.DefaultFieldManager, "f:spec", "f:replicas"); owns != setsReplicas {
		t.Errorf("%s: field manager %s owns spec.replicas=%v, want %v", m, kubetest.DefaultFieldManager, owns, setsReplicas)
	}
	path, err := c.ResourcePath(ctx, m.APIVersion(), m.Kind(), m.Namespace(), m.Name())
	if err != nil {
		t.Fatal(err)
	}
	patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)
	if _, _, err := c.Do(ctx, "PATCH", path+"/scale?fieldManager=horizontal-pod-autoscaler", []byte(patch), "application/merge-patch+json"); err != nil {
		t.Fatalf("%s: scale to %d: %s", m, replicas, apiMessage(err))
	}
	stored = apply()
	n, ok := number(stored, "spec", "replicas")
	if !ok {
		t.Fatalf("%s: stored object has no spec.replicas", m)
	}
	return int(n)
}

// ownsField reports whether manager's Apply entry in managedFields contains the field path.
func ownsField(obj map[string]any, manager string, path ...string) bool {
	for _, e := range listAt(obj, "metadata", "managedFields") {
		if str(e, "manager") != manager || str(e, "operation") != "Apply" {
			continue
		}
		if _, ok := at(mapAt(e, "fieldsV1"), path...); ok {
			return true
		}
	}
	return false
}
