package kubetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/toolscript"
)

const ns = "otelfleet-kubetest"

const namespaceYAML = `
apiVersion: v1
kind: Namespace
metadata:
  name: otelfleet-kubetest
  labels:
    pod-security.kubernetes.io/enforce: restricted
`

// A collector gateway that satisfies the restricted Pod Security profile.
const validDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
  namespace: otelfleet-kubetest
spec:
  replicas: 2
  selector:
    matchLabels: {app: gateway}
  template:
    metadata:
      labels: {app: gateway}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: otelcol
        image: otel/opentelemetry-collector-contrib:0.161.0
        args: ["--config=/conf/config.yaml"]
        ports:
        - {name: otlp-grpc, containerPort: 4317}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
`

const privilegedLooseDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: loose
  namespace: otelfleet-kubetest
spec:
  selector:
    matchLabels: {app: loose}
  template:
    metadata:
      labels: {app: loose}
    spec:
      containers:
      - name: otelcol
        image: otel/opentelemetry-collector-contrib:0.161.0
`

const brokenHPA = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: gateway
  namespace: otelfleet-kubetest
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: gateway}
  minReplicas: 5
  maxReplicas: 2
`

const unknownFieldDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: typo
  namespace: otelfleet-kubetest
spec:
  replicaz: 3
  selector:
    matchLabels: {app: typo}
  template:
    metadata:
      labels: {app: typo}
    spec:
      containers:
      - name: c
        image: busybox
`

const loosePod = `
apiVersion: v1
kind: Pod
metadata:
  name: loose
  namespace: otelfleet-kubetest
spec:
  containers:
  - name: c
    image: busybox
`

const restrictedPod = `
apiVersion: v1
kind: Pod
metadata:
  generateName: ok-
  namespace: otelfleet-kubetest
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: busybox
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
`

const certificate = `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: gateway-tls
  namespace: otelfleet-kubetest
spec:
  secretName: gateway-tls
  dnsNames: [gateway.otelfleet-kubetest.svc]
  duration: 2160h
  issuerRef: {name: otelfleet-ca, kind: Issuer}
`

const badCertificate = `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: gateway-tls
  namespace: otelfleet-kubetest
spec:
  secretNam: gateway-tls
  issuerRef: {name: otelfleet-ca, kind: Issuer}
`

const rbac = `
apiVersion: v1
kind: ServiceAccount
metadata: {name: collector, namespace: otelfleet-kubetest}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: otelfleet-kubetest}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: collector-pod-reader, namespace: otelfleet-kubetest}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {kind: ServiceAccount, name: collector, namespace: otelfleet-kubetest}
`

func mustStatus(t *testing.T, err error, code int, contains ...string) *StatusError {
	t.Helper()
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("want *StatusError HTTP %d, got %v", code, err)
	}
	if se.Code != code {
		t.Errorf("HTTP %d, want %d: %v", se.Code, code, err)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not contain %q: %v", s, err)
		}
	}
	return se
}

func hasWarning(ws []string, s string) bool {
	for _, w := range ws {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

func TestCluster(t *testing.T) {
	c := Start(t)
	t.Logf("warm start: %s", c.StartupDuration.Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	t.Run("discovery", func(t *testing.T) {
		if err := c.Discover(ctx); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			apiVersion, kind, plural string
			namespaced               bool
		}{
			{"apps/v1", "Deployment", "deployments", true},
			{"v1", "Namespace", "namespaces", false},
			{"autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true},
			{"rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false},
		} {
			r, err := c.ResourceFor(ctx, tc.apiVersion, tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			if r.Plural != tc.plural || r.Namespaced != tc.namespaced {
				t.Errorf("%s %s: got %+v", tc.apiVersion, tc.kind, r)
			}
		}
		if _, err := c.ResourceFor(ctx, "example.com/v1", "Nope"); err == nil {
			t.Error("unknown kind resolved")
		}
	})

	t.Run("namespace", func(t *testing.T) {
		if _, _, err := c.Apply(ctx, []byte(namespaceYAML), ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		body, err := c.Get(ctx, "v1", "Namespace", "", ns)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), `"pod-security.kubernetes.io/enforce":"restricted"`) {
			t.Errorf("namespace lacks the enforce label: %s", body)
		}
	})

	t.Run("valid deployment dry-run then real", func(t *testing.T) {
		_, warnings, err := c.Apply(ctx, []byte(validDeployment), ApplyOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if hasWarning(warnings, "PodSecurity") {
			t.Errorf("restricted-compliant Deployment got warnings: %q", warnings)
		}
		if _, err := c.Get(ctx, "apps/v1", "Deployment", ns, "gateway"); !IsNotFound(err) {
			t.Fatalf("dry-run stored the Deployment (err=%v)", err)
		}
		body, _, err := c.Apply(ctx, []byte(validDeployment), ApplyOptions{FieldManager: "otelfleet-test"})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Spec struct {
				Strategy struct{ Type string } `json:"strategy"`
			} `json:"spec"`
			Metadata struct {
				ManagedFields []struct{ Manager string } `json:"managedFields"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Spec.Strategy.Type != "RollingUpdate" {
			t.Errorf("apiserver defaulting missing: strategy %q", got.Spec.Strategy.Type)
		}
		if len(got.Metadata.ManagedFields) == 0 || got.Metadata.ManagedFields[0].Manager != "otelfleet-test" {
			t.Errorf("field manager not recorded: %+v", got.Metadata.ManagedFields)
		}
		if _, err := c.Get(ctx, "apps/v1", "Deployment", ns, "gateway"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("broken HPA rejected", func(t *testing.T) {
		_, _, err := c.Apply(ctx, []byte(brokenHPA), ApplyOptions{DryRun: true})
		se := mustStatus(t, err, http.StatusUnprocessableEntity, "spec.maxReplicas", "minReplicas")
		t.Logf("apiserver said: %s", se.Message)
	})

	t.Run("unknown field rejected under Strict", func(t *testing.T) {
		// kube-apiserver v1.33 answers an apply patch with an undeclared
		// field with HTTP 500 "failed to create typed patch object".
		_, _, err := c.Apply(ctx, []byte(unknownFieldDeployment), ApplyOptions{DryRun: true})
		se := mustStatus(t, err, http.StatusInternalServerError, ".spec.replicaz: field not declared in schema")
		t.Logf("apply: apiserver said: %s", se.Message)
		// POST honours fieldValidation=Strict with a 400.
		_, _, err = c.Create(ctx, []byte(unknownFieldDeployment), true)
		se = mustStatus(t, err, http.StatusBadRequest, `strict decoding error: unknown field "spec.replicaz"`)
		t.Logf("create: apiserver said: %s", se.Message)
	})

	t.Run("pod violating restricted rejected", func(t *testing.T) {
		_, _, err := c.Create(ctx, []byte(loosePod), true)
		se := mustStatus(t, err, http.StatusForbidden, `violates PodSecurity "restricted:latest"`)
		t.Logf("apiserver said: %s", se.Message)
		// Positive control: a compliant Pod passes the same admission.
		body, _, err := c.Create(ctx, []byte(restrictedPod), true)
		if err != nil {
			t.Fatalf("restricted-compliant Pod rejected: %v", err)
		}
		if !strings.Contains(string(body), `"name":"ok-`) {
			t.Errorf("generateName not honoured: %s", body)
		}
	})

	t.Run("deployment violating restricted warns", func(t *testing.T) {
		_, warnings, err := c.Apply(ctx, []byte(privilegedLooseDeployment), ApplyOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(warnings, `would violate PodSecurity "restricted:latest"`) {
			t.Fatalf("no PodSecurity warning, got %q", warnings)
		}
		t.Logf("warnings: %q", warnings)
	})

	t.Run("cert-manager CRDs", func(t *testing.T) {
		c.InstallCRDs(t, filepath.Join(CRDDir(t), "cert-manager"))
		r, err := c.ResourceFor(ctx, "cert-manager.io/v1", "Certificate")
		if err != nil {
			t.Fatal(err)
		}
		if r.Plural != "certificates" || !r.Namespaced {
			t.Errorf("Certificate resource: %+v", r)
		}
		if _, _, err := c.Apply(ctx, []byte(certificate), ApplyOptions{DryRun: true}); err != nil {
			t.Fatalf("Certificate dry-run: %v", err)
		}
		_, _, err = c.Apply(ctx, []byte(badCertificate), ApplyOptions{DryRun: true})
		se := mustStatus(t, err, http.StatusInternalServerError, ".spec.secretNam: field not declared in schema")
		t.Logf("apiserver said: %s", se.Message)
	})

	t.Run("SubjectAccessReview", func(t *testing.T) {
		for _, doc := range SplitYAML([]byte(rbac)) {
			if _, _, err := c.Apply(ctx, doc, ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		user, groups := ServiceAccountUser(ns, "collector")
		// The RBAC authorizer reads through informers: wait for the binding.
		deadline := time.Now().Add(15 * time.Second)
		for {
			allowed, reason, err := c.SubjectAccessReview(ctx, user, groups, "get", "", "pods", ns)
			if err != nil {
				t.Fatal(err)
			}
			if allowed {
				t.Logf("get pods allowed: %s", reason)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("get pods still denied: %s", reason)
			}
			time.Sleep(100 * time.Millisecond)
		}
		for _, tc := range []struct{ verb, resource, namespace string }{
			{"get", "secrets", ns},
			{"list", "pods", ns},
			{"get", "pods", "default"},
		} {
			allowed, reason, err := c.SubjectAccessReview(ctx, user, groups, tc.verb, "", tc.resource, tc.namespace)
			if err != nil {
				t.Fatal(err)
			}
			if allowed {
				t.Errorf("%s %s in %s allowed (%s)", tc.verb, tc.resource, tc.namespace, reason)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := c.Delete(ctx, "apps/v1", "Deployment", ns, "gateway"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, "apps/v1", "Deployment", ns, "gateway"); !IsNotFound(err) {
			t.Fatalf("deployment still there after delete: %v", err)
		}
		if err := c.Delete(ctx, "apps/v1", "Deployment", ns, "gateway"); !IsNotFound(err) {
			t.Fatalf("second delete: want NotFound, got %v", err)
		}
	})

	t.Run("kubeconfig", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := c.Kubeconfig(path); err != nil {
			t.Fatal(err)
		}
		kubectl, err := exec.LookPath("kubectl")
		if err != nil {
			t.Logf("kubectl not on PATH; kubeconfig written but not exercised")
			return
		}
		out, err := exec.Command(kubectl, "--kubeconfig", path, "get", "namespace", ns, "-o", "name").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "namespace/"+ns {
			t.Fatalf("kubectl: %v: %s", err, out)
		}
	})
}

// TestAllCRDs installs every collected CRD (cert-manager, VPA,
// prometheus-operator) and dry-runs one object of each project-relevant kind.
func TestAllCRDs(t *testing.T) {
	c := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.InstallCRDs(t, CRDDir(t))
	objs := []string{
		`{"apiVersion":"autoscaling.k8s.io/v1","kind":"VerticalPodAutoscaler","metadata":{"name":"gw"},
		  "spec":{"targetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"gateway"},"updatePolicy":{"updateMode":"Off"}}}`,
		`{"apiVersion":"monitoring.coreos.com/v1","kind":"ServiceMonitor","metadata":{"name":"gw"},
		  "spec":{"selector":{"matchLabels":{"app":"gateway"}},"endpoints":[{"port":"metrics","interval":"30s"}]}}`,
		`{"apiVersion":"monitoring.coreos.com/v1","kind":"PodMonitor","metadata":{"name":"gw"},
		  "spec":{"selector":{"matchLabels":{"app":"gateway"}},"podMetricsEndpoints":[{"port":"metrics"}]}}`,
		`{"apiVersion":"monitoring.coreos.com/v1","kind":"PrometheusRule","metadata":{"name":"gw"},
		  "spec":{"groups":[{"name":"otel","rules":[{"alert":"Down","expr":"up == 0","for":"5m"}]}]}}`,
		`{"apiVersion":"cert-manager.io/v1","kind":"Issuer","metadata":{"name":"selfsigned"},"spec":{"selfSigned":{}}}`,
	}
	for _, o := range objs {
		if _, _, err := c.Apply(ctx, []byte(o), ApplyOptions{DryRun: true}); err != nil {
			t.Errorf("dry-run: %v", err)
		}
	}
	// The CRD schema is enforced: wrong type for interval.
	bad := `{"apiVersion":"monitoring.coreos.com/v1","kind":"ServiceMonitor","metadata":{"name":"bad"},
	  "spec":{"selector":{},"endpoints":[{"port":"metrics","interval":30}]}}`
	_, _, err := c.Apply(ctx, []byte(bad), ApplyOptions{DryRun: true})
	if err == nil {
		t.Fatal("ServiceMonitor with a numeric interval accepted")
	}
	t.Logf("apiserver said: %v", err)
}

// fakeTB records failures instead of failing the real test, so the harness's
// own failure paths can be checked.
type fakeTB struct {
	testing.TB
	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func (f *fakeTB) record(skip bool, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if skip {
		f.skipped = true
	} else {
		f.failed = true
	}
	f.msgs = append(f.msgs, msg)
}
func (f *fakeTB) Error(args ...any)                 { f.record(false, fmt.Sprint(args...)) }
func (f *fakeTB) Errorf(format string, args ...any) { f.record(false, fmt.Sprintf(format, args...)) }
func (f *fakeTB) Fail()                             { f.record(false, "Fail") }
func (f *fakeTB) FailNow()                          { f.record(false, "FailNow"); runtime.Goexit() }
func (f *fakeTB) Fatal(args ...any)                 { f.record(false, fmt.Sprint(args...)); runtime.Goexit() }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.record(false, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (f *fakeTB) Skip(args ...any) { f.record(true, fmt.Sprint(args...)); runtime.Goexit() }
func (f *fakeTB) Skipf(format string, args ...any) {
	f.record(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (f *fakeTB) SkipNow()     { f.record(true, "SkipNow"); runtime.Goexit() }
func (f *fakeTB) Failed() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.failed }

func runFake(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

// TestStartFailsLoudly proves a broken binary makes Start fail the test (with
// the process log) rather than skip it.
func TestStartFailsLoudly(t *testing.T) {
	t.Run("missing binary", func(t *testing.T) {
		t.Setenv(EnvKubeAPIServer, filepath.Join(t.TempDir(), "no-such-kube-apiserver"))
		t.Setenv(EnvEtcd, "/bin/true")
		t.Setenv(EnvKubeControllerManager, "/bin/true")
		f := runFake(t, func(tb testing.TB) { Start(tb) })
		if !f.failed || f.skipped {
			t.Fatalf("failed=%v skipped=%v msgs=%q", f.failed, f.skipped, f.msgs)
		}
		if !strings.Contains(strings.Join(f.msgs, "\n"), "no-such-kube-apiserver") {
			t.Errorf("failure does not name the binary: %q", f.msgs)
		}
	})
	t.Run("build script fails", func(t *testing.T) {
		// A fake repository whose tools/kube-apiserver.sh fails.
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, "tools"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module fake\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		script := "#!/usr/bin/env bash\necho 'compiling...' >&2\necho 'boom: proxy said 403' >&2\nexit 3\n"
		for name, text := range map[string]string{"kube-apiserver.sh": script, "test.sh": "exit 0\n"} {
			if err := os.WriteFile(filepath.Join(root, "tools", name), []byte(text), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Chdir(root)
		t.Setenv(EnvKubeAPIServer, "")
		t.Setenv(EnvEtcd, "")
		toolscript.Forget("kube-apiserver.sh")
		t.Cleanup(func() { toolscript.Forget("kube-apiserver.sh") })

		f := runFake(t, func(tb testing.TB) { Start(tb) })
		if !f.failed || f.skipped {
			t.Fatalf("failed=%v skipped=%v msgs=%q", f.failed, f.skipped, f.msgs)
		}
		msg := strings.Join(f.msgs, "\n")
		t.Logf("Start failed as expected:\n%s", msg)
		for _, want := range []string{"boom: proxy said 403", "exit status 3"} {
			if !strings.Contains(msg, want) {
				t.Errorf("failure lacks %q: %s", want, msg)
			}
		}
	})
	t.Run("apiserver exits", func(t *testing.T) {
		bins, err := ResolveBinaries()
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv(EnvEtcd, bins.Etcd)
		// A kube-apiserver that rejects its flags: exits at once.
		t.Setenv(EnvKubeAPIServer, "/bin/false")
		f := runFake(t, func(tb testing.TB) { Start(tb) })
		if !f.failed || f.skipped {
			t.Fatalf("failed=%v skipped=%v msgs=%q", f.failed, f.skipped, f.msgs)
		}
		msg := strings.Join(f.msgs, "\n")
		t.Logf("Start failed as expected (first 400 bytes):\n%.400s", msg)
		for _, want := range []string{"kube-apiserver exited", "--- etcd log", "--- kube-apiserver log"} {
			if !strings.Contains(msg, want) {
				t.Errorf("failure lacks %q: %s", want, msg)
			}
		}
	})
}

func TestParseWarnings(t *testing.T) {
	got := parseWarnings([]string{
		`299 - "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"`,
		`299 - "a", 299 - "b, with comma" "Wed, 21 Oct 2015 07:28:00 GMT"`,
		`not a warning`,
	})
	want := []string{
		`would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false`,
		"a", "b, with comma", "not a warning",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestSplitYAML(t *testing.T) {
	docs := SplitYAML([]byte("# header\n---\na: 1\n--- # second\nb: |\n  ---\n  x\n---\n\n# only comment\n...\n"))
	if len(docs) != 2 || !strings.HasPrefix(string(docs[0]), "a: 1") || !strings.Contains(string(docs[1]), "  ---") {
		t.Errorf("got %q", docs)
	}
}
