package common

import (
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/stacks/config"
)

// UpstreamExporter is the gateway's exporter to otelfleet:upstreamOtlpEndpoint (every
// signal), or false when none is configured. Retry and queue come from the gateway preset.
func UpstreamExporter(cfg config.Stack) (collector.Exporter, bool) {
	u := cfg.Upstream
	if u.Endpoint == "" {
		return collector.Exporter{}, false
	}
	tls := collector.ClientTLS{Insecure: u.Insecure}
	signals := []string{collector.Traces, collector.Metrics, collector.Logs}
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
