package ingestdns

import (
	"fmt"
	"strings"

	"github.com/otelfleet/otelfleet/components/aws/lbcontroller"
)

// Health-check settings (Route 53 and the alarm a metric health check reads). They are
// fixed here so the failover window below follows from them.
const (
	// HTTPInterval is the fast Route 53 request interval (seconds) and HTTPFailureThreshold
	// the consecutive failures that make the endpoint unhealthy.
	HTTPInterval         = 10
	HTTPFailureThreshold = 3
	// AlarmPeriod × AlarmEvaluationPeriods of zero healthy targets make a metric health
	// check unhealthy.
	AlarmPeriod            = 60
	AlarmEvaluationPeriods = 2
	// MetricDelay is how late NLB metrics reach CloudWatch (about a minute; conservative).
	MetricDelay = 60
	// ClientReresolve is how long a gRPC client (grpc-go's DNS resolver) may wait before it
	// resolves the name again after its connection broke (its minimum re-resolution
	// interval is 30 s).
	ClientReresolve = 30
	// AliasTTL is the TTL Route 53 answers alias records to an NLB with (the NLB's).
	AliasTTL = 60
)

// Window is the worst-case time from the primary ingest failing to senders connecting to
// the secondary, term by term (seconds).
type Window struct {
	Terms []Term
}

// Term is one part of a Window.
type Term struct {
	What    string
	Seconds int
}

// Total is the window in seconds.
func (w Window) Total() int {
	t := 0
	for _, x := range w.Terms {
		t += x.Seconds
	}
	return t
}

// String lists the terms: "a 20 s + b 120 s = 140 s".
func (w Window) String() string {
	parts := make([]string, len(w.Terms))
	for i, x := range w.Terms {
		parts[i] = fmt.Sprintf("%s %d s", x.What, x.Seconds)
	}
	return fmt.Sprintf("%s = %d s", strings.Join(parts, " + "), w.Total())
}

// FailoverWindow is the window of a health check kind with a record TTL: detection, then
// the cached answer expiring, then the sender resolving again.
//
//   - HTTP: Route 53 probes the NLB's health port every HTTPInterval s and fails after
//     HTTPFailureThreshold misses.
//   - CLOUDWATCH_METRIC: the NLB marks targets unhealthy (target-group interval ×
//     unhealthy threshold), the alarm needs AlarmEvaluationPeriods periods of no healthy
//     target, the metric arrives MetricDelay late.
func FailoverWindow(kind string, ttl int) Window {
	var terms []Term
	if kind == KindHTTP {
		terms = append(terms, Term{"Route 53 HTTP check (interval × failure threshold)", HTTPInterval * HTTPFailureThreshold})
	} else {
		terms = append(terms,
			Term{"NLB target health (interval × unhealthy threshold)", lbcontroller.HealthCheckInterval * lbcontroller.HealthCheckUnhealthyThreshold},
			Term{"alarm (period × evaluation periods)", AlarmPeriod * AlarmEvaluationPeriods},
			Term{"NLB metric delay", MetricDelay},
		)
	}
	return Window{Terms: append(terms, Term{"DNS TTL", ttl}, Term{"client re-resolution", ClientReresolve})}
}
