package kube_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"sigs.k8s.io/yaml"
)

// baseArgs is a fleet as a stack would configure it, with a debug backend.
func baseArgs() *kube.FleetArgs {
	return &kube.FleetArgs{
		Prefix: "otel", Environment: "test", Image: collector.ReleaseImage,
		Namespace: "observability", AgentNamespace: "observability-agent", LogLevel: "info",
		AgentModes:         []string{collector.AgentDaemonSet},
		AgentResources:     kube.Resources{CPURequest: "200m", CPULimit: "500m", MemoryRequest: "256Mi", MemoryLimit: "512Mi"},
		AgentK8sAttributes: true, AgentQueueSize: 1000,
		Gateway: kube.GatewaySettings{
			Kind: kube.KindDeployment, Replicas: 3, PDBMaxUnavailable: 1, QueueSize: 5000, QueueStorageSize: "10Gi",
			Resources: kube.Resources{CPURequest: "1", CPULimit: "2", MemoryRequest: "2Gi", MemoryLimit: "4Gi"},
			HPA:       &kube.HPA{MinReplicas: 3, MaxReplicas: 10, CPUPercent: 70, MemoryPercent: 80},
		},
		Sampling:  collector.Sampling{Mode: collector.SamplingNone},
		Exporters: []collector.Exporter{{ID: "otlp_grpc/backend", Config: collector.OTLPExporter{Endpoint: "backend.example.com:4317"}, Signals: []string{collector.Traces, collector.Metrics, collector.Logs}}},
	}
}

func render(t *testing.T, args *kube.FleetArgs) *synth.Result {
	t.Helper()
	res, err := synth.Render(&synth.StackConfig{Project: "otelfleet", Stack: "test", Values: map[string]string{}}, func(ctx *pulumi.Context) error {
		_, err := kube.NewFleet(ctx, "fleet", args)
		return err
	})
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return res
}

// get walks a manifest by keys (strings) and indexes (ints).
func get(t *testing.T, obj any, path ...any) any {
	t.Helper()
	cur := obj
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not an object", path)
			}
			cur = m[k]
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: no element %d", path, k)
			}
			cur = a[k]
		}
	}
	return cur
}

func manifest(t *testing.T, res *synth.Result, file string) map[string]any {
	t.Helper()
	m, ok := res.Manifests[file]
	if !ok {
		names := make([]string, 0, len(res.Manifests))
		for n := range res.Manifests {
			names = append(names, n)
		}
		slices.Sort(names)
		t.Fatalf("no manifest %s; have %v", file, names)
	}
	return m
}

func podTemplates(res *synth.Result) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, m := range res.Manifests {
		switch m["kind"] {
		case "Deployment", "StatefulSet", "DaemonSet":
			spec, _ := m["spec"].(map[string]any)
			tpl, _ := spec["template"].(map[string]any)
			out[name] = tpl
		}
	}
	return out
}

func TestEveryContainerIsLockedDown(t *testing.T) {
	args := baseArgs()
	args.AgentModes = append(args.AgentModes, collector.AgentSidecar)
	res := render(t, args)
	templates := podTemplates(res)
	if len(templates) != 3 {
		t.Fatalf("want gateway, agent and example workloads, got %d", len(templates))
	}
	for name, tpl := range templates {
		spec := tpl["spec"].(map[string]any)
		if got := get(t, spec, "securityContext", "seccompProfile", "type"); got != "RuntimeDefault" {
			t.Errorf("%s: pod seccomp = %v", name, got)
		}
		var containers []any
		for _, key := range []string{"containers", "initContainers"} {
			if c, ok := spec[key].([]any); ok {
				containers = append(containers, c...)
			}
		}
		for _, c := range containers {
			c := c.(map[string]any)
			id := fmt.Sprintf("%s/%s", name, c["name"])
			sc := c["securityContext"].(map[string]any)
			if sc["runAsNonRoot"] != true || sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false {
				t.Errorf("%s: securityContext %v is not non-root / read-only / no escalation", id, sc)
			}
			if drop := get(t, sc, "capabilities", "drop"); fmt.Sprint(drop) != "[ALL]" {
				t.Errorf("%s: capabilities drop = %v", id, drop)
			}
			for _, r := range []string{"requests", "limits"} {
				res := get(t, c, "resources", r).(map[string]any)
				if res["cpu"] == nil || res["memory"] == nil {
					t.Errorf("%s: resources.%s = %v", id, r, res)
				}
			}
			if c["name"] == "app" {
				continue // the example application is not a collector
			}
			for _, probe := range []string{"livenessProbe", "readinessProbe"} {
				if port := get(t, c, probe, "httpGet", "port"); port != int64(collector.PortHealthCheck) {
					t.Errorf("%s: %s port = %v", id, probe, port)
				}
			}
			if !hasEnv(c, "GOMEMLIMIT") {
				t.Errorf("%s: no GOMEMLIMIT", id)
			}
		}
	}
}

func hasEnv(c map[string]any, name string) bool {
	env, _ := c["env"].([]any)
	for _, e := range env {
		if e.(map[string]any)["name"] == name {
			return true
		}
	}
	return false
}

func TestGOMEMLIMITAndMemoryLimiterFollowTheLimit(t *testing.T) {
	res := render(t, baseArgs())
	if cfg := res.Collector["observability-otel-gateway.yaml"]; !strings.Contains(cfg, "limit_mib: 3276") || !strings.Contains(cfg, "spike_limit_mib: 819") {
		t.Errorf("gateway memory_limiter not sized from 4Gi:\n%s", cfg)
	}
	// Both tiers collect garbage less often (GOGC) but keep their heap under the
	// memory_limiter's soft limit, or garbage alone would make them refuse data.
	for manifestFile, configFile := range map[string]string{
		"deployment-observability-otel-gateway.yaml":    "observability-otel-gateway.yaml",
		"daemonset-observability-agent-otel-agent.yaml": "observability-agent-otel-agent.yaml",
	} {
		c := get(t, manifest(t, res, manifestFile), "spec", "template", "spec", "containers", 0).(map[string]any)
		env := map[string]string{}
		for _, e := range c["env"].([]any) {
			if e, ok := e.(map[string]any); ok && e["value"] != nil {
				env[e["name"].(string)] = e["value"].(string)
			}
		}
		var cfg struct {
			Processors struct {
				MemoryLimiter struct {
					LimitMiB      int `json:"limit_mib"`
					SpikeLimitMiB int `json:"spike_limit_mib"`
				} `json:"memory_limiter"`
			} `json:"processors"`
		}
		if err := yaml.Unmarshal([]byte(res.Collector[configFile]), &cfg); err != nil {
			t.Fatal(err)
		}
		soft := cfg.Processors.MemoryLimiter.LimitMiB - cfg.Processors.MemoryLimiter.SpikeLimitMiB
		var goMemLimit int
		if _, err := fmt.Sscanf(env["GOMEMLIMIT"], "%dMiB", &goMemLimit); err != nil || goMemLimit <= 0 || goMemLimit >= soft {
			t.Errorf("%s: GOMEMLIMIT = %q; want below the memory_limiter's soft limit %d MiB", manifestFile, env["GOMEMLIMIT"], soft)
		}
		if env["GOGC"] == "" {
			t.Errorf("%s: env %v sets no GOGC", manifestFile, env)
		}
	}
}

func TestHPAOwnsReplicas(t *testing.T) {
	res := render(t, baseArgs())
	dep := manifest(t, res, "deployment-observability-otel-gateway.yaml")
	if r, ok := dep["spec"].(map[string]any)["replicas"]; ok {
		t.Errorf("with the HPA on the Deployment pins replicas = %v", r)
	}
	hpa := manifest(t, res, "horizontalpodautoscaler-observability-otel-gateway.yaml")
	if get(t, hpa, "spec", "minReplicas") != int64(3) || get(t, hpa, "spec", "maxReplicas") != int64(10) {
		t.Errorf("hpa bounds = %v..%v", get(t, hpa, "spec", "minReplicas"), get(t, hpa, "spec", "maxReplicas"))
	}
	if got := get(t, hpa, "spec", "scaleTargetRef", "name"); got != "otel-gateway" {
		t.Errorf("hpa target = %v", got)
	}
	targets := map[string]int64{}
	for _, m := range get(t, hpa, "spec", "metrics").([]any) {
		r := m.(map[string]any)["resource"].(map[string]any)
		targets[r["name"].(string)] = get(t, r, "target", "averageUtilization").(int64)
	}
	if targets["cpu"] != 70 || targets["memory"] != 80 {
		t.Errorf("hpa targets = %v", targets)
	}

	args := baseArgs()
	args.Gateway.HPA = nil
	res = render(t, args)
	if got := get(t, manifest(t, res, "deployment-observability-otel-gateway.yaml"), "spec", "replicas"); got != int64(3) {
		t.Errorf("without HPA replicas = %v; want 3", got)
	}
	if _, ok := res.Manifests["horizontalpodautoscaler-observability-otel-gateway.yaml"]; ok {
		t.Error("HPA rendered although disabled")
	}
}

func TestConfigChangeRollsPods(t *testing.T) {
	checksum := func(args *kube.FleetArgs) any {
		return get(t, manifest(t, render(t, args), "deployment-observability-otel-gateway.yaml"), "spec", "template", "metadata", "annotations", "checksum/config")
	}
	a := checksum(baseArgs())
	changed := baseArgs()
	changed.Gateway.QueueSize = 6000
	if b := checksum(changed); a == b {
		t.Errorf("gateway checksum unchanged after a config change: %v", a)
	}
	if c := checksum(baseArgs()); a != c {
		t.Errorf("equal configs give different checksums: %v vs %v", a, c)
	}
}

func TestStatefulSetQueueVolume(t *testing.T) {
	args := baseArgs()
	args.Gateway.Kind, args.Gateway.PersistentQueue, args.Gateway.StorageClass = kube.KindStatefulSet, true, "gp3"
	res := render(t, args)
	sts := manifest(t, res, "statefulset-observability-otel-gateway.yaml")
	claim := get(t, sts, "spec", "volumeClaimTemplates", 0).(map[string]any)
	if get(t, claim, "spec", "resources", "requests", "storage") != "10Gi" || get(t, claim, "spec", "storageClassName") != "gp3" {
		t.Errorf("queue claim = %v", claim)
	}
	if get(t, sts, "spec", "serviceName") != "otel-gateway-headless" {
		t.Errorf("statefulset serviceName = %v", get(t, sts, "spec", "serviceName"))
	}
	cfg := res.Collector["observability-otel-gateway.yaml"]
	if !strings.Contains(cfg, "directory: /var/lib/otelcol/queue") || !strings.Contains(cfg, "storage: file_storage/queue") {
		t.Errorf("gateway config has no persistent queue:\n%s", cfg)
	}
	if _, ok := res.Manifests["deployment-observability-otel-gateway.yaml"]; ok {
		t.Error("a Deployment was rendered beside the StatefulSet")
	}
}

func TestServicesPDBAndNetworkPolicy(t *testing.T) {
	res := render(t, baseArgs())
	svc := manifest(t, res, "service-observability-otel-gateway.yaml")
	var ports []string
	for _, p := range get(t, svc, "spec", "ports").([]any) {
		ports = append(ports, fmt.Sprint(p.(map[string]any)["port"]))
	}
	if strings.Join(ports, ",") != "4317,4318,8888" {
		t.Errorf("gateway service ports = %v", ports)
	}
	if get(t, manifest(t, res, "service-observability-otel-gateway-headless.yaml"), "spec", "clusterIP") != "None" {
		t.Error("headless service is not headless")
	}
	if get(t, manifest(t, res, "service-observability-agent-otel-agent.yaml"), "spec", "internalTrafficPolicy") != "Local" {
		t.Error("agent service does not keep traffic on the node")
	}
	if get(t, manifest(t, res, "poddisruptionbudget-observability-otel-gateway.yaml"), "spec", "maxUnavailable") != int64(1) {
		t.Error("pdb maxUnavailable != 1")
	}
	np := manifest(t, res, "networkpolicy-observability-otel-gateway.yaml")
	otlp := get(t, np, "spec", "ingress", 0).(map[string]any)
	from := fmt.Sprint(otlp["from"])
	for _, want := range []string{"otelfleet.io/telemetry:enabled", "kubernetes.io/metadata.name:observability-agent"} {
		if !strings.Contains(from, want) {
			t.Errorf("OTLP ingress %s does not admit %s", from, want)
		}
	}
	args := baseArgs()
	args.Gateway.AllowAllNamespaces = true
	np = manifest(t, render(t, args), "networkpolicy-observability-otel-gateway.yaml")
	if got := fmt.Sprint(get(t, np, "spec", "ingress", 0, "from")); got != "[map[namespaceSelector:map[]]]" {
		t.Errorf("all-namespaces OTLP ingress = %s", got)
	}
}

func TestAgentRBACIsReadOnly(t *testing.T) {
	res := render(t, baseArgs())
	role := manifest(t, res, "clusterrole-otel-agent-k8sattributes.yaml")
	for _, r := range role["rules"].([]any) {
		r := r.(map[string]any)
		if fmt.Sprint(r["verbs"]) != "[get list watch]" {
			t.Errorf("rule %v grants more than read", r)
		}
		if strings.Contains(fmt.Sprint(r["resources"]), "secrets") {
			t.Errorf("rule %v reads secrets", r)
		}
	}
	if get(t, manifest(t, res, "serviceaccount-observability-otel-gateway.yaml"), "automountServiceAccountToken") != false {
		t.Error("gateway mounts a Kubernetes API token it does not need")
	}
	args := baseArgs()
	args.AgentK8sAttributes = false
	res = render(t, args)
	if _, ok := res.Manifests["clusterrole-otel-agent-k8sattributes.yaml"]; ok {
		t.Error("RBAC rendered although k8s attributes are off")
	}
}

func TestLogCollectionNeedsPrivilegedAgentNamespace(t *testing.T) {
	args := baseArgs()
	args.AgentLogCollection = true
	res := render(t, args)
	ns := manifest(t, res, "namespace-observability-agent.yaml")
	if get(t, ns, "metadata", "labels", "pod-security.kubernetes.io/enforce") != "privileged" {
		t.Error("agent namespace with log collection is not privileged")
	}
	if get(t, manifest(t, res, "namespace-observability.yaml"), "metadata", "labels", "pod-security.kubernetes.io/enforce") != "restricted" {
		t.Error("gateway namespace is not restricted")
	}
	ds := manifest(t, res, "daemonset-observability-agent-otel-agent.yaml")
	mounts := fmt.Sprint(get(t, ds, "spec", "template", "spec", "containers", 0, "volumeMounts"))
	if !strings.Contains(mounts, "mountPath:/var/log name:varlog readOnly:true") {
		t.Errorf("agent does not mount /var/log read-only: %s", mounts)
	}
	if !strings.Contains(res.Collector["observability-agent-otel-agent.yaml"], "file_log") {
		t.Error("agent config has no file_log receiver")
	}

	args.AgentNamespace = args.Namespace
	if _, err := synth.Render(&synth.StackConfig{Project: "otelfleet", Stack: "test"}, func(ctx *pulumi.Context) error {
		_, err := kube.NewFleet(ctx, "fleet", args)
		return err
	}); err == nil || !strings.Contains(err.Error(), "agent namespace") {
		t.Errorf("log collection in the gateway namespace: err = %v", err)
	}
}

func TestTLSWiresCertificatesIntoBothTiers(t *testing.T) {
	args := baseArgs()
	args.TLS = &kube.CertManagerArgs{Install: true, Version: "v1.21.2"}
	args.Sampling = collector.Sampling{Mode: collector.SamplingTail, Percentage: 10, DecisionWait: "10s", LatencyThresholdMs: 500}
	res := render(t, args)
	cert := manifest(t, res, "certificate-observability-otel-gateway-tls.yaml")
	if get(t, cert, "spec", "issuerRef", "name") != "otel-ca" {
		t.Errorf("gateway certificate issuer = %v", get(t, cert, "spec", "issuerRef"))
	}
	if !strings.Contains(fmt.Sprint(get(t, cert, "spec", "dnsNames")), "otel-gateway.observability.svc.cluster.local") {
		t.Errorf("gateway certificate names = %v", get(t, cert, "spec", "dnsNames"))
	}
	gw, agent := res.Collector["observability-otel-gateway.yaml"], res.Collector["observability-agent-otel-agent.yaml"]
	if !strings.Contains(gw, "client_ca_file: /etc/otelcol-tls/ca.crt") {
		t.Errorf("gateway does not require client certificates:\n%s", gw)
	}
	if !strings.Contains(agent, "ca_file: /etc/otelcol-tls/ca.crt") || strings.Contains(agent, "insecure: true") {
		t.Errorf("agent does not verify the gateway:\n%s", agent)
	}
	if !strings.Contains(agent, "server_name_override: otel-gateway.observability.svc.cluster.local") {
		t.Errorf("load-balanced traces do not verify the gateway's name:\n%s", agent)
	}
	if len(res.Find("kubernetes:helm.sh/v3:Release")) != 1 {
		t.Error("cert-manager is not installed")
	}
}

func TestSidecarExample(t *testing.T) {
	args := baseArgs()
	args.AgentModes = []string{collector.AgentSidecar}
	res := render(t, args)
	if _, ok := res.Manifests["daemonset-observability-agent-otel-agent.yaml"]; ok {
		t.Error("DaemonSet rendered without the daemonset mode")
	}
	spec := get(t, manifest(t, res, "deployment-otel-example-otel-example.yaml"), "spec", "template", "spec").(map[string]any)
	sidecar := get(t, spec, "initContainers", 0).(map[string]any)
	if sidecar["name"] != kube.SidecarContainerName || sidecar["restartPolicy"] != "Always" {
		t.Errorf("sidecar = %v/%v; want a restartable init container", sidecar["name"], sidecar["restartPolicy"])
	}
	app := get(t, spec, "containers", 0).(map[string]any)
	if !strings.Contains(fmt.Sprint(app["env"]), "name:OTEL_EXPORTER_OTLP_ENDPOINT value:http://localhost:4317") {
		t.Errorf("app env = %v", app["env"])
	}
	if !strings.Contains(res.Collector["otel-example-otel-example-agent-config.yaml"], "${env:K8S_POD_NAME}") {
		t.Error("sidecar config does not add the pod name")
	}
}

func TestCanaryTrackSharesTheServices(t *testing.T) {
	args := baseArgs()
	args.Canary = &kube.CanarySettings{Image: "otel/opentelemetry-collector-contrib:0.162.0", Replicas: 2, LogLevel: "debug"}
	res := render(t, args)
	stable := manifest(t, res, "deployment-observability-otel-gateway.yaml")
	canary := manifest(t, res, "deployment-observability-otel-gateway-canary.yaml")
	if get(t, canary, "spec", "replicas") != int64(2) {
		t.Errorf("canary replicas = %v", get(t, canary, "spec", "replicas"))
	}
	if img := get(t, canary, "spec", "template", "spec", "containers", 0, "image"); img != "otel/opentelemetry-collector-contrib:0.162.0" {
		t.Errorf("canary image = %v", img)
	}
	for file, track := range map[string]any{"stable": stable, "canary": canary} {
		m := track.(map[string]any)
		if got := get(t, m, "spec", "selector", "matchLabels", "otelfleet.io/track"); got != file {
			t.Errorf("%s selector track = %v", file, got)
		}
		if got := get(t, m, "spec", "template", "metadata", "labels", "otelfleet.io/track"); got != file {
			t.Errorf("%s pod track = %v", file, got)
		}
	}
	svcSelector := get(t, manifest(t, res, "service-observability-otel-gateway.yaml"), "spec", "selector").(map[string]any)
	if _, ok := svcSelector["otelfleet.io/track"]; ok {
		t.Error("the Service selects one track only")
	}
	for k, v := range svcSelector {
		if get(t, canary, "spec", "template", "metadata", "labels", k) != v {
			t.Errorf("the Service does not select canary pods (label %s)", k)
		}
	}
	if cfg := res.Collector["observability-otel-gateway-canary.yaml"]; !strings.Contains(cfg, "level: debug") {
		t.Errorf("canary config lacks its log level override:\n%s", cfg)
	}
	if get(t, manifest(t, res, "horizontalpodautoscaler-observability-otel-gateway.yaml"), "spec", "scaleTargetRef", "name") != "otel-gateway" {
		t.Error("the HPA should scale the stable track only")
	}
}

func TestMonitoring(t *testing.T) {
	args := baseArgs()
	args.Monitoring = &kube.MonitoringSettings{PrometheusOperator: true, Dashboard: true}
	res := render(t, args)
	sm := manifest(t, res, "servicemonitor-observability-otel-gateway.yaml")
	if get(t, sm, "spec", "endpoints", 0, "port") != "metrics" {
		t.Errorf("service monitor endpoint = %v", get(t, sm, "spec", "endpoints"))
	}
	manifest(t, res, "podmonitor-observability-otel-agent.yaml")
	rules := get(t, manifest(t, res, "prometheusrule-observability-otel-gateway-alerts.yaml"), "spec", "groups", 0, "rules").([]any)
	var names []string
	for _, r := range rules {
		r := r.(map[string]any)
		names = append(names, r["alert"].(string))
		if !strings.Contains(r["expr"].(string), `namespace=~"observability|observability-agent"`) {
			t.Errorf("%s does not select the fleet's namespaces: %s", r["alert"], r["expr"])
		}
	}
	for _, want := range []string{"OtelfleetReceiverRefusingData", "OtelfleetExporterSendFailures", "OtelfleetExporterQueueNearlyFull", "OtelfleetMemoryLimiterRefusing", "OtelfleetCollectorRestarting", "OtelfleetGatewayBelowMinimum"} {
		if !slices.Contains(names, want) {
			t.Errorf("no alert %s in %v", want, names)
		}
	}
	if slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "OtelfleetTailSampling") }) {
		t.Errorf("tail-sampling alerts without tail sampling: %v", names)
	}
	below := rules[len(rules)-1].(map[string]any)["expr"].(string)
	if !strings.HasSuffix(below, "< 3") || !strings.Contains(below, `deployment="otel-gateway"`) {
		t.Errorf("minimum-replicas alert = %s", below)
	}
	dash, ok := res.Dashboards["otelfleet-fleet.json"]
	if !ok || !strings.Contains(dash, collector.MetricExporterQueueCapacity) {
		t.Errorf("dashboard missing or without queue panel: %v", ok)
	}

	// With tail sampling: the buffer alert at 80 % of the sampler's num_traces, and the
	// eviction alert on the counter of traces lost undecided.
	tail := baseArgs()
	tail.Monitoring = args.Monitoring
	tail.Sampling = collector.Sampling{Mode: collector.SamplingTail, Percentage: 10, DecisionWait: "5s", LatencyThresholdMs: 500}
	exprs := map[string]string{}
	for _, r := range get(t, manifest(t, render(t, tail), "prometheusrule-observability-otel-gateway-alerts.yaml"), "spec", "groups", 0, "rules").([]any) {
		r := r.(map[string]any)
		exprs[r["alert"].(string)] = r["expr"].(string)
	}
	if e := exprs["OtelfleetTailSamplingBufferFilling"]; !strings.Contains(e, collector.MetricTailSamplingTracesOnMemory) || !strings.HasSuffix(e, fmt.Sprintf("> %d", collector.TailSamplingTraces*8/10)) {
		t.Errorf("OtelfleetTailSamplingBufferFilling = %q", e)
	}
	if e := exprs["OtelfleetTailSamplingEvictingUndecided"]; !strings.Contains(e, collector.MetricTailSamplingDroppedTooEarly) {
		t.Errorf("OtelfleetTailSamplingEvictingUndecided = %q", e)
	}

	args.Monitoring = &kube.MonitoringSettings{Dashboard: true}
	res = render(t, args)
	if _, ok := res.Manifests["servicemonitor-observability-otel-gateway.yaml"]; ok {
		t.Error("ServiceMonitor rendered without the Prometheus operator")
	}
}

func TestIngestLoadBalancer(t *testing.T) {
	args := baseArgs()
	args.GatewayIngest = &kube.Ingest{Annotations: map[string]string{"example.com/internal": "true"}, SourceRanges: []string{"10.0.0.0/8"}}
	var host string
	res, err := synth.Render(&synth.StackConfig{Project: "otelfleet", Stack: "test"}, func(ctx *pulumi.Context) error {
		f, err := kube.NewFleet(ctx, "fleet", args)
		if err != nil {
			return err
		}
		f.GatewayIngestHost.ApplyT(func(h string) string { host = h; return h })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := manifest(t, res, "service-observability-otel-gateway-ingest.yaml")
	if get(t, svc, "spec", "type") != "LoadBalancer" || get(t, svc, "metadata", "annotations", "example.com/internal") != "true" {
		t.Errorf("ingest service = %v", svc)
	}
	if got := fmt.Sprint(get(t, svc, "spec", "loadBalancerSourceRanges")); got != "[10.0.0.0/8]" {
		t.Errorf("source ranges = %s", got)
	}
	var ports []string
	for _, p := range get(t, svc, "spec", "ports").([]any) {
		ports = append(ports, fmt.Sprint(p.(map[string]any)["port"]))
	}
	if strings.Join(ports, ",") != "4317,4318,13133" {
		t.Errorf("ingest ports = %v", ports)
	}
	np := manifest(t, res, "networkpolicy-observability-otel-gateway.yaml")
	if got := fmt.Sprint(get(t, np, "spec", "ingress", 2)); !strings.Contains(got, "cidr:10.0.0.0/8") || !strings.Contains(got, "port:13133") {
		t.Errorf("NetworkPolicy does not admit the ingest load balancer's clients and health checks: %s", got)
	}
	if host != "fleet-gateway-ingest.lb.invalid" {
		t.Errorf("ingest host output = %q", host)
	}
	if _, ok := render(t, baseArgs()).Manifests["service-observability-otel-gateway-ingest.yaml"]; ok {
		t.Error("ingest service rendered without GatewayIngest")
	}
}

// TestNewStorageClass: the fleet creates the queue volumes' StorageClass when asked, and
// refuses a class without a name or provisioner before registering anything.
func TestNewStorageClass(t *testing.T) {
	args := baseArgs()
	args.Gateway.Kind, args.Gateway.PersistentQueue, args.Gateway.QueueStorageSize = kube.KindStatefulSet, true, "10Gi"
	args.Gateway.StorageClass = "queue-ssd"
	args.Gateway.NewStorageClass = &kube.StorageClassArgs{Provisioner: "disk.csi.example.com", Parameters: map[string]string{"tier": "ssd"}}
	res := render(t, args)
	sc := manifest(t, res, "storageclass-queue-ssd.yaml")
	if get(t, sc, "provisioner") != "disk.csi.example.com" || get(t, sc, "parameters", "tier") != "ssd" || get(t, sc, "volumeBindingMode") != "WaitForFirstConsumer" {
		t.Errorf("StorageClass = %v", sc)
	}
	if got := get(t, manifest(t, res, "statefulset-observability-otel-gateway.yaml"), "spec", "volumeClaimTemplates", 0, "spec", "storageClassName"); got != "queue-ssd" {
		t.Errorf("queue PVC class = %v; want queue-ssd", got)
	}

	args.Gateway.StorageClass = ""
	_, err := synth.Render(&synth.StackConfig{Project: "otelfleet", Stack: "test", Values: map[string]string{}}, func(ctx *pulumi.Context) error {
		_, err := kube.NewFleet(ctx, "fleet", args)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "NewStorageClass needs Gateway.StorageClass") {
		t.Errorf("a StorageClass without a name: err = %v", err)
	}
}
