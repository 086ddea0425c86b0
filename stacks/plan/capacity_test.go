package plan

import (
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks/config"
	"sigs.k8s.io/yaml"
)

// planWith plans testdata/<base>.yaml with some values changed.
func planWith(t *testing.T, base string, overrides map[string]string) (*Plan, error) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + base + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]string
	if err := yaml.UnmarshalStrict(data, &values); err != nil {
		t.Fatal(err)
	}
	for k, v := range overrides {
		values["otelfleet:"+k] = v
	}
	cfg, err := config.LoadValid(values)
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

var expectedLoad = map[string]string{"gatewayExpectedSpansPerSecond": "40000", "gatewayExpectedLogRecordsPerSecond": "20000", "gatewayExpectedMetricPointsPerSecond": "100000"}

// slowerNodes is the expected load on nodes that measured every cost twice the table's.
var slowerNodes = with(expectedLoad, "gatewayCpuSecondsPerMillionSpans", "197.2",
	"gatewayCpuSecondsPerMillionLogRecords", "58.0", "gatewayCpuSecondsPerMillionMetricPoints", "24.4")

// with returns a copy of m with the key, value pairs kv set.
func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// The expected load sets the HPA's floor; a load the HPA maximum or the queue volume cannot
// carry is one error naming the key to change, before anything is deployed.
func TestCapacityModelSetsTheHPA(t *testing.T) {
	cases := []struct {
		name        string
		overrides   map[string]string
		wantMin     int
		wantErr     []string
		wantSummary string
	}{
		{name: "no load stated", wantMin: 3},
		// 40000 x 98.6 us + 20000 x 29.0 us + 100000 x 12.2 us = 5.74 cores; 0.7 per pod: 9, +1.
		{name: "expected load", overrides: expectedLoad, wantMin: 10},
		// The stack's own measurement of a span (49.3 us): 3.77 cores; 0.7 per pod: 6, +1.
		{name: "calibrated span cost", overrides: with(expectedLoad, "gatewayCpuSecondsPerMillionSpans", "49.3"), wantMin: 7,
			wantSummary: "costs 49.3/29.0/12.2 CPU-s per million, calibrated by the stack for traces"},
		// Slower nodes: every cost twice the table's, 11.5 cores: 17, +1 — more than the HPA
		// maximum that carried the load at the table's costs.
		{name: "calibrated on slower nodes", overrides: slowerNodes,
			wantErr: []string{"otelfleet:gatewayHpaMaxReplicas: 10 is not allowed", "needs 18 gateway pods"}},
		{name: "calibrated on slower nodes, maximum raised", overrides: with(slowerNodes, "gatewayHpaMaxReplicas", "20"), wantMin: 18,
			wantSummary: "costs 197.2/58.0/24.4 CPU-s per million, calibrated by the stack for traces, logs, metrics"},
		{name: "beyond the HPA maximum", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "500000"},
			wantErr: []string{"otelfleet:gatewayHpaMaxReplicas: 10 is not allowed", "needs 72 gateway pods"}},
		{name: "fixed replicas too few", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "60000", "gatewayHpaEnabled": "false"},
			wantErr: []string{"otelfleet:gatewayReplicas: 3 is not allowed"}},
		{name: "queue volume too small for the outage", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "20000",
			"gatewayPersistentQueue": "true", "gatewayQueueStorageSize": "2Gi", "gatewayOutageToBuffer": "30m"},
			wantErr: []string{`otelfleet:gatewayQueueStorageSize: 2Gi is not allowed`, "less than the outage to ride out (30m0s)", "at least 14Gi"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := planWith(t, "aws", tc.overrides)
			if len(tc.wantErr) > 0 {
				for _, w := range tc.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v, want it to contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Gateway.HPA == nil || p.Gateway.HPA.Min != tc.wantMin || p.Capacity.MinReplicas != tc.wantMin {
				t.Errorf("HPA %+v, model %+v; want min %d", p.Gateway.HPA, p.Capacity.Model, tc.wantMin)
			}
			if tc.wantSummary != "" && !strings.Contains(p.Capacity.Summary(), tc.wantSummary) {
				t.Errorf("summary %q, want it to contain %q", p.Capacity.Summary(), tc.wantSummary)
			}
		})
	}
}
