package collector

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// restartSpans is how many spans flow through the restart test (at restartRate/s).
const (
	restartSpans = 6000
	restartRate  = 1000
)

// TestGatewayRestartLosesNothing runs, for every stack whose gateway config keeps its
// sending queue in a file_storage extension, the DaemonSet agent and the gateway as
// generated; the gateway exports (with the generated queue policy) to a downstream sink
// collector. Mid-stream the sink is stopped, then the gateway is stopped while holding
// spans it could not deliver, and restarted on the same queue directory; the sink comes
// back last. It asserts that every one of the N spans arrives (duplicates from
// at-least-once delivery are counted and logged), that the gateway really held undelivered
// spans when it stopped, and that its queue holds requests while the sink is down.
func TestGatewayRestartLosesNothing(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	ran := 0
	for _, stack := range allStacks(t) {
		s := render(t, stack)
		gw := s.Gateway(t)
		if !strings.Contains(s.Result.Collector[gw.File], "file_storage") {
			t.Logf("stack %s: gateway has no persistent queue; not a restart case", stack)
			continue
		}
		agent := daemonSetAgent(t, s)
		ran++
		t.Run(stack, func(t *testing.T) {
			began := time.Now()
			ca := newCA(t)
			sinkPort := freePort(t)
			sinkFile := filepath.Join(t.TempDir(), "sink.json")
			sink := startSinkCollector(t, bin, sinkFile, sinkPort)
			queueDir := t.TempDir()
			gwRun := prepare(t, s, gw, loopback.Options{
				Sink:       loopback.Sink{OTLPEndpoint: fmt.Sprintf("127.0.0.1:%d", sinkPort)},
				StorageDir: queueDir,
			}, ca).start(t, bin)
			agRun := prepare(t, s, agent, loopback.Options{GatewayEndpoint: gwRun.Endpoint()}, ca).start(t, bin)

			service := "restart-" + stack
			type result struct {
				out string
				err error
			}
			sent := make(chan result, 1)
			go func() {
				out, err := send(t, "traces", agRun.Endpoint(), restartSpans, service,
					append([]string{insecure, "--rate", fmt.Sprint(restartRate)}, keepMe...)...)
				sent <- result{out, err}
			}()

			time.Sleep(1500 * time.Millisecond)
			if err := sink.Stop(); err != nil {
				t.Fatalf("stop sink: %v", err)
			}
			atSinkStop := count(t, sinkFile, service)
			time.Sleep(1500 * time.Millisecond)
			gwMetrics := gwRun.Scrape(t)
			held := gwMetrics.Sum("otelcol_receiver_accepted_spans") - float64(atSinkStop)
			if err := gwRun.Proc.Stop(); err != nil {
				t.Fatalf("stop gateway: %v", err)
			}
			stoppedAt := time.Since(began)
			queueBytes := dirSize(t, queueDir)
			time.Sleep(time.Second) // the agent keeps receiving and retrying meanwhile
			gwRun.Proc.Restart()
			restartedAt := time.Since(began)
			afterRestart := gwRun.Scrape(t)
			reloaded := afterRestart.Sum(collector.MetricExporterQueueSize, `exporter="`+loopback.OTLPSinkID+`"`)

			r := <-sent
			if r.err != nil {
				t.Fatalf("telemetrygen: %v\n%s", r.err, r.out)
			}
			// Let the agent hand everything to the restarted gateway, then check the
			// gateway's sink-down metrics before the sink returns.
			waitMetric(t, agRun, func(m loopback.Metrics) bool {
				return m.Sum(collector.MetricExporterSent) >= restartSpans && m.Sum(collector.MetricExporterQueueSize) == 0
			}, 90*time.Second)
			queued := gwRun.Scrape(t).Sum(collector.MetricExporterQueueSize, `exporter="`+loopback.OTLPSinkID+`"`)
			if queued <= 0 {
				t.Errorf("with the sink down the gateway's %s is %g: nothing is queued", collector.MetricExporterQueueSize, queued)
			}

			sink = startSinkCollector(t, bin, sinkFile, sinkPort)
			sinkBackAt := time.Since(began)
			got := waitSink(t, sinkFile, service, 120*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= restartSpans })
			deliveredAt := time.Since(began)
			time.Sleep(time.Second)
			got = waitSink(t, sinkFile, service, 0, func(*loopback.Received) bool { return true })

			t.Logf("sink stopped at 1.5s holding %d spans; gateway held %.0f undelivered spans (queue dir %d bytes) when stopped at %s; restarted at %s with %.0f queued requests reloaded; %.0f requests queued before the sink came back at %s; all delivered at %s",
				atSinkStop, held, queueBytes, stoppedAt.Round(time.Millisecond), restartedAt.Round(time.Millisecond), reloaded, queued, sinkBackAt.Round(time.Millisecond), deliveredAt.Round(time.Millisecond))
			t.Logf("sent %d spans, arrived %d unique, %d duplicates, lost %d", restartSpans, got.UniqueSpans, got.Spans-got.UniqueSpans, restartSpans-got.UniqueSpans)
			if held <= 0 {
				t.Errorf("the gateway held no undelivered spans when it stopped (accepted %.0f, sink had %d): the restart proved nothing", gwMetrics.Sum("otelcol_receiver_accepted_spans"), atSinkStop)
			}
			if got.UniqueSpans != restartSpans {
				t.Errorf("%d of %d spans arrived after the gateway restart: %d lost", got.UniqueSpans, restartSpans, restartSpans-got.UniqueSpans)
			}
			assertNoDeprecations(t, gwRun, agRun)
		})
	}
	if ran == 0 {
		t.Fatal("no stack has a gateway with a persistent queue")
	}
}

// daemonSetAgent is the stack's node agent.
func daemonSetAgent(t testing.TB, s *renderedStack) loopback.Workload {
	t.Helper()
	for _, w := range s.Agents() {
		if w.Kind == "DaemonSet" {
			return w
		}
	}
	t.Fatalf("stack %s has no DaemonSet agent", s.Name)
	return loopback.Workload{}
}

func count(t testing.TB, sinkFile, service string) int {
	t.Helper()
	r, err := loopback.ReadSink(sinkFile, service)
	if err != nil {
		t.Fatal(err)
	}
	return r.UniqueSpans
}

// waitMetric polls a collector's metrics until ok or timeout (then fails the test).
func waitMetric(t testing.TB, c *collectorRun, ok func(loopback.Metrics) bool, timeout time.Duration) loopback.Metrics {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := c.Scrape(t)
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: condition not met within %s; metrics:\n%v", c.Workload.File, timeout, summarize(m))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func summarize(m loopback.Metrics) string {
	var b strings.Builder
	for _, s := range m {
		if strings.HasPrefix(s.Name, "otelcol_receiver") || strings.HasPrefix(s.Name, "otelcol_exporter") || strings.HasPrefix(s.Name, "otelcol_processor_memory") {
			fmt.Fprintf(&b, "%s{%s} %g\n", s.Name, s.Labels, s.Value)
		}
	}
	return b.String()
}

func dirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var total int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return total
}
