package collector

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// TestTailSamplingDecidesAfterTheRoot sends aws-prod's gateway, as rendered, two kept
// (status ERROR) traces at once: one with its root span, one whose root never comes. The
// first must be decided samplingDecisionWaitAfterRoot (3s) after its root arrived, the
// second only after samplingDecisionWait (10s): the early decision is what holds a third
// of the memory (bench/gateway.sh).
func TestTailSamplingDecidesAfterTheRoot(t *testing.T) {
	bin := otelcoltest.Binary(t)
	s := render(t, "aws-prod")
	ca := newCA(t)
	sink := filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sink}}, ca).start(t, bin)
	if !strings.Contains(gw.Config, "decision_wait_after_root_received: 3s") {
		t.Fatal("aws-prod's gateway does not decide after the root: samplingDecisionWaitAfterRoot is off")
	}
	const withRoot, rootless = "aaaa0000000000000000000000000001", "bbbb0000000000000000000000000002"
	now := time.Now().UnixNano()
	span := func(trace, id, parent string) map[string]any {
		return map[string]any{"traceId": trace, "spanId": id, "parentSpanId": parent, "name": "checkout", "kind": 2,
			"startTimeUnixNano": fmt.Sprint(now - 1e6), "endTimeUnixNano": fmt.Sprint(now), "status": map[string]any{"code": 2}}
	}
	traces := map[string]any{"resourceSpans": []any{map[string]any{
		"resource": map[string]any{"attributes": []any{kv("service.name", "sampling")}},
		"scopeSpans": []any{map[string]any{"spans": []any{
			span(withRoot, "1000000000000001", ""), span(withRoot, "1000000000000002", "1000000000000001"),
			span(rootless, "2000000000000002", "2000000000000001"),
		}}},
	}}}
	sent := time.Now()
	post(t, mtlsClient(t, ca), fmt.Sprintf("https://127.0.0.1:%d/v1/traces", gw.Ports.OTLPHTTP), traces)

	arrived := map[string]time.Duration{}
	for time.Since(sent) < 30*time.Second && len(arrived) < 2 {
		time.Sleep(200 * time.Millisecond)
		data, _ := os.ReadFile(sink)
		for _, id := range []string{withRoot, rootless} {
			if _, seen := arrived[id]; !seen && bytes.Contains(data, []byte(id)) {
				arrived[id] = time.Since(sent)
			}
		}
	}
	t.Logf("trace with its root delivered after %v, rootless trace after %v", arrived[withRoot], arrived[rootless])
	a, okA := arrived[withRoot]
	b, okB := arrived[rootless]
	switch {
	case !okA || !okB:
		t.Fatalf("delivered within 30 s: with root %v, rootless %v", okA, okB)
	case a >= 8*time.Second:
		t.Errorf("the trace with its root took %v: it was not decided 3s after its root", a)
	case b < 9*time.Second:
		t.Errorf("the rootless trace took only %v: decided before samplingDecisionWait (10s)", b)
	}
}
