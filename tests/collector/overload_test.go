package collector

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// Overload test bounds.
const (
	overloadMaxDuration = 60 * time.Second // give up driving the agent after this
	overloadWorkers     = 4
	recoverySpans       = 1000
	// drainStall ends the wait for the agent's queue once nothing has arrived for this
	// long: longer than a retry's longest pause (the agent's max_interval 30 s, randomized
	// by up to half again: 45 s), after which its queue consumers retry the gateway, plus
	// the gateway's tail-sampling decision_wait (10 s) for a span that reaches it after its
	// trace was decided. A shorter wait took spans still on their way for lost ones.
	drainStall = 60 * time.Second
)

// padding is a 1 KiB span attribute: it makes the spans realistic in size, so memory
// fills in seconds (larger spans have their own test, largespans_test.go).
var padding = strings.Repeat("x", 1024)

// TestAgentOverloadRefusesAndRecovers drives the aws-prod DaemonSet agent, as generated
// (its memory_limiter of 409 MiB is reachable on loopback, so the limit is not changed),
// past its memory limit: the gateway is stopped, so everything the agent accepts piles
// up in its sending queues, while telemetrygen sends unthrottled. It asserts that the
// agent refuses (receiver refused > 0, memory limiter refused > 0) instead of crashing,
// stays healthy, and after the gateway returns drains and accepts new data, all of which
// arrives. Refused vs. accepted-but-lost counts are logged.
func TestAgentOverloadRefusesAndRecovers(t *testing.T) {
	tg := otelcoltest.Telemetrygen(t)
	f := startFileSinkFleet(t, "aws-prod", nil)
	gwRun, agRun, sinkFile := f.gw, f.agent, f.sinkFile

	if err := gwRun.Proc.Stop(); err != nil {
		t.Fatalf("stop gateway: %v", err)
	}
	service := "overload"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tgOut bytes.Buffer
	cmd := exec.CommandContext(ctx, tg, "traces", "--otlp-endpoint", agRun.Endpoint(), insecure,
		"--rate", "0", "--workers", strconv.Itoa(overloadWorkers), "--duration", overloadMaxDuration.String(),
		"--service", service, "--batch-size", "1000", "--allow-export-failures", "--telemetry-attributes", `padding="`+padding+`"`,
		"--status-code", "Error", "--telemetry-attributes", "sampling.priority=1")
	cmd.Stdout, cmd.Stderr = &tgOut, &tgOut
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Drive until the memory limiter has refused for a few seconds, or give up.
	var refusingSince time.Time
	var m loopback.Metrics
	for {
		time.Sleep(500 * time.Millisecond)
		if !agRun.Proc.Running() {
			t.Fatalf("the agent died under load:\n%s", tail(agRun.Proc.Output(), 20))
		}
		m = agRun.Scrape(t)
		if refusingSince.IsZero() && m.Sum(collector.MetricMemoryLimiterRefused) > 0 {
			refusingSince = time.Now()
		}
		if !refusingSince.IsZero() && time.Since(refusingSince) > 5*time.Second {
			break
		}
		if time.Since(began) > overloadMaxDuration {
			t.Fatalf("the agent never refused within %s (heap limit not reached?):\n%s", overloadMaxDuration, summarize(m))
		}
	}
	cancel()
	<-done
	drove := time.Since(began)
	peakRSS := vmHWM(t, agRun.Proc.Pid())
	requireSelfMetrics(t, "agent under overload", m, scenarioOverload)
	if !agRun.Proc.Running() || !healthy(agRun) {
		t.Fatalf("the agent is not running and healthy after the overload:\n%s", tail(agRun.Proc.Output(), 20))
	}
	m = agRun.Scrape(t)
	accepted := m.Sum(collector.MetricReceiverAccepted)
	refused := m.Sum(collector.MetricReceiverRefused)
	limiterRefused := m.Sum(collector.MetricMemoryLimiterRefused)
	if refused <= 0 || limiterRefused <= 0 {
		t.Errorf("want refusals: receiver refused %g, memory limiter refused %g", refused, limiterRefused)
	}

	// Recovery: the gateway returns and the agent drains; once its heap is back under the
	// memory limiter's soft limit (the limiter forces a GC at most every 10 s) new data
	// must be accepted without a refusal, and arrive.
	gwRun.Proc.Restart()
	recovered := time.Now()
	last, stableSince := -1, time.Now()
	for time.Since(recovered) < 4*time.Minute {
		n := count(t, sinkFile, service)
		if n >= int(accepted) {
			break
		}
		if n != last {
			last, stableSince = n, time.Now()
		} else if time.Since(stableSince) > drainStall {
			break
		}
		time.Sleep(time.Second)
	}
	drained := time.Since(recovered)
	softLimit := softLimitBytes(t, agRun.Config)
	waitMetric(t, agRun, func(m loopback.Metrics) bool {
		return m.Sum("otelcol_process_runtime_heap_alloc_bytes") < softLimit
	}, 90*time.Second)
	time.Sleep(2 * time.Second) // two check_intervals: the limiter's own reading follows
	belowLimit := time.Since(recovered)
	after := "after-overload"
	if out, err := send(t, "traces", agRun.Endpoint(), recoverySpans, after, append([]string{insecure}, keepMe...)...); err != nil {
		t.Fatalf("the agent refused new data after recovering: %v\n%s", err, out)
	}
	got := waitSink(t, sinkFile, after, 60*time.Second, func(r *loopback.Received) bool { return r.UniqueSpans >= recoverySpans })
	if got.UniqueSpans != recoverySpans {
		t.Errorf("after recovery %d of %d new spans arrived", got.UniqueSpans, recoverySpans)
	}
	final := agRun.Scrape(t)
	if r := final.Sum(collector.MetricReceiverRefused); r != refused {
		t.Errorf("the agent refused %g spans after recovering", r-refused)
	}

	delivered := count(t, sinkFile, service)
	lost := int(accepted) - delivered
	t.Logf("drove %s (%d workers, 1 KiB spans, gateway down): agent accepted %.0f spans, refused %.0f at the receiver (memory limiter refused %.0f), peak RSS %d MiB",
		drove.Round(time.Millisecond), overloadWorkers, accepted, refused, limiterRefused, peakRSS>>20)
	t.Logf("after the gateway returned: drained in %s, heap under the soft limit after %s; delivered %d of the accepted overload spans, lost %d (enqueue failed %.0f, send failed %.0f); %d new spans arrived",
		drained.Round(time.Second), belowLimit.Round(time.Second), delivered, lost, final.Sum(collector.MetricExporterEnqueueFailed), final.Sum(collector.MetricExporterSendFailed), got.UniqueSpans)
	t.Logf("agent exposes under overload: %s", strings.Join(m.WithPrefix("otelcol_"), " "))
	t.Logf("memory per queued span (1 KiB attribute): ~%.0f bytes (soft limit %d MiB / %.0f spans held)", softLimit/accepted, int64(softLimit)>>20, accepted)
	if lost != 0 {
		t.Errorf("%d spans the agent accepted were lost (accepted data must be delivered or refused, not dropped)", lost)
	}
}

func healthy(c *collectorRun) bool {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", c.Ports.Health))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// vmHWM is a process's peak resident set size in bytes (/proc/<pid>/status VmHWM).
func vmHWM(t testing.TB, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// softLimitBytes is the memory_limiter's soft limit (limit_mib - spike_limit_mib) in a config.
func softLimitBytes(t testing.TB, config string) float64 {
	t.Helper()
	ml := section(parse(t, config), "processors", "memory_limiter")
	limit, _ := ml["limit_mib"].(float64)
	spike, _ := ml["spike_limit_mib"].(float64)
	if limit <= 0 {
		t.Fatalf("no memory_limiter limit_mib in the agent config")
	}
	if spike == 0 {
		spike = limit / 5 // the processor's default: 20 %
	}
	return (limit - spike) * (1 << 20)
}
