package collector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/kubetest"
)

// otlpAny is an OTLP JSON AnyValue: exactly one field is set.
type otlpAny struct {
	StringValue *string  `json:"stringValue"`
	IntValue    *string  `json:"intValue"`
	BoolValue   *bool    `json:"boolValue"`
	DoubleValue *float64 `json:"doubleValue"`
	KvlistValue *struct {
		Values []otlpKeyValue `json:"values"`
	} `json:"kvlistValue"`
	ArrayValue *struct {
		Values []otlpAny `json:"values"`
	} `json:"arrayValue"`
}

type otlpKeyValue struct {
	Key   string  `json:"key"`
	Value otlpAny `json:"value"`
}

// plain turns the value into Go values (maps, slices, strings, numbers, bools).
func (v otlpAny) plain() any {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.IntValue != nil:
		n, _ := strconv.ParseInt(*v.IntValue, 10, 64)
		return n
	case v.BoolValue != nil:
		return *v.BoolValue
	case v.DoubleValue != nil:
		return *v.DoubleValue
	case v.KvlistValue != nil:
		return plainMap(v.KvlistValue.Values)
	case v.ArrayValue != nil:
		out := make([]any, len(v.ArrayValue.Values))
		for i, e := range v.ArrayValue.Values {
			out[i] = e.plain()
		}
		return out
	}
	return nil
}

func plainMap(kvs []otlpKeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.plain()
	}
	return m
}

// logRecord is one log record of the sink with its resource, as Go values.
type logRecord struct {
	Resource, Attributes map[string]any
	Body                 any
}

// logRecords reads every log record of a file sink (a partly written last line is skipped).
func logRecords(t testing.TB, sink string) []logRecord {
	t.Helper()
	data, err := os.ReadFile(sink)
	if err != nil {
		return nil
	}
	var out []logRecord
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var line struct {
			ResourceLogs []struct {
				Resource struct {
					Attributes []otlpKeyValue `json:"attributes"`
				} `json:"resource"`
				ScopeLogs []struct {
					LogRecords []struct {
						Body       otlpAny        `json:"body"`
						Attributes []otlpKeyValue `json:"attributes"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		for _, rl := range line.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, r := range sl.LogRecords {
					out = append(out, logRecord{Resource: plainMap(rl.Resource.Attributes), Attributes: plainMap(r.Attributes), Body: r.Body.plain()})
				}
			}
		}
	}
	return out
}

// field walks nested maps: field(body, "object", "regarding", "name").
func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// clusterEvent is an Event created in the API server and what its log record must say.
type clusterEvent struct {
	manifest           string
	name, reason, note string
}

// testEvents are created while the cluster collector runs: one through the core API, as
// most controllers and the kubelet still write them, and one through events.k8s.io.
var testEvents = []clusterEvent{
	{
		manifest: "apiVersion: v1\nkind: Event\nmetadata:\n  name: checkout.backoff\n  namespace: default\ninvolvedObject:\n  kind: Pod\n  name: checkout\n  namespace: default\nreason: BackOff\nmessage: Back-off restarting failed container app\ntype: Warning\n",
		name:     "checkout.backoff", reason: "BackOff", note: "Back-off restarting failed container app",
	},
	{
		manifest: "apiVersion: events.k8s.io/v1\nkind: Event\nmetadata:\n  name: checkout.scheduled\n  namespace: default\neventTime: \"2026-12-07T00:00:00.000000Z\"\nreportingController: otelfleet.io/test\nreportingInstance: test-1\naction: Binding\nreason: Scheduled\nregarding:\n  kind: Pod\n  name: checkout\n  namespace: default\nnote: Successfully assigned default/checkout to node-a\ntype: Normal\n",
		name:     "checkout.scheduled", reason: "Scheduled", note: "Successfully assigned default/checkout to node-a",
	},
}

// checkEvents creates testEvents in c and waits until each comes out at the sink as one
// log record in the events.k8s.io shape, in its namespace's resource, with the fleet's
// environment.
func checkEvents(t *testing.T, c *kubetest.Cluster, sink, environment string) {
	t.Helper()
	for _, e := range testEvents {
		if _, _, err := c.Apply(t.Context(), []byte(e.manifest), kubetest.ApplyOptions{}); err != nil {
			t.Fatalf("event %s: %v", e.name, err)
		}
	}
	found := map[string]logRecord{}
	deadline := time.Now().Add(60 * time.Second)
	for len(found) < len(testEvents) && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		for _, r := range logRecords(t, sink) {
			if r.Attributes["k8s.resource.name"] == "events" {
				found[r.Attributes["event.name"].(string)] = r
			}
		}
	}
	for _, e := range testEvents {
		r, ok := found[e.name]
		if !ok {
			t.Errorf("event %s did not come out as a log record within 60 s (got %d event records)", e.name, len(found))
			continue
		}
		got := map[string]any{
			"watch type": field(r.Body, "type"), "reason": field(r.Body, "object", "reason"), "note": field(r.Body, "object", "note"),
			"regarding": field(r.Body, "object", "regarding", "name"), "namespace": r.Resource["k8s.namespace.name"],
			"environment": r.Resource["deployment.environment"],
		}
		want := map[string]any{
			"watch type": "ADDED", "reason": e.reason, "note": e.note, "regarding": "checkout", "namespace": "default", "environment": environment,
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("event %s: %s = %v, want %v", e.name, k, got[k], w)
			}
		}
	}
}
