package standin

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// AppInsights stands in for the Application Insights ingestion endpoint (the "track" API
// the azure_monitor exporter's channel posts gzip-compressed, newline-delimited JSON
// envelopes to), answering as the service does and recording every envelope by its
// data's baseType (RequestData, RemoteDependencyData, MessageData, MetricData, ...).
type AppInsights struct {
	URL string // put it in the connection string: IngestionEndpoint=<URL>

	mu        sync.Mutex
	envelopes []Envelope
	srv       *http.Server
	countOnly bool           // CountOnly: keep counts, not envelopes
	counts    map[string]int // baseType → envelopes accepted
	// faults (SetMode): Throttling answers 429 with a Retry-After 5 s ahead and the
	// service's error body (nothing stored), Down 503.
	faults
}

// Refused is how many requests were answered with a fault.
func (a *AppInsights) Refused() int { return snapshot(&a.faults.mu, a.faults.refused)["track"] }

// CountOnly makes the stand-in keep only counts from now on (Counts); Envelopes stays
// empty.
func (a *AppInsights) CountOnly() {
	a.mu.Lock()
	a.countOnly = true
	a.mu.Unlock()
}

// Counts are the envelopes accepted so far, by the data's baseType.
func (a *AppInsights) Counts() map[string]int { return snapshot(&a.mu, a.counts) }

// Envelope is one Application Insights telemetry item (the fields the tests read).
type Envelope struct {
	Name string            `json:"name"`
	IKey string            `json:"iKey"`
	Tags map[string]string `json:"tags"`
	Data struct {
		BaseType string         `json:"baseType"`
		BaseData map[string]any `json:"baseData"`
	} `json:"data"`
}

// StartAppInsights serves the stand-in on a loopback port until Close.
func StartAppInsights() (*AppInsights, error) { return StartAppInsightsAt("127.0.0.1:0") }

// StartAppInsightsAt serves the stand-in on addr until Close.
func StartAppInsightsAt(addr string) (*AppInsights, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	a := &AppInsights{URL: "http://" + ln.Addr().String() + "/", counts: map[string]int{}}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.track)}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// Close stops the server.
func (a *AppInsights) Close() error { return a.srv.Close() }

func (a *AppInsights) track(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || (r.URL.Path != "/v2.1/track" && r.URL.Path != "/v2/track") {
		http.Error(w, fmt.Sprintf("stand-in: unexpected %s %s", r.Method, r.URL.Path), http.StatusNotFound)
		return
	}
	switch a.take("track") {
	case Down:
		http.Error(w, "stand-in: service unavailable", http.StatusServiceUnavailable)
		return
	case Throttling:
		w.Header().Set("Retry-After", time.Now().Add(5*time.Second).UTC().Format(time.RFC1123))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"itemsReceived":0,"itemsAccepted":0,"errors":[]}`)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var got []Envelope
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e Envelope
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = append(got, e)
	}
	a.mu.Lock()
	for _, e := range got {
		a.counts[e.Data.BaseType]++
	}
	if !a.countOnly {
		a.envelopes = append(a.envelopes, got...)
	}
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"itemsReceived":%d,"itemsAccepted":%d,"errors":[]}`, len(got), len(got))
}

// Envelopes are the items received, by the data's baseType.
func (a *AppInsights) Envelopes() map[string][]Envelope {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string][]Envelope{}
	for _, e := range a.envelopes {
		out[e.Data.BaseType] = append(out[e.Data.BaseType], e)
	}
	return out
}
