package loopback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
)

// Received is what a file sink holds for one service (resource attribute service.name).
type Received struct {
	Spans, MetricPoints, LogRecords int
	// UniqueSpans counts distinct (traceId, spanId); Spans-UniqueSpans are duplicates
	// (at-least-once delivery after a retry).
	UniqueSpans int
	// Attrs counts, per resource attribute key and value, the items (spans, points, log
	// records) that carried it.
	Attrs map[string]map[string]int
	// Metrics counts the data points per metric name; Points keeps them per metric name
	// with their attributes and their resource's.
	Metrics map[string]int
	Points  map[string][]Point
}

// Point is one metric data point: its attributes and its resource's.
type Point struct {
	Attrs, Resource map[string]string
}

// Items is Spans+MetricPoints+LogRecords.
func (r *Received) Items() int { return r.Spans + r.MetricPoints + r.LogRecords }

// CountWith is how many items carried resource attribute key=value.
func (r *Received) CountWith(key, value string) int { return r.Attrs[key][value] }

type otlpValue struct {
	StringValue *string  `json:"stringValue"`
	IntValue    *string  `json:"intValue"` // OTLP JSON encodes int64 as a string
	BoolValue   *bool    `json:"boolValue"`
	DoubleValue *float64 `json:"doubleValue"`
}

func (v otlpValue) String() string {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.IntValue != nil:
		return *v.IntValue
	case v.BoolValue != nil:
		return strconv.FormatBool(*v.BoolValue)
	case v.DoubleValue != nil:
		return strconv.FormatFloat(*v.DoubleValue, 'g', -1, 64)
	}
	return ""
}

type otlpAttr struct {
	Key   string    `json:"key"`
	Value otlpValue `json:"value"`
}

type otlpResource struct {
	Attributes []otlpAttr `json:"attributes"`
}

type points struct {
	DataPoints []struct {
		Attributes []otlpAttr `json:"attributes"`
	} `json:"dataPoints"`
}

type exportLine struct {
	ResourceSpans []struct {
		Resource   otlpResource `json:"resource"`
		ScopeSpans []struct {
			Spans []struct {
				TraceID string `json:"traceId"`
				SpanID  string `json:"spanId"`
			} `json:"spans"`
		} `json:"scopeSpans"`
	} `json:"resourceSpans"`
	ResourceMetrics []struct {
		Resource     otlpResource `json:"resource"`
		ScopeMetrics []struct {
			Metrics []struct {
				Name                 string  `json:"name"`
				Gauge                *points `json:"gauge"`
				Sum                  *points `json:"sum"`
				Histogram            *points `json:"histogram"`
				ExponentialHistogram *points `json:"exponentialHistogram"`
				Summary              *points `json:"summary"`
			} `json:"metrics"`
		} `json:"scopeMetrics"`
	} `json:"resourceMetrics"`
	ResourceLogs []struct {
		Resource  otlpResource `json:"resource"`
		ScopeLogs []struct {
			LogRecords []json.RawMessage `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

// ReadSink reads a `file` exporter's output (OTLP JSON, one export per line) and counts
// the items whose resource has service.name == service. A missing file counts nothing; a
// torn last line (the exporter is still writing) is ignored.
func ReadSink(path, service string) (*Received, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Received{Attrs: map[string]map[string]int{}, Metrics: map[string]int{}, Points: map[string][]Point{}}, nil
	}
	if err != nil {
		return nil, err
	}
	r := &Received{Attrs: map[string]map[string]int{}, Metrics: map[string]int{}, Points: map[string][]Point{}}
	seen := map[string]bool{}
	if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
		data = data[:i+1] // a torn last line: the exporter is still writing it
	}
	for lineNo, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l exportLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, lineNo+1, err)
		}
		for _, rs := range l.ResourceSpans {
			attrs, ok := resourceAttrs(rs.Resource, service)
			if !ok {
				continue
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					r.Spans++
					r.count(attrs)
					if id := s.TraceID + "/" + s.SpanID; !seen[id] {
						seen[id] = true
						r.UniqueSpans++
					}
				}
			}
		}
		for _, rm := range l.ResourceMetrics {
			attrs, ok := resourceAttrs(rm.Resource, service)
			if !ok {
				continue
			}
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					for _, p := range []*points{m.Gauge, m.Sum, m.Histogram, m.ExponentialHistogram, m.Summary} {
						if p == nil {
							continue
						}
						for _, dp := range p.DataPoints {
							r.MetricPoints++
							r.count(attrs)
							r.Metrics[m.Name]++
							pa := map[string]string{}
							for _, a := range dp.Attributes {
								pa[a.Key] = a.Value.String()
							}
							r.Points[m.Name] = append(r.Points[m.Name], Point{Attrs: pa, Resource: attrs})
						}
					}
				}
			}
		}
		for _, rl := range l.ResourceLogs {
			attrs, ok := resourceAttrs(rl.Resource, service)
			if !ok {
				continue
			}
			for _, sl := range rl.ScopeLogs {
				for range sl.LogRecords {
					r.LogRecords++
					r.count(attrs)
				}
			}
		}
	}
	return r, nil
}

func resourceAttrs(res otlpResource, service string) (map[string]string, bool) {
	attrs := make(map[string]string, len(res.Attributes))
	for _, a := range res.Attributes {
		attrs[a.Key] = a.Value.String()
	}
	return attrs, service == AnyService || attrs["service.name"] == service
}

// AnyService makes ReadSink count items of every resource (receivers such as host_metrics
// or k8s_cluster set no service.name).
const AnyService = "*"

func (r *Received) count(attrs map[string]string) {
	for k, v := range attrs {
		if r.Attrs[k] == nil {
			r.Attrs[k] = map[string]int{}
		}
		r.Attrs[k][v]++
	}
}
