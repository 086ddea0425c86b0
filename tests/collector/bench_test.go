package collector

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
)

// benchLine is the last line bench/dataplane.sh prints.
// A 2-second smoke run may leave an agent under one CPU tick: the ratio is then "n/a".
var benchLine = regexp.MustCompile(`(?m)^generated/seed spans-per-cpu-second ratio: ([0-9.]+|n/a[^,]*), lost: ([0-9]+)$`)

// agentOverloadLine is the line of bench/dataplane.sh's --overload phase.
var agentOverloadLine = regexp.MustCompile(`(?m)^agent at 2x \(CPU quota [0-9.]+ cores\): peak RSS ([0-9]+) MiB against the memory_limiter ceiling of ([0-9]+) MiB; refused [0-9]+, lost ([0-9]+)$`)

// TestDataplaneBenchmarkRuns keeps bench/dataplane.sh working: a short, light run (2 s,
// 2 workers at 500 spans/s each, agents pinned, with the --overload phase) must complete
// both set-ups and print its final line with nothing lost. It asserts no speed: the ratio is only logged (figures come from full runs,
// see the README's capacity model).
func TestDataplaneBenchmarkRuns(t *testing.T) {
	otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("bench", "dataplane.sh"),
		"--duration", "2", "--repeat", "1", "--workers", "2", "--rate", "500", "--idle", "2", "--pin", "--overload", "2")
	cmd.Dir = projectDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench/dataplane.sh: %v\n%s", err, out)
	}
	m := benchLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no final ratio line in the output:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^generated agent on an idle node \(metric presets on, 2s\): [0-9.]+ millicores, peak RSS [0-9]+ MiB$`).Match(out) {
		t.Errorf("no idle-agent line in the output:\n%s", out)
	}
	if lost, _ := strconv.Atoi(string(m[2])); lost != 0 {
		t.Errorf("the benchmark lost %d spans:\n%s", lost, out)
	}
	// The agent under a CPU quota of half what the load cost it (at least 1 % of a CPU):
	// memory stays under its memory_limiter ceiling and nothing accepted is lost.
	if o := agentOverloadLine.FindSubmatch(out); o == nil {
		t.Errorf("no agent overload line in the output:\n%s", out)
	} else if peak, ceiling := atoi(o[1]), atoi(o[2]); peak <= 0 || peak >= ceiling || string(o[3]) != "0" {
		t.Errorf("agent at 2x: peak %d MiB (ceiling %d), lost %s:\n%s", peak, ceiling, o[3], out)
	}
	if !strings.Contains(string(out), ", agents pinned to CPU 0\n") {
		t.Errorf("--pin is not reported in the run's header:\n%s", out)
	}
	t.Logf("short run (not a measurement): ratio %s, lost %s", m[1], m[2])
}

// gatewayBenchLine is the last line bench/gateway.sh prints; overloadLine the line of its
// --overload phase.
var (
	gatewayBenchLine = regexp.MustCompile(`(?m)^generated/seed gateway spans-per-cpu-second ratio: ([0-9.]+|n/a[^,]*), lost: ([0-9]+)$`)
	keptLine         = regexp.MustCompile(`(?m)^spans with status ERROR: ([0-9]+) %; the generated gateway kept \(its sampler\) [0-9]+ of [0-9]+ spans \(([0-9]+) %\)`)
	generatedRow     = regexp.MustCompile(`(?m)^\(generated\) gateway +[0-9]+ +[0-9.]+ +([0-9.]+) `)
	calibrationLine  = regexp.MustCompile(`(?m)^calibration for these nodes: pulumi config set --stack ([a-z-]+) otelfleet:(gatewayCpuSecondsPerMillion[A-Za-z]+) ([0-9.]+)$`)
	calibrationHint  = "calibration: run with --error-percent 100"
	overloadLine     = regexp.MustCompile(`(?m)^at 2x: peak RSS ([0-9]+) MiB against the memory_limiter ceiling of ([0-9]+) MiB; refused \(the senders retry\) [0-9]+, lost ([0-9]+)$`)
)

// TestGatewayBenchmarkRuns keeps bench/gateway.sh working on both clouds: a short, light
// run of the generated and the seed gateways with their real exporters to the stand-ins
// (aws-prod also with its 2x overload phase) must print its final line with nothing lost,
// the generated gateway's sampler must keep about a quarter of the default mix, and the
// overloaded gateway must stay under its memory_limiter ceiling. It asserts no
// speed.
func TestGatewayBenchmarkRuns(t *testing.T) {
	otelcoltest.Binary(t)
	otelcoltest.Telemetrygen(t)
	// azure-prod goes through bench/dataplane.sh's --tier gateway, the entry point the
	// README names beside bench/gateway.sh.
	for _, tc := range []struct {
		script   []string
		run      []string
		overload bool
	}{
		{[]string{filepath.Join("bench", "gateway.sh")}, []string{"--stack", "aws-prod", "--overload", "2"}, true},
		// Every span kept: the run that calibrates the capacity model's span cost.
		{[]string{filepath.Join("bench", "dataplane.sh"), "--tier", "gateway"}, []string{"--stack", "azure-prod", "--error-percent", "100"}, false},
		// Each gateway behind its own agent, as deployed.
		{[]string{filepath.Join("bench", "gateway.sh")}, []string{"--stack", "aws-prod", "--feed", "agents"}, false},
	} {
		run := tc.run
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		args := append(append(slices.Clone(tc.script), "--duration", "2", "--repeat", "1", "--workers", "2", "--rate", "500"), run...)
		cmd := exec.CommandContext(ctx, "bash", args...)
		cmd.Dir = projectDir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		m := gatewayBenchLine.FindSubmatch(out)
		if m == nil {
			t.Fatalf("%v: no final ratio line in the output:\n%s", run, out)
		}
		if lost, _ := strconv.Atoi(string(m[2])); lost != 0 {
			t.Errorf("%v: the benchmark lost %d spans:\n%s", run, lost, out)
		}
		// The production mix: each cloud's sampler keeps about a quarter (24 %, 25 %); with
		// every span an error, all of them.
		if k := keptLine.FindSubmatch(out); k == nil {
			t.Errorf("%v: no sampling line in the output:\n%s", run, out)
		} else if errs, pct := atoi(k[1]), atoi(k[2]); (errs == 5 && (pct < 15 || pct > 35)) || (errs == 100 && pct < 99) {
			t.Errorf("%v: with %d %% errors the generated gateway kept %d %% of the spans:\n%s", run, errs, pct, out)
		}
		checkCalibration(t, run, out)
		if fedByAgents := slices.Contains(run, "agents"); fedByAgents != strings.Contains(string(out), "through each gateway's own agent") {
			t.Errorf("%v: the run's header does not say how the gateways were fed:\n%s", run, out)
		}
		if tc.overload {
			o := overloadLine.FindSubmatch(out)
			if o == nil {
				t.Fatalf("%v: no overload line in the output:\n%s", run, out)
			}
			peak, _ := strconv.Atoi(string(o[1]))
			ceiling, _ := strconv.Atoi(string(o[2]))
			if peak <= 0 || peak >= ceiling || string(o[3]) != "0" {
				t.Errorf("%v: at 2x peak %d MiB (ceiling %d), lost %s:\n%s", run, peak, ceiling, o[3], out)
			}
		}
		t.Logf("%v short run (not a measurement): ratio %s, lost %s", run, m[1], m[2])
	}
}

func atoi(b []byte) int { n, _ := strconv.Atoi(string(b)); return n }

// checkCalibration: a run with every span kept ends with the stack key that calibrates the
// capacity model and the generated gateway's measured cost (its CPU-s/1M column); other
// trace runs say how to calibrate instead. The key must be one the project declares.
func checkCalibration(t *testing.T, run []string, out []byte) {
	t.Helper()
	c := calibrationLine.FindSubmatch(out)
	if !slices.Contains(run, "100") {
		if c != nil || !strings.Contains(string(out), calibrationHint) {
			t.Errorf("%v: a production-mix run should print %q and no calibration:\n%s", run, calibrationHint, out)
		}
		return
	}
	row := generatedRow.FindSubmatch(out)
	if c == nil || row == nil {
		t.Fatalf("%v: no calibration line or generated row in the output:\n%s", run, out)
	}
	if !slices.Contains(run, string(c[1])) || string(c[2]) != "gatewayCpuSecondsPerMillionSpans" {
		t.Errorf("%v: calibration for stack %s key %s", run, c[1], c[2])
	}
	cost, _ := strconv.ParseFloat(string(c[3]), 64)
	measured, _ := strconv.ParseFloat(string(row[1]), 64)
	if cost <= 0 || math.Abs(cost-measured) > 0.051 {
		t.Errorf("%v: calibration %.1f, the generated gateway measured %.2f CPU-s per 1M", run, cost, measured)
	}
	project, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(project), "\n  "+string(c[2])+":\n") {
		t.Errorf("Pulumi.yaml declares no config key %s", c[2])
	}
}
