// Package alerts checks the fleet's alert catalogue (components/fleet) against its renderings:
// every alert is a Prometheus rule (components/kube) and a Container Insights log search rule
// (components/azure/alerts) with the catalogue's severity, window and threshold, reading the
// catalogue's metrics. The CloudWatch alarms that have a source for an alert are checked in
// components/aws/alarms.
package alerts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/components/azure/alerts"
	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/components/fleet"
	"github.com/otelfleet/otelfleet/components/kube"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

var azureSeverity = map[fleet.Severity]int{fleet.Critical: alerts.SevError, fleet.Warning: alerts.SevWarning, fleet.Info: alerts.SevInfo}

func TestEveryBackendRendersTheCatalogue(t *testing.T) {
	for _, tail := range []bool{false, true} {
		t.Run(fmt.Sprintf("tail sampling %v", tail), func(t *testing.T) {
			traces := 0
			if tail {
				traces = collector.TailSamplingTraces
			}
			catalogue := fleet.Alerts(fleet.AlertOptions{MinReplicas: 3, TailSamplingTraces: traces})
			if n := len(catalogue); n < 7 {
				t.Fatalf("catalogue has %d alerts", n)
			}

			prom := map[string]kube.AlertRule{}
			for _, r := range kube.FleetAlerts("observability", "otel-gateway", kube.KindDeployment, 3, traces) {
				prom[r.Alert] = r
			}
			azure := map[string]alerts.LogRule{}
			rules, err := alerts.FleetRules(alerts.Fleet{Cluster: pulumi.String("cluster"), Namespaces: []string{"observability"},
				GatewayNamespace: "observability", Gateway: "otel-gateway", MinReplicas: 3, TailSampling: tail})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rules {
				azure[r.Name] = r
			}

			for _, a := range catalogue {
				p, ok := prom[a.Name()]
				if !ok {
					t.Errorf("%s: no Prometheus rule %s", a.ID, a.Name())
				} else {
					wantFor := fmt.Sprintf("%dm", int(a.Window.Minutes()))
					if a.Shape == fleet.Within {
						wantFor = "0m"
					}
					op := ">"
					if a.Below {
						op = "<"
					}
					switch {
					case p.Labels["severity"] != string(a.Severity):
						t.Errorf("%s: Prometheus severity %s, catalogue %s", a.ID, p.Labels["severity"], a.Severity)
					case p.For != wantFor:
						t.Errorf("%s: Prometheus for %s, want %s", a.ID, p.For, wantFor)
					case !strings.HasSuffix(p.Expr, fmt.Sprintf(" %s %v", op, a.Threshold)):
						t.Errorf("%s: Prometheus expression does not end with %s %v: %s", a.ID, op, a.Threshold, p.Expr)
					case p.Annotations["summary"] != a.Summary:
						t.Errorf("%s: Prometheus summary %q", a.ID, p.Annotations["summary"])
					}
					mentions(t, a, "Prometheus", p.Expr)
				}

				z, ok := azure[a.ID]
				if !ok {
					t.Errorf("%s: no Azure log search rule", a.ID)
					continue
				}
				wantOp := ""
				if a.Below {
					wantOp = alerts.LessThan
				}
				query := fmt.Sprint(z.Query.(pulumi.String))
				switch {
				case z.Severity != azureSeverity[a.Severity]:
					t.Errorf("%s: Azure severity %d, catalogue %s", a.ID, z.Severity, a.Severity)
				case z.Window != fmt.Sprintf("PT%dM", int(a.Window.Minutes())):
					t.Errorf("%s: Azure window %s, catalogue %s", a.ID, z.Window, a.Window)
				case z.Threshold != a.Threshold || z.Operator != wantOp:
					t.Errorf("%s: Azure fires %q %v, catalogue below=%v %v", a.ID, z.Operator, z.Threshold, a.Below, a.Threshold)
				case !strings.HasPrefix(z.Description, a.Summary):
					t.Errorf("%s: Azure description %q does not start with the summary", a.ID, z.Description)
				}
				mentions(t, a, "Azure", query)
			}
			if len(prom) != len(catalogue) {
				t.Errorf("%d Prometheus rules for %d catalogue alerts", len(prom), len(catalogue))
			}
		})
	}
}

// mentions fails unless the rendered query reads every metric the alert is about.
func mentions(t *testing.T, a fleet.Alert, backend, query string) {
	t.Helper()
	for _, m := range a.Metrics {
		if !strings.Contains(query, m) {
			t.Errorf("%s: the %s query does not read %s:\n%s", a.ID, backend, m, query)
		}
	}
}
