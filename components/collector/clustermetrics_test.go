package collector

import (
	"reflect"
	"strings"
	"testing"
)

func TestClusterCollectorConfigRunsWhatIsAskedFor(t *testing.T) {
	base := ClusterCollectorOptions{Environment: "prod", GatewayEndpoint: testGatewayEndpoint, TLS: testClientTLS, MemoryLimitMiB: 400, QueueSize: 100}
	cases := []struct {
		name           string
		metrics, evts  bool
		wantReceivers  []string
		wantPipelines  []string
		wantErrContain string
	}{
		{name: "metrics and events", metrics: true, evts: true, wantReceivers: []string{TypeK8sCluster, TypeK8sObjects}, wantPipelines: []string{Logs, Metrics}},
		{name: "metrics only", metrics: true, wantReceivers: []string{TypeK8sCluster}, wantPipelines: []string{Metrics}},
		{name: "events only", evts: true, wantReceivers: []string{TypeK8sObjects}, wantPipelines: []string{Logs}},
		{name: "neither", wantErrContain: "needs Metrics or Events"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.Metrics, o.Events = tc.metrics, tc.evts
			c, err := ClusterCollectorConfig(o)
			if tc.wantErrContain != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrContain) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErrContain)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text, err := c.YAML()
			if err != nil {
				t.Fatal(err)
			}
			receivers, err := ReceiverTypes(text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(receivers, tc.wantReceivers) {
				t.Errorf("receivers %v, want %v", receivers, tc.wantReceivers)
			}
			if got := sortedKeys(c.Service.Pipelines); !reflect.DeepEqual(got, tc.wantPipelines) {
				t.Errorf("pipelines %v, want %v", got, tc.wantPipelines)
			}
			if tc.evts {
				for _, want := range []string{"group: events.k8s.io", "mode: watch", "- DELETED", "auth_type: serviceAccount"} {
					if !strings.Contains(text, want) {
						t.Errorf("events receiver lacks %q:\n%s", want, text)
					}
				}
			}
		})
	}
}
