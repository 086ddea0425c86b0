package collector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelfleet/otelfleet/internal/otelcoltest"
	"github.com/otelfleet/otelfleet/internal/otelcoltest/loopback"
)

// podLog is a container log file in the kubelet's layout, written in the CRI format.
type podLog struct {
	t    testing.TB
	path string
}

func newPodLog(t testing.TB, root, namespace, pod string) *podLog {
	t.Helper()
	dir := filepath.Join(root, fmt.Sprintf("%s_%s_0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", namespace, pod), "app")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &podLog{t: t, path: filepath.Join(dir, "0.log")}
}

// write appends lines first..last-1 ("<pod>-line-000042"), paced so the receiver's polls
// see the file grow.
func (l *podLog) write(pod string, first, last int) {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		l.t.Fatal(err)
	}
	defer f.Close()
	for i := first; i < last; i++ {
		fmt.Fprintf(f, "%s stdout F %s-line-%06d\n", time.Now().UTC().Format(time.RFC3339Nano), pod, i)
		if i%20 == 19 {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// logBodies counts the log record bodies in a file sink.
func logBodies(t testing.TB, sinkFile string) map[string]int {
	t.Helper()
	out := map[string]int{}
	data, err := os.ReadFile(sinkFile)
	if err != nil {
		return out
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var line struct {
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						Body struct {
							StringValue string `json:"stringValue"`
						} `json:"body"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("sink: %v", err)
		}
		for _, rl := range line.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, r := range sl.LogRecords {
					out[r.Body.StringValue]++
				}
			}
		}
	}
	return out
}

// TestAgentRestartReadsEveryLogLineOnce runs aws-prod's DaemonSet agent (container log
// collection on) over a pod log directory in the kubelet's layout and the gateway into a
// file sink. Mid-file the agent is stopped; while it is down lines are appended to the file
// and a new pod's log appears; it restarts on the same checkpoint directory (the hostPath of
// a new pod on the node). Every line arrives exactly once: a restart neither re-reads what
// was sent nor skips what was written meanwhile.
func TestAgentRestartReadsEveryLogLineOnce(t *testing.T) {
	bin := otelcoltest.Binary(t)
	s := render(t, "aws-prod")
	ca := newCA(t)
	sinkFile := filepath.Join(t.TempDir(), "sink.json")
	gw := prepare(t, s, s.Gateway(t), loopback.Options{Sink: loopback.Sink{File: sinkFile}, StorageDir: t.TempDir()}, ca).start(t, bin)
	logs, checkpoints := t.TempDir(), t.TempDir()
	agentCfg := s.Result.Collector[daemonSetAgent(t, s).File]
	if !strings.Contains(agentCfg, "storage: file_storage/") || !strings.Contains(agentCfg, "start_at: beginning") {
		t.Fatalf("aws-prod's agent keeps no log offsets:\n%s", agentCfg)
	}
	agent := prepare(t, s, daemonSetAgent(t, s), loopback.Options{GatewayEndpoint: gw.Endpoint(), LogDir: logs, StorageDir: checkpoints}, ca).start(t, bin)

	shop, late := newPodLog(t, logs, "shop", "cart"), newPodLog(t, logs, "shop", "late")
	const before, during, after, lateLines = 400, 250, 250, 150
	shop.write("cart", 0, before)
	waitLogs(t, sinkFile, before, 60*time.Second)
	if err := agent.Proc.Stop(); err != nil {
		t.Fatalf("stop agent: %v", err)
	}
	shop.write("cart", before, before+during) // the file grows while the agent is down
	late.write("late", 0, lateLines)          // and a new pod's log appears
	agent.Proc.Restart()
	shop.write("cart", before+during, before+during+after)

	want := before + during + after + lateLines
	got := waitLogs(t, sinkFile, want, 60*time.Second)
	time.Sleep(2 * time.Second) // duplicates would arrive after the originals
	got = logBodies(t, sinkFile)
	missing, dup := 0, 0
	for pod, n := range map[string]int{"cart": before + during + after, "late": lateLines} {
		for i := 0; i < n; i++ {
			switch c := got[fmt.Sprintf("%s-line-%06d", pod, i)]; {
			case c == 0:
				missing++
			case c > 1:
				dup += c - 1
			}
		}
	}
	t.Logf("%d lines written around an agent restart: %d arrived once, %d missing, %d duplicates", want, len(got), missing, dup)
	if missing > 0 || dup > 0 {
		t.Errorf("the agent restart lost %d and repeated %d of %d log lines", missing, dup, want)
	}
}

// waitLogs waits until the sink holds at least n distinct log bodies.
func waitLogs(t *testing.T, sinkFile string, n int, timeout time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := logBodies(t, sinkFile)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
}
