package kube

import (
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/collector"
)

// The cluster collector's ClusterRole follows its receivers: events alone get no object
// reads, and an unknown receiver is refused rather than given guessed rights.
func TestClusterCollectorRulesFollowReceivers(t *testing.T) {
	cases := []struct {
		types     []string
		wantRules int
		wantErr   string
	}{
		{types: []string{collector.TypeK8sCluster, collector.TypeK8sObjects}, wantRules: 5},
		{types: []string{collector.TypeK8sCluster}, wantRules: 4},
		{types: []string{collector.TypeK8sObjects}, wantRules: 1},
		{types: nil, wantErr: "defines no receiver"},
		{types: []string{collector.TypeK8sObjects, collector.TypePrometheus}, wantErr: `receiver "prometheus" has no RBAC rules`},
	}
	for _, tc := range cases {
		rules, err := ClusterCollectorRules(tc.types)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want %q", tc.types, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(rules) != tc.wantRules {
			t.Errorf("%v: %d rules, err %v; want %d", tc.types, len(rules), err, tc.wantRules)
		}
	}
}
