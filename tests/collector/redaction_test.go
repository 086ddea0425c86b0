package collector

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// redactionCase is one attribute sent through the gateway and what must come out: gone,
// kept as it was, or present without any of the secrets (and, when set, equal to want).
type redactionCase struct {
	key     string
	value   any // string, int or []string (OTLP array)
	gone    bool
	kept    bool
	secrets []string
	want    string
}

var redactionCases = []redactionCase{
	{key: "http.request.header.authorization", value: []string{"Bearer eyJhbGciOi.secret"}, gone: true},
	{key: "http.request.header.cookie", value: []string{"session=abc123"}, gone: true},
	{key: "http.response.header.set-cookie", value: []string{"session=abc123; HttpOnly"}, gone: true},
	{key: "url.query", value: "user=alice@example.com", gone: true},
	{key: "url.full", value: "https://shop.example.com/cart?user=alice%40example.com&token=s3cr3t#items", want: "https://shop.example.com/cart?REDACTED#items", secrets: []string{"alice", "s3cr3t"}},
	{key: "http.url", value: "http://shop/checkout?card=4111111111111111", want: "http://shop/checkout?REDACTED", secrets: []string{"4111"}},
	{key: "db.statement", value: "SELECT * FROM users WHERE email = 'bob@example.com' AND id = 42", secrets: []string{"bob@", "42"}},
	{key: "user.email", value: "carol@example.com", secrets: []string{"carol"}},
	{key: "payment.card", value: "4111 1111 1111 1111", secrets: []string{"4111", "1111"}},
	{key: "note", value: "customer paid with 5500-0000-0000-0004 today", secrets: []string{"5500", "0004"}},
	{key: "amex", value: "3782 822463 10005", secrets: []string{"3782", "10005"}},
	{key: "outbound.auth", value: "Bearer abc.def.ghi", secrets: []string{"abc.def.ghi"}},
	{key: "db.password", value: "hunter2", secrets: []string{"hunter2"}},
	{key: "db.system", value: "postgresql", kept: true},
	{key: "http.route", value: "/cart/{id}", kept: true},
	{key: "order.id", value: "A-12345", kept: true},
	{key: "http.response.status_code", value: 500, kept: true},
	{key: "http.request.header.accept", value: []string{"application/json"}, kept: true},
	// Identity keys (collector.identityKeys) are left alone even when they look like data:
	// backends index them; user.email above, with the same kind of value, is masked.
	{key: "service.namespace", value: "payments-team@example.com", kept: true},
}

// TestRedactionAtTheGateway sends a span and a log record carrying the table above, over
// mutual TLS, to aws-prod's gateway as rendered (redaction on, the stack's default), with
// its backends replaced by a file sink, and checks every attribute and the log body as they
// arrive: credentials and query strings gone, personal data masked, SQL literals replaced,
// the rest untouched. The span has status ERROR, which the tail sampler always keeps.
func TestRedactionAtTheGateway(t *testing.T) {
	bin := otelcoltest.Binary(t)
	s := render(t, "aws-prod")
	ca := newCA(t)
	sink := filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sink}}, ca).start(t, bin)
	if !strings.Contains(gw.Config, "redaction") {
		t.Fatal("aws-prod's gateway has no redaction processor: the preset is off")
	}
	client := mtlsClient(t, ca)
	base := fmt.Sprintf("https://127.0.0.1:%d", gw.Ports.OTLPHTTP)
	now := time.Now().UnixNano()
	attrs := otlpAttributes(redactionCases)
	resource := map[string]any{"attributes": []any{kv("service.name", "redaction")}}
	traces := map[string]any{"resourceSpans": []any{map[string]any{"resource": resource, "scopeSpans": []any{map[string]any{"spans": []any{map[string]any{
		"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "checkout", "kind": 2,
		"startTimeUnixNano": fmt.Sprint(now - 1e6), "endTimeUnixNano": fmt.Sprint(now),
		"status": map[string]any{"code": 2}, "attributes": attrs,
	}}}}}}}
	logs := map[string]any{"resourceLogs": []any{map[string]any{"resource": resource, "scopeLogs": []any{map[string]any{"logRecords": []any{map[string]any{
		"timeUnixNano": fmt.Sprint(now), "body": map[string]any{"stringValue": "user dave@example.com paid with 5500 0000 0000 0004, order A-12345"},
		"attributes": attrs,
	}}}}}}}
	post(t, client, base+"/v1/traces", traces)
	post(t, client, base+"/v1/logs", logs)

	var span, record map[string]any
	var body string
	deadline := time.Now().Add(40 * time.Second) // the tail sampler decides after 10 s
	for time.Now().Before(deadline) && (span == nil || record == nil) {
		time.Sleep(time.Second)
		span, record, body = readRedacted(t, sink)
	}
	if span == nil || record == nil {
		t.Fatalf("the gateway delivered span=%v log=%v within 40 s", span != nil, record != nil)
	}
	for what, got := range map[string]map[string]any{"span": span, "log record": record} {
		for _, c := range redactionCases {
			v, present := got[c.key]
			text := fmt.Sprint(v)
			switch {
			case c.gone && present:
				t.Errorf("%s: %s = %v reached the backend; it must be removed", what, c.key, v)
			case !c.gone && !present:
				t.Errorf("%s: %s is missing; it must arrive (redacted or not)", what, c.key)
			case c.kept && text != fmt.Sprint(normalize(c.value)):
				t.Errorf("%s: %s = %q; it must arrive unchanged as %q", what, c.key, text, fmt.Sprint(normalize(c.value)))
			case c.want != "" && text != c.want:
				t.Errorf("%s: %s = %q; want %q", what, c.key, text, c.want)
			}
			for _, secret := range c.secrets {
				if strings.Contains(text, secret) {
					t.Errorf("%s: %s = %q still contains %q", what, c.key, text, secret)
				}
			}
		}
	}
	for _, secret := range []string{"dave@", "5500", "0004"} {
		if strings.Contains(body, secret) {
			t.Errorf("log body %q still contains %q", body, secret)
		}
	}
	if !strings.Contains(body, "order A-12345") {
		t.Errorf("log body %q lost what is not sensitive", body)
	}
	t.Logf("span after redaction: %v\nlog body: %q", span, body)
}

func kv(k string, v any) map[string]any {
	return map[string]any{"key": k, "value": otlpValueOf(v)}
}

func otlpValueOf(v any) map[string]any {
	switch x := v.(type) {
	case int:
		return map[string]any{"intValue": fmt.Sprint(x)}
	case []string:
		var vals []any
		for _, s := range x {
			vals = append(vals, map[string]any{"stringValue": s})
		}
		return map[string]any{"arrayValue": map[string]any{"values": vals}}
	default:
		return map[string]any{"stringValue": fmt.Sprint(x)}
	}
}

func otlpAttributes(cases []redactionCase) []any {
	var out []any
	for _, c := range cases {
		out = append(out, kv(c.key, c.value))
	}
	return out
}

// normalize is how readRedacted renders a sent value.
func normalize(v any) any {
	if a, ok := v.([]string); ok {
		return strings.Join(a, ",")
	}
	return fmt.Sprint(v)
}

// readRedacted reads the sink: the attributes of the span and of the log record of service
// "redaction" (values as text, arrays comma-joined) and the log body.
func readRedacted(t *testing.T, sink string) (span, record map[string]any, body string) {
	t.Helper()
	data, err := os.ReadFile(sink)
	if err != nil {
		return nil, nil, ""
	}
	type attr struct {
		Key   string `json:"key"`
		Value struct {
			StringValue *string `json:"stringValue"`
			IntValue    *string `json:"intValue"`
			ArrayValue  *struct {
				Values []struct {
					StringValue string `json:"stringValue"`
				} `json:"values"`
			} `json:"arrayValue"`
		} `json:"value"`
	}
	toMap := func(attrs []attr) map[string]any {
		m := map[string]any{}
		for _, a := range attrs {
			switch {
			case a.Value.StringValue != nil:
				m[a.Key] = *a.Value.StringValue
			case a.Value.IntValue != nil:
				m[a.Key] = *a.Value.IntValue
			case a.Value.ArrayValue != nil:
				var parts []string
				for _, v := range a.Value.ArrayValue.Values {
					parts = append(parts, v.StringValue)
				}
				m[a.Key] = strings.Join(parts, ",")
			default:
				m[a.Key] = ""
			}
		}
		return m
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var line struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []struct {
						Attributes []attr `json:"attributes"`
					} `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						Body struct {
							StringValue string `json:"stringValue"`
						} `json:"body"`
						Attributes []attr `json:"attributes"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		for _, rs := range line.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					span = toMap(s.Attributes)
				}
			}
		}
		for _, rl := range line.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, r := range sl.LogRecords {
					record, body = toMap(r.Attributes), r.Body.StringValue
				}
			}
		}
	}
	return span, record, body
}

// mtlsClient presents a fleet client certificate of ca and trusts ca.
func mtlsClient(t *testing.T, ca *loopback.CA) *http.Client {
	t.Helper()
	dir := t.TempDir()
	if err := ca.WriteTLSDir(dir, []string{"redaction-client"}, nil); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12,
	}}}
}

func post(t *testing.T, c *http.Client, url string, payload any) {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}
