package plan

import (
	"slices"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/stacks/config"
)

// Environment variables the clouds' gateways read their generated values from.
const (
	// PodNameEnv names each gateway pod's CloudWatch log streams, so replicas never share one.
	PodNameEnv = "K8S_POD_NAME"
	// ArchiveBucketEnv carries the archive bucket's generated name (aws).
	ArchiveBucketEnv = "OTEL_ARCHIVE_BUCKET"
)

// GatewayExporters are the backends of the stack's Kubernetes gateway: its cloud's, plus
// otelfleet:upstreamOtlpEndpoint over mutual TLS when otelfleet TLS is on (or only the
// upstream with otelfleet:upstreamOnly); the kubernetes stack without an upstream prints
// with the debug exporter.
func GatewayExporters(cfg config.Stack) []collector.Exporter {
	out := WithUpstreamMTLS(cfg, clouds[cfg.Cloud].exportersOf(cfg, gatewayStream()))
	if len(out) == 0 {
		out = append(out, DebugExporter())
	}
	return out
}

// Collector tiers as their own metrics name them (collector.SelfMetricsCollectorAttribute).
const (
	TierGateway      = "gateway"
	TierECSCollector = "ecs-collector"
)

// AWSAlarmNamespace is the CloudWatch namespace of the stack's collectors' own metrics,
// which its alarms read.
func AWSAlarmNamespace(cfg config.Stack) string { return "otelfleet/" + cfg.Name }

// gatewayStream names a Kubernetes gateway pod's CloudWatch log streams.
func gatewayStream() string { return "gateway-${env:" + PodNameEnv + "}" }

// AWSDestinations are the aws stack's backends as the collector sees them (the log groups
// and bucket components/aws/destinations creates).
func AWSDestinations(cfg config.Stack, stream string) collector.AWSDestinations {
	return collector.AWSDestinations{
		Region: cfg.AWS.Region, EMFNamespace: cfg.AWS.EMFNamespace,
		LogsGroup: collector.AWSLogGroup(cfg.Name, "logs"), MetricsGroup: collector.AWSLogGroup(cfg.Name, "metrics"),
		Stream: stream, BucketEnv: ArchiveBucketEnv, ArchiveLogs: cfg.AWS.ArchiveLogs,
	}
}

// AzureMonitorExporter sends every signal to Application Insights (and through it to the
// workspace), with the connection string from the environment.
func AzureMonitorExporter() collector.Exporter {
	return collector.Exporter{
		ID: collector.TypeAzureMonitor, Config: collector.AzureMonitorFromEnv(collector.AzureMonitorConnectionStringEnv),
		Signals: []string{collector.Traces, collector.Metrics, collector.Logs},
	}
}

// SendsToAzureMonitor reports whether exporters include Azure Monitor (the gateway then
// needs the connection string).
func SendsToAzureMonitor(exporters []collector.Exporter) bool {
	return slices.ContainsFunc(exporters, func(e collector.Exporter) bool { return e.ID == collector.TypeAzureMonitor })
}

// UpstreamExporter is the exporter to otelfleet:upstreamOtlpEndpoint (every signal), or
// false when none is configured. Retry and queue come from the gateway preset.
func UpstreamExporter(cfg config.Stack) (collector.Exporter, bool) {
	u := cfg.Upstream
	if u.Endpoint == "" {
		return collector.Exporter{}, false
	}
	tls := collector.ClientTLS{Insecure: u.Insecure}
	signals := cfg.Upstream.Signals // what may leave the region (validated against dataResidency)
	if u.Protocol == "http" {
		return collector.Exporter{ID: collector.TypeOTLPHTTP + "/upstream", Signals: signals,
			Config: collector.OTLPHTTPExporter{Endpoint: u.Endpoint, TLS: tls, Compression: "gzip"}}, true
	}
	return collector.Exporter{ID: collector.TypeOTLPGRPC + "/upstream", Signals: signals,
		Config: collector.OTLPExporter{Endpoint: u.Endpoint, TLS: tls, Compression: "gzip"}}, true
}

// WithUpstream returns the cloud's exporters plus the upstream one, or only the upstream
// one with otelfleet:upstreamOnly.
func WithUpstream(cfg config.Stack, cloud []collector.Exporter) []collector.Exporter {
	up, ok := UpstreamExporter(cfg)
	if !ok {
		return cloud
	}
	if cfg.Upstream.Only {
		return []collector.Exporter{up}
	}
	return append(append([]collector.Exporter{}, cloud...), up)
}

// WithUpstreamMTLS is WithUpstream for a gateway in the Kubernetes layer with otelfleet TLS
// on: the upstream exporter presents the gateway's own certificate (client auth) and
// verifies the upstream with the fleet CA. With one fleet CA (otelfleet:tlsCaStack) or a
// shared otelfleet:tlsIssuer, gateways of different clusters and clouds trust each other.
func WithUpstreamMTLS(cfg config.Stack, cloud []collector.Exporter) []collector.Exporter {
	return withUpstreamTLS(cfg, cloud, collector.ClientTLS{CAFile: fleet.TLSCAFile, CertFile: fleet.TLSCertFile, KeyFile: fleet.TLSKeyFile, ReloadInterval: cfg.TLS.ReloadInterval})
}

// WithUpstreamEnvMTLS is WithUpstreamMTLS for a collector outside Kubernetes: its client
// certificate, key and the fleet CA come from the environment (fleet.ClientTLSEnv,
// fleet.TrustEnv), set by the stack from the fleet CA.
func WithUpstreamEnvMTLS(cfg config.Stack, cloud []collector.Exporter) []collector.Exporter {
	client := "${env:" + fleet.ClientTLSEnv + "}"
	return withUpstreamTLS(cfg, cloud, collector.ClientTLS{CAPem: "${env:" + fleet.TrustEnv + "}", CertPem: client, KeyPem: client})
}

// OutsideCollectorsPresentCertificates says whether the collectors outside Kubernetes
// (ECS, ACI) forward upstream with a client certificate from the fleet CA.
func OutsideCollectorsPresentCertificates(cfg config.Stack) bool {
	return cfg.TLS.Enabled && cfg.Upstream.Endpoint != "" && !cfg.Upstream.Insecure
}

func withUpstreamTLS(cfg config.Stack, cloud []collector.Exporter, mtls collector.ClientTLS) []collector.Exporter {
	out := WithUpstream(cfg, cloud)
	if !cfg.TLS.Enabled || cfg.Upstream.Insecure {
		return out
	}
	for i, e := range out {
		switch c := e.Config.(type) {
		case collector.OTLPExporter:
			if e.ID == collector.TypeOTLPGRPC+"/upstream" {
				c.TLS = mtls
				out[i].Config = c
			}
		case collector.OTLPHTTPExporter:
			if e.ID == collector.TypeOTLPHTTP+"/upstream" {
				c.TLS = mtls
				out[i].Config = c
			}
		}
	}
	return out
}

// DebugExporter is the placeholder backend of a stack whose cloud exporters are not wired.
func DebugExporter() collector.Exporter {
	return collector.Exporter{ID: collector.TypeDebug, Config: collector.DebugExporter{Verbosity: "basic"}, Signals: []string{collector.Traces, collector.Metrics, collector.Logs}}
}

// ResourceAttributes are what a gateway of the stack adds to everything it receives:
// deployment.environment and, on a cloud, where it runs (platform: "aws_eks",
// "azure_aks", ...; cluster: the Kubernetes cluster's name, "" for none). Every attribute is
// inserted, never overwritten: a global gateway keeps the region and cluster of what a
// regional gateway or another cloud forwards to it.
func ResourceAttributes(cfg config.Stack, platform, cluster string) []collector.AttributeAction {
	out := []collector.AttributeAction{{Key: "deployment.environment", Value: cfg.Environment, Action: "insert"}}
	region := clouds[cfg.Cloud].regionOf(cfg)
	if platform != "" {
		out = append(out,
			collector.AttributeAction{Key: "cloud.provider", Value: cfg.Cloud, Action: "insert"},
			collector.AttributeAction{Key: "cloud.platform", Value: platform, Action: "insert"},
			collector.AttributeAction{Key: "cloud.region", Value: region, Action: "insert"},
		)
	}
	if cluster != "" {
		out = append(out, collector.AttributeAction{Key: "k8s.cluster.name", Value: cluster, Action: "insert"})
	}
	return out
}
