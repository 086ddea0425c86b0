package collector

import (
	"strings"
	"testing"
)

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
