// Package common maps the typed stack configuration onto the cloud-neutral components,
// so the aws and azure stacks build their collector layer the same way.
package common

import (
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/otelfleet/otelfleet/stacks/config"
	"github.com/otelfleet/otelfleet/stacks/plan"
)

// FleetArgs returns the fleet of a stack's plan (and its configuration), without the cloud's
// identity bindings, which the cloud stack adds.
func FleetArgs(cfg config.Stack, p *plan.Plan) *kube.FleetArgs {
	a, g := cfg.Agent, cfg.Gateway
	args := &kube.FleetArgs{
		Prefix:                cfg.Name,
		Environment:           cfg.Environment,
		Image:                 cfg.Collector.ImageRef(),
		Namespace:             cfg.Kubernetes.Namespace,
		AgentNamespace:        cfg.Kubernetes.AgentNamespace,
		LogLevel:              cfg.Collector.LogLevel,
		AgentModes:            a.Modes,
		AgentResources:        kube.Resources{CPURequest: a.CPURequest, CPULimit: a.CPULimit, MemoryRequest: a.MemoryRequest, MemoryLimit: a.MemoryLimit},
		AgentLogCollection:    a.LogCollection,
		AgentK8sAttributes:    a.K8sAttributes,
		AgentNodeMetrics:      a.NodeMetrics,
		AgentHostFilesystems:  a.HostFilesystems,
		KubeletCAFile:         p.ConfigSpec().KubeletCAFile,
		AgentPrometheusScrape: a.PrometheusScrape,
		ClusterMetrics:        a.ClusterMetrics,
		ClusterEvents:         a.ClusterEvents,
		AgentQueueSize:        a.QueueSize,
		Gateway: kube.GatewaySettings{
			Kind:               g.Kind,
			Replicas:           g.Replicas,
			Resources:          kube.Resources{CPURequest: g.CPURequest, CPULimit: g.CPULimit, MemoryRequest: g.MemoryRequest, MemoryLimit: g.MemoryLimit},
			PDBMaxUnavailable:  g.PDBMaxUnavailable,
			PersistentQueue:    g.PersistentQueue,
			QueueSize:          g.QueueSize,
			QueueStorageSize:   g.QueueStorageSize,
			StorageClass:       g.StorageClass,
			VPA:                g.VPAEnabled,
			AllowAllNamespaces: g.AllowAllNamespaces,
		},
		Sampling:                  p.Sampling,
		Exporters:                 p.ConfigSpec().Exporters,
		GatewayResourceAttributes: p.Gateway.ResourceAttributes,
		GatewaySelfMetrics:        p.ConfigSpec().GatewaySelfMetrics,
		GatewayRedaction:          p.ConfigSpec().GatewayRedaction,
	}
	if h := p.Gateway.HPA; h != nil {
		// The plan's HPA: the configured one with the capacity model's floor and target.
		args.Gateway.HPA = &kube.HPA{MinReplicas: h.Min, MaxReplicas: h.Max, CPUPercent: h.CPUPercent, MemoryPercent: h.MemoryPercent}
	}
	args.Monitoring = &kube.MonitoringSettings{PrometheusOperator: cfg.Monitoring.PrometheusOperator, Dashboard: cfg.Monitoring.Dashboard}
	if g.Ingest {
		// The cloud stack adds its load balancer controller's annotations (scheme, probes).
		args.GatewayIngest = &kube.Ingest{Annotations: map[string]string{}, SourceRanges: g.IngestSourceRanges}
	}
	if g.CanaryEnabled {
		image := ""
		if g.CanaryVersion != "" {
			image = cfg.Collector.ImageAt(g.CanaryVersion)
		}
		args.Canary = &kube.CanarySettings{Image: image, Replicas: g.CanaryReplicas, LogLevel: g.CanaryLogLevel}
	}
	if cfg.TLS.Enabled {
		args.TLS = &kube.CertManagerArgs{Timing: kube.CertTiming{Duration: cfg.TLS.CertDuration, RenewBefore: cfg.TLS.CertRenewBefore},
			ReloadInterval: cfg.TLS.ReloadInterval, Install: cfg.TLS.InstallCertManager, Version: cfg.TLS.CertManagerVersion, Issuer: cfg.TLS.Issuer}
	}
	return args
}
