package collector

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Component types of the redaction preset.
const (
	TypeRedaction = "redaction"
	TypeTransform = "transform"
	idRedactOTTL  = TypeTransform + "/redact"
	idRedactDB    = TypeRedaction + "/db"
)

// Redaction is the gateway's PII preset: before anything leaves the cluster, traces and
// logs lose what must not — credentials in HTTP headers (removed), query strings of URLs
// (replaced by "?REDACTED"), literals of database statements (replaced by "?"), and e-mail
// addresses, payment-card numbers and bearer tokens anywhere in a string attribute or a log
// body (masked), and the values of attributes whose key names a secret (password, token,
// api key: masked).
type Redaction struct {
	// Allow are attribute keys left untouched (ignored_keys), e.g. "url.full" where query
	// strings are needed and known to be clean.
	Allow []string
}

// attrKey is what an attribute key may look like.
var attrKey = regexp.MustCompile(`^[A-Za-z0-9_.\-/]+$`)

// Validate checks the allow list.
func (r Redaction) Validate() error {
	for _, k := range r.Allow {
		if !attrKey.MatchString(k) {
			return fmt.Errorf("redaction: allowed key %q: use an attribute key (letters, digits, '.', '_', '-', '/')", k)
		}
	}
	return nil
}

// Sensitive HTTP headers (semantic conventions: http.request.header.<name>) and the URL
// attributes (current and old conventions) whose query string is cut.
var (
	credentialHeaders = []string{"http.request.header.authorization", "http.request.header.proxy-authorization",
		"http.request.header.cookie", "http.request.header.x-api-key", "http.response.header.set-cookie"}
	urlAttributes = []string{"url.full", "http.url", "http.target", "url.query"}
	dbStatements  = []string{"db.statement", "db.query.text"}
)

// RedactedValues are the patterns of values masked wherever they appear (attributes and
// log bodies): e-mail addresses, payment-card numbers (Visa, Mastercard, American
// Express, Discover; digits optionally grouped by spaces or dashes) and bearer tokens.
// They are one alternation: the processor runs every pattern over every string value, so
// one pass instead of four is most of its cost.
var RedactedValues = []string{strings.Join([]string{
	`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`,
	`\b(?:4\d{3}|5[1-5]\d{2}|6011|65\d{2})(?:[ \-]?\d{4}){3}\b`,
	`\b3[47]\d{2}[ \-]?\d{6}[ \-]?\d{5}\b`,
	`(?i:bearer\s+[A-Za-z0-9\-._~+/]+=*)`,
}, "|")}

// identityKeys are resource attribute keys redaction leaves alone (ignored_keys): what the
// fleet itself writes on everything it forwards (the agents' k8sattributes metadata, the
// collectors' resource attributes: see processors) and the SDKs' identity of a service.
// Their values come from the deployment, not from requests; the backends index them (X-Ray
// and Application Insights name services by service.name), so masking one would break the
// index rather than protect anything. Checking them cost every trace the tail sampler
// releases (each with its own copy of the resource) the key and value patterns of every
// one: a third of the gateway's redaction CPU on small traces (bench/gateway.sh).
// Attributes that may carry request data (process.command_line, url.*, http.*, user.*)
// are not here.
var identityKeys = slices.Concat(k8sMetadata, []string{
	"k8s.pod.ip", "k8s.cluster.name", "deployment.environment", "deployment.environment.name",
	"service.name", "service.namespace", "service.version", "service.instance.id",
	"telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version",
	"telemetry.distro.name", "telemetry.distro.version",
})

// secretKeys are attribute key patterns whose values are masked.
var secretKeys = []string{`(?i)(password|passwd|secret|api[_.\-]?key|access[_.\-]?token|auth[_.\-]?token)`}

// processors are the transform (removals, query strings) and redaction (masking)
// processors by id, and their order in the traces and the logs pipelines; spans also pass
// redaction/db, which replaces the literals of database statements (in spans that name
// their db.system). It is kept out of logs: there the sanitizer would also rewrite every
// number in every log body; statements in log attributes lose their literals through
// OTTL instead.
//
// fleetKeys are the resource attribute keys the collector itself sets (its resource
// processor): ignored with identityKeys.
func (r Redaction) processors(fleetKeys []string) (procs map[string]Component, traces, logs []string) {
	allowed := func(k string) bool { return slices.Contains(r.Allow, k) }
	ignored := slices.Compact(slices.Sorted(slices.Values(slices.Concat(identityKeys, fleetKeys, r.Allow))))
	var ottl []string
	for _, h := range credentialHeaders {
		if !allowed(h) {
			ottl = append(ottl, fmt.Sprintf(`delete_key(%%s.attributes, %q)`, h))
		}
	}
	for _, u := range urlAttributes {
		switch {
		case allowed(u):
		case u == "url.query":
			ottl = append(ottl, `delete_key(%s.attributes, "url.query")`)
		default:
			ottl = append(ottl, fmt.Sprintf(`replace_pattern(%%s.attributes[%q], "[?][^#]*", "?REDACTED")`, u))
		}
	}
	var db []string
	for _, k := range dbStatements {
		if !allowed(k) {
			db = append(db, k)
		}
	}
	statements := func(context string) []OTTLStatements {
		var out []string
		for _, s := range ottl {
			out = append(out, strings.ReplaceAll(s, "%s", context))
		}
		if context == "log" {
			// Statements in log attributes: quoted literals, then numbers, become ?.
			for _, k := range db {
				out = append(out,
					fmt.Sprintf(`replace_pattern(log.attributes[%q], "'[^']*'", "?")`, k),
					fmt.Sprintf(`replace_pattern(log.attributes[%q], "[0-9]+", "?")`, k))
			}
		}
		return []OTTLStatements{{Context: context, Statements: out}}
	}
	procs = map[string]Component{
		idRedactOTTL: TransformProcessor{ErrorMode: "ignore", TraceStatements: statements("span"), LogStatements: statements("log")},
		TypeRedaction: RedactionProcessor{
			AllowAllKeys: true, BlockedKeyPatterns: secretKeys, BlockedValues: RedactedValues,
			IgnoredKeys: ignored, Summary: "silent",
		},
	}
	traces, logs = []string{idRedactOTTL}, []string{idRedactOTTL, TypeRedaction}
	if len(db) > 0 {
		// Literals first, so a value inside a statement is replaced, not masked.
		procs[idRedactDB] = RedactionProcessor{AllowAllKeys: true, Summary: "silent", IgnoredKeys: ignored,
			DBSanitizer: &DBSanitizer{SQL: &Sanitize{Enabled: true, Attributes: db}}}
		traces = append(traces, idRedactDB)
	}
	return procs, append(traces, TypeRedaction), logs
}

// TransformProcessor runs OTTL statements.
type TransformProcessor struct {
	ErrorMode       string           `json:"error_mode"`
	TraceStatements []OTTLStatements `json:"trace_statements,omitempty"`
	LogStatements   []OTTLStatements `json:"log_statements,omitempty"`
}

// OTTLStatements are statements of one OTTL context.
type OTTLStatements struct {
	Context    string   `json:"context"`
	Statements []string `json:"statements"`
}

func (TransformProcessor) Type() string { return TypeTransform }

// Signals reports the pipelines the component can be part of.
func (TransformProcessor) Signals() []string { return []string{Traces, Metrics, Logs} }

// RedactionProcessor masks attribute values (and log bodies) by key and value patterns.
type RedactionProcessor struct {
	AllowAllKeys       bool         `json:"allow_all_keys"`
	BlockedKeyPatterns []string     `json:"blocked_key_patterns,omitempty"`
	BlockedValues      []string     `json:"blocked_values,omitempty"`
	IgnoredKeys        []string     `json:"ignored_keys,omitempty"`
	DBSanitizer        *DBSanitizer `json:"db_sanitizer,omitempty"`
	Summary            string       `json:"summary,omitempty"`
}

// DBSanitizer replaces the literals of database statements.
type DBSanitizer struct {
	SQL *Sanitize `json:"sql,omitempty"`
}

// Sanitize turns one statement sanitizer on for the listed attributes.
type Sanitize struct {
	Enabled    bool     `json:"enabled"`
	Attributes []string `json:"attributes"`
}

func (RedactionProcessor) Type() string { return TypeRedaction }

// Signals reports the pipelines the component can be part of.
func (RedactionProcessor) Signals() []string { return []string{Traces, Logs} }
