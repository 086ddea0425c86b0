package plan

import (
	"fmt"
	"math"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/stacks/config"
)

// Collectors a cloud runs outside Kubernetes, by name in Plan.CloudCollectors.
const (
	CollectorECS = "ecs" // aws: the ECS Fargate collector behind an internal NLB
	CollectorACI = "aci" // azure: the container group for workloads outside AKS
)

// cloudCollectors are the configurations of the collectors the cloud runs outside the
// cluster: the gateway preset with the cloud's destinations.
func cloudCollectors(cfg config.Stack) (map[string]string, error) {
	out := map[string]string{}
	switch {
	case cfg.Cloud == "aws" && cfg.AWS.ECSCollector:
		// Tail sampling needs every span of a trace at one collector, which an NLB does not
		// guarantee, so only probabilistic sampling carries over.
		sampling := collector.Sampling{Mode: collector.SamplingNone}
		if cfg.Sampling.Mode == collector.SamplingProbabilistic {
			sampling = collector.Sampling{Mode: collector.SamplingProbabilistic, Percentage: cfg.Sampling.Percentage}
		}
		const stream = "ecs-${env:HOSTNAME:-collector}"
		y, err := gatewayYAML(collector.GatewayOptions{
			MemoryLimitMiB: cfg.AWS.ECSMemoryMiB, Sampling: sampling, QueueSize: cfg.Gateway.QueueSize,
			Exporters:          WithUpstreamEnvMTLS(cfg, AWSDestinations(cfg, stream).Exporters()),
			ResourceAttributes: ResourceAttributes(cfg, "aws_ecs", ""), LogLevel: cfg.Collector.LogLevel,
			SelfMetrics: clouds[cfg.Cloud].selfMetricsOf(cfg, TierECSCollector, stream),
		})
		if err != nil {
			return nil, fmt.Errorf("ECS collector config: %w", err)
		}
		out[CollectorECS] = y
	case cfg.Cloud == "azure" && cfg.Azure.ACIEnabled:
		y, err := gatewayYAML(collector.GatewayOptions{
			MemoryLimitMiB: ACIMemoryMiB(cfg.Azure.ACIMemoryGB), Sampling: sampling(cfg), QueueSize: cfg.Gateway.QueueSize,
			Exporters: ACIExporters(cfg), Redaction: Redaction(cfg),
			ResourceAttributes: append(ResourceAttributes(cfg, "azure_container_instances", ""),
				collector.AttributeAction{Key: collector.ExportedByAttribute, Value: collector.ExportedByACI, Action: "upsert"}),
			LogLevel: cfg.Collector.LogLevel,
		})
		if err != nil {
			return nil, fmt.Errorf("ACI collector config: %w", err)
		}
		out[CollectorACI] = y
	}
	return out, nil
}

// ACIExporters are the ACI collector's backends: Azure Monitor and the upstream, to which it
// presents its client certificate from the environment with otelfleet TLS.
func ACIExporters(cfg config.Stack) []collector.Exporter {
	return WithUpstreamEnvMTLS(cfg, []collector.Exporter{AzureMonitorExporter()})
}

// ACIMemoryMiB is a container group's memory in MiB (ACI sizes memory in GB).
func ACIMemoryMiB(gb float64) int { return int(math.Round(gb * 1024)) }

func gatewayYAML(o collector.GatewayOptions) (string, error) {
	c, err := collector.GatewayConfig(o)
	if err != nil {
		return "", err
	}
	return c.YAML()
}
