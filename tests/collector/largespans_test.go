package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// Large-span test sizes: spans of ~6 KiB (a 6000-byte attribute), so that an agent batch of
// ~700 spans or more is a gRPC message over the 4 MiB a receiver accepts by default, while
// still inside the 8 KiB average the presets' message budget is sized for.
const (
	largeSpans       = 4000
	largeSpanPadding = 6000
)

// TestLargeSpansCrossTheAgentGatewayHop sends spans of ~6 KiB through the aws-prod
// DaemonSet agent and gateway as generated: the agent batches them into gRPC messages of
// several MiB, and every span must arrive. The same run against the gateway with its
// receiver's max_recv_msg_size_mib removed (the collector's 4 MiB default) must lose
// spans: that proves the batches really crossed the default limit, i.e. the first half
// tests the setting and not a load that never reached it. (Such a loss is silent in
// production: the gateway refuses the message, the agent drops the whole batch and counts
// it only in its send_failed counter.)
func TestLargeSpansCrossTheAgentGatewayHop(t *testing.T) {
	padding := `padding="` + strings.Repeat("p", largeSpanPadding) + `"`

	// run returns what reached the sink and the agent's trace exporter's counters once it
	// has sent or given up on every span.
	run := func(t *testing.T, service string, defaultLimit bool) (r *loopback.Received, sent, failed float64) {
		var patch func(map[string]any)
		if defaultLimit {
			patch = dropMaxRecvMsgSize(t)
		}
		f := startFileSinkFleet(t, "aws-prod", patch)
		agRun, sinkFile := f.agent, f.sinkFile
		// Four senders, one span per request: fast enough that the agent's batches reach
		// thousands of spans (tens of MiB), each request far under the agent's own limit.
		extra := append([]string{insecure, "--workers", "4", "--telemetry-attributes", padding}, keepMe...)
		if out, err := send(t, "traces", agRun.Endpoint(), largeSpans/4, service, extra...); err != nil {
			t.Fatalf("telemetrygen: %v\n%s", err, out)
		}
		accepted := waitMetric(t, agRun, func(m loopback.Metrics) bool {
			return m.Sum(collector.MetricReceiverAccepted) >= largeSpans
		}, 60*time.Second).Sum(collector.MetricReceiverAccepted)
		if accepted != largeSpans {
			t.Fatalf("the agent accepted %v of %d spans", accepted, largeSpans)
		}
		exporter := `exporter="` + pipeline(parse(t, agRun.Config), "traces")["exporters"].([]any)[0].(string) + `"`
		m := waitMetric(t, agRun, func(m loopback.Metrics) bool {
			return m.Sum(collector.MetricExporterSent, exporter)+m.Sum(collector.MetricExporterSendFailed, exporter) >= largeSpans
		}, 60*time.Second)
		r = waitSink(t, sinkFile, service, 15*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= largeSpans })
		return r, m.Sum(collector.MetricExporterSent, exporter), m.Sum(collector.MetricExporterSendFailed, exporter)
	}

	t.Run("generated", func(t *testing.T) {
		r, _, failed := run(t, "large-spans", false)
		if r.UniqueSpans != largeSpans || failed != 0 {
			t.Errorf("%d of %d spans of ~6 KiB arrived, %g failed to send; want all (is the gateway's max_recv_msg_size_mib below the agent's batch size?)", r.UniqueSpans, largeSpans, failed)
		}
	})
	t.Run("default-4MiB-limit-loses", func(t *testing.T) {
		r, sent, failed := run(t, "large-spans-default", true)
		if r.UniqueSpans >= largeSpans {
			t.Fatalf("all %d spans arrived through a gateway with the 4 MiB default limit: the load never formed a batch over 4 MiB, so the generated case proves nothing", largeSpans)
		}
		// The loss is at least counted where the OtelfleetExporterSendFailures alert looks.
		if failed != float64(largeSpans-r.UniqueSpans) {
			t.Errorf("%d spans lost but the agent's %s says %g (sent %g)", largeSpans-r.UniqueSpans, collector.MetricExporterSendFailed, failed, sent)
		}
		t.Logf("with the collector's default limit %d of %d spans were lost (agent: %g sent, %g send_failed)", largeSpans-r.UniqueSpans, largeSpans, sent, failed)
	})
}

// dropMaxRecvMsgSize removes the gateway's gRPC message limit setting from its config,
// leaving the collector's default.
func dropMaxRecvMsgSize(t testing.TB) func(map[string]any) {
	return func(cfg map[string]any) {
		grpc := section(cfg, "receivers", "otlp", "protocols", "grpc")
		if _, ok := grpc["max_recv_msg_size_mib"]; !ok {
			t.Fatalf("the gateway's OTLP gRPC receiver sets no max_recv_msg_size_mib: %v", cfg["receivers"])
		}
		delete(grpc, "max_recv_msg_size_mib")
	}
}
