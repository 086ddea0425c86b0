package collector

import (
	"slices"
	"strings"
	"testing"
)

// Both redaction processors leave the identity keys, the gateway's own resource keys and
// the allow list alone, each key once.
func TestRedactionIgnoresIdentityKeys(t *testing.T) {
	c, err := GatewayConfig(GatewayOptions{MemoryLimitMiB: 512, QueueSize: 10, Redaction: &Redaction{Allow: []string{"url.full", "service.name"}},
		ResourceAttributes: []AttributeAction{{Key: "cloud.region", Value: "us-east-1", Action: "insert"}},
		Exporters:          []Exporter{{ID: TypeDebug, Config: DebugExporter{}, Signals: []string{Traces, Logs}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{TypeRedaction, idRedactDB} {
		got := c.Processors[id].(RedactionProcessor).IgnoredKeys
		for _, k := range []string{"service.name", "k8s.pod.name", "k8s.cluster.name", "cloud.region", "url.full"} {
			if !slices.Contains(got, k) {
				t.Errorf("%s: ignored_keys lacks %s: %v", id, k, got)
			}
		}
		for _, k := range []string{"user.email", "process.command_line", "db.statement"} {
			if slices.Contains(got, k) {
				t.Errorf("%s: ignored_keys has %s", id, k)
			}
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s: ignored_keys not sorted and unique: %v", id, got)
		}
	}
}

func TestRedactionAllowList(t *testing.T) {
	for name, c := range map[string]struct {
		allow       []string
		wantAbsent  []string // text the rendered processors must not contain
		wantPresent []string
		wantErr     bool
	}{
		"default":            {nil, nil, []string{`"url.full"`, "http.request.header.cookie", "db.query.text"}, false},
		"url.full allowed":   {[]string{"url.full"}, []string{`["url.full"]`}, []string{`"http.url"`, "- url.full"}, false},
		"cookie allowed":     {[]string{"http.request.header.cookie"}, []string{`"http.request.header.cookie")`}, []string{"http.request.header.authorization"}, false},
		"db statements kept": {[]string{"db.statement", "db.query.text"}, []string{"redaction/db", "db_sanitizer"}, nil, false},
		"bad key":            {[]string{"url full"}, nil, nil, true},
	} {
		t.Run(name, func(t *testing.T) {
			c2, err := GatewayConfig(GatewayOptions{MemoryLimitMiB: 512, QueueSize: 10, Redaction: &Redaction{Allow: c.allow},
				Exporters: []Exporter{{ID: TypeDebug, Config: DebugExporter{}, Signals: []string{Traces, Logs}}}})
			if c.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text, err := c2.YAML()
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.wantAbsent {
				if strings.Contains(text, s) {
					t.Errorf("rendered config contains %q", s)
				}
			}
			for _, s := range c.wantPresent {
				if !strings.Contains(text, s) {
					t.Errorf("rendered config lacks %q", s)
				}
			}
		})
	}
}
