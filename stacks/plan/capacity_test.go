package plan

import (
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

// The expected load sets the HPA's floor; a load the HPA maximum or the queue volume cannot
// carry is one error naming the key to change, before anything is deployed.
func TestCapacityModelSetsTheHPA(t *testing.T) {
	cases := []struct {
		name      string
		overrides map[string]string
		wantMin   int
		wantErr   []string
	}{
		{name: "no load stated", wantMin: 3},
		// 60000 x 68.4 us + 20000 x 18.2 us + 100000 x 10.5 us = 5.52 cores; 0.7 per pod: 8, +1.
		{name: "expected load", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "60000", "gatewayExpectedLogRecordsPerSecond": "20000", "gatewayExpectedMetricPointsPerSecond": "100000"}, wantMin: 9},
		{name: "beyond the HPA maximum", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "500000"},
			wantErr: []string{"otelfleet:gatewayHpaMaxReplicas: 10 is not allowed", "needs 50 gateway pods"}},
		{name: "fixed replicas too few", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "60000", "gatewayHpaEnabled": "false"},
			wantErr: []string{"otelfleet:gatewayReplicas: 3 is not allowed"}},
		{name: "queue volume too small for the outage", overrides: map[string]string{"gatewayExpectedSpansPerSecond": "20000",
			"gatewayPersistentQueue": "true", "gatewayQueueStorageSize": "2Gi", "gatewayOutageToBuffer": "30m"},
			wantErr: []string{`otelfleet:gatewayQueueStorageSize: 2Gi is not allowed`, "less than the outage to ride out (30m0s)", "at least 18Gi"}},
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
		})
	}
}
