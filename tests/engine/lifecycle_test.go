package engine

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/fleetca"
	"github.com/otelfleet/otelfleet/internal/enginetest"
	"github.com/otelfleet/otelfleet/internal/kubetest"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// userChange is a change users make to a running fleet: more gateway memory, another
// sampling percentage, and OTLP admitted only from the fleet's namespaces and labelled ones.
var userChange = map[string]string{
	"otelfleet:gatewayMemoryLimit":        "768Mi",
	"otelfleet:samplingPercentage":        "35",
	"otelfleet:gatewayAllowAllNamespaces": "false",
}

// TestLocalStackLifecycle runs the whole life of the kubernetes stack under the real engine.
// Each step needs the previous one, so the first failure stops the test.
func TestLocalStackLifecycle(t *testing.T) {
	c, kubeconfig := startCluster(t)
	before := render(t, richest)
	w, s := newStack(t, kubeconfig, richest)
	var tm timings
	defer func() {
		t.Logf("real-engine timings (%d resources):\n%s", len(before.Resources), strings.Join(tm, "\n"))
	}()

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"1 preview lists what synth renders, all creates", func(t *testing.T) { previewMatchesSynth(t, s, before, &tm) }},
		{"7 an admission rejection fails up with the apiserver's message; a corrected re-run converges", func(t *testing.T) { failedUpThenConverges(t, c, s, &tm) }},
		{"2 every rendered object is live and matches its manifest", func(t *testing.T) { liveMatchesManifests(t, c, before) }},
		{"3 a preview after up changes nothing, also once the HPA has scaled the gateway", func(t *testing.T) { noOpPreview(t, c, s, before, &tm) }},
		{"4 a user's config change updates exactly the changed resources and rolls the gateway", func(t *testing.T) { configChange(t, c, s, before, &tm) }},
		{"5 outputs are typed and the state holds no credential in plain text", func(t *testing.T) { outputsAndState(t, c, w, s) }},
		{"8 a second stack signs with this stack's fleet CA through a real stack reference", func(t *testing.T) { importerSharesTheCA(t, c, w, &tm) }},
		{"6 destroy leaves nothing behind", func(t *testing.T) { destroyLeavesNothing(t, c, s, before, &tm) }},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.run) {
			t.Fatalf("step %q failed; the later steps depend on it", st.name)
		}
	}
}

func previewMatchesSynth(t *testing.T, s auto.Stack, want *synth.Result, tm *timings) {
	ev := enginetest.Collect()
	start := time.Now()
	_, err := s.Preview(t.Context(), optpreview.EventStreams(ev.Chan()))
	tm.track("preview (new stack)", start)
	evs := ev.Wait()
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	got, rendered := steps(evs), rendered(want)
	for k := range rendered {
		st, ok := got[k]
		switch {
		case !ok:
			t.Errorf("synth renders %s; the engine's preview does not plan it", k)
		case st.Op != apitype.OpCreate:
			t.Errorf("%s: preview plans %s, want create", k, st.Op)
		case st.URN != rendered[k].URN:
			// tests/urns keeps synth's URNs stable; they must be the engine's.
			t.Errorf("%s: the engine's URN is %s, synth's %s", k, st.URN, rendered[k].URN)
		}
	}
	for k := range got {
		if _, ok := rendered[k]; !ok {
			t.Errorf("the engine's preview plans %s (%s), which synth does not render", k, got[k].Op)
		}
	}
	for _, d := range unexpectedDiagnostics(evs) {
		t.Errorf("preview: %s", d)
	}
	t.Logf("preview planned %d resources, synth renders %d", len(got), len(rendered))
}

// denyMessage is what the admission policy answers; the failed up must carry it.
const denyMessage = "enginetest: PodDisruptionBudgets are refused by policy"

const denyPolicy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: enginetest-deny-pdb
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["policy"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["poddisruptionbudgets"]
  validations:
  - expression: "false"
    message: "` + denyMessage + `"
`

const denyBinding = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: enginetest-deny-pdb
spec:
  policyName: enginetest-deny-pdb
  validationActions: [Deny]
`

const probePDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: enginetest-probe
  namespace: default
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {probe: "true"}
`

// pdbAdmitted waits until a dry-run PodDisruptionBudget is admitted (or refused) as wanted:
// admission policies take effect a moment after they are stored.
func pdbAdmitted(t *testing.T, c *kubetest.Cluster, want bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, _, err := c.Apply(t.Context(), []byte(probePDB), kubetest.ApplyOptions{DryRun: true})
		if (err == nil) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a PodDisruptionBudget is still admitted=%v after 30 s: %v", !want, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func failedUpThenConverges(t *testing.T, c *kubetest.Cluster, s auto.Stack, tm *timings) {
	ctx := t.Context()
	for _, o := range []string{denyPolicy, denyBinding} {
		if _, _, err := c.Apply(ctx, []byte(o), kubetest.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pdbAdmitted(t, c, false)

	start := time.Now()
	_, err := s.Up(ctx)
	tm.track("up refused by admission", start)
	if err == nil {
		t.Fatal("up succeeded although every PodDisruptionBudget is refused")
	}
	if !strings.Contains(err.Error(), denyMessage) {
		t.Fatalf("the failed up does not carry the apiserver's message %q:\n%v", denyMessage, err)
	}
	t.Logf("up failed as expected with the apiserver's message")

	// The operator removes the policy and runs up again.
	if err := c.Delete(ctx, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "", "enginetest-deny-pdb"); err != nil {
		t.Fatal(err)
	}
	pdbAdmitted(t, c, true)
	ev := enginetest.Collect()
	start = time.Now()
	res, err := s.Up(ctx, optup.EventStreams(ev.Chan()))
	tm.track("up (after the failed one)", start)
	evs := ev.Wait()
	if err != nil {
		t.Fatalf("the corrected up failed: %v", err)
	}
	if res.Summary.Result != "succeeded" {
		t.Fatalf("up result %q", res.Summary.Result)
	}
	for _, d := range unexpectedDiagnostics(evs) {
		t.Errorf("up: %s", d)
	}
}

func liveMatchesManifests(t *testing.T, c *kubetest.Cluster, want *synth.Result) {
	checked := 0
	for file, m := range want.Manifests {
		got, err := live(t.Context(), c, m)
		if err != nil {
			t.Errorf("%s: not in the apiserver after up: %v", file, err)
			continue
		}
		for _, d := range mismatches(m, got) {
			t.Errorf("%s: %s", file, d)
		}
		ann, _ := got["metadata"].(map[string]any)["annotations"].(map[string]any)
		if ann[skipAwait] != "true" {
			t.Errorf("%s: the test's %s annotation is missing: the transform did not reach it", file, skipAwait)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("synth rendered no manifest")
	}
	t.Logf("%d live objects match their rendered manifests", checked)
}

// gateway finds the gateway's stable Deployment manifest.
func gateway(t *testing.T, res *synth.Result) object {
	t.Helper()
	for _, m := range res.Manifests {
		apiVersion, kind, _, _ := ident(m)
		labels, _ := m["metadata"].(map[string]any)["labels"].(map[string]any)
		if apiVersion == "apps/v1" && kind == "Deployment" && labels["app.kubernetes.io/component"] == "gateway" {
			return m
		}
	}
	t.Fatal("no gateway Deployment rendered")
	return nil
}

// scale sets a Deployment's replicas through its scale subresource, as the HPA does.
func scale(t *testing.T, c *kubetest.Cluster, m object, replicas int) {
	t.Helper()
	apiVersion, kind, ns, name := ident(m)
	path, err := c.ResourcePath(t.Context(), apiVersion, kind, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)
	if _, _, err := c.Do(t.Context(), http.MethodPatch, path+"/scale", []byte(body), "application/merge-patch+json"); err != nil {
		t.Fatal(err)
	}
}

func replicas(t *testing.T, c *kubetest.Cluster, m object) float64 {
	t.Helper()
	o, err := live(t.Context(), c, m)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := o["spec"].(map[string]any)["replicas"].(float64)
	return n
}

func previewChanges(t *testing.T, s auto.Stack, tm *timings, label string, opts ...optpreview.Option) (map[string]step, auto.PreviewResult) {
	t.Helper()
	ev := enginetest.Collect()
	start := time.Now()
	res, err := s.Preview(t.Context(), append(opts, optpreview.EventStreams(ev.Chan()))...)
	tm.track(label, start)
	evs := ev.Wait()
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	for _, d := range unexpectedDiagnostics(evs) {
		t.Errorf("preview: %s", d)
	}
	return steps(evs), res
}

func noOpPreview(t *testing.T, c *kubetest.Cluster, s auto.Stack, want *synth.Result, tm *timings) {
	got, res := previewChanges(t, s, tm, "preview (no changes)")
	if ch := changed(got); len(ch) > 0 {
		t.Errorf("a preview right after up plans changes (a perpetual diff):\n%s", strings.Join(ch, "\n"))
	}
	t.Logf("change summary: %v", res.ChangeSummary)

	gw := gateway(t, want)
	scale(t, c, gw, 3)
	got, _ = previewChanges(t, s, tm, "preview (after HPA scaling)")
	if ch := changed(got); len(ch) > 0 {
		t.Errorf("after the HPA scaled the gateway, preview plans changes:\n%s", strings.Join(ch, "\n"))
	}
	// With --refresh the engine reads every live object first: fields that the apiserver
	// defaulted or another manager (the HPA) owns must not show up as drift.
	got, _ = previewChanges(t, s, tm, "preview --refresh", optpreview.Refresh())
	if ch := changed(got); len(ch) > 0 {
		t.Errorf("preview --refresh plans changes after the HPA scaled the gateway:\n%s", strings.Join(ch, "\n"))
	}
}

func configChange(t *testing.T, c *kubetest.Cluster, s auto.Stack, before *synth.Result, tm *timings) {
	after := render(t, with(richest, userChange))
	setConfig(t, s, userChange)

	// What synth says changes: resources whose inputs differ.
	want := map[string]apitype.OpType{}
	old, next := rendered(before), rendered(after)
	for k, r := range next {
		switch o, ok := old[k]; {
		case !ok:
			want[k] = apitype.OpCreate
		case !reflect.DeepEqual(o.Inputs, r.Inputs):
			want[k] = apitype.OpUpdate
		}
	}
	for k := range old {
		if _, ok := next[k]; !ok {
			want[k] = apitype.OpDelete
		}
	}
	gwDeployment, gwConfig := "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:ConfigMap"
	if !slices.ContainsFunc(keys(want), func(k string) bool { return strings.HasPrefix(k, gwDeployment) }) ||
		!slices.ContainsFunc(keys(want), func(k string) bool { return strings.HasPrefix(k, gwConfig) }) {
		t.Fatalf("synth shows no change to the gateway Deployment and its ConfigMap: %v", want)
	}

	got, _ := previewChanges(t, s, tm, "preview (config change)")
	for k, st := range got {
		wantOp, ok := want[k]
		if !ok {
			wantOp = apitype.OpSame
		}
		if st.Op != wantOp {
			t.Errorf("%s: preview plans %s (diffs %v, replace keys %v), want %s", k, st.Op, st.Diffs, st.Keys, wantOp)
		}
	}
	t.Logf("the change updates %d resources: %v", len(want), keys(want))

	oldChecksum := checksum(t, gateway(t, before))
	newChecksum := checksum(t, gateway(t, after))
	if oldChecksum == newChecksum {
		t.Fatal("synth renders the same config checksum for a changed gateway config")
	}
	ev := enginetest.Collect()
	start := time.Now()
	if _, err := s.Up(t.Context(), optup.EventStreams(ev.Chan())); err != nil {
		t.Fatalf("up of the change: %v", err)
	}
	tm.track("up (config change)", start)
	for _, d := range unexpectedDiagnostics(ev.Wait()) {
		t.Errorf("up: %s", d)
	}
	liveGW, err := live(t.Context(), c, gateway(t, after))
	if err != nil {
		t.Fatal(err)
	}
	if got := checksum(t, liveGW); got != newChecksum {
		t.Errorf("live gateway pod template checksum = %q, want %q", got, newChecksum)
	}
	if n := replicas(t, c, gateway(t, after)); n != 3 {
		t.Errorf("the update reset the HPA's replicas: %v, want 3", n)
	}
	waitForReplicaSet(t, c, gateway(t, after), newChecksum)
	liveMatchesManifests(t, c, after)
}

// checksum is the config checksum on a Deployment's pod template.
func checksum(t *testing.T, d object) string {
	t.Helper()
	tmpl, _ := d["spec"].(map[string]any)["template"].(map[string]any)
	ann, _ := tmpl["metadata"].(map[string]any)["annotations"].(map[string]any)
	sum, _ := ann["checksum/config"].(string)
	if sum == "" {
		t.Fatalf("no checksum/config on the pod template of %v", d["metadata"])
	}
	return sum
}

// waitForReplicaSet waits for the deployment controller to roll the gateway: a ReplicaSet
// whose pods carry the new config checksum.
func waitForReplicaSet(t *testing.T, c *kubetest.Cluster, d object, sum string) {
	t.Helper()
	_, _, ns, _ := ident(d)
	path, err := c.ResourcePath(t.Context(), "apps/v1", "ReplicaSet", ns, "")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		body, _, err := c.Do(t.Context(), http.MethodGet, path, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		var list struct{ Items []object }
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		for _, rs := range list.Items {
			if tmpl, _ := rs["spec"].(map[string]any)["template"].(map[string]any); tmpl != nil {
				if ann, _ := tmpl["metadata"].(map[string]any)["annotations"].(map[string]any); ann["checksum/config"] == sum {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ReplicaSet with the new config checksum after 30 s (%d ReplicaSets)", len(list.Items))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func outputsAndState(t *testing.T, c *kubetest.Cluster, w *enginetest.Workspace, s auto.Stack) {
	out, err := s.Outputs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"gatewayEndpoint":  "otel-gateway.observability.svc.cluster.local:4317",
		"agentEndpoint":    "otel-agent.observability-agent.svc.cluster.local:4317",
		"gatewayNamespace": "observability",
		"agentNamespace":   "observability-agent",
		"tlsIssuer":        "otel-ca",
	}
	for k, v := range want {
		o, ok := out[k]
		switch {
		case !ok:
			t.Errorf("output %s is missing (outputs: %v)", k, keys(out))
		case o.Value != v:
			t.Errorf("output %s = %#v, want the string %q", k, o.Value, v)
		case o.Secret:
			t.Errorf("output %s is secret; it is plain configuration", k)
		}
	}
	fleetCAOutputs(t, c, out)
	if o := out["gatewayCapacity"]; o.Secret || !strings.Contains(fmt.Sprint(o.Value), "one pod sustains") {
		t.Errorf("output gatewayCapacity = %#v (secret %v), want the capacity model's summary in plain text", o.Value, o.Secret)
	}
	for k := range out {
		if _, ok := want[k]; !ok && k != "tlsCaCertificate" && k != "tlsCaKey" && k != "gatewayCapacity" {
			t.Errorf("output %s is not documented here (nor, probably, in the README)", k)
		}
	}
	// synth renders the same outputs (outputs.json), but for the fleet CA: offline rendering
	// makes a fixed one, the stack made its own on the first up.
	rendered := render(t, with(richest, userChange)).Outputs
	for k, o := range out {
		if k == "tlsCaCertificate" || k == "tlsCaKey" {
			if _, ok := rendered[k]; !ok {
				t.Errorf("synth renders no output %s", k)
			}
			continue
		}
		if r, ok := rendered[k]; !ok || fmt.Sprint(r) != fmt.Sprint(o.Value) {
			t.Errorf("output %s: the engine says %#v, synth %#v", k, o.Value, r)
		}
	}
	if len(rendered) != len(out) {
		t.Errorf("synth renders %d outputs, the engine has %d", len(rendered), len(out))
	}

	files, err := w.StateFiles()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for path, b := range files {
		text := string(b)
		found = found || strings.Contains(text, "otel-gateway")
		for what, secret := range map[string]string{"the apiserver token": c.Token, "a private key": "PRIVATE KEY", "the passphrase": enginetest.Passphrase} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %s in plain text", path, what)
			}
		}
	}
	if !found {
		t.Fatalf("no state file under %s mentions the gateway: the grep above proves nothing", w.BackendDir)
	}
}

// fleetCAOutputs: the stack owns its fleet CA (no tlsCaStack) and exports it for the
// stacks that sign with it — the certificate in plain, the key as a secret — and both are
// what the cluster's CA issuer signs with (the CA of the first up, kept since: step 3
// proved no preview plans to change it).
func fleetCAOutputs(t *testing.T, c *kubetest.Cluster, out auto.OutputMap) {
	t.Helper()
	cert, key := out["tlsCaCertificate"], out["tlsCaKey"]
	if cert.Secret || !key.Secret {
		t.Errorf("tlsCaCertificate secret=%v, tlsCaKey secret=%v; want the certificate plain and the key secret", cert.Secret, key.Secret)
	}
	body, err := c.Get(t.Context(), "v1", "Secret", "cert-manager", "otel-fleet-ca")
	if err != nil {
		t.Fatalf("the fleet CA secret: %v", err)
	}
	var live struct {
		Data map[string][]byte `json:"data"`
	}
	if err := json.Unmarshal(body, &live); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cert.Value) != string(live.Data["tls.crt"]) || fmt.Sprint(key.Value) != string(live.Data["tls.key"]) {
		t.Error("the exported fleet CA is not the one the cluster's CA issuer signs with")
	}
	if _, err := fleetca.Parse(fleetca.PEM{Certificate: fmt.Sprint(cert.Value), Key: fmt.Sprint(key.Value)}); err != nil {
		t.Errorf("the exported fleet CA: %v", err)
	}
}

// importer is a second kubernetes stack in the same cluster and backend, under its own
// name and namespaces, that signs with the first stack's fleet CA (otelfleet:tlsCaStack).
var importer = map[string]string{
	"otelfleet:name":           "otel2",
	"otelfleet:namespace":      "observability2",
	"otelfleet:agentNamespace": "observability2-agent",
	// The file backend's organization is always "organization".
	"otelfleet:tlsCaStack": "organization/otelfleet/" + stackName,
}

func importerSharesTheCA(t *testing.T, c *kubetest.Cluster, w *enginetest.Workspace, tm *timings) {
	// The importing stack starts from the same stack file (Pulumi.local.yaml).
	b, err := os.ReadFile(filepath.Join(projectDir, "Pulumi."+stackName+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.Dir, "Pulumi.importer.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := w.UpsertStack(t.Context(), "importer")
	if err != nil {
		t.Fatal(err)
	}
	// First in the namespaces the first stack deploys to: refused before anything is
	// registered, naming the key and the stack that owns the namespace.
	setConfig(t, s, with(with(richest, importer), map[string]string{"otelfleet:agentNamespace": "observability-agent"}))
	_, err = s.Preview(t.Context())
	if err == nil || !strings.Contains(err.Error(), `otelfleet:agentNamespace: namespace "observability-agent" is where stack `+stackName+" deploys") {
		t.Errorf("a second stack in the first stack's agent namespace: preview error %v; want one naming otelfleet:agentNamespace and stack %s", err, stackName)
	}
	setConfig(t, s, with(richest, importer))
	start := time.Now()
	res, err := s.Up(t.Context())
	tm.track("up (importing stack)", start)
	if err != nil {
		t.Fatalf("up of the importing stack: %v", err)
	}
	defer func() {
		start := time.Now()
		if _, err := s.Destroy(t.Context()); err != nil {
			t.Errorf("destroy of the importing stack: %v", err)
		}
		tm.track("destroy (importing stack)", start)
	}()
	secret := func(name string) map[string][]byte {
		body, err := c.Get(t.Context(), "v1", "Secret", "cert-manager", name)
		if err != nil {
			t.Fatalf("secret %s: %v", name, err)
		}
		var live struct {
			Data map[string][]byte `json:"data"`
		}
		if err := json.Unmarshal(body, &live); err != nil {
			t.Fatal(err)
		}
		return live.Data
	}
	owner, imported := secret("otel-fleet-ca"), secret("otel2-fleet-ca")
	for _, k := range []string{"tls.crt", "tls.key", "ca.crt"} {
		if len(owner[k]) == 0 || string(owner[k]) != string(imported[k]) {
			t.Errorf("%s of the importing stack's CA secret differs from the owner's", k)
		}
	}
	if got := fmt.Sprint(res.Outputs["tlsCaCertificate"].Value); got != string(owner["tls.crt"]) {
		t.Error("the importing stack exports another CA certificate than the owner's")
	}
	if _, ok := res.Outputs["tlsCaKey"]; ok {
		t.Error("the importing stack re-exports the CA key; only the owner may")
	}
	if got, _ := previewChanges(t, s, tm, "preview (importing stack, no changes)"); len(changed(got)) > 0 {
		t.Errorf("a preview right after the importing stack's up plans changes:\n%s", strings.Join(changed(got), "\n"))
	}
}

func destroyLeavesNothing(t *testing.T, c *kubetest.Cluster, s auto.Stack, want *synth.Result, tm *timings) {
	ev := enginetest.Collect()
	start := time.Now()
	if _, err := s.Destroy(t.Context(), optdestroy.EventStreams(ev.Chan())); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	tm.track("destroy", start)
	for _, d := range unexpectedDiagnostics(ev.Wait()) {
		t.Errorf("destroy: %s", d)
	}
	awaitNothingLeft(t, c, want)
	tm.track("destroy until namespaces are gone", start)
}

// awaitNothingLeft waits until no rendered object and nothing labelled as part of otelfleet
// is left in the cluster: namespaces finish terminating once the namespace controller has
// emptied them, objects deleted in the foreground once the garbage collector has run.
func awaitNothingLeft(t *testing.T, c *kubetest.Cluster, want *synth.Result) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		left, err := c.ListAll(t.Context(), "app.kubernetes.io/part-of=otelfleet")
		if err != nil {
			t.Fatal(err)
		}
		var remaining []string
		for file, m := range want.Manifests {
			if _, err := live(t.Context(), c, m); !kubetest.IsNotFound(err) {
				remaining = append(remaining, fmt.Sprintf("%s (%v)", file, err))
			}
		}
		if len(left) == 0 && len(remaining) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("90 s after destroy, objects remain:\nlabelled part-of=otelfleet: %v\nrendered objects still present: %v", left, remaining)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
