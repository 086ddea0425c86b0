package plan

import (
	"github.com/otelfleet/otelfleet/components/capacity"
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
	// gatewayCosts are its gateway's measured costs per item (bench/gateway.sh, see
	// gatewayCostsMeasured).
	gatewayCosts capacity.Costs
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
		gatewayCosts: gatewayCostsMeasured["aws"],
	},
	"azure": {
		platform: "azure_aks",
		region:   func(c config.Stack) string { return c.Azure.Location },
		// AKS names its cluster itself: no k8s.cluster.name before deploying.
		exporters:    func(config.Stack, string) []collector.Exporter { return []collector.Exporter{AzureMonitorExporter()} },
		gatewayCosts: gatewayCostsMeasured["azure"],
	},
	// A plain Kubernetes gateway forwards OTLP (cheaper than any cloud exporter): the AWS
	// gateway's costs, the dearest measured, are its conservative stand-in.
	"kubernetes": {gatewayCosts: gatewayCostsMeasured["aws"]},
}

// gatewayCostsMeasured are CPU-seconds per million items of the generated gateway with its
// real exporters (traces, log records, metric points), from
//
//	bench/gateway.sh --stack <aws-prod|azure-prod> --signal <signal> --repeat 2 --duration 15 [--cpus 1] --error-percent 100
//
// on two 2-core development hosts of the same kind (2026-12-07, GOGC=400): the highest of
// each host's unpinned run and one pinned to a CPU (as a limit holds a pod). The slower
// host set every figure (aws 68.4/20.9/9.2 and azure 38.5/16.9/13.6 on the faster one: the
// same code costs up to 1.7x as much from host to host). Spans are the worst case: every
// span kept by the sampler (an error storm), so they include every exporter — on AWS
// X-Ray, the S3 archive and the queue hop. With production's mix (5 % errors) a span costs
// a third of that on aws-prod and azure-prod (bench/gateway.sh's default). A pod's
// capacity is its CPU limit divided by these: faster nodes do better, so the model errs on
// the side of more pods until the stack is calibrated on its own nodes
// (gatewayCpuSecondsPerMillion*).
var gatewayCostsMeasured = map[string]capacity.Costs{
	"aws":   costs(98.6, 29.0, 12.2),
	"azure": costs(63.0, 29.0, 22.0),
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
