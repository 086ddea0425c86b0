package aks

import (
	"strings"
	"testing"
)

func TestIngestAnnotations(t *testing.T) {
	got, err := IngestAnnotations(Ingest{Internal: true, PrivateIP: "10.224.255.200", Ports: []int{4317}, HealthPort: 13133})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"service.beta.kubernetes.io/azure-load-balancer-internal":         "true",
		"service.beta.kubernetes.io/azure-load-balancer-ipv4":             "10.224.255.200",
		"service.beta.kubernetes.io/port_4317_health-probe_protocol":      "http",
		"service.beta.kubernetes.io/port_4317_health-probe_port":          "13133",
		"service.beta.kubernetes.io/port_4317_health-probe_request-path":  "/",
		"service.beta.kubernetes.io/port_13133_health-probe_protocol":     "http",
		"service.beta.kubernetes.io/port_13133_health-probe_port":         "13133",
		"service.beta.kubernetes.io/port_13133_health-probe_request-path": "/",
	}
	if len(got) != len(want) {
		t.Errorf("%d annotations; want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q; want %q", k, got[k], v)
		}
	}
	for _, bad := range []Ingest{
		{Internal: true, PrivateIP: "20.1.2.3", Ports: []int{4317}, HealthPort: 13133},
		{Internal: true, PrivateIP: "fd00::1", Ports: []int{4317}, HealthPort: 13133},
		{Ports: []int{4317}},
	} {
		if _, err := IngestAnnotations(bad); err == nil {
			t.Errorf("IngestAnnotations(%+v) accepted", bad)
		}
	}
}

func TestAgentSettings(t *testing.T) {
	data, err := PrometheusScrapeArgs{Namespaces: []string{"observability"}, Metrics: []string{"otelcol_process_cpu_seconds"}}.AgentSettings()
	if err != nil {
		t.Fatal(err)
	}
	s := data["prometheus-data-collection-settings"]
	for _, want := range []string{
		"[prometheus_data_collection_settings.cluster]", `interval = "1m"`, "monitor_kubernetes_pods = true",
		`monitor_kubernetes_pods_namespaces = ["observability"]`, `fieldpass = ["otelcol_process_cpu_seconds"]`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("settings lack %s:\n%s", want, s)
		}
	}
	if data["schema-version"] != "v1" {
		t.Errorf("schema-version %q", data["schema-version"])
	}
	if _, err := (PrometheusScrapeArgs{Namespaces: []string{`x"]`}, Metrics: []string{"m"}}).AgentSettings(); err == nil {
		t.Error("a namespace that breaks out of the TOML string was accepted")
	}
}
