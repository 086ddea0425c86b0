package collector

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/standin"
)

// exporterLoss is what the gateway's own metrics say an exporter did with the items it
// was given: sent, failed for good after its retries, refused by its full queue.
type exporterLoss struct{ sent, failed, enqueueFailed float64 }

func (l exporterLoss) lost() float64 { return l.failed + l.enqueueFailed }

func lossOf(m loopback.Metrics, item, exporter string) exporterLoss {
	label := `exporter="` + exporter + `"`
	return exporterLoss{
		sent:          m.Sum("otelcol_exporter_sent_"+item, label),
		failed:        m.Sum("otelcol_exporter_send_failed_"+item, label),
		enqueueFailed: m.Sum("otelcol_exporter_enqueue_failed_"+item, label),
	}
}

// TestAWSLossBeyondTheQueueIsCounted: aws-prod's gateway with its queues shrunk to what a
// stack may set (gatewayPersistentQueue false, gatewayQueueSize 1: one batch in memory per
// exporter), real exporters to the stand-ins, which are down while 1000 spans and 1000 log
// records flow and for a while after. Beyond the queues' capacity data is lost — and the
// loss is exactly what the gateway's own metrics report for each queued exporter (X-Ray's
// queue hop, the S3 archive, CloudWatch Logs): what arrived = what was sent − the exporter's
// send_failed − its enqueue_failed, item for item. Those are the counters the
// dropping-data alarm adds up (collector.QueuedExporters), so it would fire.
func TestAWSLossBeyondTheQueueIsCounted(t *testing.T) {
	aws, gw, agent := awsStandInFleet(t, map[string]string{"otelfleet:gatewayPersistentQueue": "false", "otelfleet:gatewayQueueSize": "1"})

	const spans, records = 1000, 1000
	aws.SetMode(standin.Down)
	done := make(chan error, 2)
	go func() {
		_, err := send(t, "traces", agent.Endpoint(), spans, "overflow", insecure, "--status-code", "Error", "--rate", "25")
		done <- err
	}()
	go func() {
		_, err := send(t, "logs", agent.Endpoint(), records, "overflow", insecure, "--rate", "50")
		done <- err
	}()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("telemetrygen: %v", err)
		}
	}
	time.Sleep(25 * time.Second) // tail sampling's decision wait, then the queues overflow further
	aws.SetMode(standin.Healthy)

	archived := func(signal, marker string) int {
		n := 0
		for key, body := range aws.Objects() {
			if strings.HasPrefix(key, "archive-bucket/"+signal+"/") {
				n += strings.Count(string(body), marker)
			}
		}
		return n
	}
	type path struct {
		name, item, exporter string
		total                int
		arrived              func() int
	}
	paths := []path{
		{"X-Ray", "spans", "otlp_grpc/awsxray-queue", spans, func() int { return len(aws.Segments()) }},
		{"S3 archive (traces)", "spans", "awss3/traces", spans, func() int { return archived("traces", `"spanId"`) }},
		{"CloudWatch Logs", "log_records", "awscloudwatchlogs", records, func() int { return len(aws.Events("/otelfleet/otel/logs")) }},
		{"S3 archive (logs)", "log_records", "awss3/logs", records, func() int { return archived("logs", `"timeUnixNano"`) }},
	}
	// Wait until every item given to each exporter is accounted for (sent or lost) and
	// what was sent has arrived.
	settled := func(m loopback.Metrics) bool {
		for _, p := range paths {
			l := lossOf(m, p.item, p.exporter)
			if l.sent+l.lost() < float64(p.total) || float64(p.arrived()) < l.sent {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(150 * time.Second)
	m := gw.Scrape(t)
	for !settled(m) && time.Now().Before(deadline) {
		time.Sleep(2 * time.Second)
		m = gw.Scrape(t)
	}
	queued := regexp.MustCompile(collector.QueuedExporters)
	alarmSum := 0.0
	for _, p := range paths {
		l := lossOf(m, p.item, p.exporter)
		arrived := p.arrived()
		t.Logf("%s: %d of %d arrived; %s sent %g, send_failed %g, enqueue_failed %g", p.name, arrived, p.total, p.exporter, l.sent, l.failed, l.enqueueFailed)
		if l.lost() == 0 {
			t.Errorf("%s: nothing was lost: the outage did not exceed the queue, the test proves nothing", p.name)
		}
		if float64(arrived) != float64(p.total)-l.lost() {
			t.Errorf("%s: %d arrived, but the gateway reports %g of %d lost: the loss is not what the collector counts", p.name, arrived, l.lost(), p.total)
		}
		if !queued.MatchString(p.exporter) {
			t.Errorf("%s: exporter %s is not one the dropping-data alarm counts (collector.QueuedExporters)", p.name, p.exporter)
		}
		alarmSum += l.lost()
	}
	if alarmSum == 0 {
		t.Error("the dropping-data alarm's sum (send_failed + enqueue_failed of queued exporters) is 0: it would not fire")
	}
}
