package engine

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/otelfleet/otelfleet/synth"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// step is what the engine planned or did for one resource.
type step struct {
	URN   string
	Op    apitype.OpType
	Diffs []string
	Keys  []string // properties that force a replacement
}

// resourceKey names a resource as synth and the engine both know it.
func resourceKey(typ, name string) string { return typ + " " + name }

// steps are an operation's resource steps by resourceKey, without the stack itself.
func steps(evs []events.EngineEvent) map[string]step {
	out := map[string]step{}
	for _, ev := range evs {
		if ev.ResourcePreEvent == nil {
			continue
		}
		m := ev.ResourcePreEvent.Metadata
		urn := resource.URN(m.URN)
		if string(urn.Type()) == "pulumi:pulumi:Stack" {
			continue
		}
		out[resourceKey(string(urn.Type()), urn.Name())] = step{URN: m.URN, Op: m.Op, Diffs: m.Diffs, Keys: m.Keys}
	}
	return out
}

// rendered are synth's resources by resourceKey.
func rendered(res *synth.Result) map[string]synth.Resource {
	out := map[string]synth.Resource{}
	for _, r := range res.Resources {
		out[resourceKey(r.Type, r.Name)] = r
	}
	return out
}

// expectedDiagnostics are the warnings the engine prints for this project that are not
// findings, each with the reason it is expected.
var expectedDiagnostics = []expectedDiagnostic{
	{regexp.MustCompile(`^resource plugin kubernetes is expected to have version >=4\.32\.0, but has 4\.25\.0`),
		"the Go module proxy serves only a 4.25.0 build of the provider (tools/pulumi.sh); the SDK asks for 4.32.0"},
}

type expectedDiagnostic struct {
	pattern *regexp.Regexp
	why     string
}

// unexpectedDiagnostics are the warnings and errors of an operation that no entry of
// expectedDiagnostics explains.
func unexpectedDiagnostics(evs []events.EngineEvent) []string {
	var out []string
	for _, ev := range evs {
		d := ev.DiagnosticEvent
		if d == nil || (d.Severity != "warning" && d.Severity != "error") {
			continue
		}
		msg := strings.TrimSpace(d.Message)
		if !slices.ContainsFunc(expectedDiagnostics, func(e expectedDiagnostic) bool { return e.pattern.MatchString(msg) }) {
			out = append(out, fmt.Sprintf("%s %s: %s", d.Severity, d.URN, msg))
		}
	}
	return out
}

// changed lists the steps that are not "same", sorted, for messages.
// changed lists the steps that change something. A stack reference is read on every run
// (its outputs may have moved): a read of one is not a change.
func changed(s map[string]step) []string {
	var out []string
	for k, st := range s {
		if st.Op == apitype.OpRead && strings.HasPrefix(k, "pulumi:pulumi:StackReference ") {
			continue
		}
		if st.Op != apitype.OpSame {
			out = append(out, fmt.Sprintf("%s %s (diffs %v, replace keys %v)", st.Op, k, st.Diffs, st.Keys))
		}
	}
	sort.Strings(out)
	return out
}
