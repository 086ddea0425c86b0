// Package standin serves loopback stand-ins for the cloud services the gateways' real
// exporters call, speaking each wire protocol closely enough for the exporter to succeed,
// and records every item they accept: AWS X-Ray PutTraceSegments, CloudWatch Logs
// CreateLogGroup/CreateLogStream/PutLogEvents (also what awsemf sends) and S3 PutObject
// (path-style, with aws-chunked bodies). Authentication is not checked: the exporters sign
// with dummy credentials.
package standin

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// AWS is one HTTP server standing in for X-Ray, CloudWatch Logs and S3 at once (each
// exporter's endpoint points at it; requests are told apart by path and X-Amz-Target).
type AWS struct {
	URL string

	mu       sync.Mutex
	segments map[string]Segment  // X-Ray segment or subsegment id → document
	events   map[string][]string // log group → messages
	objects  map[string][]byte   // S3 bucket/key → body (gzip decoded)
	calls    map[string]int      // operation → calls
	srv      *http.Server
	faults
	// countOnly (CountOnly) keeps counts, not contents: a benchmark's millions of items.
	countOnly bool
	counts    AWSCounts
	// seen are the segment ids received in count-only mode (UniqueSegments): delivery is
	// at least once, and a benchmark must tell a resent span from a new one.
	seen map[string]struct{}
}

// AWSCounts are the items the stand-in accepted.
type AWSCounts struct {
	Segments       int `json:"segments"`        // X-Ray documents (one per span)
	UniqueSegments int `json:"unique_segments"` // of those, distinct ids (count-only mode)
	LogEvents      int `json:"log_events"`      // CloudWatch Logs events, EMF included
	Objects        int `json:"objects"`         // S3 objects
	ObjectBytes    int `json:"object_bytes"`    // their size, gzip-decoded
}

// CountOnly makes the stand-in keep only counts from now on (Counts); Segments, Events and
// Objects stay empty.
func (a *AWS) CountOnly() {
	a.mu.Lock()
	a.countOnly = true
	a.mu.Unlock()
}

// Counts are the items accepted so far.
func (a *AWS) Counts() AWSCounts {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts
}

// Mode is how the stand-in answers.
type Mode int

const (
	// Healthy accepts every request.
	Healthy Mode = iota
	// Throttling answers as each service does when its rate is exceeded (X-Ray 429
	// ThrottledException, CloudWatch Logs 400 ThrottlingException, S3 503 SlowDown):
	// nothing is stored.
	Throttling
	// Down answers 503 to everything, as a service or a path to it that is out.
	Down
)

// faults is a stand-in's Mode and the requests it answered with a fault.
type faults struct {
	mu      sync.Mutex
	mode    Mode
	refused map[string]int // operation → requests answered with a fault
}

// SetMode switches how the stand-in answers from now on.
func (f *faults) SetMode(m Mode) {
	f.mu.Lock()
	f.mode = m
	f.mu.Unlock()
}

// take returns the mode a request for op is answered in, counting it as refused unless
// the stand-in is Healthy.
func (f *faults) take(op string) Mode {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mode != Healthy {
		if f.refused == nil {
			f.refused = map[string]int{}
		}
		f.refused[op]++
	}
	return f.mode
}

// Refused are the requests answered with a fault, by operation.
func (a *AWS) Refused() map[string]int { return snapshot(&a.faults.mu, a.faults.refused) }

// snapshot copies a map the server writes to.
func snapshot[K comparable, V any](mu *sync.Mutex, m map[K]V) map[K]V {
	mu.Lock()
	defer mu.Unlock()
	return maps.Clone(m)
}

// fault answers the request with the mode's fault and reports whether it did.
func (a *AWS) fault(w http.ResponseWriter, op string) bool {
	mode := a.take(op)
	switch {
	case mode == Down:
		http.Error(w, "stand-in: service unavailable", http.StatusServiceUnavailable)
	case mode == Throttling && op == "PutTraceSegments":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"__type":"ThrottledException","message":"Rate exceeded"}`)
	case mode == Throttling && op == "PutObject":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
	case mode == Throttling:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
	default:
		return false
	}
	return true
}

// Segment is an X-Ray segment document (the fields the test reads).
type Segment struct {
	ID          string         `json:"id"`
	TraceID     string         `json:"trace_id"`
	Name        string         `json:"name"`
	Annotations map[string]any `json:"annotations"`
	Error       bool           `json:"error"`
	Fault       bool           `json:"fault"`
}

// StartAWS serves the stand-in on a loopback port until Close.
func StartAWS() (*AWS, error) { return StartAWSAt("127.0.0.1:0") }

// StartAWSAt serves the stand-in on addr until Close.
func StartAWSAt(addr string) (*AWS, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	a := &AWS{URL: "http://" + ln.Addr().String(), segments: map[string]Segment{}, seen: map[string]struct{}{}, events: map[string][]string{},
		objects: map[string][]byte{}, calls: map[string]int{}}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serve)}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// Close stops the server.
func (a *AWS) Close() error { return a.srv.Close() }

func (a *AWS) serve(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/TraceSegments":
		if !a.fault(w, "PutTraceSegments") {
			a.putTraceSegments(w, body)
		}
	case r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328."):
		if !a.fault(w, target) {
			a.logs(w, target, body)
		}
	case r.Method == http.MethodPut:
		if !a.fault(w, "PutObject") {
			a.putObject(w, strings.TrimPrefix(r.URL.Path, "/"), body)
		}
	default:
		http.Error(w, fmt.Sprintf("stand-in: unexpected %s %s (target %q)", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target")), http.StatusNotImplemented)
	}
}

func (a *AWS) count(op string) {
	a.mu.Lock()
	a.calls[op]++
	a.mu.Unlock()
}

func (a *AWS) putTraceSegments(w http.ResponseWriter, body []byte) {
	a.count("PutTraceSegments")
	var in struct {
		TraceSegmentDocuments []string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.counts.Segments += len(in.TraceSegmentDocuments)
	for _, doc := range in.TraceSegmentDocuments {
		if a.countOnly {
			a.seen[segmentID(doc)] = struct{}{}
			a.counts.UniqueSegments = len(a.seen)
			continue
		}
		var s Segment
		if json.Unmarshal([]byte(doc), &s) == nil {
			a.segments[s.ID] = s
		}
	}
	a.mu.Unlock()
	writeJSON(w, "application/json", `{"UnprocessedTraceSegments":[]}`)
}

// segmentID is a segment document's top-level id without decoding it (the exporter writes
// name, then id, first), or the whole document when it has none.
func segmentID(doc string) string {
	const key = `"id":"`
	i := strings.Index(doc, key)
	if i < 0 {
		return doc
	}
	id, _, _ := strings.Cut(doc[i+len(key):], `"`)
	return id
}

func (a *AWS) logs(w http.ResponseWriter, op string, body []byte) {
	a.count(op)
	const ct = "application/x-amz-json-1.1"
	switch op {
	case "CreateLogGroup", "CreateLogStream", "PutRetentionPolicy", "TagLogGroup":
		writeJSON(w, ct, `{}`)
	case "PutLogEvents":
		var in struct {
			LogGroupName string `json:"logGroupName"`
			LogEvents    []struct {
				Message string `json:"message"`
			} `json:"logEvents"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.counts.LogEvents += len(in.LogEvents)
		for _, e := range in.LogEvents {
			if a.countOnly {
				break
			}
			a.events[in.LogGroupName] = append(a.events[in.LogGroupName], e.Message)
		}
		a.mu.Unlock()
		writeJSON(w, ct, `{"nextSequenceToken":"1"}`)
	default:
		http.Error(w, "stand-in: CloudWatch Logs operation "+op+" is not served", http.StatusNotImplemented)
	}
}

func (a *AWS) putObject(w http.ResponseWriter, key string, body []byte) {
	a.count("PutObject")
	if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
		if plain, err := io.ReadAll(zr); err == nil {
			body = plain
		}
	}
	a.mu.Lock()
	a.counts.Objects++
	a.counts.ObjectBytes += len(body)
	if !a.countOnly {
		a.objects[key] = body
	}
	a.mu.Unlock()
	w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	_, _ = io.WriteString(w, body)
}

// readBody reads a request body, decoding S3's aws-chunked transfer (chunks of
// "<hex size>[;chunk-signature=...]\r\n<data>\r\n", a zero chunk, then trailing checksums).
func readBody(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil || !strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		return raw, err
	}
	var out bytes.Buffer
	br := bufio.NewReader(bytes.NewReader(raw))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("aws-chunked: %v", err)
		}
		sizeText, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(sizeText, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("aws-chunked size %q: %v", sizeText, err)
		}
		if size == 0 {
			return out.Bytes(), nil
		}
		if _, err := io.CopyN(&out, br, size); err != nil {
			return nil, err
		}
		if _, err := br.ReadString('\n'); err != nil {
			return nil, err
		}
	}
}

// Segments are the X-Ray documents received, by id.
func (a *AWS) Segments() map[string]Segment { return snapshot(&a.mu, a.segments) }

// Events are the CloudWatch Logs messages received in a log group.
func (a *AWS) Events(group string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.events[group]...)
}

// Objects are the S3 objects received (bucket/key → gzip-decoded body).
func (a *AWS) Objects() map[string][]byte { return snapshot(&a.mu, a.objects) }

// Calls are the operations served, by name.
func (a *AWS) Calls() map[string]int { return snapshot(&a.mu, a.calls) }

// XRayTraceID is the X-Ray trace id format: 1-<8 hex epoch seconds>-<24 hex>.
var XRayTraceID = regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{24}$`)
