package collector

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/standin"
)

// archiveKey is the archive's S3 key layout the lifecycle rules match:
// <bucket>/<signal prefix>/year=YYYY/month=MM/day=DD/hour=HH/...
var archiveKey = regexp.MustCompile(`^archive-bucket/(traces|logs)/year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2}/`)

// standInFleet runs a stack's gateway, its cloud exporters pointed at the stand-in at url
// (env adds to the gateway's environment what they need), and its DaemonSet agent sending
// to it; overrides change values of the stack file first (renderWith).
func standInFleet(t *testing.T, stack string, overrides map[string]string, url string, env ...string) (gw, agent *collectorRun) {
	t.Helper()
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	s := renderWith(t, stack, overrides)
	ca := newCA(t)
	gwWorkload := s.Gateway(t)
	gwWorkload.Env = append(gwWorkload.Env, env...)
	gw = prepare(t, s, gwWorkload, loopback.Options{StandIn: url}, ca).start(t, bin)
	agent = prepare(t, s, daemonSetAgent(t, s), loopback.Options{GatewayEndpoint: gw.Endpoint()}, ca).start(t, bin)
	return gw, agent
}

// awsStandInFleet is aws-prod's standInFleet with AWS stand-ins (dummy credentials, the
// archive bucket "archive-bucket").
func awsStandInFleet(t *testing.T, overrides map[string]string) (aws *standin.AWS, gw, agent *collectorRun) {
	t.Helper()
	aws, err := standin.StartAWS()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = aws.Close() })
	gw, agent = standInFleet(t, "aws-prod", overrides, aws.URL, append(otelcoltest.DummyAWSEnv(), "OTEL_ARCHIVE_BUCKET=archive-bucket")...)
	return aws, gw, agent
}

// throughOutage runs the senders while a stand-in throttles for 10 s, is down for 60 s
// and then recovers, and waits for every sender.
func throughOutage(t *testing.T, setMode func(standin.Mode), senders ...func() error) {
	t.Helper()
	setMode(standin.Throttling)
	done := make(chan error, len(senders))
	for _, s := range senders {
		go func() { done <- s() }()
	}
	time.Sleep(10 * time.Second)
	setMode(standin.Down)
	time.Sleep(60 * time.Second)
	setMode(standin.Healthy)
	for range senders {
		if err := <-done; err != nil {
			t.Fatalf("telemetrygen: %v", err)
		}
	}
}

// TestAWSExportersDeliverToStandIns runs aws-prod's DaemonSet agent and gateway as
// rendered, the gateway with its real AWS exporters (awsxray, awss3 for traces and logs,
// awsemf, awscloudwatchlogs) pointed at loopback stand-ins of X-Ray, S3 and CloudWatch
// Logs — their endpoints are the only change (loopback.Options.StandIn), credentials are
// dummies. Every span sent reaches X-Ray as one segment document with an X-Ray trace id
// and the indexed attribute as annotation, and the S3 archive under the key layout the
// lifecycle rules match; every log record reaches the logs group and the archive; the
// metrics reach the EMF log group.
func TestAWSExportersDeliverToStandIns(t *testing.T) {
	aws, _, agent := awsStandInFleet(t, nil)

	const spans, records = 200, 150
	// status Error: the gateway's tail sampler keeps every such trace.
	if out, err := send(t, "traces", agent.Endpoint(), spans, "standin", insecure, "--status-code", "Error",
		"--telemetry-attributes", `http.request.method="GET"`); err != nil {
		t.Fatalf("telemetrygen traces: %v\n%s", err, out)
	}
	if out, err := send(t, "logs", agent.Endpoint(), records, "standin", insecure); err != nil {
		t.Fatalf("telemetrygen logs: %v\n%s", err, out)
	}
	if out, err := send(t, "metrics", agent.Endpoint(), 50, "standin", insecure); err != nil {
		t.Fatalf("telemetrygen metrics: %v\n%s", err, out)
	}

	archived := func(prefix, item string) int {
		n := 0
		for key, body := range aws.Objects() {
			if strings.HasPrefix(key, "archive-bucket/"+prefix+"/") {
				n += strings.Count(string(body), item)
			}
		}
		return n
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if len(aws.Segments()) >= spans && archived("traces", `"spanId"`) >= spans &&
			len(aws.Events("/otelfleet/otel/logs")) >= records && archived("logs", `"timeUnixNano"`) >= records &&
			len(aws.Events("/otelfleet/otel/metrics")) > 0 {
			break
		}
		time.Sleep(time.Second)
	}
	segs := aws.Segments()
	if len(segs) != spans {
		t.Errorf("X-Ray received %d distinct segment documents; want %d (calls %v)", len(segs), spans, aws.Calls())
	}
	for id, seg := range segs {
		if !standin.XRayTraceID.MatchString(seg.TraceID) {
			t.Fatalf("segment %s: trace_id %q is not in X-Ray's format", id, seg.TraceID)
		}
		if seg.Annotations["http_request_method"] != "GET" && seg.Annotations["http.request.method"] != "GET" {
			t.Fatalf("segment %s: annotations %v lack the indexed http.request.method", id, seg.Annotations)
		}
	}
	if got := archived("traces", `"spanId"`); got != spans {
		t.Errorf("the S3 archive holds %d spans; want %d", got, spans)
	}
	if got := len(aws.Events("/otelfleet/otel/logs")); got != records {
		t.Errorf("CloudWatch Logs group /otelfleet/otel/logs received %d events; want %d", got, records)
	}
	if got := archived("logs", `"timeUnixNano"`); got != records {
		t.Errorf("the S3 archive holds %d log records; want %d", got, records)
	}
	for key := range aws.Objects() {
		if !archiveKey.MatchString(key) {
			t.Errorf("archive object %s is outside the layout the lifecycle rules match", key)
		}
	}
	metrics := aws.Events("/otelfleet/otel/metrics")
	if len(metrics) == 0 {
		t.Errorf("no EMF event in /otelfleet/otel/metrics (calls %v)", aws.Calls())
	} else {
		var ev map[string]any
		if err := json.Unmarshal([]byte(metrics[0]), &ev); err != nil || ev["service.name"] != "standin" {
			t.Errorf("EMF event %s: not JSON with the sender's service.name (%v)", metrics[0], err)
		}
	}
	t.Logf("stand-in calls: %v; %d segments, %d log events, %d EMF events, %d archive objects",
		aws.Calls(), len(segs), len(aws.Events("/otelfleet/otel/logs")), len(metrics), len(aws.Objects()))
}

// azureStandInFleet is azure-prod's standInFleet with an Application Insights stand-in
// (the connection string's IngestionEndpoint).
func azureStandInFleet(t *testing.T) (ai *standin.AppInsights, gw, agent *collectorRun) {
	t.Helper()
	ai, err := standin.StartAppInsights()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ai.Close() })
	gw, agent = standInFleet(t, "azure-prod", nil, ai.URL,
		"APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint="+ai.URL)
	return ai, gw, agent
}

// TestAzureMonitorDeliversToStandIn runs azure-prod's DaemonSet agent and gateway as
// rendered, the gateway's real azure_monitor exporter sending to a loopback stand-in of
// the Application Insights ingestion endpoint: the connection string in the gateway's
// environment names the stand-in as IngestionEndpoint (the config itself is unchanged,
// no sink replaces the exporter). Every log record arrives as a MessageData envelope with
// the sender's cloud role; every span the exporter reports sent (after the stack's
// probabilistic sampling) arrives as a request or dependency; metrics arrive as MetricData.
func TestAzureMonitorDeliversToStandIn(t *testing.T) {
	ai, gw, agent := azureStandInFleet(t)

	const spans, records = 400, 150
	for signal, n := range map[string]int{"traces": spans, "logs": records, "metrics": 50} {
		if out, err := send(t, signal, agent.Endpoint(), n, "standin", insecure); err != nil {
			t.Fatalf("telemetrygen %s: %v\n%s", signal, err, out)
		}
	}
	arrivedSpans := func(e map[string][]standin.Envelope) int {
		return len(e["RequestData"]) + len(e["RemoteDependencyData"])
	}
	var sent float64
	deadline := time.Now().Add(90 * time.Second) // the exporter's channel sends every 10 s
	for time.Now().Before(deadline) {
		e := ai.Envelopes()
		sent = gw.Scrape(t).Sum("otelcol_exporter_sent_spans", `exporter="azure_monitor"`)
		if len(e["MessageData"]) >= records && len(e["MetricData"]) > 0 && sent > 0 && float64(arrivedSpans(e)) >= sent {
			break
		}
		time.Sleep(time.Second)
	}
	e := ai.Envelopes()
	if got := len(e["MessageData"]); got != records {
		t.Errorf("Application Insights received %d MessageData envelopes; want %d", got, records)
	}
	if sent <= 0 || sent > spans || float64(arrivedSpans(e)) != sent {
		t.Errorf("the exporter reports %g spans sent (of %d, after sampling); the stand-in received %d requests and dependencies", sent, spans, arrivedSpans(e))
	}
	if len(e["MetricData"]) == 0 {
		t.Errorf("no MetricData envelope arrived: %v", keys(e))
	}
	for _, m := range e["MessageData"] {
		if m.Tags["ai.cloud.role"] != "standin" {
			t.Fatalf("MessageData tags %v: ai.cloud.role is not the sender's service.name", m.Tags)
		}
	}
	t.Logf("envelopes by type: %v; spans sent after sampling %g of %d", counts(e), sent, spans)
}

func keys(m map[string][]standin.Envelope) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func counts(m map[string][]standin.Envelope) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = len(v)
	}
	return out
}

// TestAWSBackendOutageLosesNothingQueued: aws-prod's gateway, real exporters to the
// stand-ins, while traces, logs and metrics flow for 20 s: the stand-ins throttle for 10 s (each
// service's own throttling answer), then are down for 60 s (503), then recover. Everything
// arrives: CloudWatch Logs and the S3 archive through their sending queues (the gateway's
// persistent queue, 300 s of retries), X-Ray — whose exporter has no sending queue at the
// pinned release — through the queue hop the gateway puts in front of it
// (otlp_grpc/awsxray-queue → traces/awsxray), and the EMF metrics through theirs. The hops
// give up on nothing — throttling is a permanent error to awsxray and awsemf, so this holds
// only while the SDK's retries (collector.AWSMaxRetries) outlast it; awsxray's and awsemf's
// own failed attempts are counted on them, which the collector alarms leave out
// (collector.QueuedExporters).
func TestAWSBackendOutageLosesNothingQueued(t *testing.T) {
	aws, gw, agent := awsStandInFleet(t, nil)

	const spans, records, points = 1000, 1000, 200
	throughOutage(t, aws.SetMode,
		func() error {
			_, err := send(t, "traces", agent.Endpoint(), spans, "outage", insecure, "--status-code", "Error", "--rate", "25")
			return err
		},
		func() error {
			_, err := send(t, "logs", agent.Endpoint(), records, "outage", insecure, "--rate", "50")
			return err
		},
		func() error {
			_, err := send(t, "metrics", agent.Endpoint(), points, "outage", insecure, "--rate", "10")
			return err
		})
	archivedSpans := func() int {
		n := 0
		for key, body := range aws.Objects() {
			if strings.HasPrefix(key, "archive-bucket/traces/") {
				n += strings.Count(string(body), `"spanId"`)
			}
		}
		return n
	}
	deadline := time.Now().Add(150 * time.Second)
	for time.Now().Before(deadline) {
		if len(aws.Events("/otelfleet/otel/logs")) >= records && archivedSpans() >= spans && len(aws.Segments()) >= spans {
			break
		}
		time.Sleep(2 * time.Second)
	}
	if got := len(aws.Events("/otelfleet/otel/logs")); got != records {
		t.Errorf("CloudWatch Logs received %d of %d log records after the outage: the queue lost data", got, records)
	}
	if got := archivedSpans(); got != spans {
		t.Errorf("the S3 archive holds %d of %d spans after the outage: the queue lost data", got, spans)
	}
	xray := len(aws.Segments())
	if xray != spans {
		t.Errorf("X-Ray received %d of %d spans after the outage: the queue hop lost data", xray, spans)
	}
	m := gw.Scrape(t)
	if lost := m.Sum("otelcol_exporter_send_failed_spans", `exporter="otlp_grpc/awsxray-queue"`); lost != 0 {
		t.Errorf("the X-Ray queue hop gave up on %g spans", lost)
	}
	attempts := m.Sum("otelcol_exporter_send_failed_spans", `exporter="awsxray"`)
	if attempts == 0 || aws.Refused()["PutTraceSegments"] == 0 {
		t.Errorf("X-Ray was never refused (refusals %v, failed attempts %g): the outage did not reach it", aws.Refused(), attempts)
	}
	if lost := m.Sum("otelcol_exporter_send_failed_metric_points", `exporter="otlp_grpc/awsemf-queue"`); lost != 0 {
		t.Errorf("the EMF queue hop gave up on %g metric points", lost)
	}
	emfAttempts := m.Sum("otelcol_exporter_send_failed_metric_points", `exporter="awsemf"`)
	if emfAttempts == 0 {
		t.Error("awsemf never failed: the outage did not reach the EMF metrics")
	}
	if len(aws.Events("/otelfleet/otel/metrics")) == 0 {
		t.Error("no EMF event reached the metrics group after the outage")
	}
	t.Logf("refused by the stand-ins: %v; X-Ray: %d of %d arrived through the queue hop (%g failed attempts retried); EMF: %g failed attempts retried",
		aws.Refused(), xray, spans, attempts, emfAttempts)
}

// TestAzureBackendOutage: azure-prod's gateway, its real azure_monitor exporter to the
// Application Insights stand-in, while log records flow for 20 s: the stand-in throttles
// for 10 s (429 with Retry-After), is down for 60 s (503), then recovers. Every record
// arrives. The exporter hands envelopes to the Application Insights SDK's channel, which
// retries each payload after 10, 30 and 60 s and once more: that — not the gateway's
// sending queue, which never sees a failure — is what rides out the outage (a longer one
// loses data the collector does not count: README, "Cloud exporters").
func TestAzureBackendOutage(t *testing.T) {
	ai, gw, agent := azureStandInFleet(t)
	const records = 1000
	throughOutage(t, ai.SetMode, func() error {
		_, err := send(t, "logs", agent.Endpoint(), records, "outage", insecure, "--rate", "50")
		return err
	})
	deadline := time.Now().Add(150 * time.Second)
	for time.Now().Before(deadline) && ai.Counts()["MessageData"] < records {
		time.Sleep(2 * time.Second)
	}
	if got := ai.Counts()["MessageData"]; got != records {
		t.Errorf("Application Insights received %d of %d log records after the outage", got, records)
	}
	if ai.Refused() == 0 {
		t.Error("the stand-in refused nothing: the outage did not reach the exporter")
	}
	m := gw.Scrape(t)
	t.Logf("refused %d requests; the exporter reports %g log records sent, %g failed", ai.Refused(),
		m.Sum("otelcol_exporter_sent_log_records", `exporter="azure_monitor"`), m.Sum("otelcol_exporter_send_failed_log_records", `exporter="azure_monitor"`))
}

// TestAzureThrottlingUnderLoadLosesNothing throttles Application Insights (429 with
// Retry-After) while 1000 log records/s flow. The SDK behind the azure_monitor exporter
// then holds one batch (the exporter's maxbatchsize) until the throttle expires and drops
// every further item after the exporter has reported it sent, so no collector counter
// would show such a loss. With the upstream default of 1024 this run lost 2111 of 4000
// records (0 counted failed); with the generated collector.AzureMonitorMaxBatchSize every
// record must arrive, and the exporter must report them all sent.
func TestAzureThrottlingUnderLoadLosesNothing(t *testing.T) {
	ai, gw, agent := azureStandInFleet(t)
	const records = 4000
	ai.SetMode(standin.Throttling)
	sent := make(chan error, 1)
	go func() {
		_, err := send(t, "logs", agent.Endpoint(), records, "throttled", insecure, "--rate", "1000")
		sent <- err
	}()
	time.Sleep(8 * time.Second)
	ai.SetMode(standin.Healthy)
	if err := <-sent; err != nil {
		t.Fatalf("telemetrygen: %v", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && ai.Counts()["MessageData"] < records {
		time.Sleep(time.Second)
	}
	m := gw.Scrape(t)
	handed := m.Sum("otelcol_exporter_sent_log_records", `exporter="azure_monitor"`)
	failed := m.Sum("otelcol_exporter_send_failed_log_records", `exporter="azure_monitor"`) +
		m.Sum("otelcol_exporter_enqueue_failed_log_records", `exporter="azure_monitor"`)
	arrived := ai.Counts()["MessageData"]
	t.Logf("the exporter reports %g log records sent and %g failed; Application Insights stored %d, refused %d requests",
		handed, failed, arrived, ai.Refused())
	if ai.Refused() == 0 {
		t.Fatal("the stand-in refused nothing: the throttling did not reach the exporter")
	}
	if arrived != records || handed != records {
		t.Errorf("Application Insights stored %d of %d log records (the exporter reports %g sent, %g failed): the SDK dropped what it could not hold while throttled",
			arrived, records, handed, failed)
	}
}

// TestAzureExportMarks: the ingestion-loss alert (components/azure/alerts) counts the
// App* rows without the property otelfleet.exported_by as the gateways' exports. Run as
// rendered, each with its real azure_monitor exporter to the Application Insights stand-in:
// the ACI collector marks every span it exports; the gateway removes the mark from spans
// that arrive with it (as from another stack's ACI collector forwarding upstream), while
// Azure Monitor still copies the gateway's other resource attributes into Properties — so
// the missing mark is the gateway's doing, not the exporter's.
func TestAzureExportMarks(t *testing.T) {
	ai, _, agent := azureStandInFleet(t)
	s := render(t, "azure-prod")
	aci := prepareOutside(t, "aci-collector", s.Result.Collector["otel-aci.yaml"], loopback.Options{StandIn: ai.URL},
		[]string{"APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=" + ai.URL})
	aci.start(t, otelcoltest.Binary(t))

	const spans = 200 // each path samples 25 %: about 50 arrive from each
	mark := fmt.Sprintf(`--otlp-attributes=%s="%s"`, collector.ExportedByAttribute, collector.ExportedByACI)
	for _, c := range []struct {
		run     *collectorRun
		service string
	}{{agent, "via-gateway"}, {aci, "via-aci"}} {
		if out, err := send(t, "traces", c.run.Endpoint(), spans, c.service, insecure, mark); err != nil {
			t.Fatalf("telemetrygen to %s: %v\n%s", c.service, err, out)
		}
	}
	byRole := map[string][]map[string]any{}
	deadline := time.Now().Add(90 * time.Second) // the exporter's channel sends every 10 s
	for time.Now().Before(deadline) {
		clear(byRole)
		e := ai.Envelopes()
		for _, env := range append(e["RequestData"], e["RemoteDependencyData"]...) {
			props, _ := env.Data.BaseData["properties"].(map[string]any)
			byRole[env.Tags["ai.cloud.role"]] = append(byRole[env.Tags["ai.cloud.role"]], props)
		}
		if len(byRole["via-gateway"]) > 0 && len(byRole["via-aci"]) > 0 {
			break
		}
		time.Sleep(time.Second)
	}
	for role, want := range map[string]struct{ platform, mark any }{
		"via-gateway": {"azure_aks", nil}, "via-aci": {"azure_container_instances", collector.ExportedByACI},
	} {
		if len(byRole[role]) == 0 {
			t.Fatalf("no span of %s arrived at Application Insights", role)
		}
		for _, props := range byRole[role] {
			if props["cloud.platform"] != want.platform || props[collector.ExportedByAttribute] != want.mark {
				t.Fatalf("%s: span properties %v; want cloud.platform %v and %s %v", role, props, want.platform, collector.ExportedByAttribute, want.mark)
			}
		}
	}
	t.Logf("spans arrived: %d through the gateway, %d through the ACI collector", len(byRole["via-gateway"]), len(byRole["via-aci"]))
}
