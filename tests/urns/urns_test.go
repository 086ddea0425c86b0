// Package urns keeps every committed stack's resource identities stable. A URN is what ties
// a resource in the program to the one deployed: when a change moves or renames a resource
// and its URN changes without an alias to the old one, `pulumi up` deletes the deployed
// resource and creates a new one — for a Service, a StatefulSet or a cluster, an outage.
//
// testdata/<stack>.urns lists the URNs of each committed stack as they are deployed. The
// test fails when one of them is neither rendered any more nor an alias of a rendered
// resource, and when a rendered URN is not listed: review the change, then run
//
//	go test ./tests/urns -update
//
// which refuses to drop a URN that nothing answers to. A resource deliberately removed (not
// moved) is listed, with the reason and what operators do about it, in testdata/retired.txt.
package urns

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/otelfleet/otelfleet/stacks"
	"github.com/otelfleet/otelfleet/stacks/aws"
	"github.com/otelfleet/otelfleet/stacks/azure"
	"github.com/otelfleet/otelfleet/stacks/cluster"
	"github.com/otelfleet/otelfleet/synth"
	"github.com/otelfleet/otelfleet/synth/synthtest"
)

var update = flag.Bool("update", false, "rewrite testdata/<stack>.urns from the current render")

const projectDir = "../.."

var program = stacks.ProgramWith(synth.Trust(), map[string]stacks.Builder{"aws": aws.Build, "azure": azure.Build, "kubernetes": cluster.Build})

func TestURNsOfCommittedStacksAreStable(t *testing.T) {
	names, err := synth.Stacks(projectDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 4 {
		t.Fatalf("found %d committed stacks, want aws-prod, aws-prod-euw1, azure-prod and local: %v", len(names), names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			res := synthtest.Stack(t, program, name, nil)
			current, answered := map[string]bool{}, map[string]bool{}
			for _, r := range res.Resources {
				current[r.URN], answered[r.URN] = true, true
				for _, a := range r.Aliases {
					answered[a] = true
				}
			}
			golden := filepath.Join("testdata", name+".urns")
			b, err := os.ReadFile(golden)
			if err != nil && !*update {
				t.Fatalf("%v (run go test ./tests/urns -update for a new stack)", err)
			}
			var lost []string
			deployed, retired := map[string]bool{}, retiredURNs(t)
			for _, u := range strings.Fields(string(b)) {
				deployed[u] = true
				switch {
				case answered[u]:
				case retired[u]:
					t.Logf("%s is retired (testdata/retired.txt): pulumi up deletes it", u)
				default:
					lost = append(lost, u)
				}
			}
			for _, u := range lost {
				t.Errorf("%s is gone without an alias: pulumi up would delete it and create its successor", u)
			}
			var added []string
			for u := range current {
				if !deployed[u] {
					added = append(added, u)
				}
			}
			slices.Sort(added)
			if *update {
				if len(lost) > 0 {
					t.Fatal("not updating: add pulumi.Aliases for the URNs above first")
				}
				list := make([]string, 0, len(current))
				for u := range current {
					list = append(list, u)
				}
				slices.Sort(list)
				if err := os.WriteFile(golden, []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, u := range added {
				t.Errorf("%s is new: if that is intended, run go test ./tests/urns -update", u)
			}
			if len(deployed) == 0 {
				t.Fatalf("%s lists no URN", golden)
			}
		})
	}
}

// retiredURNs are the URNs of testdata/retired.txt: resources removed on purpose. Lines
// starting with # give the reason and the operator's part.
func retiredURNs(t *testing.T) map[string]bool {
	b, err := os.ReadFile(filepath.Join("testdata", "retired.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	return out
}
