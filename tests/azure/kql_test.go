package azure

import (
	"bytes"
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/internal/toolscript"
	"github.com/otelfleet/otelfleet/synth"
)

// kustoChecker returns the directory holding check.js and Microsoft's Kusto.Language:
// $OTELFLEET_KUSTO, or what tools/kusto.sh installs (cached under ~/.cache/otelfleet/kusto/).
func kustoChecker(t *testing.T) string {
	t.Helper()
	dir, err := toolscript.Path("OTELFLEET_KUSTO", "kusto.sh", "KUSTO")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// kqlResult is what Kusto.Language says of one query: its diagnostics and the columns (name →
// Kusto type) of its tabular result.
type kqlResult struct {
	Diagnostics []string          `json:"diagnostics"`
	Columns     map[string]string `json:"columns"`
}

// analyzeKQL parses and analyzes queries (id → KQL) against the Log Analytics tables.
func analyzeKQL(t *testing.T, queries map[string]string) map[string]kqlResult {
	t.Helper()
	in, err := json.Marshal(map[string]any{"tables": logAnalyticsTables, "queries": queries})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(kustoChecker(t), "check.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check.js: %v\n%s", err, stderr.String())
	}
	results := map[string]kqlResult{}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("check.js output: %v\n%s", err, out)
	}
	if len(results) != len(queries) {
		t.Fatalf("check.js answered %d of %d queries", len(results), len(queries))
	}
	return results
}

// numericKusto are the Kusto types Azure accepts for a log alert's measure column.
var numericKusto = []string{"int", "long", "real", "decimal"}

// TestLogAlertQueriesAreValidKQL: every log search rule of the stack (and of the variants
// that add or change rules) is KQL that Microsoft's Kusto.Language parses and resolves against
// the documented tables without a diagnostic, and its result has the measure column (a
// number) and the dimension columns (strings) the rule names. The rules are created with
// skipQueryValidation (a fresh workspace has no rows yet to resolve the tables), so a broken
// query would deploy and then fail every evaluation: an alert that never fires.
func TestLogAlertQueriesAreValidKQL(t *testing.T) {
	stacks := map[string]*synth.Result{
		"azure-prod": prod(t),
		"tail sampling": variant(t, map[string]string{"otelfleet:samplingMode": "tail", "otelfleet:samplingDecisionWait": "5s",
			"otelfleet:samplingLatencyThresholdMs": "1000"}),
		"statefulset gateway": variant(t, map[string]string{"otelfleet:gatewayKind": "statefulset"}),
	}
	queries := map[string]string{}
	rules := map[string]synth.Resource{}
	for name, res := range stacks {
		for _, r := range res.Find(logAlertType) {
			id := name + "/" + r.Name
			queries[id], rules[id] = at(t, r, "criteria.allOf.0.query").(string), r
		}
	}
	if len(queries) < 3*14 {
		t.Fatalf("only %d log alert queries in %d stacks", len(queries), len(stacks))
	}
	results := analyzeKQL(t, queries)
	for _, id := range slices.Sorted(maps.Keys(queries)) {
		res, r := results[id], rules[id]
		for _, d := range res.Diagnostics {
			t.Errorf("%s: %s\n%s", id, d, queries[id])
		}
		condition := at(t, r, "criteria.allOf.0").(map[string]any)
		if m, ok := condition["metricMeasureColumn"].(string); ok {
			if typ, found := res.Columns[m]; !found || !slices.Contains(numericKusto, typ) {
				t.Errorf("%s: measure column %s is %q in the result %v; want one of %v", id, m, typ, res.Columns, numericKusto)
			}
		}
		dims, _ := condition["dimensions"].([]any)
		for _, d := range dims {
			name := d.(map[string]any)["name"].(string)
			if typ := res.Columns[name]; typ != "string" {
				t.Errorf("%s: dimension %s is %q in the result %v; want a string column", id, name, typ, res.Columns)
			}
		}
	}
}

// TestKQLCheckerFindsMistakes: the checker the test above relies on reports a misspelt table,
// an unknown column, a syntax error and a column used with the wrong type — each made from a
// real rule of the stack — and passes the rule itself.
func TestKQLCheckerFindsMistakes(t *testing.T) {
	query := at(t, rule(t, prod(t), logAlertType, "exporter-send-failures"), "criteria.allOf.0.query").(string)
	mistakes := map[string]string{
		"misspelt table": strings.Replace(query, "InsightsMetrics", "InsightMetrics", 1),
		"unknown column": strings.Replace(query, "| where Namespace ==", "| where Namespaces ==", 1),
		"syntax error":   strings.Replace(query, "| summarize", "| summarise", 1),
		"wrong type":     query + "\n| where Collector > 1s",
	}
	queries := map[string]string{"rule": query}
	for name, q := range mistakes {
		if q == query {
			t.Fatalf("%s: the rule's query no longer has what the mistake changes:\n%s", name, query)
		}
		queries[name] = q
	}
	results := analyzeKQL(t, queries)
	if d := results["rule"].Diagnostics; len(d) != 0 {
		t.Errorf("the rule itself: %v", d)
	}
	for name := range mistakes {
		if len(results[name].Diagnostics) == 0 {
			t.Errorf("%s: no diagnostic for\n%s", name, queries[name])
		}
	}
}
