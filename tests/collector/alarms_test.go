package collector

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/components/collector"
	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
	"github.com/otelfleet/otelfleet/synth"
)

// alarmSeries is one metric a rendered CloudWatch alarm reads.
type alarmSeries struct {
	alarm, namespace, name string
	dims                   map[string]string
}

func (s alarmSeries) String() string {
	return fmt.Sprintf("%s/%s %v (alarm %s)", s.namespace, s.name, s.dims, s.alarm)
}

// collectorAlarmSeries are the metrics the stack's alarms read from the collectors' own
// metrics (the stack's alarm namespace), by the tier their collector dimension names.
func collectorAlarmSeries(t *testing.T, r *synth.Result, namespace string) map[string][]alarmSeries {
	t.Helper()
	out := map[string][]alarmSeries{}
	for _, a := range r.Find("aws:cloudwatch/metricAlarm:MetricAlarm") {
		queries, _ := a.Inputs["metricQueries"].([]any)
		for _, q := range queries {
			m, _ := q.(map[string]any)["metric"].(map[string]any)
			if m == nil || m["namespace"] != namespace {
				continue
			}
			s := alarmSeries{alarm: a.Name, namespace: namespace, name: fmt.Sprint(m["metricName"]), dims: map[string]string{}}
			for k, v := range m["dimensions"].(map[string]any) {
				s.dims[k] = fmt.Sprint(v)
			}
			tier := s.dims[collector.SelfMetricsCollectorAttribute]
			out[tier] = append(out[tier], s)
		}
	}
	return out
}

// emfRecord is one CloudWatch embedded-metric-format event an awsemf exporter wrote.
type emfRecord struct {
	namespace string
	dims      [][]string
	metrics   []string
	values    map[string]any
}

// emfRecords parses the EMF events in a collector's output (awsemf with
// output_destination stdout prints one JSON event per line).
func emfRecords(output string) []emfRecord {
	var out []emfRecord
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v map[string]any
		if json.Unmarshal(sc.Bytes(), &v) != nil {
			continue
		}
		meta, _ := v["_aws"].(map[string]any)
		cwm, _ := meta["CloudWatchMetrics"].([]any)
		for _, d := range cwm {
			d := d.(map[string]any)
			r := emfRecord{namespace: fmt.Sprint(d["Namespace"]), values: v}
			for _, set := range d["Dimensions"].([]any) {
				var keys []string
				for _, k := range set.([]any) {
					keys = append(keys, fmt.Sprint(k))
				}
				sort.Strings(keys)
				r.dims = append(r.dims, keys)
			}
			for _, m := range d["Metrics"].([]any) {
				r.metrics = append(r.metrics, fmt.Sprint(m.(map[string]any)["Name"]))
			}
			out = append(out, r)
		}
	}
	return out
}

// publishes reports whether the event publishes exactly the series s reads: its
// namespace, its metric name, its dimension names as one set and their values.
func (r emfRecord) publishes(s alarmSeries) bool {
	if r.namespace != s.namespace || !slices.Contains(r.metrics, s.name) {
		return false
	}
	keys := slices.Sorted(maps.Keys(s.dims))
	if !slices.ContainsFunc(r.dims, func(set []string) bool { return slices.Equal(set, keys) }) {
		return false
	}
	for k, v := range s.dims {
		if fmt.Sprint(r.values[k]) != v {
			return false
		}
	}
	return true
}

// sumOf adds the values of metric name over the events that publish series s.
func sumOf(records []emfRecord, s alarmSeries) float64 {
	total := 0.0
	for _, r := range records {
		if r.publishes(s) {
			if v, ok := r.values[s.name].(float64); ok {
				total += v
			}
		}
	}
	return total
}

// failFast makes a gateway's sink give up fast: retries for 2 s instead of 300 s, and a
// two-batch queue in memory, pointed at a closed port — so it both gives up on batches
// (send_failed) and turns batches away while its queue is full (enqueue_failed). Only the sink changes; the metrics/self pipeline and
// its awsemf exporter stay as rendered (but for loopback.Rewrite's documented step 7).
func failFast(cfg map[string]any) {
	sink := section(cfg, "exporters", loopback.OTLPSinkID)
	sink["retry_on_failure"] = map[string]any{"enabled": true, "initial_interval": "200ms", "max_interval": "500ms", "max_elapsed_time": "2s"}
	sink["sending_queue"] = map[string]any{"enabled": true, "num_consumers": 1, "queue_size": 2}
	sink["timeout"] = "1s"
}

// TestAlarmsReadWhatTheCollectorsEmit runs aws-prod's gateway (behind its agent) and its
// ECS collector as rendered, with their backends replaced by a closed port that fails at
// once, and their own-metrics pipeline kept — awsemf writing its EMF events to standard
// output instead of CloudWatch Logs, pushed every second instead of every minute. It sends
// traces, metrics and logs through each, and requires that every metric each rendered
// collector alarm reads (namespace, metric name, dimension set and values) is an EMF
// metric the real collector published; and that the data-lost, export-failing and
// queue-filling alarms would breach on what was published.
func TestAlarmsReadWhatTheCollectorsEmit(t *testing.T) {
	bin := otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	s := render(t, "aws-prod")
	const namespace = "otelfleet/otel" // the stack's alarm namespace (tests/aws checks the rendered alarms)
	series := collectorAlarmSeries(t, s.Result, namespace)
	if len(series["gateway"]) == 0 || len(series["ecs-collector"]) == 0 {
		t.Fatalf("aws-prod renders no collector alarms for the gateway or the ECS collector: %v", series)
	}
	dead := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	self := func() *loopback.SelfMetrics { return &loopback.SelfMetrics{Port: freePort(t), IntervalMs: 1000} }
	ca := newCA(t)

	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{OTLPEndpoint: dead}, SelfMetrics: self()}, ca)
	gw.patch(t, failFast)
	gw.start(t, bin)
	agent := prepare(t, s, daemonSetAgent(t, s), loopback.Options{GatewayEndpoint: gw.Endpoint()}, ca).start(t, bin)

	ecs := prepareOutside(t, "ecs-collector", s.Result.Collector["ecs-collector.yaml"],
		loopback.Options{Sink: loopback.Sink{OTLPEndpoint: dead}, SelfMetrics: self()}, otelcoltest.DummyAWSEnv())
	ecs.patch(t, failFast)
	ecs.start(t, bin)

	// 8 s of each signal into each tier, at a pace that keeps handing the failing sink a
	// batch a second: more than its retrying consumer clears, so its queue fills.
	var wg sync.WaitGroup
	for _, signal := range []string{"traces", "metrics", "logs"} {
		for _, target := range []*collectorRun{agent, ecs} {
			wg.Go(func() {
				_, _ = send(t, signal, target.Endpoint(), 800, "alarms", insecure, "--rate", "100", "--allow-export-failures")
			})
		}
	}
	wg.Wait()

	runs := map[string]*collectorRun{"gateway": gw, "ecs-collector": ecs}
	deadline := time.Now().Add(90 * time.Second)
	for tier, run := range runs {
		var missing []alarmSeries
		var records []emfRecord
		for {
			records = emfRecords(run.Proc.Output())
			missing = missing[:0]
			for _, want := range series[tier] {
				if !slices.ContainsFunc(records, func(r emfRecord) bool { return r.publishes(want) }) {
					missing = append(missing, want)
				}
			}
			if len(missing) == 0 && breaching(series[tier], records) == "" || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Second)
		}
		for _, m := range missing {
			t.Errorf("%s: the collector published no EMF metric %s", tier, m)
		}
		if why := breaching(series[tier], records); why != "" {
			t.Errorf("%s: %s", tier, why)
		}
		if len(missing) > 0 {
			t.Logf("%s published:\n%s", tier, describe(records, namespace))
		}
		t.Logf("%s: %d EMF events; every one of the %d series its alarms read was published", tier, len(records), len(series[tier]))
	}
}

// breaching says which failure alarm would not fire on what was published ("" when the
// data-lost, export-failing and queue-filling alarms all would).
func breaching(series []alarmSeries, records []emfRecord) string {
	var size, capacity float64
	lost := map[string]float64{}
	for _, s := range series {
		switch {
		case strings.HasPrefix(s.name, collector.SendFailed), strings.HasPrefix(s.name, collector.EnqueueFailed):
			lost[s.alarm] += sumOf(records, s)
		case s.name == collector.MetricExporterQueueSize:
			size = max(size, maxOf(records, s))
		case s.name == collector.MetricExporterQueueCapacity:
			capacity = max(capacity, maxOf(records, s))
		}
	}
	for alarm, v := range lost {
		if v <= 0 {
			return fmt.Sprintf("alarm %s: its counters add up to %g although the backend refused everything", alarm, v)
		}
	}
	if capacity == 0 || 100*size/capacity <= 80 {
		return fmt.Sprintf("queue-filling: the fullest queue published was %g of %g although its backend is down", size, capacity)
	}
	return ""
}

func maxOf(records []emfRecord, s alarmSeries) float64 {
	m := 0.0
	for _, r := range records {
		if r.publishes(s) {
			if v, ok := r.values[s.name].(float64); ok {
				m = max(m, v)
			}
		}
	}
	return m
}

// describe lists the published metrics of namespace with their dimension sets.
func describe(records []emfRecord, namespace string) string {
	seen := map[string]bool{}
	for _, r := range records {
		if r.namespace == namespace {
			seen[fmt.Sprintf("%v by %v", r.metrics, r.dims)] = true
		}
	}
	return strings.Join(slices.Sorted(maps.Keys(seen)), "\n")
}
