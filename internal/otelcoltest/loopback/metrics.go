package loopback

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sample is one line of a Prometheus text exposition.
type Sample struct {
	Name   string
	Labels string // the raw `{...}` content, "" without labels
	Value  float64
}

// Metrics is a scrape of a collector's own metrics endpoint.
type Metrics []Sample

// Scrape reads http://127.0.0.1:<port>/metrics (the collector's telemetry reader).
func Scrape(port int) (Metrics, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape :%d: %s", port, resp.Status)
	}
	return ParseMetrics(resp.Body)
}

// ParseMetrics parses the Prometheus text format (comments skipped).
func ParseMetrics(r io.Reader) (Metrics, error) {
	var out Metrics
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var s Sample
		rest := line
		if i := strings.IndexByte(line, '{'); i >= 0 {
			j := strings.LastIndexByte(line, '}')
			if j < i {
				return nil, fmt.Errorf("bad metrics line %q", line)
			}
			s.Name, s.Labels, rest = line[:i], line[i+1:j], strings.TrimSpace(line[j+1:])
		} else {
			s.Name, rest, _ = strings.Cut(line, " ")
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("bad metrics line %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("bad value in %q: %v", line, err)
		}
		s.Value = v
		out = append(out, s)
	}
	return out, sc.Err()
}

// Has reports whether a series of that name is exposed.
func (m Metrics) Has(name string) bool {
	for _, s := range m {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Sum adds the values of every series called name whose labels contain each of the
// given substrings (e.g. `exporter="otlp_grpc/sink"`).
func (m Metrics) Sum(name string, labelParts ...string) float64 {
	var total float64
next:
	for _, s := range m {
		if s.Name != name {
			continue
		}
		for _, p := range labelParts {
			if !strings.Contains(s.Labels, p) {
				continue next
			}
		}
		total += s.Value
	}
	return total
}

// Names lists the distinct metric names, sorted.
func (m Metrics) Names() []string {
	seen := map[string]bool{}
	for _, s := range m {
		seen[s.Name] = true
	}
	return sortedKeys(seen)
}

// WithPrefix returns the distinct names starting with prefix.
func (m Metrics) WithPrefix(prefix string) []string {
	var out []string
	for _, n := range m.Names() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
