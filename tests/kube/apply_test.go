package kube

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/kubetest"
)

// TestStacks applies each stack to its own fresh control plane (the stacks share object
// names), in parallel, and then checks Pod Security, RBAC, rejection of broken manifests and replica
// ownership against what was applied.
func TestStacks(t *testing.T) {
	for _, rc := range stackRuns() {
		stack := rc.stack
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel() // one control plane each; ~3 s start-up overlaps
			r := render(t, stack, rc.overrides)
			t.Logf("%s rendered in %s: %d manifests", r.Key, r.Took.Round(time.Millisecond), len(r.Result.Manifests))
			c := kubetest.Start(t)
			c.InstallCRDs(t, kubetest.CRDDir(t))

			t.Run("namespaces", func(t *testing.T) { applyNamespaces(t, c, r) })
			t.Run("dry-run", func(t *testing.T) { dryRunAll(t, c, r) })
			t.Run("apply", func(t *testing.T) { applyAll(t, c, r) })
			t.Run("pod-security", func(t *testing.T) { testPodSecurity(t, c, r) })
			t.Run("rbac", func(t *testing.T) { testRBAC(t, c, r) })
			if prodStacks[stack] {
				t.Run("broken-manifests-rejected", func(t *testing.T) { testBrokenManifests(t, c, r) })
				t.Run("hpa-owns-replicas", func(t *testing.T) { testHPAOwnsReplicas(t, c, r) })
				t.Run("issuance-scoped-to-the-fleet", func(t *testing.T) { testIssuanceScoped(t, c, r) })
			}
		})
	}
}

// alwaysPresent are namespaces every cluster has.
var alwaysPresent = map[string]bool{"default": true, "kube-system": true, "kube-public": true, "kube-node-lease": true}

// helmReleaseType is the one rendered resource that creates a namespace without a
// Namespace manifest (cert-manager's release with createNamespace).
const helmReleaseType = "kubernetes:helm.sh/v3:Release"

// releaseNamespaces are the namespaces Helm releases of the stack create. The releases
// themselves are not manifests (the test cluster gets their CRDs from kubetest instead).
func releaseNamespaces(r *rendered) []string {
	var out []string
	for _, rel := range r.Result.Find(helmReleaseType) {
		if ns, _ := rel.Inputs["namespace"].(string); ns != "" {
			if create, _ := rel.Inputs["createNamespace"].(bool); create {
				out = append(out, ns)
			}
		}
	}
	return out
}

// applyNamespaces dry-runs and then creates every Namespace (nothing namespaced can be
// validated, not even with dryRun, before its namespace exists), and checks that every
// namespaced object lands in a namespace something creates.
func applyNamespaces(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	created := map[string]bool{}
	for ns := range alwaysPresent {
		created[ns] = true
	}
	for _, m := range r.find("Namespace", "") {
		applyChecked(ctx, t, c, m, true)
		applyChecked(ctx, t, c, m, false)
		created[m.Name()] = true
	}
	for _, ns := range releaseNamespaces(r) {
		fixture := manifest{File: "(helm release namespace)", Obj: map[string]any{
			"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns},
		}}
		applyChecked(ctx, t, c, fixture, false)
		created[ns] = true
	}
	for _, m := range r.manifests() {
		if ns := m.Namespace(); ns != "" && !created[ns] {
			t.Errorf("%s: namespace %q is created by no manifest and no Helm release: a real cluster rejects the object", m, ns)
		}
	}
}

// dryRunAll validates every object but the namespaces with dryRun=All and
// fieldValidation=Strict before anything else is stored.
func dryRunAll(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	n := 0
	for _, m := range r.manifests() {
		if m.Kind() != "Namespace" {
			applyChecked(ctx, t, c, m, true)
			n++
		}
	}
	t.Logf("%d objects accepted with dryRun=All, fieldValidation=Strict", n)
}

// applyAll stores every object, phase by phase.
func applyAll(t *testing.T, c *kubetest.Cluster, r *rendered) {
	ctx := t.Context()
	var phase kubetest.Phase = -1
	for _, m := range r.manifests() {
		if m.Kind() == "Namespace" {
			continue
		}
		if m.Phase() != phase {
			phase = m.Phase()
			t.Logf("phase %s", phase)
		}
		applyChecked(ctx, t, c, m, false)
	}
}

// applyChecked server-side applies one object and fails the test on rejection or on a
// warning that is not about Pod Security (those are judged per pod in testPodSecurity).
func applyChecked(ctx context.Context, t *testing.T, c *kubetest.Cluster, m manifest, dryRun bool) {
	t.Helper()
	_, warnings, err := c.Apply(ctx, toJSON(t, m.Obj), kubetest.ApplyOptions{DryRun: dryRun})
	mode := "apply"
	if dryRun {
		mode = "dry-run apply"
	}
	if err != nil {
		t.Errorf("%s: %s rejected by the apiserver: %s", m, mode, apiMessage(err))
		return
	}
	for _, w := range warnings {
		if strings.Contains(w, podSecurityWarning) {
			t.Logf("%s: %s: Pod Security warning (judged per pod): %s", m, mode, w)
			continue
		}
		t.Errorf("%s: %s: apiserver warning: %s", m, mode, w)
	}
}

// apiMessage is the apiserver's Status message (with code) or the transport error.
func apiMessage(err error) string {
	var se *kubetest.StatusError
	if errors.As(err, &se) {
		msg := se.Message
		if msg == "" {
			msg = strings.TrimSpace(string(se.Body))
		}
		return se.Reason + " (HTTP " + strconv.Itoa(se.Code) + "): " + msg
	}
	return err.Error()
}
