package plan

import (
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/stacks/config"
)

// cloud is what the plan knows of one cloud; the cloud's builder package (stacks/<cloud>)
// turns the plan into its resources. Adding a cloud is an entry here plus that package.
type cloud struct {
	// platform is the cloud.platform its Kubernetes gateway reports ("" off a cloud).
	platform string
	// region is where the stack runs (cloud.region).
	region func(config.Stack) string
	// cluster is the managed cluster's name where it is known before deploying.
	cluster func(config.Stack) string
	// exporters are its own backends; stream names a collector's log streams.
	exporters func(cfg config.Stack, stream string) []collector.Exporter
	// selfMetrics is where a collector tier (outside or inside Kubernetes) sends its own
	// metrics for the cloud's alarms; nil where the cloud reads them otherwise (Azure
	// Monitor scrapes the pods' self-metrics port).
	selfMetrics func(cfg config.Stack, tier, stream string) *collector.SelfMetricsExport
}

var clouds = map[string]cloud{
	"aws": {
		platform: "aws_eks",
		region:   func(c config.Stack) string { return c.AWS.Region },
		cluster:  func(c config.Stack) string { return c.Name }, // the EKS cluster is named after the stack
		exporters: func(c config.Stack, stream string) []collector.Exporter {
			return AWSDestinations(c, stream).Exporters()
		},
		selfMetrics: func(c config.Stack, tier, stream string) *collector.SelfMetricsExport {
			return &collector.SelfMetricsExport{Collector: tier, Exporter: collector.AWSSelfMetricsExporter(
				c.AWS.Region, AWSAlarmNamespace(c), collector.AWSLogGroup(c.Name, collector.AWSSelfMetricsGroupKind), stream)}
		},
	},
	"azure": {
		platform: "azure_aks",
		region:   func(c config.Stack) string { return c.Azure.Location },
		// AKS names its cluster itself: no k8s.cluster.name before deploying.
		exporters: func(config.Stack, string) []collector.Exporter { return []collector.Exporter{AzureMonitorExporter()} },
	},
	"kubernetes": {},
}

func (c cloud) regionOf(cfg config.Stack) string {
	if c.region == nil {
		return ""
	}
	return c.region(cfg)
}

func (c cloud) clusterOf(cfg config.Stack) string {
	if c.cluster == nil {
		return ""
	}
	return c.cluster(cfg)
}

func (c cloud) selfMetricsOf(cfg config.Stack, tier, stream string) *collector.SelfMetricsExport {
	if c.selfMetrics == nil {
		return nil
	}
	return c.selfMetrics(cfg, tier, stream)
}

func (c cloud) exportersOf(cfg config.Stack, stream string) []collector.Exporter {
	if c.exporters == nil {
		return nil
	}
	return c.exporters(cfg, stream)
}
