package capacity

import (
	"strings"
	"testing"
	"time"
)

// testCosts are round numbers so the expected figures can be worked out by hand.
var testCosts = Costs{
	Traces:  {CPUSecondsPerMillion: 50, QueueBytes: 500, HeldBytes: 2048},
	Logs:    {CPUSecondsPerMillion: 20, QueueBytes: 400},
	Metrics: {CPUSecondsPerMillion: 10, QueueBytes: 100},
}

func inputs(load Load) Inputs {
	return Inputs{
		Load: load, Costs: testCosts,
		Pod: Pod{CPURequestMillis: 1000, CPULimitMillis: 2000, SoftLimitMiB: 2457, BaselineMiB: 200, DecisionWait: 10 * time.Second,
			QueueBytes: 7 << 30, QueuedCopies: map[string]int{Traces: 2, Logs: 2, Metrics: 1}},
		HPACPUPercent: 70, HPAMinReplicas: 3, HPAMaxReplicas: 10, PDBMaxUnavailable: 1, Outage: 15 * time.Minute,
	}
}

func TestDerive(t *testing.T) {
	cases := []struct {
		name      string
		in        func() Inputs
		wantMin   int
		wantCPU   int
		wantLimit Limit  // "" for no error
		wantText  string // in the error
	}{
		{name: "no load keeps the configured HPA", in: func() Inputs { return inputs(nil) }, wantMin: 3, wantCPU: 70},
		// 20000 spans/s x 50 us = 1 core; at 0.7 core per pod: 2 pods, +1 for a disruption.
		{name: "light load stays at the configured floor", in: func() Inputs { return inputs(Load{Traces: 20000}) }, wantMin: 3, wantCPU: 70},
		// 60000 x 50 us + 50000 x 20 us + 100000 x 10 us = 5 cores: ceil(5/0.7) = 8, +1.
		{name: "mixed load raises the floor", in: func() Inputs {
			in := inputs(Load{Traces: 60000, Logs: 50000, Metrics: 100000})
			in.Pod.QueueBytes = 0 // in-memory queues: no outage check
			return in
		}, wantMin: 9, wantCPU: 70},
		{name: "mixed load outgrows the queue", in: func() Inputs { return inputs(Load{Traces: 60000, Logs: 50000, Metrics: 100000}) },
			wantLimit: LimitQueue, wantText: "hold 10m14s"},
		{name: "more than the HPA maximum", in: func() Inputs { return inputs(Load{Traces: 200000}) }, wantLimit: LimitMaxReplicas, wantText: "needs 16 gateway pods"},
		// limit = request: 1.5x headroom allows 66 % -> 65.
		{name: "no burst room lowers the target", in: func() Inputs { in := inputs(nil); in.Pod.CPULimitMillis = 1000; return in }, wantMin: 3, wantCPU: 65},
		// 300 MiB soft limit - 200 baseline = 100 MiB for 10 s of spans at 20000 spans/core-s
		// (x 2048 B = 390 MiB per core): 0.256 cores = 25 % of the request.
		{name: "memory for held spans lowers the target", in: func() Inputs { in := inputs(nil); in.Pod.SoftLimitMiB = 300; return in }, wantMin: 3, wantCPU: 25},
		{name: "no room at all", in: func() Inputs { in := inputs(nil); in.Pod.SoftLimitMiB = 210; return in }, wantLimit: LimitPod},
		// 20000 spans/s x 500 B x 2 copies = 20 MB/s; 15 min = 18 GB over 3 pods: 6 GB
		// each, 7 GiB fits.
		{name: "queue holds the outage", in: func() Inputs { return inputs(Load{Traces: 20000}) }, wantMin: 3, wantCPU: 70},
		{name: "queue too small", in: func() Inputs { in := inputs(Load{Traces: 20000}); in.Pod.QueueBytes = 3 << 30; return in },
			wantLimit: LimitQueue, wantText: "at least 8Gi"},
		{name: "negative load", in: func() Inputs { return inputs(Load{Logs: -1}) }, wantText: "must be 0 or more"},
		{name: "unknown signal", in: func() Inputs { return inputs(Load{"profiles": 1}) }, wantText: `signal "profiles"`},
		{name: "request over limit", in: func() Inputs { in := inputs(nil); in.Pod.CPURequestMillis = 3000; return in }, wantText: "0 < request <= limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Derive(tc.in())
			if tc.wantLimit != "" || tc.wantText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantText) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantText)
				}
				if ce, ok := err.(*Error); tc.wantLimit != "" && (!ok || ce.Limit != tc.wantLimit) {
					t.Errorf("err = %#v, want limit %q", err, tc.wantLimit)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.MinReplicas != tc.wantMin || m.CPUPercent != tc.wantCPU {
				t.Errorf("min %d, target %d%%; want %d, %d%% (%+v)", m.MinReplicas, m.CPUPercent, tc.wantMin, tc.wantCPU, m)
			}
		})
	}
}

func TestQueueFigures(t *testing.T) {
	m, err := Derive(inputs(Load{Traces: 20000}))
	if err != nil {
		t.Fatal(err)
	}
	// 20 MB/s for 900 s over 3 pods.
	if m.QueueBytesPerPod != 6_000_000_000 {
		t.Errorf("queue bytes per pod %d, want 6000000000", m.QueueBytesPerPod)
	}
	// 7 GiB x 3 pods / 20 MB/s = 1127.4 s.
	if m.QueueHolds != 1127*time.Second || m.QueueHoldsText != "18m47s" {
		t.Errorf("queue holds %s (%q), want 18m47s", m.QueueHolds, m.QueueHoldsText)
	}
	if m.PodItemsPerSecond[Traces] != 40000 || m.CoresAtLoad != 1 {
		t.Errorf("pod traces/s %d, cores %v; want 40000 at the 2-core limit, 1 core", m.PodItemsPerSecond[Traces], m.CoresAtLoad)
	}
}
