package common

import (
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/kube"
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

// WithUpstreamMTLS is WithUpstream for a gateway in the Kubernetes layer with otelfleet
// TLS on: the upstream exporter presents the gateway's own certificate (client auth) and
// verifies the upstream with the same CA. With a shared otelfleet:tlsIssuer, gateways of
// different clusters and clouds then trust each other.
func WithUpstreamMTLS(cfg config.Stack, cloud []collector.Exporter) []collector.Exporter {
	out := WithUpstream(cfg, cloud)
	if !cfg.TLS.Enabled || cfg.Upstream.Insecure {
		return out
	}
	for i, e := range out {
		switch c := e.Config.(type) {
		case collector.OTLPExporter:
			if e.ID == collector.TypeOTLPGRPC+"/upstream" {
				c.TLS = collector.ClientTLS{CAFile: kube.TLSCAFile, CertFile: kube.TLSCertFile, KeyFile: kube.TLSKeyFile}
				out[i].Config = c
			}
		case collector.OTLPHTTPExporter:
			if e.ID == collector.TypeOTLPHTTP+"/upstream" {
				c.TLS = collector.ClientTLS{CAFile: kube.TLSCAFile, CertFile: kube.TLSCertFile, KeyFile: kube.TLSKeyFile}
				out[i].Config = c
			}
		}
	}
	return out
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
