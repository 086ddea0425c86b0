package collector

import (
	"fmt"
	"time"
)

// PrometheusScrape is the DaemonSet agent's Prometheus preset: every agent scrapes the pods
// of its own node that carry the usual annotations — prometheus.io/scrape: "true",
// prometheus.io/port (default: the pod's declared ports) and prometheus.io/path (default
// /metrics) — so existing exporters keep working without a Prometheus server, and the
// fleet's own collectors (annotated for their :8888) are scraped too.
type PrometheusScrape struct {
	// Interval between scrapes; default 30s.
	Interval string
	// NodeEnvVar holds the agent's node name: discovery watches only that node's pods.
	NodeEnvVar string
}

// Validate checks the preset.
func (p PrometheusScrape) Validate() error {
	if p.NodeEnvVar == "" {
		return fmt.Errorf("prometheus scrape: NodeEnvVar is required (the node-scoped discovery needs the node name)")
	}
	if _, err := time.ParseDuration(p.interval()); err != nil {
		return fmt.Errorf("prometheus scrape: Interval %q: %v", p.Interval, err)
	}
	return nil
}

func (p PrometheusScrape) interval() string { return orDefault(p.Interval, "30s") }

// PrometheusReceiver embeds a Prometheus scrape configuration.
type PrometheusReceiver struct {
	Config PrometheusConfig `json:"config"`
}

func (PrometheusReceiver) Type() string { return TypePrometheus }

// Signals reports the pipelines the component can be part of.
func (PrometheusReceiver) Signals() []string { return []string{Metrics} }

// PrometheusConfig is the part of prometheus.yml the receiver takes.
type PrometheusConfig struct {
	ScrapeConfigs []ScrapeConfig `json:"scrape_configs"`
}

// ScrapeConfig is one Prometheus scrape job.
type ScrapeConfig struct {
	JobName             string          `json:"job_name"`
	ScrapeInterval      string          `json:"scrape_interval,omitempty"`
	KubernetesSDConfigs []KubernetesSD  `json:"kubernetes_sd_configs,omitempty"`
	StaticConfigs       []StaticTargets `json:"static_configs,omitempty"`
	RelabelConfigs      []RelabelConfig `json:"relabel_configs,omitempty"`
}

// KubernetesSD discovers targets from the Kubernetes API (in-cluster credentials).
type KubernetesSD struct {
	Role      string       `json:"role"`
	Selectors []SDSelector `json:"selectors,omitempty"`
}

// SDSelector narrows what a Kubernetes discovery watches.
type SDSelector struct {
	Role  string `json:"role"`
	Field string `json:"field,omitempty"`
	Label string `json:"label,omitempty"`
}

// StaticTargets are fixed scrape targets.
type StaticTargets struct {
	Targets []string `json:"targets"`
}

// RelabelConfig is one Prometheus relabelling step. Replacement references ($1) are
// written $$1: the collector expands ${...} in its configuration, and $$ is a literal $.
type RelabelConfig struct {
	SourceLabels []string `json:"source_labels,omitempty"`
	Action       string   `json:"action,omitempty"`
	Regex        string   `json:"regex,omitempty"`
	Replacement  string   `json:"replacement,omitempty"`
	TargetLabel  string   `json:"target_label,omitempty"`
}

// annotation is the discovery meta label of a pod annotation.
func annotation(name string) string { return "__meta_kubernetes_pod_annotation_" + name }

// receiver is the preset's prometheus receiver.
func (p PrometheusScrape) receiver() PrometheusReceiver {
	return PrometheusReceiver{Config: PrometheusConfig{ScrapeConfigs: []ScrapeConfig{{
		JobName:        "kubernetes-pods",
		ScrapeInterval: p.interval(),
		KubernetesSDConfigs: []KubernetesSD{{Role: "pod", Selectors: []SDSelector{
			{Role: "pod", Field: "spec.nodeName=${env:" + p.NodeEnvVar + "}"},
		}}},
		RelabelConfigs: []RelabelConfig{
			{SourceLabels: []string{annotation("prometheus_io_scrape")}, Action: "keep", Regex: "true"},
			{SourceLabels: []string{"__meta_kubernetes_pod_phase"}, Action: "keep", Regex: "Running"},
			{SourceLabels: []string{annotation("prometheus_io_path")}, Action: "replace", Regex: "(.+)", TargetLabel: "__metrics_path__"},
			{SourceLabels: []string{"__address__", annotation("prometheus_io_port")}, Action: "replace",
				Regex: `([^:]+)(?::\d+)?;(\d+)`, Replacement: "$$1:$$2", TargetLabel: "__address__"},
			{SourceLabels: []string{"__meta_kubernetes_namespace"}, Action: "replace", TargetLabel: "k8s_namespace_name"},
			{SourceLabels: []string{"__meta_kubernetes_pod_name"}, Action: "replace", TargetLabel: "k8s_pod_name"},
		},
	}}}}
}
